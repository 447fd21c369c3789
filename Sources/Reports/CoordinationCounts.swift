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
                "Distinct organisations among the \(notifiedInQuarter)."),
            participantsNotified: .count(notified, "All \(notifiedInQuarter)."),
            participantsResponded: .count(responded,
                "Of the \(notifiedInQuarter), those whose firstResponseAt is before the quarter's end."),
            responseRate: Figure(.share(notified == 0 ? nil : FigureValue.rounded(Double(responded) / Double(notified), 4)),
                "Share of the \(notifiedInQuarter) that had a first response by the quarter's end (null when none were notified)."),
            medianDaysToFirstResponse: Figure(.days(percentile(days, 0.5).map { FigureValue.rounded($0, 2) }),
                "Median of days from firstNotifiedAt to firstResponseAt over participants whose firstResponseAt is in "
                + "the quarter (a response before the notification counts 0; null when there is none)."),
            p90DaysToFirstResponse: Figure(.days(percentile(days, 0.9).map { FigureValue.rounded($0, 2) }),
                "90th percentile (linear between closest ranks) of days from firstNotifiedAt to firstResponseAt over "
                + "participants whose firstResponseAt is in the quarter (null when there is none)."),
            awaitingResponse: ListedFigure(.count(awaiting,
                "Participants with firstNotifiedAt before the quarter's end and no firstResponseAt before it; the "
                + "\(QuarterReport.listLimit) waiting longest are listed, with days from first notification to the quarter's end "
                + "(to the time of the report while the quarter has not ended)."),
                items: awaitingItems),
            withdrawn: ListedFigure(.count(withdrawn.count,
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
        func pair(_ counts: (Int, Int), _ whose: String) -> PeriodAndTotal {
            PeriodAndTotal(
                inQuarter: .count(counts.0, "Cases\(whose) with \(column) in the quarter."),
                cumulative: .count(counts.1, "Cases\(whose) with \(column) before the quarter's end (all time)."))
        }
        let total = counts.values.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        return .init(
            all: pair(total, ""),
            byOrigin: counts.reduce(into: [:]) { result, entry in
                result[entry.key] = pair(entry.value, " of origin '\(entry.key)'")
            })
    }
}
