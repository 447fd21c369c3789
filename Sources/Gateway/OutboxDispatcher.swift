import Foundation
import GRDB
import Logging
import Registry
import SMTP
import Synchronization

/// Figures of one `send` run.
public struct DispatchSummary: Sendable, Encodable, Equatable {
    public var sent = 0
    public var deferred = 0
    public var failed = 0
    public var recipientsRefused = 0
    public var remainingQueued = 0
    public init() {}
}

/// Sends the outbox: claims rows with a lease, hands their stored bytes to a transport, records each
/// recipient's outcome, retries transient failures with exponential backoff.
///
/// Delivery is at least once: a row is claimed (`sending`, with a lease) before any byte goes out, and a
/// process killed mid-send leaves it to be reclaimed once its lease ends or its process is gone. The bytes and
/// the Message-ID never change, so a message sent twice is recognisable as the same one.
/// ```swift
/// let dispatcher = OutboxDispatcher(writer: store.writer, maxAttempts: 8) { try makeTransport(smtp, logger: logger) }
/// let summary = try dispatcher.run(concurrency: 2)
/// ```
public final class OutboxDispatcher: Sendable {
    public let writer: any DatabaseWriter
    public let maxAttempts: Int
    public let leaseDuration: TimeInterval
    public let batchSize: Int
    public let actor: String
    /// Who holds a lease: host and process id, so a lease of a process that no longer exists is reclaimed at once.
    public let owner: String
    let makeTransport: @Sendable () throws -> any MailTransport
    let now: @Sendable () -> Date
    let logger: Logger

