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
        /// A breakdown key by key; a key found in only one quarter counts `zero` (made from the other's entry).
        func keyed<Value>(_ this: inout [String: Value], _ that: [String: Value], zero: (Value) -> Value,
                          _ compare: (inout Value, Value) -> Void) {
            for (key, thatValue) in that where this[key] == nil {
                this[key] = zero(thatValue)
            }
            for key in this.keys {
                compare(&this[key]!, that[key] ?? zero(this[key]!))
            }
        }
        func map(_ this: inout [String: Figure], _ that: [String: Figure]) {
            keyed(&this, that, zero: { Figure($0.value.zero, $0.definition) }, figure)
        }
        func pair(_ this: inout PeriodAndTotal, _ that: PeriodAndTotal) {
            figure(&this.inQuarter, that.inQuarter)
            figure(&this.cumulative, that.cumulative)
        }
        func origins(_ this: inout CoordinationFigures.ByOrigin, _ that: CoordinationFigures.ByOrigin) {
            pair(&this.all, that.all)
            keyed(&this.byOrigin, that.byOrigin, zero: {
                PeriodAndTotal(inQuarter: Figure(.count(0), $0.inQuarter.definition),
                               cumulative: Figure(.count(0), $0.cumulative.definition))
            }, pair)
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
        figure(&report.notifications.delivery.voided, n.delivery.voided)
        figure(&report.notifications.delivery.ourDeliveryProblems, n.delivery.ourDeliveryProblems)

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
        figure(&report.coordination.withdrawn.figure, c.withdrawn.figure)

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
