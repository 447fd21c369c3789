import Foundation

/// How mail names the workspace's time zone after a date: `2007-10-15 (JST)`.
public enum ZoneLabel {
    /// Abbreviations people read in mail, for zones whose system abbreviation is only an offset (`GMT+9`).
    private static let known: [String: String] = [
        "Asia/Tokyo": "JST", "Asia/Seoul": "KST", "Asia/Shanghai": "CST", "Asia/Hong_Kong": "HKT",
        "Asia/Taipei": "CST", "Asia/Singapore": "SGT", "Asia/Kolkata": "IST", "Australia/Sydney": "AEST",
        "UTC": "UTC", "Etc/UTC": "UTC", "GMT": "UTC", "Etc/GMT": "UTC",
    ]

    /// The abbreviation of `zone` at `date` (`JST`, `CET`, `UTC`), else its offset as `UTC+09:00`.
    public static func abbreviation(_ zone: TimeZone, at date: Date = Date()) -> String {
        if let name = known[zone.identifier] { return name }
        if let system = zone.abbreviation(for: date), !system.hasPrefix("GMT"), system.rangeOfCharacter(from: .letters) != nil {
            return system
        }
        let seconds = zone.secondsFromGMT(for: date)
        let minutes = abs(seconds) / 60
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return seconds == 0 ? "UTC" : "UTC\(seconds < 0 ? "-" : "+")\(pad(minutes / 60)):\(pad(minutes % 60))"
    }

    /// `2007-10-15 (JST)`: a calendar day with the zone it is read in.
    public static func day(_ day: String, in zone: TimeZone) -> String {
        let noon = CalendarDate(day)?.start(in: zone).addingTimeInterval(43_200) ?? Date()
        return "\(day) (\(abbreviation(zone, at: noon)))"
    }

    /// The day on which `date` falls in `zone`, with the zone: `2007-10-15 (JST)`.
    public static func day(of date: Date, in zone: TimeZone) -> String {
        "\(WorkspaceDates(timeZone: zone).dayText(date)) (\(abbreviation(zone, at: date)))"
    }
}
