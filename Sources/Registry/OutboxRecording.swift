import Foundation

/// What one attempt at sending one message gave, recipient by recipient, as the store records it.
public struct DeliveryAttempt: Sendable {
    /// How one recipient fared.
    public enum Outcome: Sendable, Equatable {
        case accepted, transient, permanent
    }

    /// One envelope recipient's result: the server's code and reply (or the reason, when there was no reply).
    public struct Recipient: Sendable {
        public var email: String
        public var outcome: Outcome
        public var code: Int?
        public var reply: String
        /// The text the event log keeps for this recipient (e.g. `accepted(code: 250, reply: "…")`).
        public var summary: String

        public init(email: String, outcome: Outcome, code: Int?, reply: String, summary: String) {
            self.email = email; self.outcome = outcome; self.code = code; self.reply = reply; self.summary = summary
        }
    }

    public var recipients: [Recipient]
    /// What went wrong for the message as a whole, when the recipients' own replies do not say it.
    public var messageError: String?
    /// The whole message was refused by our own relay (5xx to DATA or at its end): the message fails, but no
    /// bounce is counted on the contacts and the participant is not made undeliverable.
    public var refusedByRelay: Bool

    public init(recipients: [Recipient], messageError: String? = nil, refusedByRelay: Bool = false) {
        self.recipients = recipients; self.messageError = messageError; self.refusedByRelay = refusedByRelay
    }
}

/// What recording an attempt did to the message.
public struct RecordedAttempt: Sendable, Equatable {
    /// The message's state afterwards: sent, deferred or failed.
    public let state: NotificationState
    /// Recipients refused for good in this attempt.
    public let refused: Int
}

/// One message's attempt as the server answered it, waiting to be recorded with others of the same worker.
public struct AnsweredAttempt: Sendable {
    /// The outbox row.
    public var id: Int64
    public var attempt: DeliveryAttempt
    /// When the server answered: the time the attempt is recorded at.
    public var at: Date

    public init(id: Int64, attempt: DeliveryAttempt, at: Date) { self.id = id; self.attempt = attempt; self.at = at }
}

/// One worker's part of a group commit (`OutboxStore.record(_:maxAttempts:actor:)`): the attempts it has answers
/// for, and the messages of its batch it is about to send, to be marked in flight by the same transaction.
public struct RecordingShare: Sendable {
    /// The worker's lease token.
    public var owner: String
    public var answered: [AnsweredAttempt]
    public var markingInFlight: [Int64]

    public init(owner: String, answered: [AnsweredAttempt], markingInFlight: [Int64]) {
        self.owner = owner; self.answered = answered; self.markingInFlight = markingInFlight
    }
}

/// What a group commit did for one share.
public struct RecordedShare: Sendable {
    /// Per answered attempt, in order: what recording did, or nil when the owner no longer held its lease.
    public let recorded: [RecordedAttempt?]
    /// The messages marked in flight: those of `markingInFlight` the owner still leases. Send only these.
    public let marked: Set<Int64>
}

/// The rule for a message's state after an attempt, in one place.
public enum DeliveryRules {
    /// Delay before attempt `attempts + 1`: 1, 2, 4 … minutes, at most six hours.
    public static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(6 * 3600, 60 * pow(2, Double(max(0, attempts - 1))))
    }

    /// A message is **sent** once no recipient is waiting and at least one has `delivered`; **failed** once
    /// no recipient is waiting and none was delivered, or the attempts are used up with none delivered;
    /// otherwise **deferred**. Recipients still waiting when the attempts are used up count as failed.
    public static func state(after statuses: [RecipientStatus], attempts: Int, maxAttempts: Int) -> NotificationState {
        let waiting = statuses.contains { $0 == .pending || $0 == .deferred }
        let delivered = statuses.contains(.delivered)
        if !waiting || attempts >= maxAttempts { return delivered ? .sent : .failed }
        return .deferred
    }
}

extension OutboxStore {
    /// Records one attempt on message `id`, if `owner` still holds its lease (nil otherwise: another worker
    /// took the message over, and what it records stands).
    ///
    /// In one transaction: each recipient's status, code and reply; a bounce on the contact of each recipient
    /// refused for good (unless our relay refused the whole message); the message's state (`DeliveryRules`),
    /// attempts, next attempt time and last error — only those columns; its `notification.sent`, `.deferred`
    /// or `.failed` event, written on every transition into that state; the participant's delivery
    /// (`ParticipantTransitions`). The lease and the in-flight mark are cleared, and so is a hold that a later run
    /// put on the row meanwhile (`holdAbandonedInFlight`): the result is known now.
    public func record(_ attempt: DeliveryAttempt, id: Int64, owner: String, maxAttempts: Int, actor: String,
                       at now: Date) throws -> RecordedAttempt? {
        try engine.write { session in
            try OutboxRowLocks.lock(session, ids: [id])
            return try Self.record(session, attempt, id: id, owner: owner, maxAttempts: maxAttempts, actor: actor, at: now)
        }
    }

