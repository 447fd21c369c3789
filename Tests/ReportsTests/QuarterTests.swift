import Foundation
import Reports
import Testing

@Suite struct QuarterTests {
    @Test func parsesYearAndQuarterNumber() throws {
        let quarter = try Quarter(parsing: "2007Q3")
        #expect(quarter.year == 2007)
        #expect(quarter.number == 3)
        #expect(quarter.description == "2007Q3")
        #expect(try Quarter(parsing: "2007q1") == Quarter(year: 2007, number: 1))
    }

    @Test(arguments: [
        ("2007Q5", "the quarter number must be 1, 2, 3 or 4"),
        ("2007Q0", "the quarter number must be 1, 2, 3 or 4"),
        ("07Q3", "the year must have four digits"),
        ("2007-3", "it has no Q between the year and the quarter number"),
        ("", "it has no Q between the year and the quarter number"),
        ("2007Q", "the quarter number must be 1, 2, 3 or 4"),
        ("2007Q3Q", "it has no Q between the year and the quarter number"),
        ("２００７Q3", "the year must have four digits"),
    ])
    func malformedQuarterIsAClearError(text: String, reason: String) {
        #expect {
            _ = try Quarter(parsing: text)
        } throws: { error in
            guard let error = error as? ReportError else { return false }
            return error == .malformedQuarter
                && error.description == "The quarter \"\(text)\" is not valid: \(reason); write it as YYYYQN, for example 2007Q3."
        }
    }

    @Test func boundariesFollowTheTimeZone() throws {
        let quarter = try Quarter(parsing: "2007Q3")
        let tokyo = quarter.interval(in: TimeZone(identifier: "Asia/Tokyo")!)
        #expect(tokyo.start == Date(timeIntervalSince1970: 1_183_215_600))  // 2007-06-30T15:00:00Z
        #expect(tokyo.end == Date(timeIntervalSince1970: 1_191_164_400))    // 2007-09-30T15:00:00Z
        let utc = quarter.interval(in: TimeZone(identifier: "UTC")!)
        #expect(utc.start == Date(timeIntervalSince1970: 1_183_248_000))    // 2007-07-01T00:00:00Z
        #expect(quarter.firstDay == "2007-07-01")
        #expect(quarter.lastDay == "2007-09-30")
        #expect(try Quarter(parsing: "2008Q1").lastDay == "2008-03-31")
        #expect(try Quarter(parsing: "2008Q2").lastDay == "2008-06-30")
        #expect(try Quarter(parsing: "2008Q4").lastDay == "2008-12-31")
    }

    @Test func quarterIntervalSpansDaylightSavingChanges() throws {
        // New York moves its clocks in March and November; the quarter still starts at local midnight.
        let newYork = TimeZone(identifier: "America/New_York")!
        let interval = try Quarter(parsing: "2007Q1").interval(in: newYork)
        #expect(interval.start == Date(timeIntervalSince1970: 1_167_627_600))  // 2007-01-01T05:00:00Z
        #expect(interval.end == Date(timeIntervalSince1970: 1_175_400_000))    // 2007-04-01T04:00:00Z
    }

    @Test func stepsAcrossYears() throws {
        let quarter = try Quarter(parsing: "2007Q1")
        #expect(quarter.previous.description == "2006Q4")
        #expect(quarter.offset(by: 3).description == "2007Q4")
        #expect(quarter.offset(by: 4).description == "2008Q1")
        #expect(quarter.offset(by: -9).description == "2004Q4")
        #expect(quarter.trailing(3).map(\.description) == ["2006Q3", "2006Q4", "2007Q1"])
        #expect(try Quarter(parsing: "2006Q4") < quarter)
        #expect(Quarter(containing: Date(timeIntervalSince1970: 1_191_168_000), in: TimeZone(identifier: "Asia/Tokyo")!)
                .description == "2007Q4")  // 2007-09-30T16:00:00Z
    }

    @Test func unknownTimeZoneIsAClearError() throws {
        #expect(throws: ReportError.unknownTimeZone) { _ = try ReportTimeZone.named("Mars/Olympus") }
        #expect(try ReportTimeZone.named("Asia/Tokyo").identifier == "Asia/Tokyo")
    }
}
