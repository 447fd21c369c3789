import Foundation
import Registry

/// Reminders to participants who were notified but have not answered.
public struct Reminders: Sendable {
    public let composer: NotificationComposer

    public init(composer: NotificationComposer) { self.composer = composer }

    /// Participants notified at least `days` ago with no status (no response, or only an acknowledgement while the
    /// case's due date has not passed), not reminded within `days`.
    public func due(caseId: String, afterDays days: Int) throws -> [String] {
        guard days >= 0 else { throw GatewayError.invalidArgument("--after takes a number of days, 0 or more") }
        let cutoff = composer.now().addingTimeInterval(-Double(days) * 86_400)
        let today = CalendarDate(composer.now(), in: composer.settings.timeZone)
        return try GatewayError.mapping { try composer.store.cases.dueForReminder(caseId: caseId, cutoff: cutoff, today: today) }
    }

    /// Queues (or with `dryRun` plans) a reminder to each participant due for one, all in one transaction (all or
    /// nothing), each only if its participant still waits as it was read (another `remind` reminded it
    /// meanwhile, or it answered while the reminder was signed: not reminded).
    public func remind(caseId: String, afterDays days: Int, template: String = "reminder", dryRun: Bool = false) throws -> [PlannedNotification] {
        // Read before who is due: a reminder another process queues between the two reads makes that
        // participant not due, and one queued after both makes it differ from `waiting`, so it is never doubled.
        let waiting = try composer.store.cases.waitingParticipants(caseId: caseId)
        let organizations = try due(caseId: caseId, afterDays: days)
        guard !organizations.isEmpty else { return [] }
        let request = NotificationRequest(caseId: caseId, organizations: organizations, template: template,
                                          purpose: .reminder, again: true)
        let planned = try composer.plan(request)
        if dryRun { return planned }
        let now = composer.now()
        let steps = organizations.compactMap { organizationId -> NotificationComposer.Step? in
            guard let seen = waiting.first(where: { $0.organizationId == organizationId }) else { return nil }
            var one = request
            one.organizations = [organizationId]
            return .init(request: one, followUp: .reminded(caseId: caseId, organizationId: organizationId, at: now), seen: seen)
        }
        return try composer.queueSteps(steps).flatMap { $0 ?? [] }
    }
}
