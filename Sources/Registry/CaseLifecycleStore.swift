import Foundation
import GRDB

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
    /// The case's planned publication (`YYYY-MM-DD`), if set.
    public let due: String?
}

/// The case lifecycle's writes and reads: embargo dates, TLP levels, the reminder ladder and unreachability.
/// Every change appends its event in the same transaction.
///
/// ```swift
/// let lifecycle = CaseLifecycleStore(writer: store.writer, actor: "coordinator")
/// let previous = try lifecycle.setDue(caseId: "JVNVU#12345678", to: CalendarDate("2007-11-30")!)
/// ```
public struct CaseLifecycleStore: Sendable {
    public let writer: any DatabaseWriter
    public let actor: String

    public init(writer: any DatabaseWriter, actor: String = EventLog.defaultActor) {
        self.writer = writer
        self.actor = actor
    }

    /// Moves a case's planned publication date; returns the previous one (nil if none). Throws
    /// `RegistryError.invalidArgument` for an unknown or already published case.
    @discardableResult
    public func setDue(caseId: String, to due: CalendarDate, at date: Date = Date()) throws -> String? {
        try writer.write { db in
            var record = try CaseStore.existingCase(db, caseId)
            if record.publishedAt != nil {
                throw RegistryError.invalidArgument("case \(caseId) is already published; its date can no longer move")
            }
            try Self.refuseWithdrawn(record)
            let previous = record.due
            if previous == due.description { return previous }
            record.due = due.description
            try record.update(db)
            try EventLog.append(db, actor: actor, action: "case.due-changed", objectType: "case", objectId: caseId,
                                data: ["from": .optional(previous), "to": .string(due.description)], at: date)
            return previous
        }
    }

    /// Participants of open cases that were notified (or found undeliverable) and never answered, and are
    /// not yet marked unreachable; oldest notification first.
    public func waitingParticipants(caseId: String? = nil) throws -> [WaitingParticipant] {
        try writer.read { db in try Self.waiting(db, caseId: caseId) }
    }

    /// The participant as `waitingParticipants` shows it now, or nil when it no longer waits (it answered, the
    /// case was published, it was marked unreachable): read inside the transaction that queues a reminder.
    public static func waitingParticipant(_ db: Database, caseId: String, organizationId: String) throws -> WaitingParticipant? {
        try waiting(db, caseId: caseId, organizationId: organizationId).first
    }

    private static func waiting(_ db: Database, caseId: String?, organizationId: String? = nil) throws -> [WaitingParticipant] {
        var sql = """
            SELECT p.caseId, p.organizationId, p.firstNotifiedAt, p.reminderCount, p.lastRemindedAt, p.escalatedAt, p.response, c.due
            FROM participant p JOIN "case" c ON c.id = p.caseId
            WHERE c.publishedAt IS NULL AND c.withdrawnAt IS NULL AND p.response IN ('none', 'acknowledged') AND p.unreachableAt IS NULL
              AND p.firstNotifiedAt IS NOT NULL AND p.delivery IN ('notified', 'undeliverable')
            """
        var arguments: StatementArguments = []
        if let caseId { sql += " AND p.caseId = ?"; arguments += [caseId] }
        if let organizationId { sql += " AND p.organizationId = ?"; arguments += [organizationId] }
        sql += " ORDER BY p.firstNotifiedAt, p.caseId, p.organizationId"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map {
            WaitingParticipant(caseId: $0["caseId"], organizationId: $0["organizationId"], firstNotifiedAt: $0["firstNotifiedAt"],
                               reminderCount: $0["reminderCount"], lastRemindedAt: $0["lastRemindedAt"],
                               escalatedAt: $0["escalatedAt"],
                               response: Response(rawValue: $0["response"]) ?? .none, due: $0["due"])
        }
    }

    /// Counts a reminder queued to a participant (inside the transaction that queued it).
    public static func recordReminder(_ db: Database, caseId: String, organizationId: String, at date: Date) throws {
        try db.execute(sql: """
            UPDATE participant SET lastRemindedAt = ?, reminderCount = reminderCount + 1
            WHERE caseId = ? AND organizationId = ?
            """, arguments: [date, caseId, organizationId])
    }

    /// Records the escalation queued to a participant (inside the transaction that queued it).
    public static func recordEscalation(_ db: Database, caseId: String, organizationId: String, at date: Date, actor: String) throws {
        try db.execute(sql: "UPDATE participant SET escalatedAt = ?, lastRemindedAt = ? WHERE caseId = ? AND organizationId = ?",
                       arguments: [date, date, caseId, organizationId])
        try EventLog.append(db, actor: actor, action: "participant.escalated", objectType: "participant",
                            objectId: "\(caseId)|\(organizationId)",
                            data: ["caseId": .string(caseId), "organizationId": .string(organizationId)], at: date)
    }

    /// Marks a participant unreachable: the ladder is exhausted and no response came. Only if it still waits as
    /// `seen` found it (no answer came meanwhile, nobody marked it first); returns whether it was marked.
    @discardableResult
    public func markUnreachable(_ seen: WaitingParticipant, at date: Date) throws -> Bool {
        try writer.write { db in
            guard try Self.waitingParticipant(db, caseId: seen.caseId, organizationId: seen.organizationId) == seen else { return false }
            try db.execute(sql: """
                UPDATE participant SET unreachableAt = ? WHERE caseId = ? AND organizationId = ? AND unreachableAt IS NULL
                """, arguments: [date, seen.caseId, seen.organizationId])
            guard db.changesCount > 0 else { return false }
            try EventLog.append(db, actor: actor, action: "participant.unreachable", objectType: "participant",
                                objectId: "\(seen.caseId)|\(seen.organizationId)",
                                data: ["caseId": .string(seen.caseId), "organizationId": .string(seen.organizationId)], at: date)
            return true
        }
    }

    /// A response came: an unreachable participant is reachable again. The event log keeps that it was not.
    public static func clearUnreachable(_ db: Database, caseId: String, organizationId: String, at date: Date, actor: String) throws {
        try db.execute(sql: """
            UPDATE participant SET unreachableAt = NULL WHERE caseId = ? AND organizationId = ? AND unreachableAt IS NOT NULL
            """, arguments: [caseId, organizationId])
        guard db.changesCount > 0 else { return }
        try EventLog.append(db, actor: actor, action: "participant.reachable", objectType: "participant",
                            objectId: "\(caseId)|\(organizationId)",
                            data: ["caseId": .string(caseId), "organizationId": .string(organizationId)], at: date)
    }

    /// Ids of the cases not yet published nor withdrawn, oldest first.
    public func openCaseIds() throws -> [String] {
        try writer.read { db in
            try String.fetchAll(db, sql: #"SELECT id FROM "case" WHERE publishedAt IS NULL AND withdrawnAt IS NULL ORDER BY openedAt, id"#)
        }
    }

    /// Ids of the participants of a case that were notified at least once.
    public func notifiedParticipants(caseId: String) throws -> [String] {
        try writer.read { db in
            _ = try CaseStore.existingCase(db, caseId)
            return try String.fetchAll(db, sql: """
                SELECT organizationId FROM participant WHERE caseId = ? AND firstNotifiedAt IS NOT NULL ORDER BY organizationId
                """, arguments: [caseId])
        }
    }
}
