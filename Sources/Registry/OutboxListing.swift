import Foundation

/// A row of the outbox as `liaison outbox` lists it; the stored bytes are never read.
public struct OutboxEntry: Sendable, Encodable {
    public struct Recipient: Sendable, Encodable {
        public let email: String
        /// Whether it is addressed in To or in Cc.
        public let kind: ContactRole
        public let status: RecipientStatus
        public let smtpCode: Int?
        public let smtpReply: String?
    }
    public let id: Int64
    public let messageId: String
    public let trackingRef: String
    public let state: NotificationState
    public let caseId: String?
    public let organizationId: String
    public let purpose: NotificationPurpose
    public let language: String
    public let subject: String
    public let signed: Bool
    public let encrypted: Bool
    public let attempts: Int
    public let createdAt: Date
    public let sentAt: Date?
    public let nextAttemptAt: Date?
    public let lastError: String?
    /// Set when the server accepted the message but its delivery could not be recorded: no `send` takes it
    /// again until `liaison outbox release`.
    public let heldReason: String?
    /// Why a person voided it (`outbox void`, or the case withdrawn), when its state is `voided`.
    public let voidReason: String?
    public let recipients: [Recipient]
}

/// Which rows `liaison outbox` lists.
public struct OutboxFilter: Sendable {
    /// Only these states; nil for every state.
    public var states: [NotificationState]?
    public var caseId: String?
    public var heldOnly = false
    /// Only rows with a larger id (the next page).
    public var afterId: Int64?
    /// At most this many rows.
    public var limit: Int?

    public init(states: [NotificationState]? = nil, caseId: String? = nil, heldOnly: Bool = false, afterId: Int64? = nil, limit: Int? = nil) {
        self.states = states; self.caseId = caseId; self.heldOnly = heldOnly; self.afterId = afterId; self.limit = limit
    }

    /// What is not yet sent: queued, being sent (or held) and deferred.
    public static let unsentStates: [NotificationState] = [.queued, .sending, .deferred]
}

extension OutboxStore {
    public func stateCounts() throws -> [NotificationState: Int] {
        try engine.read { session in
            var counts: [NotificationState: Int] = [:]
            for row in try session.rows("SELECT state, COUNT(*) FROM notification GROUP BY state", []) {
                if let state = NotificationState(rawValue: try row[0]) { counts[state] = try row[1] }
            }
            return counts
        }
    }

    /// Rows of `filter`, oldest first. Reads the small state rows, then the recipients of the same rows in one
    /// ordered pass; the message bytes, kept apart, are never loaded.
    public func list(_ filter: OutboxFilter) throws -> [OutboxEntry] {
        try engine.read { session in
            var conditions: [String] = []
            var arguments: [SQLValue] = []
            if let states = filter.states {
                conditions.append("state IN (\(states.map { _ in "?" }.joined(separator: ", ")))")
                arguments += states.map(\.rawValue.sqlValue)
            }
            if let caseId = filter.caseId { conditions.append("caseId = ?"); arguments.append(caseId.sqlValue) }
            if filter.heldOnly { conditions.append("heldReason IS NOT NULL") }
            if let after = filter.afterId { conditions.append("id > ?"); arguments.append(after.sqlValue) }
            let limitClause = filter.limit.map { " ORDER BY id LIMIT \(max(0, $0))" } ?? ""
            let whereClause = (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) + limitClause
            let filtered = !conditions.isEmpty || filter.limit != nil
            // Recipients in notification order (then as queued), read after the rows (one query at a time on a
            // connection): restricted to the listed rows when there is a filter.
            let recipientSQL = filtered
                ? """
                  SELECT r.notificationId, r.email, r.kind, r.status, r.smtpCode, r.smtpReply
                  FROM notificationRecipient r
                  WHERE r.notificationId IN (SELECT id FROM notification \(whereClause))
                  ORDER BY r.notificationId, CASE WHEN r.kind = 'cc' THEN 1 ELSE 0 END, COALESCE(r.contactId, 0), r.email
                  """
                : """
                  SELECT notificationId, email, kind, status, smtpCode, smtpReply FROM notificationRecipient
                  ORDER BY notificationId, CASE WHEN kind = 'cc' THEN 1 ELSE 0 END, COALESCE(contactId, 0), email
                  """
            var rows: [OutboxEntry] = []
            try session.forEachRow("""
                SELECT id, messageId, trackingRef, state, caseId, organizationId, purpose, language, subject, signed,
                       encrypted, attempts, createdAt, sentAt, nextAttemptAt, lastError, heldReason, voidReason
                FROM notification \(whereClause)\(limitClause.isEmpty ? " ORDER BY id" : "")
                """, arguments) { row in
                rows.append(OutboxEntry(
                    id: try row[0], messageId: try row[1], trackingRef: try row[2], state: try row[3], caseId: try row[4],
                    organizationId: try row[5], purpose: try row[6], language: try row[7], subject: try row[8],
                    signed: try row[9], encrypted: try row[10], attempts: try row[11], createdAt: try row[12],
                    sentAt: try row[13], nextAttemptAt: try row[14], lastError: try row[15], heldReason: try row[16],
                    voidReason: try row[17], recipients: []))
                return true
            }
            guard !rows.isEmpty else { return [] }
            // Rows and recipients are both in id order: each run of a row's recipients goes to it.
            var index = 0
            var runId: Int64 = -1
            var run: [OutboxEntry.Recipient] = []
            func handOver() {
                guard !run.isEmpty else { return }
                while index < rows.count, rows[index].id < runId { index += 1 }
                if index < rows.count, rows[index].id == runId { rows[index] = rows[index].with(recipients: run) }
                run = []
            }
            try session.forEachRow(recipientSQL, filtered ? arguments : []) { row in
                let id: Int64 = try row[0]
                if id != runId {
                    handOver()
                    runId = id
                }
                run.append(OutboxEntry.Recipient(email: try row[1], kind: try row[2], status: try row[3],
                                                 smtpCode: try row[4], smtpReply: try row[5]))
                return true
            }
            handOver()
            return rows
        }
    }
}

extension OutboxEntry {
    fileprivate func with(recipients: [Recipient]) -> OutboxEntry {
        OutboxEntry(id: id, messageId: messageId, trackingRef: trackingRef, state: state, caseId: caseId,
                    organizationId: organizationId, purpose: purpose, language: language, subject: subject, signed: signed,
                    encrypted: encrypted, attempts: attempts, createdAt: createdAt, sentAt: sentAt,
                    nextAttemptAt: nextAttemptAt, lastError: lastError, heldReason: heldReason, voidReason: voidReason,
                    recipients: recipients)
    }
}
