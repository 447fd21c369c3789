import Foundation
import Registry

/// A quarter's bounds in the forms the queries need: instants for timestamp columns (stored as UTC text, which
/// sorts like the instants) and calendar days for date columns.
struct ReportWindow: Sendable {
    let quarter: Quarter
    let timeZone: TimeZone
    let start: Date
    let end: Date
    let firstDay: String
    let lastDay: String

    init(_ quarter: Quarter, _ timeZone: TimeZone) {
        self.quarter = quarter
        self.timeZone = timeZone
        let interval = quarter.interval(in: timeZone)
        start = interval.start
        end = interval.end
        firstDay = quarter.firstDay
        lastDay = quarter.lastDay
    }

    /// The bounds in the form the registry's report queries take.
    var bounds: ReportPeriod {
        // Quarter days are always valid dates (years 1000-9999), so CalendarDate parses them.
        ReportPeriod(start: start, end: end, firstDay: CalendarDate(firstDay)!, lastDay: CalendarDate(lastDay)!)
    }

    var period: QuarterReport.Period {
        .init(timeZone: ReportTimeZone.name(of: timeZone), start: start, end: end, firstDay: firstDay, lastDay: lastDay,
              countedTo: end)
    }
}