    /// Records several attempts of one lease holder in ONE write transaction (one commit, one sync of the
    /// log), each exactly as `record(_:id:owner:maxAttempts:actor:at:)` does, with its own owner check: the
    /// result for each is nil when `owner` no longer holds that message's lease. All are recorded or none.
    ///
    /// `markingInFlight` is the next message of the same worker's batch, about to be sent: in the same transaction
    /// it is marked in flight (if `owner` still leases it), so a batch costs one write per message.
    public func record(_ batch: [AnsweredAttempt], owner: String, maxAttempts: Int, actor: String,
                       markingInFlight next: Int64?) throws -> [RecordedAttempt?] {
        guard !batch.isEmpty || next != nil else { return [] }
        let share = RecordingShare(owner: owner, answered: batch, markingInFlight: next.map { [$0] } ?? [])
        return try record([share], maxAttempts: maxAttempts, actor: actor)[0].recorded
    }

    /// A group commit: the shares of several workers (lease holders) in ONE write transaction, each recorded as
    /// `record(_:owner:maxAttempts:actor:markingInFlight:)` does under its own owner. Every result and every mark
    /// is durable when this returns, or none of them (an error).
    public func record(_ shares: [RecordingShare], maxAttempts: Int, actor: String) throws -> [RecordedShare] {
        guard shares.contains(where: { !$0.answered.isEmpty || !$0.markingInFlight.isEmpty }) else {
            return shares.map { _ in RecordedShare(recorded: [], marked: []) }
        }
        // A few statements for the whole group (`recordTogether`), on both engines. On PostgreSQL under row locks
        // and the event chain's lock: the group commits of several processes run side by side, never beside
        // another writer; on SQLite under its one writer's lock.
        if engine.kind == .postgresql {
            return try engine.writeAlongside { session in
                try Self.recordTogether(session, shares, maxAttempts: maxAttempts, actor: actor)
            }
        }
        return try engine.write { session in
            try Self.recordTogether(session, shares, maxAttempts: maxAttempts, actor: actor)
        }
    }

    /// Marks a message this worker leases as handed to the transport now; false when `owner` no longer leases it.
    @discardableResult
    public func markInFlight(id: Int64, owner: String) throws -> Bool {
        try engine.write { session in try Self.markInFlight(session, id: id, owner: owner) }
    }

    @discardableResult
    static func markInFlight(_ session: any SQLSession, id: Int64, owner: String) throws -> Bool {
        try session.execute("UPDATE notification SET inFlight = 1 WHERE id = ? AND state = 'sending' AND leaseOwner = ?", id, owner) > 0
    }

    /// Records one attempt inside the caller's transaction, which has locked the row (`OutboxRowLocks.lock`).
    static func record(_ session: any SQLSession, _ attempt: DeliveryAttempt, id: Int64, owner: String, maxAttempts: Int,
                       actor: String, at now: Date) throws -> RecordedAttempt? {
        guard let row = try session.row("""
            SELECT messageId, caseId, organizationId, purpose, incidentCategory, state, attempts, sentAt, leaseOwner
            FROM notification WHERE id = ?
            """, id),
            try row[5] as String == NotificationState.sending.rawValue, try row[8] as String? == owner
        else { return nil }
        let message = AttemptedMessage(messageId: try row[0], caseId: try row[1], organizationId: try row[2], purpose: try row[3],
                                       category: try row[4], attempts: try row[6], sentAt: try row[7])
        for recipient in attempt.recipients {
            try session.execute("""
                UPDATE notificationRecipient SET status = ?, smtpCode = ?, smtpReply = ?, updatedAt = ?
                WHERE notificationId = ? AND email = ?
                """, AttemptDecision.status(after: recipient.outcome).rawValue, recipient.code, recipient.reply, now, id, recipient.email)
            if AttemptDecision.countsAsBounce(recipient, of: attempt) {
                try session.execute("""
                    UPDATE contact SET bounceCount = bounceCount + 1, lastBounceAt = ?
                    WHERE id = (SELECT contactId FROM notificationRecipient WHERE notificationId = ? AND email = ?)
                    """, now, id, recipient.email)
            }
        }
        let statuses = try session.values("SELECT status FROM notificationRecipient WHERE notificationId = ?", id, as: String.self)
            .compactMap(RecipientStatus.init(rawValue:))
        let decision = AttemptDecision(attempt: attempt, message: message, statuses: statuses, maxAttempts: maxAttempts, at: now)
        if decision.givesUpWaiting {
            try session.execute("""
                UPDATE notificationRecipient SET status = 'failed', updatedAt = ?
                WHERE notificationId = ? AND status IN ('pending', 'deferred')
                """, now, id)
        }
        try session.execute("""
            UPDATE notification SET state = ?, attempts = ?, nextAttemptAt = ?, sentAt = ?, lastError = ?,
                   relayRefused = ?, leaseOwner = NULL, leaseUntil = NULL, inFlight = 0, heldReason = NULL
            WHERE id = ? AND leaseOwner = ?
            """, decision.state.rawValue, decision.attempts, decision.nextAttemptAt, decision.sentAt, decision.lastError,
            attempt.refusedByRelay, id, owner)
        try EventLog.append(session, actor: actor, action: decision.action, objectType: "notification", objectId: message.messageId,
                            data: decision.data)
        if let caseId = message.caseId {
            try ParticipantTransitions.apply(session, caseId: caseId, organizationId: message.organizationId, at: now, actor: actor)
        }
        return RecordedAttempt(state: decision.state, refused: decision.refused)
    }

