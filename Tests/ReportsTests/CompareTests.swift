import Foundation
import Registry
import Reports
import Testing
import TestSupport

/// A quarter compared with another, on both engines.
@Suite struct CompareTests {
    @Test(arguments: StoreEngineKind.allCases)
    func everyFigureCarriesTheOtherQuarterAndTheChange(_ engine: StoreEngineKind) throws {
        let report = try ReportFigureTests.report(compareTo: "2007Q2", engine: engine)
        #expect(report.comparedTo?.description == "2007Q2")
        let sent = try #require(report.notifications.sent.compare)
        #expect(sent.quarter.description == "2007Q2")
        #expect(sent.value == .count(3))
        #expect(sent.change == .count(11))
        #expect(sent.changePercent == 366.7)

        #expect(report.notifications.delivery.deferredAtQuarterEnd.compare?.value == .count(1))
        #expect(report.notifications.delivery.failed.compare?.change == .count(0))
        #expect(report.notifications.incidentsByCategory["intrusion"]?.compare?.changePercent == nil)  // from 0
        let published = try #require(report.coordination.published.byOrigin["jvn-jp"])
        #expect(published.inQuarter.compare?.value == .count(1))
        #expect(published.cumulative.compare?.value == .count(1))
        // auscert had no case in 2007Q2: compared with zero.
        #expect(report.coordination.published.byOrigin["auscert"]?.cumulative.compare?.value == .count(0))
        #expect(report.coordination.responseRate.compare?.value == .share(0.5))
        #expect(report.coordination.responseRate.compare?.change == .share(0.0714))
        #expect(report.coordination.medianDaysToFirstResponse.compare?.value == .days(2))
        #expect(report.coordination.awaitingResponse.figure.compare?.value == .count(1))
        #expect(report.directory.registeredDevelopers.compare?.value == .count(3))
        #expect(report.directory.newDevelopers.compare?.value == .count(1))
        #expect(report.directory.apcertMembers.compare?.value == .count(3))
        #expect(report.directory.nationalCSIRTPartners.compare?.value == .count(3))
        #expect(report.directory.mouSigned.figure.compare?.value == .count(0))
        #expect(report.directory.otherAgreementsSigned.figure.compare?.value == .count(1))
        #expect(report.directory.keyProblems.figure.compare?.value == .count(2))
        #expect(report.directory.bouncedAddresses.figure.compare?.value == .count(1))
        #expect(report.notifications.delivery.bounced.compare?.value == .count(1))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aCountryOnlyInTheOtherQuarterAppearsWithZero(_ engine: StoreEngineKind) throws {
        let report = try ReportFigureTests.report("2007Q2", compareTo: "2007Q3", engine: engine)
        let us = try #require(report.notifications.byRecipientCountry["US"])
        #expect(us.value == .count(0))
        #expect(us.compare?.value == .count(1))
        #expect(us.compare?.change == .count(-1))
        #expect(us.compare?.changePercent == -100)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func comparisonIsPrintedBesideEachFigure(_ engine: StoreEngineKind) throws {
        let report = try ReportFigureTests.report(compareTo: "2007Q2", engine: engine)
        let text = ReportRenderer.render(report, format: .text, language: .en)
        #expect(text.contains("Compared with: 2007Q2"))
        let sentLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("  Notifications sent") })
        #expect(sentLine.contains("14") && sentLine.contains("3") && sentLine.contains("+11 (+366.7%)"))
        let published = try #require(text.split(separator: "\n").first { $0.hasPrefix("  Cases published") })
        #expect(published.contains("4 (total 7)") && published.contains("2 (total 3)"))
        let csv = ReportRenderer.render(report, format: .csv, language: .en)
        #expect(csv.contains("\r\nnotifications,sent,14,3,"))
    }
}
