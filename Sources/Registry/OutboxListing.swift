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
    public let recipients: [Recipient]
}

extension OutboxStore {
    /// Rows, oldest first, optionally of one state and case; `held` keeps only held rows. Reads the columns
    /// from the `notification_outbox` index and the recipients in one ordered pass, so 100,000 rows take about
    /// a second and no message bytes are loaded.
    public func list(state: NotificationState? = nil, caseId: String? = nil, heldOnly: Bool = false) throws -> [OutboxEntry] {
        try writer.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let state { conditions.append("state = ?"); arguments += [state.rawValue] }
            if let caseId { conditions.append("caseId = ?"); arguments += [caseId] }
            if heldOnly { conditions.append("heldReason IS NOT NULL") }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let filtered = !conditions.isEmpty
            // Recipients in notification order, read alongside: a join on the filter when there is one.
            let recipientSQL = filtered
                ? """
                  SELECT r.notificationId, r.email, r.kind, r.status, r.smtpCode, r.smtpReply
                  FROM notificationRecipient r
                  WHERE r.notificationId IN (SELECT id FROM notification INDEXED BY notification_outbox \(whereClause))
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
                       encrypted, attempts, createdAt, sentAt, nextAttemptAt, lastError, heldReason
                FROM notification INDEXED BY notification_outbox \(whereClause) ORDER BY id
                """, arguments: arguments)
            var entries: [OutboxEntry] = []
            while let row = try rows.next() {
                let id: Int64 = row[0]
                entries.append(OutboxEntry(
                    id: id, messageId: row[1], trackingRef: row[2], state: row[3], caseId: row[4], organizationId: row[5],
                    purpose: row[6], language: row[7], subject: row[8], signed: row[9], encrypted: row[10],
                    attempts: row[11], createdAt: row[12], sentAt: row[13], nextAttemptAt: row[14], lastError: row[15],
                    heldReason: row[16], recipients: try recipients(of: id)))
            }
            return entries
        }
    }
}
