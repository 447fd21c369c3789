import Foundation
import GRDB

/// Counts the chart series: one number per quarter over the quarters ending with the report's.
enum SeriesCounts {
    static func series(_ db: Database, _ window: ReportWindow, registrations: DeveloperRegistrations) throws -> ReportSeries {
        let quarters = window.quarter.trailing(QuarterReport.seriesLength)
        let bounds = quarters.map { $0.interval(in: window.timeZone).start } + [window.end]
        // Cases are few: one pass puts each in its quarter by comparing with the boundaries.
        let bucket = (1..<bounds.count).map { "WHEN %@ < :b\($0) THEN \($0 - 1)" }.joined(separator: " ")
        let arguments = StatementArguments(Dictionary(uniqueKeysWithValues: bounds.enumerated().map {
            ("b\($0.offset)", $0.element as (any DatabaseValueConvertible)?)
        }))

        // One count per quarter on the sentAt index; a single pass bucketing rows with CASE costs more.
        let sentCount = try db.makeStatement(sql: """
            SELECT COUNT(*) FROM notification WHERE +state = 'sent' AND sentAt >= ? AND sentAt < ?
            """)
        let sent = try (0..<quarters.count).map { index in
            try Int.fetchOne(sentCount, arguments: [bounds[index], bounds[index + 1]]) ?? 0
        }

        var published = [String: [Int]]()
        for origin in CoordinationCounts.knownOrigins { published[origin] = Array(repeating: 0, count: quarters.count) }
        let publishedSQL = """
            SELECT origin, CASE \(bucket.replacingOccurrences(of: "%@", with: "publishedAt")) END, COUNT(*) FROM "case"
            WHERE publishedAt >= :b0 AND publishedAt < :b\(quarters.count) GROUP BY 1, 2
            """
        for row in try Row.fetchAll(db, sql: publishedSQL, arguments: arguments) {
            let origin: String = row[0]
            let index: Int = row[1]
            published[origin, default: Array(repeating: 0, count: quarters.count)][index] = row[2]
        }

        return ReportSeries(
            quarters: quarters,
            notificationsSent: .init(
                definition: "Messages sent in each quarter (notification rows with state 'sent', sentAt in the quarter).",
                values: sent),
            publishedByOrigin: .init(
                definition: "Cases with publishedAt in each quarter, by origin.",
                values: published),
            registeredDevelopers: .init(
                definition: "Registered product developers at each quarter's last day (as for the directory figure).",
                values: quarters.map { registrations.registered(on: $0.lastDay).count }))
    }
}

extension ReportSeries {
    /// No series: the compared quarter of a report needs none.
    static let empty = ReportSeries(quarters: [], notificationsSent: .init(definition: "", values: []),
                                    publishedByOrigin: .init(definition: "", values: [:]),
                                    registeredDevelopers: .init(definition: "", values: []))
}
