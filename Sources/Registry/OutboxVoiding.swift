import Foundation

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
/// let voided = try store.outbox.void(.failedSince(relayBrokeAt), reason: "relay refused relaying", actor: "alice")
/// try store.outbox.retry(ids: voided.map(\.id), actor: "alice")
/// ```
enum OutboxVoiding {}

extension OutboxStore {
    /// Voids the failed or deferred messages selected, all or nothing. Ids that are not failed or deferred are
    /// refused, every one named; a selection that finds nothing is refused.
    public func void(_ selection: OutboxVoidSelection, reason: String, actor: String, at now: Date) throws -> [OutboxCorrection] {
        try engine.write { session in
            let rows: [SQLRow]
            let locking = OutboxRowLocks.changing(session)
            switch selection {
            case .ids(let ids):
                guard !ids.isEmpty else { throw StoreError.noMatch("no outbox id given; nothing was voided") }
                rows = try session.rows("""
                    SELECT id, caseId, organizationId, state FROM notification WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
                    ORDER BY id
                    """ + locking, ids.map(\.sqlValue))
                let found = Dictionary(uniqueKeysWithValues: try rows.map { (try $0[0] as Int64, try $0[3] as String) })
                let problems = ids.compactMap { id -> String? in
                    guard let state = found[id] else { return "no outbox message \(id); `liaison outbox --all` lists them" }
                    return ["failed", "deferred"].contains(state) ? nil
                        : "outbox message \(id) is \(state); only failed or deferred messages can be voided"
                }
                if !problems.isEmpty { throw StoreError.invalidArgument(problems.joined(separator: "\n")) }
            case .caseId(let caseId):
                _ = try CaseStore.existingCase(session, caseId)
                rows = try session.rows("""
                    SELECT id, caseId, organizationId, state FROM notification
                    WHERE caseId = ? AND state IN ('failed', 'deferred') ORDER BY id
                    """ + locking, [caseId.sqlValue])
            case .failedSince(let since):
                rows = try session.rows("""
                    SELECT n.id, n.caseId, n.organizationId, n.state FROM notification n
                    WHERE n.state IN ('failed', 'deferred')
                      AND (SELECT MAX(r.updatedAt) FROM notificationRecipient r WHERE r.notificationId = n.id) >= ?
                    ORDER BY n.id
                    """ + locking, [since.sqlValue])
            }
            if rows.isEmpty { throw StoreError.noMatch("no failed or deferred message matches; nothing was voided") }
            var corrections: [OutboxCorrection] = []
            for row in rows {
                let id: Int64 = try row[0]
                try OutboxVoiding.void(session, id: id, reason: reason, actor: actor, at: now, action: "notification.voided")
                corrections.append(OutboxCorrection(id: id, caseId: try row[1], organizationId: try row[2], previousState: try row[3]))
            }
            return corrections
        }
    }

    /// Queues voided (or failed) messages again, with the same bytes and Message-ID: recipients not delivered
    /// wait again, attempts start over. Every id must be voided or failed, and its case pass `caseProblem` (read in
    /// the same transaction, so a withdrawal cannot slip in between); all or nothing.
    public func retry(ids: [Int64], actor: String, at now: Date,
                      caseProblem: (CaseRecord) -> String?) throws -> [OutboxCorrection] {
        try engine.write { session in
            var corrections: [OutboxCorrection] = []
            var problems: [String] = []
            for id in ids {
                guard let row = try session.row("SELECT caseId, organizationId, state, messageId FROM notification WHERE id = ?", id) else {
                    problems.append("no outbox message \(id); `liaison outbox --all` lists them")
                    continue
                }
                let caseId: String? = try row[0]
                let organizationId: String = try row[1]
                let state: String = try row[2]
                guard state == "voided" || state == "failed" else {
                    problems.append("outbox message \(id) is \(state); only voided or failed messages can be queued again")
                    continue
                }
                if let caseId, let problem = caseProblem(try CaseStore.existingCase(session, caseId)) {
                    problems.append("outbox message \(id): \(problem)")
                    continue
                }
                try session.execute("""
                    UPDATE notification SET state = 'queued', attempts = 0, nextAttemptAt = NULL, lastError = NULL,
                           relayRefused = 0, voidedAt = NULL, voidReason = NULL WHERE id = ?
                    """, id)
                try session.execute("""
                    UPDATE notificationRecipient SET status = 'pending', smtpCode = NULL, smtpReply = NULL, updatedAt = ?
                    WHERE notificationId = ? AND status != 'delivered'
                    """, now, id)
                try EventLog.append(session, actor: actor, action: "notification.requeued", objectType: "notification",
                                    objectId: try row[3], data: ["id": .int(id), "from": .string(state)], at: now)
                corrections.append(OutboxCorrection(id: id, caseId: caseId, organizationId: organizationId, previousState: state))
                if let caseId {
                    try ParticipantTransitions.apply(session, caseId: caseId, organizationId: organizationId,
                                                     at: now, actor: actor)
                }
            }
            if !problems.isEmpty { throw StoreError.invalidArgument(problems.joined(separator: "\n")) }
            return corrections
        }
    }
}

extension OutboxVoiding {
    /// Voids one message inside the caller's transaction: the bounces its recipients counted on their contacts
    /// are taken back, recipients not delivered wait again (`pending`), and the participant's delivery is worked
    /// out again without it.
    ///
    /// On PostgreSQL the row is locked first and voided only if it is still failed, deferred or queued (a claim
    /// running beside this transaction may have taken it meanwhile, and a message being sent is not voided);
    /// returns whether it was voided.
    @discardableResult
    static func void(_ session: any SQLSession, id: Int64, reason: String, actor: String, at now: Date, action: String) throws -> Bool {
        guard let row = try session.row("SELECT caseId, organizationId, messageId, state FROM notification WHERE id = ?"
                                        + OutboxRowLocks.changing(session), id) else { return false }
        let caseId: String? = try row[0]
        let organizationId: String = try row[1]
        let state: String = try row[3]
        guard ["failed", "deferred", "queued"].contains(state) else { return false }
        try session.execute("""
            UPDATE contact SET bounceCount = CASE WHEN bounceCount > 0 THEN bounceCount - 1 ELSE 0 END
            WHERE id IN (SELECT contactId FROM notificationRecipient WHERE notificationId = ? AND status IN ('failed', 'bounced'))
            """, id)
        try session.execute("""
            UPDATE notificationRecipient SET status = 'pending', updatedAt = ? WHERE notificationId = ? AND status != 'delivered'
            """, now, id)
        try session.execute("""
            UPDATE notification SET state = 'voided', voidedAt = ?, voidReason = ?, nextAttemptAt = NULL,
                   leaseOwner = NULL, leaseUntil = NULL WHERE id = ?
            """, now, reason, id)
        try EventLog.append(session, actor: actor, action: action, objectType: "notification", objectId: try row[2], data: [
            "id": .int(id), "from": .string(state), "reason": .string(reason),
            "caseId": .optional(caseId), "organizationId": .string(organizationId),
        ], at: now)
        if let caseId {
            try ParticipantTransitions.apply(session, caseId: caseId, organizationId: organizationId, at: now, actor: actor)
        }
        return true
    }
}