    public init(writer: any DatabaseWriter, maxAttempts: Int = 8, leaseDuration: TimeInterval = 600, batchSize: Int = 20,
                actor: String = "liaison", logger: Logger = Logger(label: "liaison.send"),
                now: @escaping @Sendable () -> Date = { Date() },
                makeTransport: @escaping @Sendable () throws -> any MailTransport) {
        self.writer = writer; self.maxAttempts = max(1, maxAttempts); self.leaseDuration = leaseDuration
        self.batchSize = max(1, batchSize); self.actor = actor; self.logger = logger; self.now = now
        self.makeTransport = makeTransport
        self.owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))"
    }

    /// Delay before attempt `attempts + 1`: 1, 2, 4 … minutes, at most six hours.
    public static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(6 * 3600, 60 * pow(2, Double(max(0, attempts - 1))))
    }

    /// Claims up to `limit` rows that are due: queued, deferred and due, or sending under a dead lease.
    public func claimNext(limit: Int) throws -> [NotificationRecord] {
        let now = now()
        return try writer.write { db in
            let host = ProcessInfo.processInfo.hostName
            let candidates = try Row.fetchAll(db, sql: """
                SELECT id, state, leaseOwner, leaseUntil FROM notification
                WHERE state = 'queued' OR (state = 'deferred' AND nextAttemptAt <= ?) OR state = 'sending'
                ORDER BY id LIMIT ?
                """, arguments: [now, limit * 4 + 16])
            var claimed: [Int64] = []
            for row in candidates where claimed.count < limit {
                if row["state"] as String == "sending" {
                    let leaseUntil: Date? = row["leaseUntil"]
                    let holder: String? = row["leaseOwner"]
                    let expired = leaseUntil.map { $0 <= now } ?? true
                    guard expired || Self.holderIsGone(holder, host: host) else { continue }
                }
                claimed.append(row["id"])
            }
            guard !claimed.isEmpty else { return [] }
            try db.execute(sql: """
                UPDATE notification SET state = 'sending', leaseOwner = ?, leaseUntil = ?
                WHERE id IN (\(claimed.map { _ in "?" }.joined(separator: ",")))
                """, arguments: StatementArguments([owner, now.addingTimeInterval(leaseDuration)] as [any DatabaseValueConvertible]) + StatementArguments(claimed))
            return try NotificationRecord.fetchAll(db, keys: claimed)
        }
    }

    /// A lease held by a process of this host that has exited can be taken over without waiting.
    private static func holderIsGone(_ holder: String?, host: String) -> Bool {
        guard let parts = holder?.split(separator: ":"), parts.count >= 3, String(parts[0]) == host,
              let pid = Int32(parts[1]) else { return false }
        if pid == getpid() { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Sends until nothing is due (or `limit` messages were handled), with `concurrency` connections.
    public func run(limit: Int? = nil, concurrency: Int = 1,
                    progress: (@Sendable (DispatchSummary) -> Void)? = nil) throws -> DispatchSummary {
        let state = Mutex((summary: DispatchSummary(), budget: limit ?? Int.max, error: String?.none))
        let workers = max(1, concurrency)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            do {
                let transport = try makeTransport()
                while true {
                    let take = state.withLock { s -> Int in
                        let n = min(batchSize, s.budget); s.budget -= n; return n
                    }
                    guard take > 0 else { return }
                    let rows = try claimNext(limit: take)
                    state.withLock { $0.budget += take - rows.count }
                    guard !rows.isEmpty else { return }
                    try deliver(rows, with: transport) { delta in
                        let snapshot = state.withLock { s -> DispatchSummary in
                            s.summary.sent += delta.sent; s.summary.deferred += delta.deferred
                            s.summary.failed += delta.failed; s.summary.recipientsRefused += delta.recipientsRefused
                            return s.summary
                        }
                        progress?(snapshot)
                    }
                }
            } catch {
                state.withLock { if $0.error == nil { $0.error = "\(error)" } }
            }
        }
        var result = state.withLock { $0 }
        if let error = result.error { throw GatewayError.configuration(error) }
        result.summary.remainingQueued = try writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notification WHERE state IN ('queued', 'deferred', 'sending')") ?? 0
        }
        return result.summary
    }

    /// Sends claimed rows one by one to the recipients still waiting, recording each outcome as soon as the
    /// server has answered: a process killed mid-batch then leaves only the message in flight to be sent again.
    /// `each` receives the figures of every message as it is recorded.
    @discardableResult
    func deliver(_ rows: [NotificationRecord], with transport: any MailTransport,
                 each: (DispatchSummary) -> Void = { _ in }) throws -> DispatchSummary {
        var summary = DispatchSummary()
        for row in rows {
            // Renew the lease for this message; if it ran out and another process took the row, leave it to them.
            let claimed = try writer.write { db -> [NotificationRecipientRecord]? in
                try db.execute(sql: """
                    UPDATE notification SET leaseUntil = ? WHERE id = ? AND state = 'sending' AND leaseOwner = ?
                    """, arguments: [now().addingTimeInterval(leaseDuration), row.id!, owner])
                guard db.changesCount > 0 else { return nil }
                return try NotificationRecipientRecord
                    .filter(Column("notificationId") == row.id! && [RecipientStatus.pending.rawValue, RecipientStatus.deferred.rawValue].contains(Column("status")))
                    .fetchAll(db)
            }
            guard let recipients = claimed else {
                logger.warning("\(row.messageId): the lease ran out and another send took the message over")
                continue
            }
            var report: DeliveryReport?
            if !recipients.isEmpty {
                let message = OutgoingMessage(messageID: row.messageId, sender: row.mailFrom,
                                              recipients: recipients.map(\.email), bytes: row.bytes)
                report = transport.send([message]).first { $0.messageID == row.messageId }
            }
            let answeredAt = now()
            let outcome = try writer.write { db in
                try record(db, row: row, recipients: recipients, report: report, now: answeredAt)
            }
            var delta = DispatchSummary()
            switch outcome.state {
            case .sent: delta.sent = 1
            case .deferred: delta.deferred = 1
            case .failed: delta.failed = 1
            default: break
            }
            delta.recipientsRefused = outcome.refused
            each(delta)
            summary.sent += delta.sent; summary.deferred += delta.deferred
            summary.failed += delta.failed; summary.recipientsRefused += delta.recipientsRefused
        }
        return summary
    }

    private func record(_ db: Database, row: NotificationRecord, recipients: [NotificationRecipientRecord],
                        report: DeliveryReport?, now: Date) throws -> (state: NotificationState, refused: Int) {
        var notification = row
        var refused = 0
        var transientReasons: [String] = []
        var permanentReasons: [String] = []
        var accepted: [String] = []
        for var recipient in recipients {
            let outcome = report?.outcomes.first(where: { $0.recipient.caseInsensitiveCompare(recipient.email) == .orderedSame })?.outcome
            switch outcome {
            case .accepted(let code, let reply):
                recipient.status = .delivered; recipient.smtpCode = code; recipient.smtpReply = reply
                accepted.append(recipient.email)
            case .permanentFailure(let code, let reply):
                recipient.status = .failed; recipient.smtpCode = code; recipient.smtpReply = reply
                refused += 1
                permanentReasons.append("\(recipient.email): \(Self.reason(code: code, reply: reply))")
                if let contactId = recipient.contactId {
                    try db.execute(sql: "UPDATE contact SET bounceCount = bounceCount + 1, lastBounceAt = ? WHERE id = ?",
                                   arguments: [now, contactId])
                }
            case .transientFailure(let code, let reply):
                recipient.status = .deferred; recipient.smtpCode = code; recipient.smtpReply = reply
                transientReasons.append("\(recipient.email): \(Self.reason(code: code, reply: reply))")
            case nil:
                recipient.status = .deferred
                let reason = report?.error.map { "\($0)" } ?? "no result from the transport"
                recipient.smtpReply = reason
                transientReasons.append("\(recipient.email): \(reason)")
            }
            recipient.updatedAt = now
            try recipient.update(db)
        }
        notification.attempts += 1
        notification.leaseOwner = nil
        notification.leaseUntil = nil
        let all = try NotificationRecipientRecord.filter(Column("notificationId") == row.id!).fetchAll(db)
        let stillWaiting = all.filter { $0.status == .deferred || $0.status == .pending }
        if stillWaiting.isEmpty {
            let delivered = all.contains { $0.status == .delivered }
            notification.state = delivered ? .sent : .failed
            notification.sentAt = delivered ? (notification.sentAt ?? now) : nil
            notification.nextAttemptAt = nil
            notification.lastError = permanentReasons.isEmpty ? nil : permanentReasons.joined(separator: "; ")
        } else if notification.attempts >= maxAttempts {
            for var r in stillWaiting { r.status = .failed; r.updatedAt = now; try r.update(db) }
            let delivered = all.contains { $0.status == .delivered }
            notification.state = delivered ? .sent : .failed
            notification.sentAt = delivered ? (notification.sentAt ?? now) : nil
            notification.nextAttemptAt = nil
            notification.lastError = "gave up after \(notification.attempts) attempts: " + transientReasons.joined(separator: "; ")
        } else {
            notification.state = .deferred
            notification.nextAttemptAt = now.addingTimeInterval(Self.backoff(afterAttempts: notification.attempts))
            notification.lastError = transientReasons.joined(separator: "; ")
        }
        try notification.update(db)

        var recipientsJSON: [String: EventValue] = [:]
        for r in recipients {
            let outcome = report?.outcomes.first { $0.recipient.caseInsensitiveCompare(r.email) == .orderedSame }?.outcome
            recipientsJSON[r.email] = .string(outcome.map { "\($0)" } ?? "no result")
        }
        var data: [String: EventValue] = [
            "messageId": .string(row.messageId), "organizationId": .string(row.organizationId),
            "purpose": .string(row.purpose.rawValue), "attempt": .int(Int64(notification.attempts)),
            "at": .string(Timestamp.string(now)), "recipients": .object(recipientsJSON),
            "caseId": .optional(row.caseId), "category": .optional(row.incidentCategory?.rawValue),
        ]
        switch notification.state {
        case .sent where !accepted.isEmpty && row.state != .sent:
            try Events.append(db, actor: actor, action: "notification.sent", objectType: "notification", objectId: row.messageId, values: data)
        case .deferred:
            data["nextAttemptAt"] = .string(Timestamp.string(notification.nextAttemptAt!))
            data["reason"] = .optional(notification.lastError)
            try Events.append(db, actor: actor, action: "notification.deferred", objectType: "notification", objectId: row.messageId, values: data)
        case .failed:
            data["reason"] = .optional(notification.lastError)
            try Events.append(db, actor: actor, action: "notification.failed", objectType: "notification", objectId: row.messageId, values: data)
        default: break
        }
        if let caseId = row.caseId {
            try updateParticipant(db, caseId: caseId, organizationId: row.organizationId, recipients: all, now: now)
        }
        return (notification.state, refused)
    }

    /// The server's reply as one would quote it: its text already starts with the code ("451 4.3.0 …"); a
    /// failure without a reply (a refused connection) is the sentence alone.
    public static func reason(code: Int?, reply: String) -> String {
        guard let code, !reply.hasPrefix(String(code)) else { return reply }
        return "\(code) \(reply)"
    }

    /// Notified once a `to` recipient accepted; undeliverable when every `to` recipient failed for good.
    private func updateParticipant(_ db: Database, caseId: String, organizationId: String,
                                   recipients: [NotificationRecipientRecord], now: Date) throws {
        guard var participant = try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": organizationId]) else { return }
        let to = recipients.filter { $0.kind == "to" }
        let before = participant.delivery
        if to.contains(where: { $0.status == .delivered }) {
            participant.delivery = .notified
            if participant.firstNotifiedAt == nil { participant.firstNotifiedAt = now }
        } else if !to.isEmpty, to.allSatisfy({ $0.status == .failed || $0.status == .bounced }), participant.delivery != .notified {
            participant.delivery = .undeliverable
        }
        guard participant.delivery != before else { return }
        try participant.update(db)
        try Events.append(db, actor: actor, action: "participant.delivery", objectType: "participant",
                          objectId: "\(caseId)|\(organizationId)", data: [
                              "caseId": caseId, "organizationId": organizationId,
                              "delivery": participant.delivery.rawValue, "at": Timestamp.string(now),
                          ])
    }
}
