/// Puts another quarter's value and the change beside every numeric figure of a report.
///
/// Breakdowns are aligned by key; a key found in only one quarter counts zero in the other.
enum ReportComparison {
    static func compare(_ report: inout QuarterReport, with other: QuarterReport) {
        let quarter = other.quarter
        report.comparedTo = quarter

        func figure(_ this: inout Figure, _ that: Figure) {
            this.compare = FigureComparison(quarter: quarter, this: this.value, other: that.value)
        }
        func map(_ this: inout [String: Figure], _ that: [String: Figure]) {
            for (key, thatFigure) in that where this[key] == nil {
                this[key] = Figure(thatFigure.value.zero, thatFigure.definition)
            }
            for key in this.keys {
                let thatFigure = that[key] ?? Figure(this[key]!.value.zero, this[key]!.definition)
                figure(&this[key]!, thatFigure)
            }
        }
        func pair(_ this: inout PeriodAndTotal, _ that: PeriodAndTotal) {
            figure(&this.inQuarter, that.inQuarter)
            figure(&this.cumulative, that.cumulative)
        }
        func origins(_ this: inout CoordinationFigures.ByOrigin, _ that: CoordinationFigures.ByOrigin) {
            pair(&this.all, that.all)
            for (key, thatPair) in that.byOrigin where this.byOrigin[key] == nil {
                this.byOrigin[key] = PeriodAndTotal(
                    inQuarter: Figure(.count(0), thatPair.inQuarter.definition),
                    cumulative: Figure(.count(0), thatPair.cumulative.definition))
            }
            for key in this.byOrigin.keys {
                let zero = PeriodAndTotal(inQuarter: Figure(.count(0), ""), cumulative: Figure(.count(0), ""))
                pair(&this.byOrigin[key]!, that.byOrigin[key] ?? zero)
            }
        }

        let n = other.notifications
        figure(&report.notifications.sent, n.sent)
        map(&report.notifications.byPurpose, n.byPurpose)
        map(&report.notifications.byRecipientKind, n.byRecipientKind)
        map(&report.notifications.byRecipientCountry, n.byRecipientCountry)
        map(&report.notifications.incidentsByCategory, n.incidentsByCategory)
        figure(&report.notifications.delivery.sent, n.delivery.sent)
        figure(&report.notifications.delivery.deferredAtQuarterEnd, n.delivery.deferredAtQuarterEnd)
        figure(&report.notifications.delivery.failed, n.delivery.failed)
        figure(&report.notifications.delivery.bounced, n.delivery.bounced)

        let c = other.coordination
        origins(&report.coordination.opened, c.opened)
        origins(&report.coordination.published, c.published)
        figure(&report.coordination.organizationsNotified, c.organizationsNotified)
        figure(&report.coordination.participantsNotified, c.participantsNotified)
        figure(&report.coordination.participantsResponded, c.participantsResponded)
        figure(&report.coordination.responseRate, c.responseRate)
        figure(&report.coordination.medianDaysToFirstResponse, c.medianDaysToFirstResponse)
        figure(&report.coordination.p90DaysToFirstResponse, c.p90DaysToFirstResponse)
        figure(&report.coordination.awaitingResponse.figure, c.awaitingResponse.figure)

        let d = other.directory
        figure(&report.directory.registeredDevelopers, d.registeredDevelopers)
        figure(&report.directory.newDevelopers, d.newDevelopers)
        figure(&report.directory.apcertMembers, d.apcertMembers)
        figure(&report.directory.nationalCSIRTPartners, d.nationalCSIRTPartners)
        figure(&report.directory.mouSigned.figure, d.mouSigned.figure)
        figure(&report.directory.otherAgreementsSigned.figure, d.otherAgreementsSigned.figure)
        figure(&report.directory.keyProblems.figure, d.keyProblems.figure)
        map(&report.directory.keyProblemsByKind, d.keyProblemsByKind)
        figure(&report.directory.bouncedAddresses.figure, d.bouncedAddresses.figure)
    }
}
