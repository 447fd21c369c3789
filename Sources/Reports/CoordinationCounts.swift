import Foundation
import Registry

/// Counts §3: cases opened and published by origin, and how participants answered.
enum CoordinationCounts {
    /// Origins always shown, in this order; others follow by name.
    static let knownOrigins = ["jvn-jp", "cert-cc", "cpni"]

    static func figures(_ queries: any ReportQueries, _ window: ReportWindow,
                        defaultTLP: TrafficLightProtocol = .defaultLevel, now: Date = .distantFuture) throws -> CoordinationFigures {
        // A quarter not yet over counts waiting days up to now, not to its future end.
        let countedTo = min(now, window.end)
        let counts = try caseCounts(queries, window)
        let participants = try queries.participantsNotified(in: window.bounds)
        let notified = participants.participants
        let organizations = participants.organizations
        let responded = participants.respondedBeforeEnd
        let awaiting = try queries.participantsAwaitingResponse(atEndOf: window.bounds)
        let days = try queries.daysToFirstResponse(in: window.bounds).sorted()

        let withdrawn = try queries.withdrawnCases(atEndOf: window.bounds)
        let awaitingRows = try queries.participantsAwaitingResponse(atEndOf: window.bounds, limit: QuarterReport.listLimit)
        let awaitingItems = awaitingRows.map { row -> AwaitingParticipant in
            AwaitingParticipant(
                caseId: row.caseId, organizationId: row.organizationId,
                organizationName: row.organizationName ?? row.organizationId, organizationLocalName: row.organizationLocalName,
                firstNotifiedAt: row.firstNotifiedAt,
                days: FigureValue.rounded(max(0, countedTo.timeIntervalSince(row.firstNotifiedAt)) / 86_400, 2),
                tlp: (row.tlp ?? defaultTLP).label)
        }

        let notifiedInQuarter = "participants (case, organisation) whose firstNotifiedAt is in the quarter"
        return CoordinationFigures(
            opened: counts.opened,
            published: counts.published,
            organizationsNotified: .count(organizations,
                "Organisations that received the first notice of at least one case in the quarter.",
                rule: "Distinct organisations among the \(notifiedInQuarter)."),
            participantsNotified: .count(notified,
                "Vendors first told of a case in the quarter, once per case (a vendor in two cases counts twice).",
                rule: "All \(notifiedInQuarter)."),
            participantsResponded: .count(responded, "Of those, the ones that answered before the quarter ended.",
                rule: "Of the \(notifiedInQuarter), those whose firstResponseAt is before the quarter's end."),
            responseRate: Figure(.share(notified == 0 ? nil : FigureValue.rounded(Double(responded) / Double(notified), 4)),
                "Share of the vendors first told of a case in the quarter that answered before it ended (blank when none were told).",
                rule: "Share of the \(notifiedInQuarter) that had a first response by the quarter's end (null when none were notified)."),
            medianDaysToFirstResponse: Figure(.days(percentile(days, 0.5).map { FigureValue.rounded($0, 2) }),
                "How many days a vendor typically took to give its first answer, over first answers received in the quarter "
                + "(half answered sooner, half later).", rule:
                "Median of days from firstNotifiedAt to firstResponseAt over participants whose firstResponseAt is in "
                + "the quarter (a response before the notification counts 0; null when there is none)."),
            p90DaysToFirstResponse: Figure(.days(percentile(days, 0.9).map { FigureValue.rounded($0, 2) }),
                "Within how many days nine in ten of the first answers received in the quarter came.", rule:
                "90th percentile (linear between closest ranks) of days from firstNotifiedAt to firstResponseAt over "
                + "participants whose firstResponseAt is in the quarter (null when there is none)."),
            awaitingResponse: ListedFigure(.count(awaiting,
                "Vendors told of a case before the quarter ended that had not answered by its end (by now, while the quarter "
                + "is not over); those waiting longest are listed with their days waiting.", rule:
                "Participants with firstNotifiedAt before the quarter's end and no firstResponseAt before it; the "
                + "\(QuarterReport.listLimit) waiting longest are listed, with days from first notification to the quarter's end "
                + "(to the time of the report while the quarter has not ended)."),
                items: awaitingItems),
            withdrawn: ListedFigure(.count(withdrawn.count,
                "Cases opened by mistake and withdrawn; they and their vendors are left out of every other case figure.", rule:
                "Cases opened before the quarter's end and withdrawn since (opened by mistake, `liaison case withdraw`); "
                + "they and their participants are left out of every other case and participant figure."),
                items: Array(withdrawn.prefix(QuarterReport.listLimit))))
    }

    /// Percentile by linear interpolation between closest ranks (Excel PERCENTILE.INC); nil for no values.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Double(sorted.count - 1) * fraction
        let lower = Int(rank.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (rank - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    private static func caseCounts(_ queries: any ReportQueries, _ window: ReportWindow)
        throws -> (opened: CoordinationFigures.ByOrigin, published: CoordinationFigures.ByOrigin)
    {
        var opened = [String: (Int, Int)]()
        var published = [String: (Int, Int)]()
        for origin in knownOrigins {
            opened[origin] = (0, 0)
            published[origin] = (0, 0)
        }
        for row in try queries.casesByOrigin(in: window.bounds) {
            let origin = row.origin
            // An origin with no case yet at the quarter's end is not shown (unless it is a known one).
            guard row.openedBeforeEnd > 0 || row.publishedBeforeEnd > 0 || opened[origin] != nil else { continue }
            opened[origin] = (row.openedInPeriod, row.openedBeforeEnd)
            published[origin] = (row.publishedInPeriod, row.publishedBeforeEnd)
        }
        return (byOrigin(opened, column: "openedAt"),
                byOrigin(published, column: "publishedAt"))
    }

    private static func byOrigin(_ counts: [String: (Int, Int)], column: String) -> CoordinationFigures.ByOrigin {
        let plainVerb = column == "publishedAt" ? "published" : "opened"
        func pair(_ counts: (Int, Int), _ whose: String, _ plainWhose: String) -> PeriodAndTotal {
            PeriodAndTotal(
                inQuarter: .count(counts.0, "Cases\(plainWhose) \(plainVerb) in the quarter.",
                                  rule: "Cases\(whose) with \(column) in the quarter."),
                cumulative: .count(counts.1, "Cases\(plainWhose) \(plainVerb) since records began, up to the quarter's end.",
                                   rule: "Cases\(whose) with \(column) before the quarter's end (all time)."))
        }
        let total = counts.values.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        return .init(
            all: pair(total, "", ""),
            byOrigin: counts.reduce(into: [:]) { result, entry in
                result[entry.key] = pair(entry.value, " of origin '\(entry.key)'", " reported through \(ReportLabel.origin(entry.key))")
            })
    }
}
