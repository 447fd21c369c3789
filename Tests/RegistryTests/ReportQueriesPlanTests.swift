import Foundation
import GRDB
@testable import Registry
import Testing

/// The report's range queries stay on the `v2-report-indexes` indexes: on a registry of a million messages a
/// query that falls back to a table scan makes `report quarter` many times slower. SQLite's own query plans, read
/// through GRDB's statement trace.
@Suite struct ReportQueriesPlanTests {
    /// The statements run, as SQLite expanded them with their arguments.
    private final class StatementLog {
        var statements: [String] = []
    }

    // SQLite only: its query planner's own plans (PostgreSQL's planner chooses by table statistics).
    @Test func rangeQueriesUseTheReportIndexes() throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue)
        let log = StatementLog()
        queue.inDatabase { db in
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event { log.statements.append(statement.expandedSQL) }
            }
        }
        let utc = TimeZone(identifier: "UTC")!
        let first = try #require(CalendarDate("2007-07-01")), last = try #require(CalendarDate("2007-09-30"))
        let period = ReportPeriod(start: first.start(in: utc), end: last.adding(days: 1).start(in: utc), firstDay: first, lastDay: last)

        func plan(_ query: (any ReportQueries) throws -> Void) throws -> String {
            log.statements.removeAll()
            try ReportStore(engine: SQLiteEngine(writer: queue)).read { try query($0) }
            let statements = log.statements.filter { !$0.hasPrefix("BEGIN") && !$0.hasPrefix("COMMIT") }
            return try queue.read { db in
                try statements.flatMap { sql in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }
                }.joined(separator: "\n")
            }
        }

        #expect(try plan { _ = try $0.sentNotifications(in: period) }.contains("notification_report"))
        #expect(try plan { _ = try $0.unsentNotifications(atEndOf: period) }.contains("notification_report"))
        #expect(try plan { _ = try $0.sentNotificationCounts(between: [period.start, period.end]) }.contains("notification_report"))
        #expect(try plan { _ = try $0.bouncedRecipients(in: period) }.contains("notificationRecipient_status"))
        #expect(try plan { _ = try $0.participantsNotified(in: period) }.contains("participant_notified"))
        // Waiting: no response, or one after the end; SQLite reads both halves of the OR from participant_responded.
        #expect(try plan { _ = try $0.participantsAwaitingResponse(atEndOf: period) }.contains("participant_responded"))
        #expect(try plan { _ = try $0.participantsAwaitingResponse(atEndOf: period, limit: 10) }.contains("participant_notified"))
        #expect(try plan { _ = try $0.daysToFirstResponse(in: period) }.contains("participant_responded"))
    }
}
