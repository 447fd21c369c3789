import Foundation
import GRDB

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

    /// Named SQL arguments `:start`, `:end`, `:firstDay`, `:lastDay`.
    var arguments: StatementArguments {
        ["start": start, "end": end, "firstDay": firstDay, "lastDay": lastDay]
    }

    var period: QuarterReport.Period {
        .init(timeZone: timeZone.identifier, start: start, end: end, firstDay: firstDay, lastDay: lastDay)
    }
}
