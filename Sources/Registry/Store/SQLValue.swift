import Foundation

/// One value bound to a statement or read from a column, as both engines store it.
///
/// The registry keeps one representation on SQLite and PostgreSQL so that the same history gives the same bytes
/// on either: integers are 64-bit, booleans are the integers 0 and 1, timestamps are UTC text
/// `YYYY-MM-DD HH:MM:SS.SSS` (`EventLog.timestamp(_:)`), calendar dates `YYYY-MM-DD` text, lists JSON text, and
/// message bytes blobs (`bytea` on PostgreSQL).
enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

extension SQLValue {
    /// Why `text` cannot be bound as text, or nil: a text holding U+0000. PostgreSQL's text cannot hold it (the
    /// server refuses the statement with SQLSTATE 22021, a line that names no value), and SQLite would bind the
    /// text only up to it, storing a shorter value than was given. Both engines refuse it before the statement,
    /// with this sentence naming the value, its control characters shown: the same answer on both, and nothing
    /// stored. (Received mail keeps a NUL visibly, `InboundText.storable`; ids refuse it first, `EventLog.idProblem`.)
    static func nulProblem(_ text: String) -> String? {
        guard text.utf8.contains(0) else { return nil }
        let shown = VisibleText.visible(text)
        return "the text \"\(shown.prefix(100))\" holds the control character U+0000, which the registry does not store; "
            + "ids and names are printable text"
    }
}

/// A Swift value that binds to a statement argument.
protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

/// A Swift value read from a column. Throws `StoreError.invalidArgument` naming the value when the column holds
/// something else (a text where an integer was expected, an unreadable timestamp).
protocol SQLReadable {
    init(sqlValue: SQLValue) throws
}

extension SQLValue: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { self }
    init(sqlValue: SQLValue) { self = sqlValue }

    var isNull: Bool { if case .null = self { return true } else { return false } }

    fileprivate func mismatch(_ expected: String) -> StoreError {
        let shown: String
        switch self {
        case .null: shown = "NULL"
        case .integer(let value): shown = "the integer \(value)"
        case .real(let value): shown = "the number \(value)"
        case .text(let value): shown = "the text \"\(value.prefix(40))\""
        case .blob(let value): shown = "\(value.count) bytes"
        }
        return StoreError.invalidArgument("the store holds \(shown) where \(expected) was expected")
    }
}

extension Int64: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .integer(self) }
    init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .integer(let value): self = value
        case .real(let value) where value.rounded() == value && abs(value) < 9.2e18: self = Int64(value)
        case .text(let text) where Int64(text) != nil: self = Int64(text)!
        default: throw sqlValue.mismatch("an integer")
        }
    }
}

extension Int: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .integer(Int64(self)) }
    init(sqlValue: SQLValue) throws { self = Int(try Int64(sqlValue: sqlValue)) }
}

extension Bool: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .integer(let value): self = value != 0
        case .real(let value): self = value != 0
        case .text(let text) where ["t", "true", "1"].contains(text): self = true
        case .text(let text) where ["f", "false", "0"].contains(text): self = false
        default: throw sqlValue.mismatch("a boolean")
        }
    }
}

extension Double: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .real(self) }
    init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        case .text(let text) where Double(text) != nil: self = Double(text)!
        default: throw sqlValue.mismatch("a number")
        }
    }
}

extension String: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .text(self) }
    init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .text(let value): self = value
        case .integer(let value): self = String(value)
        case .real(let value): self = String(value)
        case .blob(let data): self = String(decoding: data, as: UTF8.self)
        case .null: throw sqlValue.mismatch("a text")
        }
    }
}

extension Data: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .blob(self) }
    init(sqlValue: SQLValue) throws {
        switch sqlValue {
        case .blob(let value): self = value
        case .text(let text): self = Data(text.utf8)
        default: throw sqlValue.mismatch("bytes")
        }
    }
}

/// Timestamps as UTC text `YYYY-MM-DD HH:MM:SS.SSS` (GRDB's format, and what the event log hashes); read back
/// also from `YYYY-MM-DD HH:MM[:SS[.S…]]`, with `T` or a space, and from a bare `YYYY-MM-DD` (midnight UTC).
extension Date: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .text(EventLog.timestamp(self)) }
    init(sqlValue: SQLValue) throws {
        guard case .text(let text) = sqlValue, let date = SQLTimestamp.parse(text) else {
            throw sqlValue.mismatch("a timestamp (YYYY-MM-DD HH:MM:SS.SSS)")
        }
        self = date
    }
}

/// Days as text `YYYY-MM-DD` (membership, agreement and due dates).
extension CalendarDate: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .text(description) }
    init(sqlValue: SQLValue) throws {
        guard case .text(let text) = sqlValue, let day = CalendarDate(text) else {
            throw sqlValue.mismatch("a day (YYYY-MM-DD)")
        }
        self = day
    }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

extension Optional: SQLReadable where Wrapped: SQLReadable {
    init(sqlValue: SQLValue) throws {
        if case .null = sqlValue { self = nil } else { self = try Wrapped(sqlValue: sqlValue) }
    }
}

extension RawRepresentable where RawValue == String {
    /// An enum stored by its raw text.
    var sqlValue: SQLValue { .text(rawValue) }
}

extension SQLReadable where Self: RawRepresentable, RawValue == String {
    /// An enum read from its raw text; throws `StoreError.invalidArgument` naming the text when it is none of the
    /// enum's cases.
    init(sqlValue: SQLValue) throws {
        guard case .text(let text) = sqlValue, let value = Self(rawValue: text) else {
            throw sqlValue.mismatch("one of \(Self.self)'s values")
        }
        self = value
    }
}

/// Reads the stored timestamp forms without a `DateFormatter` (many rows are read at once).
enum SQLTimestamp {
    /// Days from 1970-01-01 to a civil date, negative before it (H. Hinnant's algorithm; linear in the day, as
    /// SQLite's own computation is).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == 45, bytes[7] == 45,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0, milliseconds = 0
        if bytes.count > 10 {
            guard bytes[10] == 32 || bytes[10] == 84, let h = number(11, 2), bytes.count >= 16, bytes[13] == 58,
                  let m = number(14, 2) else { return nil }
            (hour, minute) = (h, m)
            var index = 16
            if index < bytes.count, bytes[index] == 58 {
                guard let s = number(index + 1, 2) else { return nil }
                second = s
                index += 3
                if index < bytes.count, bytes[index] == 46 {
                    index += 1
                    var digits = 0
                    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                        if digits < 3 { milliseconds = milliseconds * 10 + Int(bytes[index] - 48) }
                        digits += 1
                        index += 1
                    }
                    if digits < 3 { for _ in digits..<3 { milliseconds *= 10 } }
                }
            }
            if index < bytes.count, bytes[index] == 90 { index += 1 }   // a trailing Z
            guard index == bytes.count else { return nil }
        }
        // The inverse of EventLog.timestamp.
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let total = days * 86_400_000 + Int64(hour) * 3_600_000 + Int64(minute) * 60_000 + Int64(second) * 1000 + Int64(milliseconds)
        return Date(timeIntervalSince1970: Double(total) / 1000)
    }
}
