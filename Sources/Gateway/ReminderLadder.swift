import Foundation
import Registry

/// The reminder policy of a workspace applied to open cases: reminders after N and M days without a
/// status (also after an acknowledgement, until the due date), an escalation to every contact (and the coordinator,
/// where the case's TLP allows a copy to another organisation: `TrafficLightProtocol.allowsOtherOrganizations`)
/// after E days, unreachable after U days.
///
/// Time comes from `composer.now`, so a test walks a case through the ladder with a clock it moves:
/// ```swift
/// var composer = NotificationComposer(store: store, settings: settings)
/// composer.now = { day(20) }
/// let steps = try ReminderLadder(composer: composer, policy: configuration.reminders).apply()
/// ```
public struct ReminderLadder: Sendable {
    public let composer: NotificationComposer
    public let policy: WorkspaceConfiguration.ReminderPolicy

    public init(composer: NotificationComposer, policy: WorkspaceConfiguration.ReminderPolicy) {
        self.composer = composer
        self.policy = policy
    }

    /// A rung of the ladder.
    public enum Step: String, Sendable, Encodable {
        case reminder, escalation, unreachable
    }

    /// One step taken (or, on a dry run, to be taken) for one participant.
    public struct Action: Sendable, Encodable {
        public let caseId: String
        public let organizationId: String
        public let step: Step
        /// Whole days since the first notification.
        public let daysWaiting: Int
        /// The messages queued (or that would be); none for `unreachable`.
        public let messages: [PlannedNotification]
    }

    /// Takes the next due step for every waiting participant of every open case (or of `caseId`).
    /// All or nothing: every message is checked first; on any problem nothing is queued and nothing marked.
    /// A step is then stored only if its participant still waits as it was read: one that another process took
    /// meanwhile, or whose participant answered while it was signed, is not taken and goes to `dropped` instead.
    public func apply(caseId: String? = nil, reminderTemplate: String = "reminder", escalationTemplate: String = "escalation",
                      dryRun: Bool = false, dropped: (Action) -> Void = { _ in }) throws -> [Action] {
        let now = composer.now()
        let store = composer.store.cases
        let today = CalendarDate(now, in: composer.settings.timeZone)
        var steps: [(WaitingParticipant, Step, Int, NotificationRequest?)] = []
        var levels: [String: TrafficLightProtocol] = [:]
        func level(of caseId: String) throws -> TrafficLightProtocol {
            if let known = levels[caseId] { return known }
            let found = try composer.store.cases.record(caseId)?.tlp ?? composer.settings.defaultTLP
            levels[caseId] = found
            return found
        }
        for waiting in try store.waitingParticipants(caseId: caseId) {
            let days = Int(now.timeIntervalSince(waiting.firstNotifiedAt) / 86_400)
            guard let step = nextStep(waiting, days: days, today: today) else { continue }
            var request: NotificationRequest?
            switch step {
            case .reminder:
                request = NotificationRequest(caseId: waiting.caseId, organizations: [waiting.organizationId],
                                              template: reminderTemplate, purpose: .reminder, again: true)
            case .escalation:
                var escalation = NotificationRequest(caseId: waiting.caseId, organizations: [waiting.organizationId],
                                                     template: escalationTemplate, purpose: .escalation, again: true)
                // Who is unreachable, for the coordinator's copy (whose `organization` is the coordinator itself).
                let vendor = try composer.store.directory.organization(id: waiting.organizationId)?.organization
                escalation.variables = ["escalation.organizationName": vendor?.name ?? waiting.organizationId,
                                        "escalation.organizationLocalName": vendor?.localName ?? vendor?.name ?? waiting.organizationId,
                                        "escalation.days": String(days)]
                // The coordinator's copy leaves the participant's organisation: only where the case's TLP allows it.
                if let coordinator = policy.coordinator, coordinator != waiting.organizationId,
                   try level(of: waiting.caseId).allowsOtherOrganizations {
                    escalation.observers = [coordinator]
                }
                request = escalation
            case .unreachable:
                request = nil
            }
            steps.append((waiting, step, days, request))
        }
        var planned: [[PlannedNotification]] = []
        var problems: [String] = []
        var fields: [String: String] = [:]
        for (waiting, _, _, request) in steps {
            guard let request else { planned.append([]); continue }
            do { planned.append(try composer.plan(request)) } catch let error as GatewayProblems {
                for problem in error.problems {
                    // A problem of our settings (the signing key) is the same for every case: said once, as it is.
                    if let field = error.fields[problem] {
                        if fields.updateValue(field, forKey: problem) == nil { problems.append(problem) }
                    } else {
                        problems.append("\(waiting.caseId): \(problem)")
                    }
                }
            } catch {
                problems.append("\(waiting.caseId): \(error)")
            }
        }
        if !problems.isEmpty { throw GatewayProblems(problems, fields: fields) }
        var actions: [Action] = []
        for ((waiting, step, days, request), plan) in zip(steps, planned) {
            var messages: [PlannedNotification]? = plan
            if !dryRun {
                // Each step is stored only if the participant still waits as read above: a step another process
                // took meanwhile, or an answer that came while this one was signed, drops it.
                switch step {
                case .reminder:
                    messages = try composer.queueSteps([.init(request: request!, followUp: .reminded(
                        caseId: waiting.caseId, organizationId: waiting.organizationId, at: now), seen: waiting)])[0]
                case .escalation:
                    messages = try composer.queueSteps([.init(request: request!, followUp: .escalated(
                        caseId: waiting.caseId, organizationId: waiting.organizationId, at: now), seen: waiting)])[0]
                case .unreachable:
                    messages = try store.markUnreachable(waiting, at: now, actor: composer.settings.actor) ? [] : nil
                }
            }
            let action = Action(caseId: waiting.caseId, organizationId: waiting.organizationId, step: step,
                                daysWaiting: days, messages: messages ?? [])
            if messages == nil { dropped(action) } else { actions.append(action) }
        }
        return actions
    }

    /// The one step due after `days` without a response, or nil; a participant moves one rung per run.
    ///
    /// An acknowledgement alone does not end the request for a status: an acknowledged participant is reminded on
    /// the same rungs until it states a status or the case's due date has passed (`today`, the workspace's day, is
    /// after it), and is never escalated nor marked unreachable, since it answers.
    func nextStep(_ waiting: WaitingParticipant, days: Int, today: CalendarDate) -> Step? {
        if waiting.response == .acknowledged {
            if let due = waiting.due, today > due { return nil }
            if days >= policy.secondAfterDays && waiting.reminderCount < 2 { return .reminder }
            if days >= policy.firstAfterDays && waiting.reminderCount < 1 { return .reminder }
            return nil
        }
        if days >= policy.unreachableAfterDays && waiting.escalatedAt != nil { return .unreachable }
        if days >= policy.escalateAfterDays && waiting.escalatedAt == nil { return .escalation }
        if waiting.escalatedAt != nil { return nil }
        if days >= policy.secondAfterDays && waiting.reminderCount < 2 { return .reminder }
        if days >= policy.firstAfterDays && waiting.reminderCount < 1 { return .reminder }
        return nil
    }
}
