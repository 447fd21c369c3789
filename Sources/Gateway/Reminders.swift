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
        let today = CalendarDate(composer.now(), in: composer.settings.timeZone).description
        return try GatewayError.mapping { try CaseStore(composer.store).dueForReminder(caseId: caseId, cutoff: cutoff, today: today) }
    }

    /// Queues (or with `dryRun` plans) a reminder to each participant due for one.
    public func remind(caseId: String, afterDays days: Int, template: String = "reminder", dryRun: Bool = false) throws -> [PlannedNotification] {
        let organizations = try due(caseId: caseId, afterDays: days)
        guard !organizations.isEmpty else { return [] }
        let request = NotificationRequest(caseId: caseId, organizations: organizations, template: template,
                                          purpose: .reminder, again: true)
        if dryRun { return try composer.plan(request) }
        let now = composer.now()
        return try composer.queue(request) { planned in
            .reminded(caseId: caseId, organizationId: planned.organizationId, at: now)
        }
    }
}
