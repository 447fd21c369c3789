import Foundation
import Registry
import Testing

/// Days and times typed and read in the workspace's time zone, around midnight.
@Suite struct WorkspaceDatesTests {
    static let tokyo = WorkspaceDates(timeZone: TimeZone(identifier: "Asia/Tokyo")!)
    static let newYork = WorkspaceDates(timeZone: TimeZone(identifier: "America/New_York")!)

    static func utc(_ text: String) throws -> Date { try Date(text, strategy: .iso8601) }

    @Test func aTypedDayIsThatDaysFirstInstantInTheZone() throws {
        #expect(try Self.tokyo.instant(parsing: "2007-10-01") == Self.utc("2007-09-30T15:00:00Z"))
        #expect(try Self.newYork.instant(parsing: "2007-10-01") == Self.utc("2007-10-01T04:00:00Z"))
        // After daylight saving time ends, midnight in New York is 05:00 UTC.
        #expect(try Self.newYork.instant(parsing: "2007-12-01") == Self.utc("2007-12-01T05:00:00Z"))
        #expect(try WorkspaceDates.utc.instant(parsing: "2007-10-01") == Self.utc("2007-10-01T00:00:00Z"))
    }

    @Test func aTimeWithoutOffsetIsReadInTheZoneAndOneWithAnOffsetAsWritten() throws {
        #expect(try Self.newYork.instant(parsing: "2007-09-30T23:30") == Self.utc("2007-10-01T03:30:00Z"))
        #expect(try Self.tokyo.instant(parsing: "2007-10-01 00:30:15") == Self.utc("2007-09-30T15:30:15Z"))
        #expect(try Self.newYork.instant(parsing: "2007-10-01T00:30:00+09:00") == Self.utc("2007-09-30T15:30:00Z"))
        #expect(try Self.tokyo.instant(parsing: "2007-09-30T15:30:00Z") == Self.utc("2007-09-30T15:30:00Z"))
    }

    @Test func anInstantIsShownAsItsDayInTheZone() throws {
        let lateUTC = try Self.utc("2007-09-30T15:30:00Z")
        #expect(Self.tokyo.dayText(lateUTC) == "2007-10-01")
        #expect(Self.newYork.dayText(lateUTC) == "2007-09-30")
        #expect(WorkspaceDates.utc.dayText(lateUTC) == "2007-09-30")
        #expect(Self.tokyo.timeText(lateUTC) == "2007-10-01 00:30")
        #expect(Self.newYork.timeText(try Self.utc("2007-10-01T03:59:00Z")) == "2007-09-30 23:59")
        // What is typed reads back as the same day.
        for dates in [Self.tokyo, Self.newYork] {
            #expect(dates.dayText(try dates.instant(parsing: "2007-10-01")) == "2007-10-01")
        }
    }

    @Test func unreadableDatesSayWhatIsWrongWithoutNamingAnOption() throws {
        for text in ["2007-02-30", "2007/10/01", "01-10-2007", ""] {
            #expect(throws: DateInputError.notADay) { try Self.tokyo.day(parsing: text) }
        }
        for text in ["tomorrow", "2007-10-01T25:00", "2007-10-01T10", "2007-13-01"] {
            #expect(throws: DateInputError.notAMoment) { try Self.tokyo.instant(parsing: text) }
        }
        do {
            _ = try Self.tokyo.day(parsing: "2007-02-30")
        } catch {
            #expect(error.description == "\"2007-02-30\" is not a day of the calendar")
            #expect(!error.description.contains("--"))
        }
        do {
            _ = try Self.tokyo.day(parsing: "07-10-15")
        } catch {
            #expect(error.description == "\"07-10-15\" is not a date of the form YYYY-MM-DD, such as 2007-10-15")
        }
        #expect(try Self.tokyo.day(parsing: "2007-10-15").description == "2007-10-15")
    }
}
