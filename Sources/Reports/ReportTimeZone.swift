import Foundation

/// Reads the time zone in which quarter boundaries are computed (`timezone` in liaison.yaml, formerly `report.timezone`).
public enum ReportTimeZone {
    /// The time zone named `identifier` (IANA, such as `Asia/Tokyo`, or `UTC`); a clear error when unknown.
    public static func named(_ identifier: String) throws(ReportError) -> TimeZone {
        guard let zone = TimeZone(identifier: identifier) else { throw .unknownTimeZone(identifier) }
        return zone
    }

    /// The name a report gives `zone` (its period's `timeZone`): the IANA identifier, except that Foundation's
    /// `GMT`, which it makes of a configured `UTC`, is named `UTC` (one zone at offset zero; ISO 8601 and
    /// RFC 3339 speak of UTC). Every report, whoever builds it, names its zone here.
    public static func name(of zone: TimeZone) -> String {
        ["GMT", "Etc/GMT", "Etc/UTC", "UTC"].contains(zone.identifier) ? "UTC" : zone.identifier
    }
}
