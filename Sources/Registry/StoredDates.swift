import Foundation
import GRDB

/// Instants read from a row as the store writes them: `YYYY-MM-DD HH:MM:SS.SSS` in UTC (GRDB's storage format),
/// parsed by GRDB in place and turned into a `Date` by arithmetic instead of a `Calendar` (a page that reads
/// thousands of rows, the vendor matrix, reads thousands of instants). The result is the very `Date` GRDB makes (the
/// same arithmetic as Foundation's Gregorian calendar); any other form is read by GRDB itself.
enum StoredDates {
    /// The instant at `index` of `row`; nil when the value is NULL. Throws as GRDB does for a value that is no date.
    static func date(_ row: Row, _ index: Int) throws -> Date? {
        // GRDB parses the text in place (no allocation); only its components are turned into an instant here.
        guard let stored = try row.decode(DatabaseDateComponents?.self, atIndex: index) else { return nil }
        let parts = stored.dateComponents
        guard stored.format == .YMD_HMSS || stored.format == .YMD_HMS, parts.timeZone == nil,
              let year = parts.year, let month = parts.month, let day = parts.day,
              let hour = parts.hour, let minute = parts.minute, let second = parts.second,
              let instant = instant(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                                    nanosecond: parts.nanosecond ?? 0) else {
            return try row.decode(Date?.self, atIndex: index)
        }
        return instant
    }

    /// The instant of a UTC date and time; nil when a field is out of its range.
    static func instant(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanosecond: Int) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), (0..<24).contains(hour), (0..<60).contains(minute),
              (0..<60).contains(second), (0..<1_000_000_000).contains(nanosecond) else { return nil }
        // Days from 1970-01-01 (H. Hinnant's days_from_civil), then seconds from 2001-01-01 (day 11,323) added up
        // in the order Foundation's Gregorian calendar adds them, so that the Double is the same to the last bit.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = Double(days - 11_323) * 86_400
            + (Double(hour * 3_600 + minute * 60 + second) + Double(nanosecond) / 1_000_000_000)
        return Date(timeIntervalSinceReferenceDate: seconds)
    }
}
