import Foundation

/// UTC timestamps as ISO 8601 text (`2007-09-01T00:00:00Z`), as event data and JSON output carry them.
public enum EventTimestamp {
    /// `date` as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func string(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }
}
