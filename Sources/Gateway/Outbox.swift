import Foundation
import GRDB
import Registry

/// A row of the outbox as `liaison outbox` lists it (the stored bytes are left out).
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
    public let recipients: [Recipient]
}

/// Read access to the outbox.
public struct Outbox: Sendable {
    public let writer: any DatabaseWriter
    public init(writer: any DatabaseWriter) { self.writer = writer }

    /// Rows, oldest first, optionally of one state and case.
    public func list(state: NotificationState? = nil, caseId: String? = nil) throws -> [OutboxEntry] {
        try writer.read { db in
            var request = NotificationRecord.all()
            if let state { request = request.filter(Column("state") == state.rawValue) }
            if let caseId { request = request.filter(Column("caseId") == caseId) }
            let rows = try request.order(Column("id")).fetchAll(db)
            let recipients = try NotificationRecipientRecord.filter(rows.compactMap(\.id).contains(Column("notificationId"))).fetchAll(db)
            let byId = Dictionary(grouping: recipients, by: \.notificationId)
            return rows.map { n in
                OutboxEntry(id: n.id!, messageId: n.messageId, trackingRef: n.trackingRef, state: n.state.rawValue, caseId: n.caseId,
                            organizationId: n.organizationId, purpose: n.purpose.rawValue, language: n.language, subject: n.subject,
                            signed: n.signed, encrypted: n.encrypted, attempts: n.attempts, createdAt: n.createdAt, sentAt: n.sentAt,
                            nextAttemptAt: n.nextAttemptAt, lastError: n.lastError,
                            recipients: (byId[n.id!] ?? []).map {
                                .init(email: $0.email, kind: $0.kind, status: $0.status.rawValue, smtpCode: $0.smtpCode, smtpReply: $0.smtpReply)
                            })
            }
        }
    }

    /// How many rows a `send` started now would try.
    public func due(at now: Date = Date()) throws -> Int {
        try writer.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM notification
                WHERE state IN ('queued', 'sending') OR (state = 'deferred' AND nextAttemptAt <= ?)
                """, arguments: [now]) ?? 0
        }
    }

    /// The exact bytes stored for a message, as sent.
    public func bytes(messageId: String) throws -> Data? {
        try writer.read { db in try NotificationRecord.filter(Column("messageId") == messageId).fetchOne(db)?.bytes }
    }
}
