import Foundation

/// What `case withdraw` did.
public struct CaseWithdrawal: Sendable, Encodable {
    public let caseId: String
    public let reason: String
    /// Outbox ids of the queued or deferred messages cancelled with the case.
    public let cancelled: [Int64]
}

/// Changing a case after it was opened: its TLP level, its titles, withdrawing a case opened by mistake and
/// reopening it. Every change appends its event in the same transaction.
extension CaseStore {
    @discardableResult
    func setTLP(caseId: String, to level: TrafficLightProtocol, at date: Date, actor: String) throws -> TrafficLightProtocol? {
        try engine.write { session in
            let record = try Self.existingCase(session, caseId)
            try Self.refuseWithdrawn(record)
            let previous = record.tlp
            if previous == level { return previous }
            try session.execute(#"UPDATE "case" SET tlp = ? WHERE id = ?"#, level.rawValue, caseId)
            try EventLog.append(session, actor: actor, action: "case.tlp-changed", objectType: "case", objectId: caseId,
                                data: ["from": .optional(previous?.rawValue), "to": .string(level.rawValue)], at: date)
            return previous
        }
    }

    func setTitles(caseId: String, title: String?, titleJa: String?, at date: Date, actor: String) throws {
        try engine.write { session in
            var record = try Self.existingCase(session, caseId)
            try Self.refuseWithdrawn(record)
            let before = (record.title, record.titleJa)
            if let title { record.title = title }
            if let titleJa { record.titleJa = titleJa }
            if (record.title, record.titleJa) == before { return }
            try session.execute(#"UPDATE "case" SET title = ?, titleJa = ? WHERE id = ?"#, record.title, record.titleJa, caseId)
            try EventLog.append(session, actor: actor, action: "case.title-changed", objectType: "case", objectId: caseId, data: [
                "from": .string(before.0), "to": .string(record.title), "fromJa": .optional(before.1), "toJa": .optional(record.titleJa),
            ], at: date)
        }
    }

    func withdraw(caseId: String, reason: String, at date: Date, actor: String) throws -> CaseWithdrawal {
        try engine.write { session in
            let record = try Self.existingCase(session, caseId)
            try Self.refuseWithdrawn(record)
            try session.execute(#"UPDATE "case" SET withdrawnAt = ?, withdrawnReason = ? WHERE id = ?"#, date, reason, caseId)
            let cancelled = try session.values("""
                SELECT id FROM notification WHERE caseId = ? AND state IN ('queued', 'deferred') ORDER BY id
                """, caseId, as: Int64.self)
            try EventLog.append(session, actor: actor, action: "case.withdrawn", objectType: "case", objectId: caseId, data: [
                "reason": .string(reason), "cancelled": .int(Int64(cancelled.count)),
            ], at: date)
            for id in cancelled {
                try OutboxVoiding.void(session, id: id, reason: "case \(caseId) withdrawn: \(reason)", actor: actor, at: date,
                                       action: "notification.cancelled")
            }
            return CaseWithdrawal(caseId: caseId, reason: reason, cancelled: cancelled)
        }
    }

    func reopen(caseId: String, at date: Date, actor: String) throws {
        try engine.write { session in
            let record = try Self.existingCase(session, caseId)
            guard record.withdrawnAt != nil else {
                throw StoreError.invalidArgument("case \(caseId) is not withdrawn; only a withdrawn case can be reopened")
            }
            try session.execute(#"UPDATE "case" SET withdrawnAt = NULL, withdrawnReason = NULL WHERE id = ?"#, caseId)
            try EventLog.append(session, actor: actor, action: "case.reopened", objectType: "case", objectId: caseId,
                                data: ["withdrawnReason": .optional(record.withdrawnReason)], at: date)
        }
    }

    static func refuseWithdrawn(_ record: CaseRecord) throws {
        if record.withdrawnAt != nil {
            throw StoreError.invalidArgument("case \(record.id) is withdrawn (\(record.withdrawnReason ?? "no reason given")); "
                                             + "reopen it first with `liaison case reopen`")
        }
    }
}
