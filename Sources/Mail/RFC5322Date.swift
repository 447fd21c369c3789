import Foundation

/// RFC 5322 dates, always in UTC: `Tue, 01 Jul 2025 09:00:00 +0000`.
enum RFC5322Date {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formatted by hand from Gregorian UTC components: no locale can change it.
    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.locale = Locale(identifier: "en_US_POSIX")
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        func two(_ n: Int?) -> String { let n = n ?? 0; return n < 10 ? "0\(n)" : "\(n)" }
        let weekday = weekdays[((c.weekday ?? 1) - 1) % 7]
        let month = months[((c.month ?? 1) - 1) % 12]
        return "\(weekday), \(two(c.day)) \(month) \(c.year ?? 1970) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    /// Parses an RFC 5322 date (tolerant of a missing weekday, a comment and obsolete zone names).
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        var value = text
        if let paren = value.firstIndex(of: "(") { value = String(value[..<paren]) }
        value = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        if let comma = value.firstIndex(of: ",") { value = String(value[value.index(after: comma)...]).trimmingCharacters(in: .whitespaces) }
        // The obsolete two- and three-digit years (RFC 5322 section 4.3): 00-49 are 2000-2049, 50-99 are 1950-1999,
        // and three digits are years since 1900.
        var tokens = value.split(separator: " ").map(String.init)
        if tokens.count >= 3, (2...3).contains(tokens[2].count), tokens[2].allSatisfy(\.isASCII), let year = Int(tokens[2]) {
            tokens[2] = String(tokens[2].count == 3 ? 1900 + year : year < 50 ? 2000 + year : 1900 + year)
            value = tokens.joined(separator: " ")
        }
        for pattern in ["d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm Z", "d MMM yyyy HH:mm:ss zzz"] {
            formatter.dateFormat = pattern
            if let date = formatter.date(from: value) { return date }
        }
        return nil
    }
}
