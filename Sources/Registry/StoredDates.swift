import Foundation
import GRDB

/// Instants read from a row as the store writes them: `YYYY-MM-DD HH:MM:SS.SSS` in UTC (GRDB's storage format),
/// turned into a `Date` by arithmetic instead of a `Calendar` (a page that reads thousands of rows, the vendor matrix,
/// reads thousands of instants). The result is the very `Date` GRDB makes (the same arithmetic as Foundation's
/// Gregorian calendar); any other form is read by GRDB itself.
enum StoredDates {
    /// The instant at `index` of `row`; nil when the value is NULL. Throws as GRDB does for a value that is no date.
    static func date(_ row: Row, _ index: Int) throws -> Date? {
        let value: DatabaseValue = row[index]
        switch value.storage {
        case .null:
            return nil
        case .string(var text):
            if let instant = text.withUTF8({ parse(UnsafeRawBufferPointer($0)) }) { return instant }
        default:
            break
        }
        return try Date.fromDatabaseValue(value) ?? row.decode(Date.self, atIndex: index)
    }

    /// `YYYY-MM-DD HH:MM:SS.SSS` (23 bytes, UTC) as an instant; nil for any other text.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Date? {
        guard bytes.count == 23, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: ".") else { return nil }
        var valid = true
        func number(_ start: Int, _ count: Int) -> Int {
            var value = 0
            for index in start..<(start + count) {
                let digit = Int(bytes[index]) - 48
                if digit < 0 || digit > 9 { valid = false }
                value = value * 10 + digit
            }
            return value
        }
        let year = number(0, 4), month = number(5, 2), day = number(8, 2)
        let hour = number(11, 2), minute = number(14, 2), second = number(17, 2), millisecond = number(20, 3)
        guard valid else { return nil }
        return instant(year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: millisecond * 1_000_000)
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
