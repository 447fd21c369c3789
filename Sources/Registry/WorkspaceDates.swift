import Foundation

/// Dates as a person reads and types them: days and times in the workspace's time zone (`timezone` in
/// liaison.yaml). Instants are stored in UTC; every conversion to or from what a person sees goes through here.
///
/// ```swift
/// let dates = WorkspaceDates(timeZone: TimeZone(identifier: "Asia/Tokyo")!)
/// let publishedAt = try dates.instant(parsing: "2007-10-01")   // 2007-09-30T15:00:00Z
/// dates.dayText(publishedAt)                                    // "2007-10-01"
/// ```
public struct WorkspaceDates: Sendable, Hashable {
    /// The zone in which days begin and end.
    public let timeZone: TimeZone

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// Days in UTC, for a workspace that sets no time zone.
    public static let utc = WorkspaceDates(timeZone: TimeZone(identifier: "UTC")!)

    // MARK: Reading

    /// The calendar day on which `instant` falls here.
    public func day(of instant: Date) -> CalendarDate {
        CalendarDate(instant, in: timeZone)
    }

    /// `YYYY-MM-DD`: the day on which `instant` falls here (tables, templates).
    public func dayText(_ instant: Date) -> String {
        day(of: instant).description
    }

    /// `YYYY-MM-DD HH:MM`: the day and time of `instant` here, to the minute (tables).
    public func timeText(_ instant: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: instant)
        func pad(_ value: Int?) -> String { (value ?? 0) < 10 ? "0\(value ?? 0)" : "\(value ?? 0)" }
        return "\(dayText(instant)) \(pad(parts.hour)):\(pad(parts.minute))"
    }

    // MARK: Typing

    /// The first instant of `day` here.
    public func start(of day: CalendarDate) -> Date {
        day.start(in: timeZone)
    }

    /// Reads a day typed as exactly `YYYY-MM-DD`.
    /// Throws ``DateInputError/notADay`` for anything else (February 30th included).
    public func day(parsing text: String) throws(DateInputError) -> CalendarDate {
        guard let day = CalendarDate(text.trimmingCharacters(in: .whitespaces)) else { throw .notADay(text) }
        return day
    }

    /// Reads a moment typed by a person: `YYYY-MM-DD` (the first instant of that day here), `YYYY-MM-DDTHH:MM[:SS]`
    /// without an offset (that time here), or ISO 8601 with `Z` or an offset (`2007-10-01T09:00:00+09:00`).
    /// Throws ``DateInputError/notAMoment`` for anything else.
    public func instant(parsing text: String) throws(DateInputError) -> Date {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let day = CalendarDate(text) { return start(of: day) }
        if let local = localTime(text) { return local }
        if let instant = try? Date(text, strategy: .iso8601) { return instant }
        throw .notAMoment(text)
    }

    /// `YYYY-MM-DDTHH:MM[:SS]` (or with a space for `T`), read in this zone; nil for any other form.
    private func localTime(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 16 || bytes.count == 19, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              let day = CalendarDate(String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        let fields = String(decoding: bytes[11...], as: UTF8.self).split(separator: ":", omittingEmptySubsequences: false)
        guard fields.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        let numbers = fields.compactMap { Int($0) }
        guard numbers.count == fields.count, numbers[0] < 24, numbers[1] < 60, numbers.count == 2 || numbers[2] < 60 else {
            return nil
        }
        let parts = DateComponents(year: day.year, month: day.month, day: day.day,
                                   hour: numbers[0], minute: numbers[1], second: numbers.count == 3 ? numbers[2] : 0)
        return calendar.date(from: parts)
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.locale = Locale(identifier: "en_US_POSIX")
        return calendar
    }
}

/// A date typed by a person that cannot be read. The sentence names the value, not where it was typed: the
/// command line adds its option's name.
///
/// ```swift
/// do { _ = try dates.day(parsing: "2007-02-30") } catch where error == .notADay { … }
/// ```
public struct DateInputError: Error, CustomStringConvertible, Equatable, Sendable {
    private enum Code: Equatable, Sendable {
        case notADay
        case notAMoment
    }

    private let code: Code
    /// One clear sentence for the user.
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// Not a `YYYY-MM-DD` day of the calendar.
    public static let notADay = DateInputError(.notADay, "")
    /// Neither a day nor a time in a form ``WorkspaceDates/instant(parsing:)`` reads.
    public static let notAMoment = DateInputError(.notAMoment, "")

    /// Errors compare by kind only, so `error == .notADay` matches whatever the message says.
    public static func == (lhs: DateInputError, rhs: DateInputError) -> Bool { lhs.code == rhs.code }

    static func notADay(_ text: String) -> DateInputError {
        CalendarDate.hasDayForm(text.trimmingCharacters(in: .whitespaces))
            ? DateInputError(.notADay, "\"\(text)\" is not a day of the calendar")
            : DateInputError(.notADay, "\"\(text)\" is not a date of the form YYYY-MM-DD, such as 2007-10-15")
    }

    static func notAMoment(_ text: String) -> DateInputError {
        let day = String(text.prefix(10))
        if CalendarDate.hasDayForm(day), CalendarDate(day) == nil {
            return DateInputError(.notAMoment, day == text ? "\"\(text)\" is not a day of the calendar"
                                  : "\"\(text)\": \(day) is not a day of the calendar")
        }
        return DateInputError(.notAMoment, "\"\(text)\" is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM, or ISO 8601 "
                              + "with Z or an offset such as 2007-10-01T09:00:00+09:00)")
    }
}