    /// The server's reply as one would quote it: its text already starts with the code ("451 4.3.0 …"); a
    /// failure without a reply (a refused connection) is the sentence alone.
    public static func reason(code: Int?, reply: String) -> String {
        guard let code, !reply.hasPrefix(String(code)) else { return reply }
        return "\(code) \(reply)"
    }
}

/// What recording reads of a message before an attempt is recorded.
struct AttemptedMessage {
    var messageId: String
    var caseId: String?
    var organizationId: String
    var purpose: String
    var category: String?
    /// Attempts before this one.
    var attempts: Int
    var sentAt: Date?
}

/// What recording one answered attempt decides, once its recipients' results are known: the message's state
/// (`DeliveryRules`), attempts, next attempt time, last error and event. The one rule both ways of recording use
/// (one message at a time, or a group at once, as a group commit does on both engines).
struct AttemptDecision {
    var state: NotificationState
    /// Attempts with this one.
    var attempts: Int
    var nextAttemptAt: Date?
    var sentAt: Date?
    var lastError: String?
    /// The attempts are used up: recipients still pending or deferred are given up (failed).
    var givesUpWaiting: Bool
    /// Recipients refused for good in this attempt.
    var refused: Int
    /// The event: `notification.sent`, `.deferred` or `.failed`, and its data.
    var action: String
    var data: [String: EventValue]

    /// The status a recipient's outcome gives it.
    static func status(after outcome: DeliveryAttempt.Outcome) -> RecipientStatus {
        switch outcome {
        case .accepted: return .delivered
        case .transient: return .deferred
        case .permanent: return .failed
        }
    }

    /// A recipient refused for good counts as a bounce on its contact, unless our relay refused the whole message.
    static func countsAsBounce(_ recipient: DeliveryAttempt.Recipient, of attempt: DeliveryAttempt) -> Bool {
        recipient.outcome == .permanent && !attempt.refusedByRelay
    }

    /// `statuses`: every recipient's status once this attempt's results are written.
    init(attempt: DeliveryAttempt, message: AttemptedMessage, statuses: [RecipientStatus], maxAttempts: Int, at now: Date) {
        var transientReasons: [String] = []
        var permanentReasons: [String] = []
        for recipient in attempt.recipients {
            switch recipient.outcome {
            case .accepted: break
            case .transient: transientReasons.append("\(recipient.email): \(OutboxStore.reason(code: recipient.code, reply: recipient.reply))")
            case .permanent: permanentReasons.append("\(recipient.email): \(OutboxStore.reason(code: recipient.code, reply: recipient.reply))")
            }
        }
        refused = permanentReasons.count
        attempts = message.attempts + 1
        state = DeliveryRules.state(after: statuses, attempts: attempts, maxAttempts: maxAttempts)
        givesUpWaiting = false
        switch state {
        case .deferred:
            nextAttemptAt = now.addingTimeInterval(DeliveryRules.backoff(afterAttempts: attempts))
            lastError = transientReasons.joined(separator: "; ")
        case .sent, .failed:
            if statuses.contains(where: { $0 == .pending || $0 == .deferred }) {
                givesUpWaiting = true
                lastError = "gave up after \(attempts) attempts: " + transientReasons.joined(separator: "; ")
            } else {
                let reasons = [attempt.refusedByRelay ? attempt.messageError : nil].compactMap { $0 } + permanentReasons
                lastError = reasons.isEmpty ? nil : reasons.joined(separator: "; ")
            }
        default: break
        }
        sentAt = state == .sent ? (message.sentAt ?? now) : nil

        var recipientsData: [String: EventValue] = [:]
        for recipient in attempt.recipients { recipientsData[recipient.email] = .string(recipient.summary) }
        data = [
            "messageId": .string(message.messageId), "organizationId": .string(message.organizationId),
            "purpose": .string(message.purpose), "attempt": .int(Int64(attempts)),
            "at": .string(EventTimestamp.string(now)), "recipients": .object(recipientsData),
            "caseId": .optional(message.caseId), "category": .optional(message.category),
        ]
        switch state {
        case .sent: action = "notification.sent"
        case .deferred:
            action = "notification.deferred"
            data["nextAttemptAt"] = .string(EventTimestamp.string(nextAttemptAt!))
            data["reason"] = .optional(lastError)
        default:
            action = "notification.failed"
            data["reason"] = .optional(lastError)
        }
    }
}
