import Foundation
import Registry

/// Embargo dates: the default planned publication of a new case, and moving it (`case set-due`).
///
/// ```swift
/// let due = DueDates.defaultDue(openedAt: Date(), embargoDays: 45, in: TimeZone(identifier: "Asia/Tokyo")!)
/// try DueDates(composer: composer).move(caseId: "JVNVU#12345678", to: CalendarDate("2007-11-30")!, notify: true)
/// ```
public struct DueDates: Sendable {
    public let composer: NotificationComposer

    public init(composer: NotificationComposer) { self.composer = composer }

    /// The day `embargoDays` after `openedAt`, counted in the workspace zone.
    public static func defaultDue(openedAt: Date, embargoDays: Int, in zone: TimeZone) -> CalendarDate {
        CalendarDate(openedAt, in: zone).adding(days: embargoDays)
    }

    /// What `move` did: the previous date and the messages queued (or planned, on a dry run).
    public struct Moved: Sendable {
        public let previous: CalendarDate?
        public let messages: [PlannedNotification]
    }

    /// Moves the case's date (an event, `case.due-changed`); with `notify`, queues the `due-changed` template to
    /// every participant already notified. Everything is checked before the date moves: a template problem
    /// changes nothing. A day before today (in the workspace zone) is refused unless `force`; one more than five years
    /// ahead always.
    public func move(caseId: String, to due: CalendarDate, notify: Bool, template: String = "due-changed",
                     dryRun: Bool = false, force: Bool = false) throws -> Moved {
        let store = composer.store.cases
        let zone = composer.settings.timeZone
        let today = CalendarDate(composer.now(), in: zone)
        if let problem = CaseGuards.farDueProblem(due, today: today) { throw GatewayError.invalidArgument(problem) }
        if !force, let problem = CaseGuards.pastDueProblem(due, today: today, zone: zone) {
            throw GatewayError.invalidArgument(problem)
        }
        var request: NotificationRequest?
        var planned: [PlannedNotification] = []
        if notify {
            let organizations = try store.notifiedParticipants(caseId: caseId)
            if !organizations.isEmpty {
                let previous = try composer.store.cases.record(caseId)?.due
                var variables = ["case.due": ZoneLabel.day(due.description, in: composer.settings.timeZone)]
                if let previous { variables["case.previousDue"] = ZoneLabel.day(previous.description, in: composer.settings.timeZone) }
                let next = NotificationRequest(caseId: caseId, organizations: organizations, template: template,
                                               purpose: .dueChanged, variables: variables, again: true)
                planned = try composer.plan(next)
                request = next
            }
        }
        if dryRun {
            let previous = try composer.store.cases.record(caseId)?.due
            return Moved(previous: previous, messages: planned)
        }
        let previous = try store.setDue(caseId: caseId, to: due, at: composer.now(), actor: composer.settings.actor)
        if let request { planned = try composer.queue(request) }
        return Moved(previous: previous, messages: planned)
    }
}
