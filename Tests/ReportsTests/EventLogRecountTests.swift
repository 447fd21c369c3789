import Foundation
import Registry
import Reports
import Testing
import TestSupport

/// The report's figures recounted from the event log, beside the tables', on both engines.
@Suite struct EventLogRecountTests {
    static let tokyo = TimeZone(identifier: "Asia/Tokyo")!

    @Test(arguments: StoreEngineKind.allCases)
    func recountFromEventsMatchesTheTables(_ engine: StoreEngineKind) throws {
        let database = try ReportFixtures.history(engine)
        defer { database.remove() }
        let recount = try EventLogRecount.recount(database.reports, quarter: Quarter(parsing: "2007Q3"), timeZone: Self.tokyo)
        #expect(recount.notificationsSent == 14)
        #expect(recount.notificationsByPurpose == ["case-notification": 7, "reminder": 1, "publication": 1, "incident": 5])
        #expect(recount.incidentsByCategory == ["scan": 2, "forged": 0, "intrusion": 1, "phishing": 1, "other": 1])
        #expect(recount.published["jvn-jp"] == .init(inQuarter: 2, cumulative: 3))
        #expect(recount.opened["cert-cc"] == .init(inQuarter: 2, cumulative: 3))
        #expect(recount.undated == 0)

        let report = try QuarterReportBuilder.build(database.reports, quarter: Quarter(parsing: "2007Q3"), timeZone: Self.tokyo)
        #expect(report.integrity.recount.agrees)
        #expect(report.integrity.recount.differences.isEmpty)
        #expect(ReportRenderer.render(report, format: .text, language: .en)
                .contains("Figures recounted from the event log agree with the tables"))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func tableEditedBehindTheLogIsReported(_ engine: StoreEngineKind) throws {
        let database = try ReportFixtures.history(engine)
        defer { database.remove() }
        // Someone changes a message's purpose and a case's publication date in the tables without an event.
        try database.execute("UPDATE notification SET purpose = 'reminder' WHERE id = 1")
        try database.execute("""
            UPDATE "case" SET publishedAt = '2007-08-01 00:00:00.000' WHERE id = 'JVNVU#11110004'
            """)
        let report = try QuarterReportBuilder.build(database.reports, quarter: Quarter(parsing: "2007Q3"), timeZone: Self.tokyo)
        #expect(!report.integrity.recount.agrees)
        #expect(report.integrity.recount.differences == [
            "notifications.byPurpose.case-notification: tables 6, event log 7",
            "notifications.byPurpose.reminder: tables 2, event log 1",
            "coordination.published.byOrigin.jvn-jp.inQuarter: tables 3, event log 2",
            "coordination.published.byOrigin.jvn-jp.cumulative: tables 4, event log 3",
        ])
        let text = ReportRenderer.render(report, format: .text, language: .en)
        #expect(text.contains("DIFFER from the tables"))
        #expect(text.contains("notifications.byPurpose.reminder: tables 2, event log 1"))
        let japanese = ReportRenderer.render(report, format: .html, language: .ja)
        #expect(japanese.contains("<li>notifications.byPurpose.reminder: 表 2、イベントログ 1</li>"), "\(japanese)")
    }

    @Test func logIntegrityIsPrinted() throws {
        let intact = try ReportFigureTests.report(logIntegrity: LogIntegrity(intact: true, eventCount: 57))
        #expect(ReportRenderer.render(intact, format: .text, language: .en).contains("Event log verified intact (57 events)"))
        #expect(ReportRenderer.render(intact, format: .html, language: .ja).contains("イベントログの完全性を確認済み（57 件）"))
        let sealed = try ReportFigureTests.report(logIntegrity: LogIntegrity(
            intact: true, eventCount: 57,
            latestSeal: "57 events, head 3f2a00000000beef…, sealed 2007-10-01T00:00:00Z by 0123456789ABCDEF0123456789ABCDEF01234567"))
        #expect(ReportRenderer.render(sealed, format: .text, language: .en).contains(
            "latest audit seal: 57 events, head 3f2a00000000beef…, sealed 2007-10-01T00:00:00Z by 0123456789ABCDEF0123456789ABCDEF01234567"))
        #expect(ReportRenderer.render(sealed, format: .text, language: .ja).contains(
            "最新の監査シール: 57 件、ヘッド 3f2a00000000beef…、2007-10-01T00:00:00Z に 0123456789ABCDEF0123456789ABCDEF01234567 の鍵で署名"))
        let broken = try ReportFigureTests.report(logIntegrity: LogIntegrity(intact: false, eventCount: 12))
        #expect(ReportRenderer.render(broken, format: .markdown, language: .en).contains("Event log verification FAILED"))
        let unverified = try ReportFigureTests.report()
        #expect(ReportRenderer.render(unverified, format: .text, language: .en).contains("Event log NOT verified"))
        #expect(unverified.integrity.eventLog.verified == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func laterPublicationEventCorrectsTheDate(_ engine: StoreEngineKind) throws {
        let database = try ReportFixtures.history(engine)
        defer { database.remove() }
        // JVNVU#11110004 was published at Tokyo's midnight (Q4); `case publish --at` moves it to 2007-09-29.
        try database.execute("""
            UPDATE "case" SET publishedAt = '2007-09-29 00:00:00.000' WHERE id = 'JVNVU#11110004'
            """)
        try database.appendEvent(at: "2007-10-02T00:00:00Z", action: "case.published", objectType: "case",
                                 objectId: "JVNVU#11110004",
                                 data: ["origin": "jvn-jp", "publishedAt": "2007-09-29 00:00:00.000"])
        let report = try QuarterReportBuilder.build(database.reports, quarter: Quarter(parsing: "2007Q3"), timeZone: Self.tokyo)
        #expect(report.coordination.published.byOrigin["jvn-jp"]?.inQuarter.count == 3)
        #expect(report.integrity.recount.figures.published["jvn-jp"] == .init(inQuarter: 3, cumulative: 4))
        #expect(report.integrity.recount.agrees)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func eventWithoutAReadableDateIsReported(_ engine: StoreEngineKind) throws {
        let database = try ReportFixtures.history(engine)
        defer { database.remove() }
        try database.appendEvent(at: "2007-08-01T00:00:00Z", action: "notification.sent",
                                 objectType: "notification", objectId: "999",
                                 data: ["at": "last Tuesday", "organizationId": "krcert", "purpose": "incident"])
        let report = try QuarterReportBuilder.build(database.reports, quarter: Quarter(parsing: "2007Q3"), timeZone: Self.tokyo)
        #expect(report.integrity.recount.figures.undated == 1)
        #expect(report.integrity.recount.differences == ["event log: 1 events without a readable date"])
        #expect(ReportRenderer.render(report, format: .text, language: .ja).contains("  - イベントログ: 日時を読めないイベント 1 件\n"))
        #expect(!report.integrity.recount.agrees)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func eventInstantsInOtherFormsAreRead(_ engine: StoreEngineKind) throws {
        let database = try ReportFixtureDatabase(engine)
        defer { database.remove() }
        for (id, at) in [("1", "2007-07-01T09:00:00+09:00"), ("2", "2007-09-30 14:59:59.999"), ("3", "2007-08-01"),
                         ("4", "2007-09-30T23:59:59+09:00"), ("5", "2007-09-30T15:00:00Z"), ("1", "2007-07-02T00:00:00Z")] {
            try database.appendEvent(at: "2007-08-01T00:00:00Z", action: "notification.sent",
                                     objectType: "notification", objectId: id,
                                     data: ["at": at, "organizationId": "x", "purpose": "reminder"])
        }
        let recount = try EventLogRecount.recount(database.reports, quarter: Quarter(parsing: "2007Q3"), timeZone: Self.tokyo)
        // 1 (its first event, 2007-07-01 00:00 UTC), 2, 3 and 4 are in Tokyo's Q3; 5 is its first instant after.
        #expect(recount.notificationsSent == 4)
        #expect(recount.notificationsByPurpose["reminder"] == 4)
        #expect(recount.eventsRead == 6)
        #expect(recount.undated == 0)
    }
}
