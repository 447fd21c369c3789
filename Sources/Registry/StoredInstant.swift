import Foundation
import GRDB
import GRDBSQLite

/// An instant read from a `DATETIME` column as the store writes it (`YYYY-MM-DD HH:MM:SS.SSS`, UTC), decoded
/// from the column's bytes without a calendar: GRDB's own `Date` decoding goes through `Calendar.date(from:)`,
/// which costs thousands of instructions a value, and the desk's vendor matrix reads thousands of them.
///
/// Any other text GRDB accepts (no milliseconds, a `T` separator, a bare date), and numbers, are decoded by
/// GRDB's `Date`, so a value always reads as GRDB would read it.
///
/// ```swift
/// let sent: StoredInstant? = row[3]
/// let date = sent?.date
/// ```
struct StoredInstant: DatabaseValueConvertible, StatementColumnConvertible {
    let date: Date

    init(_ date: Date) { self.date = date }

    init?(sqliteStatement: SQLiteStatement, index: CInt) {
        if sqlite3_column_type(sqliteStatement, index) == SQLITE_TEXT, sqlite3_column_bytes(sqliteStatement, index) == 23,
           let text = sqlite3_column_text(sqliteStatement, index),
           let date = Self.parse(UnsafeBufferPointer(start: text, count: 23)) {
            self.date = date
            return
        }
        guard let date = Date(sqliteStatement: sqliteStatement, index: index) else { return nil }
        self.date = date
    }

    var databaseValue: DatabaseValue { date.databaseValue }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StoredInstant? {
        Date.fromDatabaseValue(dbValue).map(StoredInstant.init)
    }

    /// `YYYY-MM-DD HH:MM:SS.SSS` (23 bytes) as an instant in UTC, or nil when the bytes are not exactly that shape
    /// with a month 1–12, a day 1–31, hours < 24, minutes and seconds < 60.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count == 23, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: ".") else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<(start + count) {
                let digit = Int(bytes[index]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), let millisecond = number(20, 3),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        let seconds = days(fromCivilYear: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
        // The same arithmetic as the calendar's: whole seconds since the reference date, then the fraction.
        return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + Double(millisecond) / 1_000)
    }

    /// Days from 1970-01-01 to a day of the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`).
    static func days(fromCivilYear year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
