import Foundation
import Registry

/// Counts the chart series: one number per quarter over the quarters ending with the report's.
enum SeriesCounts {
    static func series(_ queries: any ReportQueries, _ window: ReportWindow, registrations: DeveloperRegistrations) throws -> ReportSeries {
        let quarters = window.quarter.trailing(QuarterReport.seriesLength)
        let bounds = quarters.map { $0.interval(in: window.timeZone).start } + [window.end]
        let sent = try queries.sentNotificationCounts(between: bounds)

        var published = [String: [Int]]()
        for origin in CoordinationCounts.knownOrigins { published[origin] = Array(repeating: 0, count: quarters.count) }
        for row in try queries.publishedCases(between: bounds) {
            published[row.origin, default: Array(repeating: 0, count: quarters.count)][row.span] = row.count
        }

        return ReportSeries(
            quarters: quarters,
            notificationsSent: .init(
                definition: "Messages we sent in each quarter.",
                values: sent),
            publishedByOrigin: .init(
                definition: "Cases published in each quarter, by where the report came from.",
                values: published),
            registeredDevelopers: .init(
                definition: "Product developers registered with us at the end of each quarter.",
                values: quarters.map { registrations.registered(on: $0.lastDay).count }))
    }
}

extension ReportSeries {
    /// No series: the compared quarter of a report needs none.
    static let empty = ReportSeries(quarters: [], notificationsSent: .init(definition: "", values: []),
                                    publishedByOrigin: .init(definition: "", values: [:]),
                                    registeredDevelopers: .init(definition: "", values: []))
}
