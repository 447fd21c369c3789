import Foundation
import Registry

/// The rung of the reminder ladder a participant is on its way to, as the vendor matrix shows it.
public struct ReminderOutlook: Sendable, Encodable, Equatable {
    /// `reminder`, `escalation` or `unreachable`.
    public let step: ReminderLadder.Step
    /// 1 or 2 for a reminder, nil otherwise.
    public let reminderNumber: Int?
    /// Days after the first notification at which the rung is taken.
    public let afterDays: Int
    /// That day: the first notification plus `afterDays` days.
    public let on: Date

    /// The next rung for `participant` under `policy`, or nil when it waits on none: not yet notified, answered with a
    /// status, unreachable already, its case published or withdrawn, or acknowledged with the due date past
    /// (`today` is the workspace's day, `YYYY-MM-DD`). The rungs are those `ReminderLadder` takes: reminders after
    /// `firstAfterDays` and `secondAfterDays`, escalation after `escalateAfterDays` (never for an acknowledged
    /// participant), unreachable after `unreachableAfterDays` once escalated.
    public static func next(for participant: ParticipantRecord, case record: CaseRecord,
                            policy: WorkspaceConfiguration.ReminderPolicy, today: String) -> ReminderOutlook? {
        next(notified: participant.firstNotifiedAt, response: participant.response, reminderCount: participant.reminderCount,
             escalated: participant.escalatedAt != nil, unreachable: participant.unreachableAt != nil,
             case: record, policy: policy, today: today)
    }

    /// The same for a row of the desk's vendor matrix.
    public static func next(for participant: MatrixParticipant, case record: CaseRecord,
                            policy: WorkspaceConfiguration.ReminderPolicy, today: String) -> ReminderOutlook? {
        next(notified: participant.firstNotifiedAt, response: participant.response, reminderCount: participant.reminderCount,
             escalated: participant.escalated, unreachable: participant.unreachable, case: record, policy: policy, today: today)
    }

    static func next(notified: Date?, response: Response, reminderCount: Int, escalated: Bool, unreachable: Bool,
                     case record: CaseRecord, policy: WorkspaceConfiguration.ReminderPolicy, today: String) -> ReminderOutlook? {
        guard let notified, record.publishedAt == nil, record.withdrawnAt == nil,
              !unreachable, response == .none || response == .acknowledged else { return nil }
        func rung(_ step: ReminderLadder.Step, _ number: Int?, _ days: Int) -> ReminderOutlook {
            ReminderOutlook(step: step, reminderNumber: number, afterDays: days, on: notified.addingTimeInterval(Double(days) * 86_400))
        }
        if response == .acknowledged {
            if let due = record.due, today > due.description { return nil }
            if reminderCount < 1 { return rung(.reminder, 1, policy.firstAfterDays) }
            if reminderCount < 2 { return rung(.reminder, 2, policy.secondAfterDays) }
            return nil
        }
        if escalated { return rung(.unreachable, nil, policy.unreachableAfterDays) }
        if reminderCount < 1 { return rung(.reminder, 1, policy.firstAfterDays) }
        if reminderCount < 2 { return rung(.reminder, 2, policy.secondAfterDays) }
        return rung(.escalation, nil, policy.escalateAfterDays)
    }
}
