import Foundation

/// Reads the time zone in which quarter boundaries are computed (`timezone` in liaison.yaml, formerly `report.timezone`).
public enum ReportTimeZone {
    /// The time zone named `identifier` (IANA, such as `Asia/Tokyo`, or `UTC`); a clear error when unknown.
    public static func named(_ identifier: String) throws(ReportError) -> TimeZone {
        guard let zone = TimeZone(identifier: identifier) else { throw .unknownTimeZone(identifier) }
        return zone
    }
}
