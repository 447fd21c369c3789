import Foundation

/// A calendar quarter such as 2007Q3 (July to September 2007).
///
/// A quarter is a pair of numbers; its instants depend on a time zone, so ``interval(in:)`` takes one.
public struct Quarter: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The year, 1000 to 9999.
    public let year: Int
    /// The quarter within the year, 1 to 4.
    public let number: Int

    /// Makes the quarter `number` (1 to 4) of `year` (1000 to 9999).
    public init(year: Int, number: Int) throws(ReportError) {
        guard (1...4).contains(number) else {
            throw .malformedQuarter("\(year)Q\(number)", "the quarter number must be 1, 2, 3 or 4")
        }
        guard (1000...9999).contains(year) else { throw .quarterOutOfRange("\(year)Q\(number)") }
        self.year = year
        self.number = number
    }

    /// Reads `YYYYQN` (a lower-case `q` is accepted), for example `2007Q3`.
    public init(parsing text: String) throws(ReportError) {
        let parts = text.trimmingCharacters(in: .whitespaces).uppercased()
            .split(separator: "Q", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .malformedQuarter(text, "it has no Q between the year and the quarter number")
        }
        let yearText = parts[0], numberText = parts[1]
        guard yearText.count == 4, yearText.allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(yearText) else {
            throw .malformedQuarter(text, "the year must have four digits")
        }
        guard numberText.count == 1, let number = Int(numberText), (1...4).contains(number) else {
            throw .malformedQuarter(text, "the quarter number must be 1, 2, 3 or 4")
        }
        try self.init(year: year, number: number)
    }

    /// The quarter holding `date` as seen in `timeZone`.
    public init(containing date: Date, in timeZone: TimeZone) {
        let parts = Quarter.calendar(timeZone).dateComponents([.year, .month], from: date)
        year = parts.year ?? 1970
        number = ((parts.month ?? 1) - 1) / 3 + 1
    }

    /// `2007Q3`.
    public var description: String { "\(year)Q\(number)" }

    /// The quarter before this one.
    public var previous: Quarter { offset(by: -1) }

    /// The quarter `count` quarters later (or earlier when negative).
    public func offset(by count: Int) -> Quarter {
        let index = year * 4 + (number - 1) + count
        return Quarter(unchecked: index / 4, index % 4 + 1)
    }

    /// From the first instant of the quarter's first day to the first instant of the next quarter, in `timeZone`.
    public func interval(in timeZone: TimeZone) -> DateInterval {
        DateInterval(start: start(in: timeZone), end: offset(by: 1).start(in: timeZone))
    }

    /// The first calendar day, `YYYY-MM-DD` (for columns that hold dates, not instants).
    public var firstDay: String { String(format: "%04d-%02d-01", year, firstMonth) }

    /// The last calendar day, `YYYY-MM-DD`.
    public var lastDay: String {
        let lastMonth = firstMonth + 2
        let days = lastMonth == 6 || lastMonth == 9 ? 30 : 31  // quarters end in March, June, September, December
        return String(format: "%04d-%02d-%02d", year, lastMonth, days)
    }

    /// The quarters `count` long ending with this one, oldest first.
    public func trailing(_ count: Int) -> [Quarter] {
        (0..<max(count, 0)).reversed().map { offset(by: -$0) }
    }

    public static func < (lhs: Quarter, rhs: Quarter) -> Bool {
        (lhs.year, lhs.number) < (rhs.year, rhs.number)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try Quarter(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encoded as its text, `"2007Q3"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private init(unchecked year: Int, _ number: Int) {
        self.year = year
        self.number = number
    }

    private var firstMonth: Int { (number - 1) * 3 + 1 }

    private func start(in timeZone: TimeZone) -> Date {
        let parts = DateComponents(year: year, month: firstMonth, day: 1)
        // The Gregorian calendar always has the first day of a month, so this cannot be nil for years 1000-9999.
        return Quarter.calendar(timeZone).date(from: parts) ?? Date(timeIntervalSince1970: 0)
    }

    private static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.locale = Locale(identifier: "en_US_POSIX")
        return calendar
    }
}
