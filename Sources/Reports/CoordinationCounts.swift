import Foundation
import GRDB

/// Counts §3: cases opened and published by origin, and how participants answered.
enum CoordinationCounts {
    /// Origins always shown, in this order; others follow by name.
    static let knownOrigins = ["jvn-jp", "cert-cc", "cpni"]

    static func figures(_ db: Database, _ window: ReportWindow) throws -> CoordinationFigures {
        let counts = try caseCounts(db, window)
        // Separate range queries, so that indexes on firstNotifiedAt / firstResponseAt serve them where they exist.
        let participants = try Row.fetchOne(db, sql: """
            SELECT COUNT(*), COUNT(DISTINCT organizationId), COUNT(CASE WHEN firstResponseAt < :end THEN 1 END)
            FROM participant WHERE firstNotifiedAt >= :start AND firstNotifiedAt < :end
            """, arguments: window.arguments)
        let notified: Int = participants?[0] ?? 0
        let organizations: Int = participants?[1] ?? 0
        let responded: Int = participants?[2] ?? 0
        let awaiting = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM participant
            WHERE firstNotifiedAt < :end AND (firstResponseAt IS NULL OR firstResponseAt >= :end)
            """, arguments: window.arguments) ?? 0

        let days = try Double.fetchAll(db, sql: """
            SELECT max(0, julianday(firstResponseAt) - julianday(firstNotifiedAt)) FROM participant
            WHERE firstResponseAt >= :start AND firstResponseAt < :end AND firstNotifiedAt IS NOT NULL
            """, arguments: window.arguments).sorted()

        let awaitingRows = try Row.fetchAll(db, sql: """
            SELECT p.caseId, p.organizationId, o.name, p.firstNotifiedAt, o.localName
            FROM participant p LEFT JOIN organization o ON o.id = p.organizationId
            WHERE p.firstNotifiedAt < :end AND (p.firstResponseAt IS NULL OR p.firstResponseAt >= :end)
            ORDER BY p.firstNotifiedAt, p.caseId, p.organizationId
            LIMIT \(QuarterReport.listLimit)
            """, arguments: window.arguments)
        let awaitingItems = awaitingRows.map { row -> AwaitingParticipant in
            let notifiedAt: Date = row[3]
            return AwaitingParticipant(
                caseId: row[0], organizationId: row[1], organizationName: row[2] ?? row[1], organizationLocalName: row[4],
                firstNotifiedAt: notifiedAt,
                days: FigureValue.rounded(window.end.timeIntervalSince(notifiedAt) / 86_400, 2))
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
                + "\(QuarterReport.listLimit) waiting longest are listed, with days from first notification to the quarter's end."),
                items: awaitingItems))
    }

    /// Percentile by linear interpolation between closest ranks (Excel PERCENTILE.INC); nil for no values.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Double(sorted.count - 1) * fraction
        let lower = Int(rank.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (rank - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    private static func caseCounts(_ db: Database, _ window: ReportWindow)
        throws -> (opened: CoordinationFigures.ByOrigin, published: CoordinationFigures.ByOrigin)
    {
        var opened = [String: (Int, Int)]()
        var published = [String: (Int, Int)]()
        for origin in knownOrigins {
            opened[origin] = (0, 0)
            published[origin] = (0, 0)
        }
        let rows = try Row.fetchAll(db, sql: """
            SELECT origin,
                COUNT(CASE WHEN openedAt >= :start AND openedAt < :end THEN 1 END),
                COUNT(CASE WHEN openedAt < :end THEN 1 END),
                COUNT(CASE WHEN publishedAt >= :start AND publishedAt < :end THEN 1 END),
                COUNT(CASE WHEN publishedAt < :end THEN 1 END)
            FROM "case" GROUP BY origin
            """, arguments: window.arguments)
        for row in rows {
            let origin: String = row[0]
            let openedTotal: Int = row[2]
            let publishedTotal: Int = row[4]
            // An origin with no case yet at the quarter's end is not shown (unless it is a known one).
            guard openedTotal > 0 || publishedTotal > 0 || opened[origin] != nil else { continue }
            opened[origin] = (row[1], openedTotal)
            published[origin] = (row[3], publishedTotal)
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
