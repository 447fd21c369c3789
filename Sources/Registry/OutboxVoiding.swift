import Foundation
import GRDB

/// Which messages `outbox void` takes: ids, every failed or deferred message of a case, or every one that failed
/// or was deferred since a time (a relay mistake of ours).
public enum OutboxVoidSelection: Sendable {
    case ids([Int64])
    case caseId(String)
    case failedSince(Date)
}

/// One message voided or queued again.
public struct OutboxCorrection: Sendable, Encodable {
    public let id: Int64
    public let caseId: String?
    public let organizationId: String
    /// The state it had before: failed, deferred or queued (void); voided or failed (retry).
    public let previousState: String
}

/// Undoing our own delivery mistakes: a message that failed or was deferred through a fault of ours is voided —
/// counted neither as sent nor as failed, its bounces no longer held against the vendor's addresses, its
/// recipients waiting again, the participant's delivery worked out without it — and can be queued again with
/// the same bytes. Each message changed writes its event (`notification.voided`, `notification.requeued`) with
/// the reason, in the same transaction.
///
/// ```swift
/// let voided = try OutboxVoiding(store).void(.failedSince(relayBrokeAt), reason: "relay refused relaying", actor: "alice")
/// try OutboxVoiding(store).retry(ids: voided.map(\.id), actor: "alice")
/// ```
public struct OutboxVoiding: Sendable {
    let writer: any DatabaseWriter

    public init(_ store: RegistryStore) { writer = store.writer }

