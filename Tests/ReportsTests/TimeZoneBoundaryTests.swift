import Foundation
import Registry
import Reports
import Testing
import TestSupport

/// Rows between 2007-06-30T15:00Z and 2007-07-01T00:00Z, or between 2007-09-30T15:00Z and 2007-10-01T00:00Z, belong
/// to different quarters in Tokyo and in UTC; on both engines.
@Suite struct TimeZoneBoundaryTests {
    static let utc = TimeZone(identifier: "UTC")!

    @Test(arguments: StoreEngineKind.allCases)
    func messageSentAt1600UTCOnSeptember30IsFourthQuarterInTokyoButThirdInUTC(_ engine: StoreEngineKind) throws {
        let tokyoQ3 = try ReportFigureTests.report("2007Q3", engine: engine)
        let tokyoQ4 = try ReportFigureTests.report("2007Q4", engine: engine)
        let utcQ3 = try ReportFigureTests.report("2007Q3", timeZone: Self.utc, engine: engine)
        #expect(tokyoQ3.notifications.incidentsByCategory["forged"]?.count == 0)
        #expect(tokyoQ4.notifications.incidentsByCategory["forged"]?.count == 1)
        #expect(utcQ3.notifications.incidentsByCategory["forged"]?.count == 1)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func utcQuarterCountsItsOwnRows(_ engine: StoreEngineKind) throws {
        let report = try ReportFigureTests.report("2007Q3", timeZone: Self.utc, engine: engine)
        // Row 14 (2007-06-30T15:00Z) moves out; rows 15 and 26 (2007-09-30T16:00Z) move in.
        #expect(report.notifications.sent.count == 15)
        #expect(report.notifications.incidentsByCategory["intrusion"]?.count == 0)
        #expect(report.notifications.byPurpose["case-notification"]?.count == 8)
        // Case D, published 2007-09-30T15:00Z, is in UTC's Q3; case F, opened 2007-06-30T16:00Z, is not.
        #expect(report.coordination.published.all.inQuarter.count == 5)
        #expect(report.coordination.published.byOrigin["jvn-jp"]?.inQuarter.count == 3)
        #expect(report.coordination.opened.all.inQuarter.count == 5)
        #expect(report.coordination.opened.byOrigin["cert-cc"]?.inQuarter.count == 1)
        #expect(report.integrity.recount.agrees)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func caseDPublishedAtTokyoMidnightCountsInTheFourthQuarter(_ engine: StoreEngineKind) throws {
        let report = try ReportFigureTests.report("2007Q4", engine: engine)
        #expect(report.coordination.published.byOrigin["jvn-jp"]?.inQuarter.count == 1)
        #expect(report.coordination.published.all.cumulative.count == 8)
    }
}
