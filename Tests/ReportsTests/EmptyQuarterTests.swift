import Foundation
import Registry
import Reports
import Testing
import TestSupport

/// A quarter, or a whole registry, with nothing in it: zeros and empty values, on both engines.
@Suite struct EmptyQuarterTests {
    @Test(arguments: StoreEngineKind.allCases)
    func quarterWithoutActivityReportsZeros(_ engine: StoreEngineKind) throws {
        let report = try ReportFigureTests.report("1999Q1", engine: engine)
        #expect(report.notifications.sent.count == 0)
        #expect(report.notifications.byPurpose.values.allSatisfy { $0.count == 0 })
        #expect(report.notifications.incidentsByCategory.values.allSatisfy { $0.count == 0 })
        #expect(report.notifications.byRecipientCountry.isEmpty)
        #expect(report.notifications.delivery.deferredAtQuarterEnd.count == 0)
        #expect(report.coordination.published.all.cumulative.count == 0)
        #expect(report.coordination.participantsNotified.count == 0)
        #expect(report.coordination.responseRate.value == .share(nil))
        #expect(report.coordination.medianDaysToFirstResponse.value == .days(nil))
        #expect(report.directory.registeredDevelopers.count == 0)
        #expect(report.series.notificationsSent.values == Array(repeating: 0, count: 8))
        #expect(report.integrity.recount.agrees)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func emptyRegistryRendersInEveryFormat(_ engine: StoreEngineKind) throws {
        let database = try ReportFixtureDatabase(engine)
        defer { database.remove() }
        let report = try QuarterReportBuilder.build(database.reports, quarter: Quarter(parsing: "2007Q3"),
                                                    timeZone: TimeZone(identifier: "UTC")!, compareTo: Quarter(parsing: "2007Q2"))
        #expect(report.notifications.sent.value == .count(0))
        #expect(report.notifications.sent.compare?.changePercent == nil)
        #expect(report.coordination.published.byOrigin.keys.sorted() == ["cert-cc", "cpni", "jvn-jp"])
        for format in ReportFormat.allCases {
            for language in ReportLanguage.allCases {
                #expect(!ReportRenderer.render(report, format: format, language: language).isEmpty)
            }
        }
        let text = ReportRenderer.render(report, format: .text, language: .en)
        #expect(text.contains("Event log NOT verified"))
        #expect(text.contains("Response rate") && text.contains("— (0 of 0)"))
    }

    @Test func unsetValuesAreNullRatherThanMissingInJSON() throws {
        let database = try ReportFixtureDatabase()
        defer { database.remove() }
        let utc = TimeZone(identifier: "UTC")!
        let plain = try QuarterReportBuilder.build(database.reports, quarter: Quarter(parsing: "2007Q3"), timeZone: utc)
        let json = try #require(try JSONSerialization.jsonObject(
            with: Data(ReportRenderer.render(plain, format: .json, language: .en).utf8)) as? [String: Any])
        #expect(json["comparedTo"] is NSNull, "a report not compared still has the key")
        // Foundation names the zone made of "UTC" GMT; the report names it as configured.
        #expect(plain.period.timeZone == "UTC")
        #expect((json["period"] as? [String: Any])?["timeZone"] as? String == "UTC")
        let eventLog = try #require((json["integrity"] as? [String: Any])?["eventLog"] as? [String: Any])
        #expect(eventLog["verified"] is NSNull && eventLog["eventCount"] is NSNull && eventLog["latestSeal"] is NSNull)

        let compared = try QuarterReportBuilder.build(database.reports, quarter: Quarter(parsing: "2007Q3"), timeZone: utc,
                                                      compareTo: Quarter(parsing: "2007Q2"))
        let comparedJSON = try #require(try JSONSerialization.jsonObject(
            with: Data(ReportRenderer.render(compared, format: .json, language: .en).utf8)) as? [String: Any])
        #expect(comparedJSON["comparedTo"] as? String == "2007Q2")
        let sent = try #require((comparedJSON["notifications"] as? [String: Any])?["sent"] as? [String: Any])
        #expect((sent["compare"] as? [String: Any])?["changePercent"] is NSNull, "0 against 0 has no percentage")
    }
}