    /// Voids the failed or deferred messages selected, all or nothing. Ids that are not failed or deferred are
    /// refused, every one named; a selection that finds nothing is refused.
    public func void(_ selection: OutboxVoidSelection, reason: String, actor: String, at now: Date = Date()) throws -> [OutboxCorrection] {
        try writer.write { db in
            let rows: [Row]
            switch selection {
            case .ids(let ids):
                guard !ids.isEmpty else { throw StoreError.noMatch("no outbox id given; nothing was voided") }
                rows = try Row.fetchAll(db, sql: "SELECT id, caseId, organizationId, state FROM notification WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                                        arguments: StatementArguments(ids))
                let found = Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as Int64, $0["state"] as String) })
                let problems = ids.compactMap { id -> String? in
                    guard let state = found[id] else { return "no outbox message \(id); `liaison outbox --all` lists them" }
                    return ["failed", "deferred"].contains(state) ? nil
                        : "outbox message \(id) is \(state); only failed or deferred messages can be voided"
                }
                if !problems.isEmpty { throw StoreError.invalidArgument(problems.joined(separator: "\n")) }
            case .caseId(let caseId):
                _ = try CaseStore.existingCase(db, caseId)
                rows = try Row.fetchAll(db, sql: """
                    SELECT id, caseId, organizationId, state FROM notification
                    WHERE caseId = ? AND state IN ('failed', 'deferred') ORDER BY id
                    """, arguments: [caseId])
            case .failedSince(let since):
                rows = try Row.fetchAll(db, sql: """
                    SELECT n.id, n.caseId, n.organizationId, n.state FROM notification n
                    WHERE n.state IN ('failed', 'deferred')
                      AND (SELECT MAX(r.updatedAt) FROM notificationRecipient r WHERE r.notificationId = n.id) >= ?
                    ORDER BY n.id
                    """, arguments: [since])
            }
            if rows.isEmpty { throw StoreError.noMatch("no failed or deferred message matches; nothing was voided") }
            var corrections: [OutboxCorrection] = []
            for row in rows {
                let id: Int64 = row["id"]
                try Self.void(db, id: id, reason: reason, actor: actor, at: now, action: "notification.voided")
                corrections.append(OutboxCorrection(id: id, caseId: row["caseId"], organizationId: row["organizationId"],
                                                    previousState: row["state"]))
            }
            return corrections
        }
    }

    /// Queues voided (or failed) messages again, with the same bytes and Message-ID: recipients not delivered
    /// wait again, attempts start over. Every id must be voided or failed, and its case pass `caseProblem` (read in
    /// the same transaction, so a withdrawal cannot slip in between); all or nothing.
    public func retry(ids: [Int64], actor: String, at now: Date = Date(),
                      caseProblem: (CaseRecord) -> String? = { _ in nil }) throws -> [OutboxCorrection] {
        try writer.write { db in
            var corrections: [OutboxCorrection] = []
            var problems: [String] = []
            for id in ids {
                guard let row = try Row.fetchOne(db, sql: "SELECT caseId, organizationId, state, messageId FROM notification WHERE id = ?",
                                                 arguments: [id]) else {
                    problems.append("no outbox message \(id); `liaison outbox --all` lists them")
                    continue
                }
                let state: String = row["state"]
                guard state == "voided" || state == "failed" else {
                    problems.append("outbox message \(id) is \(state); only voided or failed messages can be queued again")
                    continue
                }
                if let caseId: String = row["caseId"], let problem = caseProblem(try CaseStore.existingCase(db, caseId)) {
                    problems.append("outbox message \(id): \(problem)")
                    continue
                }
                try db.execute(sql: """
                    UPDATE notification SET state = 'queued', attempts = 0, nextAttemptAt = NULL, lastError = NULL,
                           relayRefused = 0, voidedAt = NULL, voidReason = NULL WHERE id = ?
                    """, arguments: [id])
                try db.execute(sql: """
                    UPDATE notificationRecipient SET status = 'pending', smtpCode = NULL, smtpReply = NULL, updatedAt = ?
                    WHERE notificationId = ? AND status != 'delivered'
                    """, arguments: [now, id])
                try EventLog.append(db, actor: actor, action: "notification.requeued", objectType: "notification",
                                    objectId: row["messageId"], data: ["id": .int(id), "from": .string(state)], at: now)
                corrections.append(OutboxCorrection(id: id, caseId: row["caseId"], organizationId: row["organizationId"],
                                                    previousState: state))
                if let caseId: String = row["caseId"] {
                    try ParticipantTransitions.apply(db, caseId: caseId, organizationId: row["organizationId"], at: now, actor: actor)
                }
            }
            if !problems.isEmpty { throw StoreError.invalidArgument(problems.joined(separator: "\n")) }
            return corrections
        }
    }

    /// Voids one message inside the caller's transaction: the bounces its recipients counted on their contacts
    /// are taken back, recipients not delivered wait again (`pending`), and the participant's delivery is worked
    /// out again without it.
    static func void(_ db: Database, id: Int64, reason: String, actor: String, at now: Date, action: String) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT caseId, organizationId, messageId, state FROM notification WHERE id = ?",
                                         arguments: [id]) else { return }
        try db.execute(sql: """
            UPDATE contact SET bounceCount = MAX(0, bounceCount - 1)
            WHERE id IN (SELECT contactId FROM notificationRecipient WHERE notificationId = ? AND status IN ('failed', 'bounced'))
            """, arguments: [id])
        try db.execute(sql: """
            UPDATE notificationRecipient SET status = 'pending', updatedAt = ? WHERE notificationId = ? AND status != 'delivered'
            """, arguments: [now, id])
        try db.execute(sql: """
            UPDATE notification SET state = 'voided', voidedAt = ?, voidReason = ?, nextAttemptAt = NULL,
                   leaseOwner = NULL, leaseUntil = NULL WHERE id = ?
            """, arguments: [now, reason, id])
        try EventLog.append(db, actor: actor, action: action, objectType: "notification", objectId: row["messageId"], data: [
            "id": .int(id), "from": .string(row["state"]), "reason": .string(reason),
            "caseId": .optional(row["caseId"]), "organizationId": .string(row["organizationId"]),
        ], at: now)
        if let caseId: String = row["caseId"] {
            try ParticipantTransitions.apply(db, caseId: caseId, organizationId: row["organizationId"], at: now, actor: actor)
        }
    }
}
