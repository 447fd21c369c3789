import Foundation
import Registry
import Testing

/// `timezone` in liaison.yaml, and its old name `report.timezone`.
@Suite struct WorkspaceTimeZoneTests {
    @Test func theWorkspaceWideKeySetsTheZone() throws {
        let configuration = try WorkspaceConfiguration.parse("timezone: America/New_York\n")
        #expect(configuration.timezone == "America/New_York")
        #expect(configuration.dates.timeZone.identifier == "America/New_York")
        #expect(configuration.report.timeZone.identifier == "America/New_York")
    }

    @Test func theOldReportKeyStillWorks() throws {
        let configuration = try WorkspaceConfiguration.parse("report:\n  timezone: Asia/Tokyo\n")
        #expect(configuration.timezone == "Asia/Tokyo")
        #expect(configuration.timeZone.identifier == "Asia/Tokyo")
        #expect(configuration.dates.dayText(try Date("2007-09-30T15:30:00Z", strategy: .iso8601)) == "2007-10-01")
    }

    @Test func withNeitherKeyDatesAreUTC() throws {
        let configuration = try WorkspaceConfiguration.parse("sender:\n  organization: x\n")
        #expect(configuration.timezone == "UTC")
        #expect(configuration.dates == .utc)
    }

    @Test func bothKeysMustAgree() throws {
        #expect(try WorkspaceConfiguration.parse("timezone: Asia/Tokyo\nreport:\n  timezone: Asia/Tokyo\n").timezone == "Asia/Tokyo")
        do {
            _ = try WorkspaceConfiguration.parse("timezone: Asia/Tokyo\nreport:\n  timezone: UTC\n")
            Issue.record("two different time zones were accepted")
        } catch {
            #expect(error.description == "liaison.yaml:3: report.timezone \"UTC\" differs from timezone \"Asia/Tokyo\" on line 1; "
                    + "keep only timezone (report.timezone is its old name)")
        }
    }

    @Test func anUnknownZoneIsAnErrorNamingTheKeyAndLine() throws {
        do {
            _ = try WorkspaceConfiguration.parse("sender:\n  organization: x\ntimezone: Tokyo\n")
            Issue.record("an unknown time zone was accepted")
        } catch {
            #expect(error.description == "liaison.yaml:3: timezone \"Tokyo\" is not a time zone name such as Asia/Tokyo or UTC")
        }
    }
}
