import Foundation
@testable import Registry
import Reports
import TestSupport
import Testing

/// The same history gives the same reports, byte for byte, whether the registry is SQLite or PostgreSQL: the
/// history is written into SQLite, copied row by row as stored into a PostgreSQL database of the tests' own server,
/// and every report is built and rendered from each.
@Suite struct ReportEnginesTests {
    static let tokyo = TimeZone(identifier: "Asia/Tokyo")!

    @Test func theQuarterlyReportOfOneHistoryIsTheSameByteForByteOnBothEngines() throws {
        let database = try ReportFixtures.history()
        defer { database.remove() }
        // Messages whose event dates a sent message in each form the log's data may hold, some at the quarter's
        // very bounds in Tokyo, one unreadable: placed by the dates they name, as SQLite's julianday() reads them.
        for (id, at) in [("901", "2007-07-01T09:00:00+09:00"), ("902", "2007-09-30 14:59:59.999"), ("903", "2007-08-01"),
                         ("904", "2007-09-30T23:59:59+09:00"), ("905", "2007-09-30T15:00:00Z"), ("906", "2007-06-30 15:00"),
                         ("907", "last Tuesday"), ("908", "2007-06-30T14:59:59.9999Z")] {
            try database.appendEvent(at: "2007-08-01T00:00:00Z", action: "notification.sent", objectType: "notification",
                                     objectId: id, data: ["at": at, "organizationId": "x", "purpose": "reminder"])
        }
        let postgres = try PostgresFixture.store()
        try ReportEngines.copy(database.store, into: postgres)

        let integrity = LogIntegrity(intact: true, eventCount: 42)
        let now = ReportFixtures.instant("2007-10-05T00:00:00Z")
        for (quarter, compareTo, zone) in [("2007Q3", "2007Q2", Self.tokyo), ("2007Q3", nil, TimeZone(identifier: "UTC")!),
                                           ("2007Q4", "2007Q3", Self.tokyo)] {
            let reports = try [database.store, postgres].map { store in
                try QuarterReportBuilder.build(store.reports, quarter: Quarter(parsing: quarter), timeZone: zone,
                                               compareTo: try compareTo.map(Quarter.init(parsing:)), logIntegrity: integrity,
                                               now: now)
            }
            if quarter == "2007Q3" { #expect((reports[0].notifications.sent.value.number ?? 0) > 0, "the history has messages sent") }
            #expect(reports[0] == reports[1], "\(quarter) \(zone.identifier)")
            for format in ReportFormat.allCases {
                for language in ReportLanguage.allCases {
                    let sqlite = ReportRenderer.render(reports[0], format: format, language: language)
                    let postgresql = ReportRenderer.render(reports[1], format: format, language: language)
                    #expect(sqlite == postgresql, "\(quarter) \(zone.identifier) \(format) \(language)")
                }
            }
        }
        let recounts = try [database.store, postgres].map {
            try EventLogRecount.recount($0.reports, quarter: Quarter(parsing: "2007Q3"), timeZone: Self.tokyo)
        }
        #expect(recounts[0] == recounts[1])
        #expect(recounts[0].undated >= 1, "\"last Tuesday\" is no date on either engine")
    }

    @Test func theUnreachableDevelopersAreTheSameOnBothEngines() throws {
        let database = try UnreachableReportTests.database()
        defer { database.remove() }
        let postgres = try PostgresFixture.store()
        try ReportEngines.copy(database.store, into: postgres)
        let lists = try [database.store, postgres].map { try $0.reports.unreachableOrganizations() }
        #expect(!lists[0].isEmpty)
        #expect(lists[0] == lists[1])
        for format in ReportFormat.allCases {
            #expect(UnreachableReport.render(lists[0], format: format, language: .ja, timeZone: Self.tokyo)
                    == UnreachableReport.render(lists[1], format: format, language: .ja, timeZone: Self.tokyo))
        }
    }
}

/// A PostgreSQL registry holding exactly the rows of a SQLite one.
enum ReportEngines {
    /// The report's tables, parents before the rows that refer to them.
    static let tables = ["organization", "membership", "agreement", "key", "contact", "case", "participant",
                         "notification", "notificationRecipient", "inboundMessage", "event"]

    /// Copies every row of `tables`, each value as stored, from `source` into `target`.
    static func copy(_ source: RegistryStore, into target: RegistryStore) throws {
        for table in tables {
            let rows = try source.engine.read { try $0.rows("SELECT * FROM \(SQLIdentifier.quoted(table))", []) }
            guard let names = rows.first?.columns.names else { continue }
            let sql = "INSERT INTO \(SQLIdentifier.quoted(table)) (\(names.map(SQLIdentifier.quoted).joined(separator: ", "))) "
                + "VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))"
            try target.engine.write { session in
                for row in rows { try session.execute(sql, row.values) }
            }
        }
    }
}
