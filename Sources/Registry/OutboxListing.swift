import Foundation
import GRDB

/// A row of the outbox as `liaison outbox` lists it; the stored bytes are never read.
public struct OutboxEntry: Sendable, Encodable {
    public struct Recipient: Sendable, Encodable {
        public let email: String
        public let kind: String
        public let status: String
        public let smtpCode: Int?
        public let smtpReply: String?
    }
    public let id: Int64
    public let messageId: String
    public let trackingRef: String
    public let state: String
    public let caseId: String?
    public let organizationId: String
    public let purpose: String
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
    /// Rows, oldest first, optionally of one state and case; `held` keeps only held rows. Reads the small
    /// state rows and the recipients in one ordered pass; the message bytes, kept apart, are never loaded.
    public func list(state: NotificationState? = nil, caseId: String? = nil, heldOnly: Bool = false) throws -> [OutboxEntry] {
        try list(OutboxFilter(states: state.map { [$0] }, caseId: caseId, heldOnly: heldOnly))
    }

    /// How many rows there are in each state (held rows count as `sending`).
    public func stateCounts() throws -> [NotificationState: Int] {
        try writer.read { db in
            var counts: [NotificationState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM notification GROUP BY state") {
                if let state = NotificationState(rawValue: row[0]) { counts[state] = row[1] }
            }
            return counts
        }
    }

    /// Rows of `filter`, oldest first.
    public func list(_ filter: OutboxFilter) throws -> [OutboxEntry] {
        try writer.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let states = filter.states {
                conditions.append("state IN (\(states.map { _ in "?" }.joined(separator: ", ")))")
                for state in states { arguments += [state.rawValue] }
            }
            if let caseId = filter.caseId { conditions.append("caseId = ?"); arguments += [caseId] }
            if filter.heldOnly { conditions.append("heldReason IS NOT NULL") }
            if let after = filter.afterId { conditions.append("id > ?"); arguments += [after] }
            let limitClause = filter.limit.map { " ORDER BY id LIMIT \(max(0, $0))" } ?? ""
            let whereClause = (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) + limitClause
            let filtered = !conditions.isEmpty
            // Recipients in notification order, read alongside: a join on the filter when there is one.
            let recipientSQL = filtered
                ? """
                  SELECT r.notificationId, r.email, r.kind, r.status, r.smtpCode, r.smtpReply
                  FROM notificationRecipient r
                  WHERE r.notificationId IN (SELECT id FROM notification \(whereClause))
                  ORDER BY r.notificationId
                  """
                : "SELECT notificationId, email, kind, status, smtpCode, smtpReply FROM notificationRecipient ORDER BY notificationId"
            let recipientRows = try Row.fetchCursor(db, sql: recipientSQL, arguments: filtered ? arguments : [])
            var pending: (id: Int64, recipient: OutboxEntry.Recipient)?
            func recipients(of id: Int64) throws -> [OutboxEntry.Recipient] {
                var found: [OutboxEntry.Recipient] = []
                while true {
                    if let current = pending {
                        if current.id > id { break }
                        if current.id == id { found.append(current.recipient) }
                        pending = nil
                    }
                    guard let row = try recipientRows.next() else { break }
                    pending = (row[0], OutboxEntry.Recipient(email: row[1], kind: row[2], status: row[3], smtpCode: row[4], smtpReply: row[5]))
                }
                return found
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, messageId, trackingRef, state, caseId, organizationId, purpose, language, subject, signed,
                       encrypted, attempts, createdAt, sentAt, nextAttemptAt, lastError, heldReason, voidReason
                FROM notification \(whereClause)\(limitClause.isEmpty ? " ORDER BY id" : "")
                """, arguments: arguments)
            var entries: [OutboxEntry] = []
            while let row = try rows.next() {
                let id: Int64 = row[0]
                entries.append(OutboxEntry(
                    id: id, messageId: row[1], trackingRef: row[2], state: row[3], caseId: row[4], organizationId: row[5],
                    purpose: row[6], language: row[7], subject: row[8], signed: row[9], encrypted: row[10],
                    attempts: row[11], createdAt: row[12], sentAt: row[13], nextAttemptAt: row[14], lastError: row[15],
                    heldReason: row[16], voidReason: row[17], recipients: try recipients(of: id)))
            }
            return entries
        }
    }
}
