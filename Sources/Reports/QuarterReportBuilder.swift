import Foundation
import Registry

/// Builds the quarterly report from the registry database.
///
/// ```swift
/// let report = try QuarterReportBuilder.build(store.reports, quarter: Quarter(parsing: "2007Q3"),
///                                            timeZone: TimeZone(identifier: "Asia/Tokyo")!)
/// print(ReportRenderer.render(report, format: .text, language: .en))
/// ```
public enum QuarterReportBuilder {
    /// Counts every figure of `quarter`, whose bounds are computed in `timeZone`; with `compareTo`, every numeric
    /// figure also carries that quarter's value. `logIntegrity` is what `liaison audit verify` found (nil: not run).
    /// `defaultTLP` (the workspace's `cases.tlp`) stands for the level of a case opened before levels were kept.
    /// Everything is read in one snapshot of `source`, so the figures are consistent with each other.
    /// Throws ``ReportError/database`` when the registry cannot be read.
    public static func build(_ source: any ReportStoring, quarter: Quarter, timeZone: TimeZone, compareTo: Quarter? = nil,
                             logIntegrity: LogIntegrity? = nil, defaultTLP: TrafficLightProtocol = .defaultLevel,
                             now: Date = Date()) throws -> QuarterReport {
        do {
            return try source.read { queries in
                var report = try build(queries, ReportWindow(quarter, timeZone), logIntegrity: logIntegrity,
                                       defaultTLP: defaultTLP, now: now, whole: true)
                if let compareTo {
                    let other = try build(queries, ReportWindow(compareTo, timeZone), logIntegrity: logIntegrity,
                                          defaultTLP: defaultTLP, now: now, whole: false)
                    ReportComparison.compare(&report, with: other)
                }
                return report
            }
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError.database(error)
        }
    }

    /// The report of one window; `whole: false` leaves out what a comparison does not use (series, recount).
    private static func build(_ queries: any ReportQueries, _ window: ReportWindow, logIntegrity: LogIntegrity?,
                              defaultTLP: TrafficLightProtocol, now: Date, whole: Bool) throws -> QuarterReport {
        let registrations = try DeveloperRegistrations(queries)
        let bounces = try QuarterBounces(queries, window)
        let notifications = try NotificationCounts.figures(queries, window, bounces: bounces)
        let coordination = try CoordinationCounts.figures(queries, window, defaultTLP: defaultTLP, now: now)
        let directory = try DirectoryCounts.figures(queries, window, registrations: registrations, bounces: bounces)
        let series = whole ? try SeriesCounts.series(queries, window, registrations: registrations) : .empty
        let recount = whole ? try EventLogRecount.recount(queries, window) : .empty
        let differences = EventLogRecount.differences(recount, notifications, coordination)
        return QuarterReport(
            quarter: window.quarter,
            period: { var period = window.period
                      period.complete = now >= window.end
                      period.countedTo = min(now, window.end)
                      return period }(),
            generatedAt: now,
            comparedTo: nil,
            notifications: notifications,
            coordination: coordination,
            directory: directory,
            series: series,
            integrity: ReportIntegrity(
                eventLog: .init(verified: logIntegrity?.intact, eventCount: logIntegrity?.eventCount,
                               latestSeal: logIntegrity?.latestSeal),
                recount: .init(definition: EventLogRecount.definition, figures: recount,
                               agrees: whole && differences.isEmpty, differences: whole ? differences : [])))
    }
}
