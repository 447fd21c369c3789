import Foundation
import Registry

/// How numbers, changes and instants are written; the same in every language.
enum ReportFormatting {
    /// `14`, `57.1%`, `3.5`, or `—` when undefined.
    static func value(_ value: FigureValue) -> String {
        switch value {
        case .count(let count): String(count)
        case .share(let share?): String(format: "%.1f%%", share * 100)
        case .days(let days?): String(format: "%.1f", days)
        case .share(nil), .days(nil): "—"
        }
    }

    /// `+11 (+366.7%)`, `-7.1 pt (-12.5%)` for shares, `—` when undefined.
    static func change(_ compare: FigureComparison) -> String {
        let absolute: String
        switch compare.change {
        case .count(let count): absolute = signed(String(abs(count)), negative: count < 0, zero: count == 0)
        case .share(let share?): absolute = signed(String(format: "%.1f", abs(share) * 100), negative: share < 0, zero: share == 0) + " pt"
        case .days(let days?): absolute = signed(String(format: "%.1f", abs(days)), negative: days < 0, zero: days == 0)
        case .share(nil), .days(nil): return "—"
        }
        guard let percent = compare.changePercent else { return absolute }
        return "\(absolute) (\(signed(String(format: "%.1f", abs(percent)), negative: percent < 0, zero: percent == 0))%)"
    }

    /// `4 of 7` / `7 件中 4 件`.
    static func part(_ part: Int, of whole: Int, _ language: ReportLanguage) -> String {
        language == .ja ? "\(whole) 件中 \(part) 件" : "\(part) of \(whole)"
    }

    /// An instant as a page in `language` shows it: `2007-09-30T15:00:00Z` in English, and on a Japanese page
    /// the time in the report's zone with its abbreviation, `2007-10-01 00:00 (JST)`.
    static func instant(_ date: Date, _ language: ReportLanguage, zone zoneName: String) -> String {
        guard language == .ja, let zone = TimeZone(identifier: zoneName) else { return instant(date) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return "\(formatter.string(from: date)) (\(ZoneLabel.abbreviation(zone, at: date)))"
    }

    /// `2007-09-30T15:00:00Z`.
    static func instant(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private static func signed(_ magnitude: String, negative: Bool, zero: Bool) -> String {
        zero ? "±\(magnitude)" : (negative ? "-" : "+") + magnitude
    }
}
