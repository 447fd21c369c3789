import Foundation
import Registry

/// Figures recounted from the event log alone, to check the tables they are normally read from.
///
/// Reads `notification.sent` events (data keys `organizationId`, `caseId`, `purpose`, `category`, `at`),
/// `case.opened` (`origin`, `openedAt`) and `case.published` (`origin`, `publishedAt`), with objectType `case` and
/// objectId the case id. A message's events count once (by objectId); for a case the latest event of each action
/// wins, as a later `publish --at` corrects the date. Instants in data are text that SQLite's julianday() reads:
/// `YYYY-MM-DD HH:MM:SS[.SSS]` (UTC), ISO 8601 with `Z` or an offset, or a bare `YYYY-MM-DD` (midnight UTC); an event
/// whose instant is missing or unreadable counts as undated, and the report then says the recount differs.
public struct EventRecount: Sendable, Hashable, Encodable {
    /// Messages with a `notification.sent` event whose `at` is in the quarter.
    public var notificationsSent: Int
    public var notificationsByPurpose: [String: Int]
    /// Incident notices by `category` (`none` when absent).
    public var incidentsByCategory: [String: Int]
    /// Cases by origin with `openedAt` in the quarter and before its end.
    public var opened: [String: Counts]
    /// Cases by origin with `publishedAt` in the quarter and before its end.
    public var published: [String: Counts]
    /// Events read.
    public var eventsRead: Int
    /// Events whose date was missing or unreadable, so they could not be placed in a quarter.
    public var undated: Int

    /// A count in the quarter and the running total to its end.
    public struct Counts: Sendable, Hashable, Encodable {
        public var inQuarter: Int
        public var cumulative: Int

        public init(inQuarter: Int, cumulative: Int) {
            self.inQuarter = inQuarter
            self.cumulative = cumulative
        }
    }
}

extension EventRecount {
    /// Nothing recounted: the compared quarter of a report needs no recount.
    static let empty = EventRecount(notificationsSent: 0, notificationsByPurpose: [:], incidentsByCategory: [:],
                                    opened: [:], published: [:], eventsRead: 0, undated: 0)
}

/// Recomputes notifications sent and cases opened and published from the event log.
public enum EventLogRecount {
    static let definition = "The same counts recomputed from the event log: notification.sent events whose data.at is "
        + "in the quarter (each message once), and the latest case.opened / case.published event of each case."

    /// How far from the quarter's bounds a `notification.sent` event may be logged and still be read; the event is
    /// written when the message is sent, so its own time and `data.at` are moments apart.
    static let loggingSlack: TimeInterval = 86_400

    /// Recounts the quarter `quarter`, bounded in `timeZone`, from the events in `source`.
    /// Throws ``ReportError/database`` when the registry cannot be read.
    public static func recount(_ source: any ReportStoring, quarter: Quarter, timeZone: TimeZone) throws -> EventRecount {
        do {
            return try source.read { queries in try recount(queries, ReportWindow(quarter, timeZone)) }
        } catch {
            throw ReportError.database(error)
        }
    }

    static func recount(_ queries: any ReportQueries, _ window: ReportWindow) throws -> EventRecount {
        var result = EventRecount(notificationsSent: 0, notificationsByPurpose: [:], incidentsByCategory: [:],
                                  opened: [:], published: [:], eventsRead: 0, undated: 0)
        for purpose in NotificationCounts.purposes { result.notificationsByPurpose[purpose] = 0 }
        for category in NotificationCounts.incidentCategories { result.incidentsByCategory[category] = 0 }
        for origin in CoordinationCounts.knownOrigins {
            result.opened[origin] = .init(inQuarter: 0, cumulative: 0)
            result.published[origin] = .init(inQuarter: 0, cumulative: 0)
        }
        // Messages: the first event of each message (by objectId), placed by data.at.
        try queries.notificationSentEvents(around: window.bounds, slack: loggingSlack) { message in
            result.eventsRead += message.events
            guard let placement = message.placement else { result.undated += 1; return }
            guard placement == .within else { return }
            let purpose = message.purpose ?? "none"
            result.notificationsSent += 1
            result.notificationsByPurpose[purpose, default: 0] += 1
            if purpose == "incident" { result.incidentsByCategory[message.category ?? "none", default: 0] += 1 }
        }

        // Cases: events come by case, then as logged, so the last event of each case and action is its latest.
        typealias Latest = (origin: String?, placement: PeriodPlacement?)
        var current: String?
        var opened: Latest?
        var published: Latest?
        func count(_ event: Latest, origin: String?, into counts: inout [String: EventRecount.Counts]) {
            guard let placement = event.placement else { result.undated += 1; return }
            guard placement != .after else { return }
            counts[origin ?? "unknown", default: .init(inQuarter: 0, cumulative: 0)].cumulative += 1
            if placement == .within { counts[origin ?? "unknown", default: .init(inQuarter: 0, cumulative: 0)].inQuarter += 1 }
        }
        func flush() {
            if let opened { count(opened, origin: opened.origin, into: &result.opened) }
            if let published { count(published, origin: published.origin ?? opened?.origin, into: &result.published) }
        }
        try queries.caseEvents(relativeTo: window.bounds) { event in
            result.eventsRead += 1
            if event.caseId != current {
                flush()
                current = event.caseId
                opened = nil
                published = nil
            }
            let latest: Latest = (event.origin, event.placement)
            if event.isOpening { opened = latest } else { published = latest }
        }
        flush()
        return result
    }

    /// Lines naming every figure on which the tables and the recount differ; empty when they agree.
    static func differences(_ recount: EventRecount, _ notifications: NotificationFigures,
                            _ coordination: CoordinationFigures) -> [String] {
        var lines = [String]()
        func check(_ name: String, _ tables: Int, _ events: Int) {
            if tables != events { lines.append("\(name): tables \(tables), event log \(events)") }
        }
        check("notifications.sent", notifications.sent.count, recount.notificationsSent)
        for key in Set(notifications.byPurpose.keys).union(recount.notificationsByPurpose.keys).sorted() {
            check("notifications.byPurpose.\(key)", notifications.byPurpose[key]?.count ?? 0,
                  recount.notificationsByPurpose[key] ?? 0)
        }
        for key in Set(notifications.incidentsByCategory.keys).union(recount.incidentsByCategory.keys).sorted() {
            check("notifications.incidentsByCategory.\(key)", notifications.incidentsByCategory[key]?.count ?? 0,
                  recount.incidentsByCategory[key] ?? 0)
        }
        for (name, tables, events) in [("opened", coordination.opened, recount.opened),
                                       ("published", coordination.published, recount.published)] {
            for origin in Set(tables.byOrigin.keys).union(events.keys).sorted() {
                check("coordination.\(name).byOrigin.\(origin).inQuarter",
                      tables.byOrigin[origin]?.inQuarter.count ?? 0, events[origin]?.inQuarter ?? 0)
                check("coordination.\(name).byOrigin.\(origin).cumulative",
                      tables.byOrigin[origin]?.cumulative.count ?? 0, events[origin]?.cumulative ?? 0)
            }
        }
        if recount.undated > 0 { lines.append("event log: \(recount.undated) events without a readable date") }
        return lines
    }
}
