import Foundation
import Registry
import Reports
import Testing
import TestSupport

/// The known history of `ReportFixtures`, reported for 2007Q3 in Asia/Tokyo: every figure checked, on both engines.
@Suite struct ReportFigureTests {
    static let tokyo = TimeZone(identifier: "Asia/Tokyo")!
    static let now = ReportFixtures.instant("2007-10-26T00:00:00Z")

    /// The report of the known history on `engine`.
    static func report(_ quarter: String = "2007Q3", timeZone: TimeZone = tokyo, compareTo: String? = nil,
                       logIntegrity: LogIntegrity? = nil, engine: StoreEngineKind = .sqlite) throws -> QuarterReport {
        try ReportFixtures.withHistory(engine) { reports in
            try QuarterReportBuilder.build(reports, quarter: Quarter(parsing: quarter), timeZone: timeZone,
                                           compareTo: try compareTo.map { try Quarter(parsing: $0) },
                                           logIntegrity: logIntegrity, now: now)
        }
    }

    static func counts(_ figures: [String: Figure]) -> [String: Int] { figures.mapValues(\.count) }

    @Test(arguments: StoreEngineKind.allCases)
    func notificationsAreCountedOncePerMessageByPurposeKindCountryAndCategory(_ engine: StoreEngineKind) throws {
        let n = try Self.report(engine: engine).notifications
        #expect(n.sent.value == .count(14))
        #expect(Self.counts(n.byPurpose) == ["case-notification": 7, "reminder": 1, "publication": 1, "incident": 5])
        #expect(Self.counts(n.byRecipientKind) == ["product-developer": 8, "coordinator": 1, "national-csirt": 4,
                                                   "csirt": 1, "government": 0, "other": 0])
        #expect(Self.counts(n.byRecipientCountry) == ["JP": 9, "KR": 2, "TW": 2, "US": 1])
        #expect(Self.counts(n.incidentsByCategory) == ["scan": 2, "forged": 0, "intrusion": 1, "phishing": 1, "other": 1])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func deliveryCountsDeferredFailedAndBouncedMessages(_ engine: StoreEngineKind) throws {
        let d = try Self.report(engine: engine).notifications.delivery
        #expect(d.sent.value == .count(14))
        #expect(d.deferredAtQuarterEnd.value == .count(2))
        #expect(d.failed.value == .count(1))
        #expect(d.bounced.value == .count(2))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func casesAreCountedInTheQuarterAndCumulativelyByOrigin(_ engine: StoreEngineKind) throws {
        let c = try Self.report(engine: engine).coordination
        #expect(c.published.all.inQuarter.value == .count(4))
        #expect(c.published.all.cumulative.value == .count(7))
        #expect(c.published.byOrigin.mapValues { [$0.inQuarter.count, $0.cumulative.count] }
                == ["jvn-jp": [2, 3], "cert-cc": [1, 2], "cpni": [0, 1], "auscert": [1, 1]])
        #expect(c.opened.all.inQuarter.value == .count(6))
        #expect(c.opened.all.cumulative.value == .count(10))
        #expect(c.opened.byOrigin.mapValues { [$0.inQuarter.count, $0.cumulative.count] }
                == ["jvn-jp": [2, 4], "cert-cc": [2, 3], "cpni": [1, 2], "auscert": [1, 1]])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func responsesAreMeasuredFromFirstNotification(_ engine: StoreEngineKind) throws {
        let c = try Self.report(engine: engine).coordination
        #expect(c.organizationsNotified.value == .count(4))
        #expect(c.participantsNotified.value == .count(7))
        #expect(c.participantsResponded.value == .count(4))
        #expect(c.responseRate.value == .share(0.5714))
        #expect(c.medianDaysToFirstResponse.value == .days(3))
        #expect(c.p90DaysToFirstResponse.value == .days(38.4))
        #expect(c.awaitingResponse.figure.value == .count(3))
        #expect(c.awaitingResponse.items.map { "\($0.caseId) \($0.organizationId) \($0.days)" } == [
            "JVNVU#11110003 dev-c 86.63", "JVNVU#11110004 dev-a 59.63", "VU#100003 dev-b 0.04",
        ])
        #expect(c.awaitingResponse.items.first?.organizationName == "Developer C")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func directoryIsCountedAtTheQuarterEnd(_ engine: StoreEngineKind) throws {
        let d = try Self.report(engine: engine).directory
        #expect(d.registeredDevelopers.value == .count(4))
        #expect(d.newDevelopers.value == .count(2))
        #expect(d.apcertMembers.value == .count(4))
        #expect(d.nationalCSIRTPartners.value == .count(3))
        #expect(d.mouSigned.figure.value == .count(2))
        #expect(d.mouSigned.items.map(\.organizationId) == ["twncert", "idsirtii"])
        #expect(d.otherAgreementsSigned.figure.value == .count(3))
        #expect(d.otherAgreementsSigned.items.map { "\($0.organizationId) \($0.signed)" }
                == ["dev-c 2007-07-01", "dev-d 2007-09-30", "dev-h 2007-09-30"])
        #expect(d.keyProblems.figure.value == .count(4))
        #expect(Set(d.keyProblems.items.map { "\($0.organizationId) \($0.problem)" })
                == ["twncert missing", "dev-a expiring", "dev-b revoked", "dev-c expired"])
        #expect(Self.counts(d.keyProblemsByKind) == ["missing": 1, "expired": 1, "expiring": 1, "revoked": 1])
        #expect(d.bouncedAddresses.figure.value == .count(2))
        #expect(d.bouncedAddresses.items.map(\.email) == ["ir@twncert.example", "psirt@dev-b.example"])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func seriesCoverTheLastEightQuarters(_ engine: StoreEngineKind) throws {
        let s = try Self.report(engine: engine).series
        #expect(s.quarters.map(\.description) == ["2005Q4", "2006Q1", "2006Q2", "2006Q3", "2006Q4", "2007Q1", "2007Q2", "2007Q3"])
        #expect(s.notificationsSent.values == [0, 0, 0, 0, 2, 0, 3, 14])
        #expect(s.publishedByOrigin.values == [
            "jvn-jp": [0, 0, 0, 0, 0, 0, 1, 2], "cert-cc": [0, 0, 0, 0, 0, 1, 0, 1],
            "cpni": [0, 0, 0, 0, 0, 0, 1, 0], "auscert": [0, 0, 0, 0, 0, 0, 0, 1],
        ])
        #expect(s.registeredDevelopers.values == [0, 0, 1, 1, 2, 2, 3, 4])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func reportStatesThePeriodInTheTimeZone(_ engine: StoreEngineKind) throws {
        let report = try Self.report(engine: engine)
        #expect(report.quarter.description == "2007Q3")
        #expect(report.period.timeZone == "Asia/Tokyo")
        #expect(report.period.start == ReportFixtures.instant("2007-06-30T15:00:00Z"))
        #expect(report.period.end == ReportFixtures.instant("2007-09-30T15:00:00Z"))
        #expect(report.period.firstDay == "2007-07-01")
        #expect(report.period.lastDay == "2007-09-30")
        #expect(report.generatedAt == Self.now)
    }
}
