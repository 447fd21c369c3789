import Foundation

/// A participant still waiting on the reminder ladder: notified, no response, not yet unreachable.
public struct WaitingParticipant: Sendable, Hashable {
    public let caseId: String
    public let organizationId: String
    public let firstNotifiedAt: Date
    public let reminderCount: Int
    public let lastRemindedAt: Date?
    public let escalatedAt: Date?
    /// `none`, or `acknowledged`: received, but no status stated yet.
    public let response: Response
    /// The case's planned publication day, if set.
    public let due: CalendarDate?
}

/// The case lifecycle's writes and reads: embargo dates, the reminder ladder and unreachability. Every change
/// appends its event in the same transaction.
extension CaseStore {
    @discardableResult
    func setDue(caseId: String, to due: CalendarDate, at date: Date, actor: String) throws -> CalendarDate? {
        try engine.write { session in
            let record = try Self.existingCase(session, caseId)
            if record.publishedAt != nil {
                throw RegistryError.invalidArgument("case \(caseId) is already published; its date can no longer move")
            }
            try Self.refuseWithdrawn(record)
            let previous = record.due
            if previous == due { return previous }
            try session.execute(#"UPDATE "case" SET due = ? WHERE id = ?"#, due.description, caseId)
            try EventLog.append(session, actor: actor, action: "case.due-changed", objectType: "case", objectId: caseId,
                                data: ["from": .optional(previous?.description), "to": .string(due.description)], at: date)
            return previous
        }
    }

    func waitingParticipants(caseId: String?) throws -> [WaitingParticipant] {
        try engine.read { session in try Self.waiting(session, caseId: caseId) }
    }

    /// The participant as `waitingParticipants` shows it now, or nil when it no longer waits (it answered, the
    /// case was published, it was marked unreachable): read inside the transaction that queues a reminder.
    static func waitingParticipant(_ session: any SQLSession, caseId: String, organizationId: String) throws -> WaitingParticipant? {
        try waiting(session, caseId: caseId, organizationId: organizationId).first
    }

    private static func waiting(_ session: any SQLSession, caseId: String?, organizationId: String? = nil) throws -> [WaitingParticipant] {
        var sql = """
            SELECT p.caseId, p.organizationId, p.firstNotifiedAt, p.reminderCount, p.lastRemindedAt, p.escalatedAt, p.response, c.due
            FROM participant p JOIN "case" c ON c.id = p.caseId
            WHERE c.publishedAt IS NULL AND c.withdrawnAt IS NULL AND p.response IN ('none', 'acknowledged') AND p.unreachableAt IS NULL
              AND p.firstNotifiedAt IS NOT NULL AND p.delivery IN ('notified', 'undeliverable')
            """
        var arguments: [SQLValue] = []
        if let caseId { sql += " AND p.caseId = ?"; arguments.append(.text(caseId)) }
        if let organizationId { sql += " AND p.organizationId = ?"; arguments.append(.text(organizationId)) }
        sql += " ORDER BY p.firstNotifiedAt, p.caseId, p.organizationId"
        return try session.rows(sql, arguments).map {
            let due: String? = try $0[7]
            return WaitingParticipant(caseId: try $0[0], organizationId: try $0[1], firstNotifiedAt: try $0[2],
                                      reminderCount: try $0[3], lastRemindedAt: try $0[4], escalatedAt: try $0[5],
                                      response: Response(rawValue: try $0[6]) ?? .none, due: due.flatMap { CalendarDate($0) })
        }
    }

    /// Counts a reminder queued to a participant (inside the transaction that queued it).
    static func recordReminder(_ session: any SQLSession, caseId: String, organizationId: String, at date: Date) throws {
        try session.execute("""
            UPDATE participant SET lastRemindedAt = ?, reminderCount = reminderCount + 1
            WHERE caseId = ? AND organizationId = ?
            """, date, caseId, organizationId)
    }

    /// Records the escalation queued to a participant (inside the transaction that queued it).
    static func recordEscalation(_ session: any SQLSession, caseId: String, organizationId: String, at date: Date,
                                 actor: String) throws {
        try session.execute("UPDATE participant SET escalatedAt = ?, lastRemindedAt = ? WHERE caseId = ? AND organizationId = ?",
                            date, date, caseId, organizationId)
        try EventLog.append(session, actor: actor, action: "participant.escalated", objectType: "participant",
                            objectId: "\(caseId)|\(organizationId)",
                            data: ["caseId": .string(caseId), "organizationId": .string(organizationId)], at: date)
    }

    @discardableResult
    func markUnreachable(_ seen: WaitingParticipant, at date: Date, actor: String) throws -> Bool {
        try engine.write { session in
            guard try Self.waitingParticipant(session, caseId: seen.caseId, organizationId: seen.organizationId) == seen else {
                return false
            }
            let changed = try session.execute("""
                UPDATE participant SET unreachableAt = ? WHERE caseId = ? AND organizationId = ? AND unreachableAt IS NULL
                """, date, seen.caseId, seen.organizationId)
            guard changed > 0 else { return false }
            try EventLog.append(session, actor: actor, action: "participant.unreachable", objectType: "participant",
                                objectId: "\(seen.caseId)|\(seen.organizationId)",
                                data: ["caseId": .string(seen.caseId), "organizationId": .string(seen.organizationId)], at: date)
            return true
        }
    }

    /// A response came: an unreachable participant is reachable again. The event log keeps that it was not.
    static func clearUnreachable(_ session: any SQLSession, caseId: String, organizationId: String, at date: Date,
                                 actor: String) throws {
        let changed = try session.execute("""
            UPDATE participant SET unreachableAt = NULL WHERE caseId = ? AND organizationId = ? AND unreachableAt IS NOT NULL
            """, caseId, organizationId)
        guard changed > 0 else { return }
        try EventLog.append(session, actor: actor, action: "participant.reachable", objectType: "participant",
                            objectId: "\(caseId)|\(organizationId)",
                            data: ["caseId": .string(caseId), "organizationId": .string(organizationId)], at: date)
    }

    func openCaseIds() throws -> [String] {
        try engine.read { session in
            try session.values(#"SELECT id FROM "case" WHERE publishedAt IS NULL AND withdrawnAt IS NULL ORDER BY openedAt, id"#,
                               as: String.self)
        }
    }

    func notifiedParticipants(caseId: String) throws -> [String] {
        try engine.read { session in
            _ = try Self.existingCase(session, caseId)
            return try session.values("""
                SELECT organizationId FROM participant WHERE caseId = ? AND firstNotifiedAt IS NOT NULL ORDER BY organizationId
                """, caseId, as: String.self)
        }
    }
}
