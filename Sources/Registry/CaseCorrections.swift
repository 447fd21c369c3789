import Foundation
import GRDB

/// What `case withdraw` did.
public struct CaseWithdrawal: Sendable, Encodable {
    public let caseId: String
    public let reason: String
    /// Outbox ids of the queued or deferred messages cancelled with the case.
    public let cancelled: [Int64]
}

/// Changing a case after it was opened: its TLP level, its titles, withdrawing a case opened by mistake and
/// reopening it. Every change appends its event in the same transaction.
extension CaseLifecycleStore {
    /// Sets the case's TLP level; returns the previous one (nil when the case had none and used `cases.tlp`).
    /// A withdrawn case is refused.
    @discardableResult
    public func setTLP(caseId: String, to level: TrafficLightProtocol, at date: Date = Date()) throws -> TrafficLightProtocol? {
        try writer.write { db in
            var record = try CaseStore.existingCase(db, caseId)
            try Self.refuseWithdrawn(record)
            let previous = record.tlp
            if previous == level { return previous }
            record.tlp = level
            try record.update(db, columns: ["tlp"])
            try EventLog.append(db, actor: actor, action: "case.tlp-changed", objectType: "case", objectId: caseId,
                                data: ["from": .optional(previous?.rawValue), "to": .string(level.rawValue)], at: date)
            return previous
        }
    }

    /// Sets the case's title (every language but Japanese, and Japanese too when it has none) and its Japanese
    /// title; nil leaves one as it is.
    public func setTitles(caseId: String, title: String?, titleJa: String?, at date: Date = Date()) throws {
        try writer.write { db in
            var record = try CaseStore.existingCase(db, caseId)
            try Self.refuseWithdrawn(record)
            let before = (record.title, record.titleJa)
            if let title { record.title = title }
            if let titleJa { record.titleJa = titleJa }
            if (record.title, record.titleJa) == before { return }
            try record.update(db, columns: ["title", "titleJa"])
            try EventLog.append(db, actor: actor, action: "case.title-changed", objectType: "case", objectId: caseId, data: [
                "from": .string(before.0), "to": .string(record.title), "fromJa": .optional(before.1), "toJa": .optional(record.titleJa),
            ], at: date)
        }
    }

    /// Withdraws a case opened by mistake: it is left out of the report's counts (listed on a line of its own),
    /// and its queued or deferred messages are cancelled (voided, with the reason). Refused for a case already
    /// withdrawn.
    public func withdraw(caseId: String, reason: String, at date: Date = Date()) throws -> CaseWithdrawal {
        try writer.write { db in
            var record = try CaseStore.existingCase(db, caseId)
            try Self.refuseWithdrawn(record)
            record.withdrawnAt = date
            record.withdrawnReason = reason
            try record.update(db, columns: ["withdrawnAt", "withdrawnReason"])
            let cancelled = try Int64.fetchAll(db, sql: """
                SELECT id FROM notification WHERE caseId = ? AND state IN ('queued', 'deferred') ORDER BY id
                """, arguments: [caseId])
            try EventLog.append(db, actor: actor, action: "case.withdrawn", objectType: "case", objectId: caseId, data: [
                "reason": .string(reason), "cancelled": .int(Int64(cancelled.count)),
            ], at: date)
            for id in cancelled {
                try OutboxVoiding.void(db, id: id, reason: "case \(caseId) withdrawn: \(reason)", actor: actor, at: date,
                                       action: "notification.cancelled")
            }
            return CaseWithdrawal(caseId: caseId, reason: reason, cancelled: cancelled)
        }
    }

    /// Reopens a withdrawn case: it counts again. Messages cancelled with it stay cancelled (`outbox retry`
    /// queues them again). Refused for a case that is not withdrawn.
    public func reopen(caseId: String, at date: Date = Date()) throws {
        try writer.write { db in
            var record = try CaseStore.existingCase(db, caseId)
            guard record.withdrawnAt != nil else {
                throw StoreError.invalidArgument("case \(caseId) is not withdrawn; only a withdrawn case can be reopened")
            }
            let reason = record.withdrawnReason
            record.withdrawnAt = nil
            record.withdrawnReason = nil
            try record.update(db, columns: ["withdrawnAt", "withdrawnReason"])
            try EventLog.append(db, actor: actor, action: "case.reopened", objectType: "case", objectId: caseId,
                                data: ["withdrawnReason": .optional(reason)], at: date)
        }
    }

    static func refuseWithdrawn(_ record: CaseRecord) throws {
        if record.withdrawnAt != nil {
            throw StoreError.invalidArgument("case \(record.id) is withdrawn (\(record.withdrawnReason ?? "no reason given")); "
                                             + "reopen it first with `liaison case reopen`")
        }
    }
}
