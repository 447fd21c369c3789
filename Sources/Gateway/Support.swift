import Foundation
import GRDB
import Registry

/// UTC timestamps as ISO 8601 text, for event data and JSON output.
enum Timestamp {
    static func string(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .omitted))
    }
}

/// `YYYY-MM-DD` calendar dates as the directory and cases store them.
enum Day {
    static func validate(_ text: String, field: String) throws(GatewayError) {
        guard parse(text) != nil else { throw .invalidArgument("\(field) \(text) is not a date of the form YYYY-MM-DD") }
    }

    /// Midnight UTC of a `YYYY-MM-DD` date, or a full ISO 8601 timestamp.
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        guard text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = text.split(separator: "-").compactMap { Int($0) }
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard let date = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day], from: date) == components else { return nil }
        return date
    }

    /// The `YYYY-MM-DD` of a moment in a time zone.
    static func string(_ date: Date, timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}

/// JSON array columns (`technologies`, `languages`, `domains`).
enum JSONList {
    static func decode(_ text: String?) -> [String] {
        guard let data = text?.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }
}
