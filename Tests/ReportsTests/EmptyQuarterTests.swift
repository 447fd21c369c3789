import Foundation
import Reports
import Testing
import TestSupport

@Suite struct EmptyQuarterTests {
    @Test func quarterWithoutActivityReportsZeros() throws {
        let report = try ReportFigureTests.report("1999Q1")
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

    @Test func emptyRegistryRendersInEveryFormat() throws {
        let database = try ReportFixtureDatabase()
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
}
