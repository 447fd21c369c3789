import Foundation

/// A message claimed for sending: what goes on the wire, and the recipients still waiting for it.
public struct ClaimedNotification: Sendable {
    public let id: Int64
    public let messageId: String
    /// Envelope sender (MAIL FROM).
    public let mailFrom: String
    /// The exact stored bytes.
    public let bytes: Data
    /// Envelope recipients that are pending or deferred, in the order they were queued (`to` before `cc`, each in
    /// the order of their contacts).
    public let recipients: [String]
}

/// What the outbox's stored messages take (`OutboxStoring.messageStorage()`).
public struct OutboxMessageStorage: Sendable, Equatable {
    /// How many messages are stored.
    public let messages: Int
    /// Their exact bytes, in total.
    public let bytes: Int64
    /// The average size of one message in bytes, rounded down; 0 when there are none.
    public var averageBytes: Int { messages == 0 ? 0 : Int(bytes / Int64(messages)) }
}

/// The outbox: queueing signed messages, claiming them with a lease, recording each attempt, holding and
/// releasing, listing, voiding and queueing again. Reached as `RegistryStore.outbox`.
///
/// Every change to a claimed row checks its lease owner, so a worker whose lease ran out and was taken over changes
/// nothing. On PostgreSQL any number of workers, in any number of processes and machines, claim side by side
/// (`FOR UPDATE SKIP LOCKED`): each message is claimed by one of them at a time.
///
/// ```swift
/// let owner = OutboxStore.newLeaseOwner()
/// for claimed in try store.outbox.claim(owner: owner, lease: 900, limit: 1, at: Date(), dueBy: runStart, markInFlight: 1) { … }
/// ```
public protocol OutboxStoring: Sendable {
    // MARK: Queueing (notify, remind, incident notices)

    /// Queues every message in one transaction: first the `answerLinks` they carry that are new (each with its
    /// `answer-link.issued` event), then the messages, each with its bytes, its recipients and a
    /// `notification.queued` event (in the messages' order), then the `followUps` changes. Inside the transaction
    /// each organisation is checked again, in the order of its first message: with `refuseRepeats`, that no message
    /// of the same template for the case went to it (`StoreError.alreadyNotified`); and that every recipient is
    /// still an active contact with that address and every active `to` contact is a recipient
    /// (`StoreError.recipientsChanged`). The rows are written with multi-row inserts. All or nothing.
    func enqueue(_ messages: [QueuedNotification], refuseRepeats: Bool, answerLinks: [NewAnswerLink],
                 followUps: [QueueFollowUp], actor: String) throws

    /// Queues reminder-ladder steps in one transaction, each only if its participant still waits exactly as
    /// `seen` found it (otherwise left out, nothing of it written); returns, per step, whether it was stored.
    func enqueue(steps: [QueuedStep], actor: String) throws -> [Bool]

    // MARK: Dispatch (send, run)

    /// Claims up to `limit` rows: queued, deferred and due by `dueBy`, or sending under a lease that ended at `now`
    /// or whose process is gone, unless marked in flight. Held rows are never claimed. Each claimed row is
    /// `sending` under `owner` until `now + lease` (seconds); the first `markInFlight` of them are also marked in
    /// flight until their attempt is recorded or they are released.
    func claim(owner: String, lease: TimeInterval, limit: Int, at now: Date, dueBy: Date,
               markInFlight: Int) throws -> [ClaimedNotification]

    /// Extends the lease of the rows `owner` still holds to `until`; returns the ids it still holds.
    @discardableResult
    func renew(ids: [Int64], owner: String, until: Date) throws -> Set<Int64>

    /// Gives claimed rows back untouched, as they were before the claim (queued, or deferred with their next
    /// attempt time): no attempt was made.
    func release(ids: [Int64], owner: String) throws

    /// Holds every row of `ids` that `owner` still leases, so that no `send` takes it again until an operator
    /// releases it (the server accepted it but its delivery could not be recorded); one `notification.held`
    /// event each, in one transaction.
    func hold(ids: [Int64], owner: String, reason: String, actor: String, at now: Date) throws

    /// Releases held rows (all of them when `ids` is nil) so that the next `send` tries them again; returns the
    /// Message-IDs released, each with a `notification.released` event. Throws `StoreError.noMatch` naming an id
    /// that is not held.
    func releaseHeld(ids: [Int64]?, actor: String, at now: Date) throws -> [String]

    /// Holds every message still marked in flight whose lease ended by `now` or whose process on this host is
    /// gone (a run stopped between handing it to the server and recording the result); returns them, oldest first.
    func holdAbandonedInFlight(actor: String, at now: Date) throws -> [AbandonedInFlight]

    /// Marks a message `owner` leases as handed to the transport now; false when `owner` no longer leases it.
    @discardableResult
    func markInFlight(id: Int64, owner: String) throws -> Bool

    /// Records one attempt on message `id`, if `owner` still holds its lease (nil otherwise).
    func record(_ attempt: DeliveryAttempt, id: Int64, owner: String, maxAttempts: Int, actor: String,
                at now: Date) throws -> RecordedAttempt?

    /// Records several attempts of one lease holder in one transaction, and marks `next` in flight in it.
    func record(_ batch: [AnsweredAttempt], owner: String, maxAttempts: Int, actor: String,
                markingInFlight next: Int64?) throws -> [RecordedAttempt?]

    /// A group commit: the shares of several workers in one transaction, each under its own owner.
    func record(_ shares: [RecordingShare], maxAttempts: Int, actor: String) throws -> [RecordedShare]

    // MARK: Reading

    /// How many rows a `send` started at `now` would try (a row in flight is never tried again: it is held).
    func dueCount(at now: Date) throws -> Int
    /// How many rows are not finished: queued, sending or deferred (held ones included).
    func unfinishedCount() throws -> Int
    /// The exact bytes stored for a message, as sent; nil when no message has that Message-ID.
    func bytes(messageId: String) throws -> Data?
    /// The storage the outbox's messages take: how many are stored and their exact bytes (RFC 5322, signed and
    /// encrypted as sent) in total, without reading them.
    func messageStorage() throws -> OutboxMessageStorage
    /// Rows of `filter`, oldest first; the message bytes are never read.
    func list(_ filter: OutboxFilter) throws -> [OutboxEntry]
    /// How many rows there are in each state (held rows count as `sending`).
    func stateCounts() throws -> [NotificationState: Int]

    // MARK: Corrections (outbox void / retry)

    /// Voids the failed or deferred messages selected, all or nothing (see `OutboxVoiding`).
    func void(_ selection: OutboxVoidSelection, reason: String, actor: String, at now: Date) throws -> [OutboxCorrection]
    /// Queues voided (or failed) messages again with the same bytes, each only if its case passes `caseProblem`.
    func retry(ids: [Int64], actor: String, at now: Date, caseProblem: (CaseRecord) -> String?) throws -> [OutboxCorrection]
}

extension OutboxStoring {
    public func claim(owner: String, lease: TimeInterval, limit: Int, at now: Date, dueBy: Date) throws -> [ClaimedNotification] {
        try claim(owner: owner, lease: lease, limit: limit, at: now, dueBy: dueBy, markInFlight: .max)
    }

    /// Holds one row (see `hold(ids:owner:reason:actor:at:)`).
    public func hold(id: Int64, owner: String, reason: String, actor: String, at now: Date) throws {
        try hold(ids: [id], owner: owner, reason: reason, actor: actor, at: now)
    }

    public func record(_ batch: [AnsweredAttempt], owner: String, maxAttempts: Int, actor: String) throws -> [RecordedAttempt?] {
        try record(batch, owner: owner, maxAttempts: maxAttempts, actor: actor, markingInFlight: nil)
    }

    public func enqueue(_ messages: [QueuedNotification], refuseRepeats: Bool, actor: String) throws {
        try enqueue(messages, refuseRepeats: refuseRepeats, answerLinks: [], followUps: [], actor: actor)
    }

    public func enqueue(_ messages: [QueuedNotification], refuseRepeats: Bool, followUps: [QueueFollowUp], actor: String) throws {
        try enqueue(messages, refuseRepeats: refuseRepeats, answerLinks: [], followUps: followUps, actor: actor)
    }

    /// Rows, oldest first, optionally of one state and case; `heldOnly` keeps only held rows.
    public func list(state: NotificationState? = nil, caseId: String? = nil, heldOnly: Bool = false) throws -> [OutboxEntry] {
        try list(OutboxFilter(states: state.map { [$0] }, caseId: caseId, heldOnly: heldOnly))
    }

    public func void(_ selection: OutboxVoidSelection, reason: String, actor: String) throws -> [OutboxCorrection] {
        try void(selection, reason: reason, actor: actor, at: Date())
    }

    public func retry(ids: [Int64], actor: String, at now: Date = Date()) throws -> [OutboxCorrection] {
        try retry(ids: ids, actor: actor, at: now, caseProblem: { _ in nil })
    }
}

/// `OutboxStoring` over a registry's engine.
public struct OutboxStore: OutboxStoring {
    let engine: any StoreEngine

    init(engine: any StoreEngine) {
        self.engine = engine
    }
}

extension OutboxStore {
    /// A lease token for one worker: host, process id and a random part, so that a lease of a process of this
    /// host that has exited is taken over at once.
    public static func newLeaseOwner() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))"
    }

    public func claim(owner: String, lease: TimeInterval, limit: Int, at now: Date, dueBy: Date,
               markInFlight: Int) throws -> [ClaimedNotification] {
        // Row locks, not the writers' lock: on PostgreSQL workers claim side by side, each skipping the rows
        // another is claiming.
        if engine.kind == .postgresql {
            // The batch's bytes and recipients are read with the commit, and taken once it is done.
            return try engine.writeLockingRows { session in
                try Self.claimTogether(session, owner: owner, lease: lease, limit: limit, at: now, dueBy: dueBy, markInFlight: markInFlight)
            }()
        }
        return try engine.writeLockingRows { session in
            let host = ProcessInfo.processInfo.hostName
            let candidates = try session.rows("""
                SELECT id, state, leaseOwner, leaseUntil, inFlight FROM notification
                WHERE heldReason IS NULL
                  AND (state = 'queued' OR (state = 'deferred' AND nextAttemptAt <= ?) OR state = 'sending')
                ORDER BY id LIMIT ?
                """ + OutboxRowLocks.claiming(session), [dueBy.sqlValue, (limit * 4 + 64).sqlValue])
            var claimed: [ClaimedNotification] = []
            for row in candidates where claimed.count < limit {
                let id: Int64 = try row[0]
                if try row[1] as String == "sending" {
                    // In flight: it may have been delivered; holdAbandonedInFlight holds it, nothing claims it.
                    if try row[4] as Bool { continue }
                    let leaseUntil: Date? = try row[3]
                    let expired = leaseUntil.map { $0 <= now } ?? true
                    guard try expired || Self.holderIsGone(row[2], host: host) else { continue }
                }
                // The first `markInFlight` rows are about to be sent; the rest of a batch only leased, until their turn.
                try session.execute("UPDATE notification SET state = 'sending', leaseOwner = ?, leaseUntil = ?, inFlight = ? WHERE id = ?",
                                    owner, now.addingTimeInterval(lease), claimed.count < markInFlight, id)
                guard let message = try session.row("""
                    SELECT n.messageId, n.mailFrom, m.bytes FROM notification n JOIN notificationMessage m ON m.notificationId = n.id
                    WHERE n.id = ?
                    """, id) else { continue }
                let recipients = try session.values("""
                    SELECT email FROM notificationRecipient WHERE notificationId = ? AND status IN ('pending', 'deferred')
                    ORDER BY CASE WHEN kind = 'cc' THEN 1 ELSE 0 END, COALESCE(contactId, 0), email
                    """, id, as: String.self)
                claimed.append(ClaimedNotification(id: id, messageId: try message[0], mailFrom: try message[1],
                                                   bytes: try message[2], recipients: recipients))
            }
            return claimed
        }
    }

    /// `claim` with a few statements for the whole batch, sent back to back (on PostgreSQL each statement is a round
    /// trip): the same rows under the same rules. The rows free to take — due, or leased and not in flight with the
    /// lease run out — are found in id order through `notification_claimable` (`OutboxClaimableSchema`), whatever the
    /// history, locked `FOR UPDATE SKIP LOCKED` and leased by one statement; when they are fewer than
    /// `limit`, the rows leased by processes of this host that have exited (`holderIsGone`) are read, then locked
    /// and checked again. The messages' bytes and recipients are read together.
    static func claimTogether(_ session: any SQLSession, owner: String, lease: TimeInterval, limit: Int, at now: Date,
                              dueBy: Date, markInFlight: Int) throws -> () throws -> [ClaimedNotification] {
        guard limit > 0 else { return { [] } }
        let until = now.addingTimeInterval(lease)
        var chosen: [Int64] = try session.values(claimableRows + OutboxRowLocks.claiming(session), dueBy, now, limit,
                                                 as: Int64.self)
        if chosen.count < limit {
            chosen += try leasedByGoneProcesses(session, limit: limit - chosen.count, at: now)
            chosen.sort()
        }
        guard !chosen.isEmpty else { return { [] } }
        // The first `markInFlight` rows are about to be sent; the rest of the batch only leased, until their turn.
        for (rows, inFlight) in [(chosen.prefix(markInFlight), true), (chosen.dropFirst(markInFlight), false)] where !rows.isEmpty {
            let list = SQLBatch.inList(rows.map(\.sqlValue)[...])
            try session.executeLater("UPDATE notification SET state = 'sending', leaseOwner = ?, leaseUntil = ?, inFlight = ? WHERE id IN (\(list.marks))",
                                     [owner.sqlValue, until.sqlValue, inFlight.sqlValue] + list.values)
        }
        let list = SQLBatch.inList(chosen.map(\.sqlValue)[...])
        let messageRows = try session.rowsLater("""
            SELECT n.id, n.messageId, n.mailFrom, m.bytes FROM notification n JOIN notificationMessage m ON m.notificationId = n.id
            WHERE n.id IN (\(list.marks))
            """, list.values)
        let recipientRows = try session.rowsLater("""
            SELECT notificationId, email FROM notificationRecipient
            WHERE notificationId IN (\(list.marks)) AND status IN ('pending', 'deferred')
            ORDER BY notificationId, CASE WHEN kind = 'cc' THEN 1 ELSE 0 END, COALESCE(contactId, 0), email
            """, list.values)
        // Read once the transaction has committed (the reads went out before the COMMIT, so they are answered).
        return {
            var messages: [Int64: (messageId: String, mailFrom: String, bytes: Data)] = [:]
            for row in try messageRows.rows() { messages[try row[0]] = (try row[1], try row[2], try row[3]) }
            var recipients: [Int64: [String]] = [:]
            for row in try recipientRows.rows() { recipients[try row[0], default: []].append(try row[1]) }
            return chosen.compactMap { id in
                messages[id].map { ClaimedNotification(id: id, messageId: $0.messageId, mailFrom: $0.mailFrom, bytes: $0.bytes,
                                                       recipients: recipients[id] ?? []) }
            }
        }
    }

    /// The first rows free to take, in id order: due by the first value, leased and not in flight with the lease
    /// run out by the second, at most the third; read through `notification_claimable` on PostgreSQL.
    static let claimableRows = """
        SELECT id FROM notification
        WHERE heldReason IS NULL
          AND (state = 'queued' OR (state = 'deferred' AND nextAttemptAt <= ?)
               OR (state = 'sending' AND inFlight = 0 AND (leaseUntil IS NULL OR leaseUntil <= ?)))
        ORDER BY id LIMIT ?
        """

    /// Up to `limit` rows leased, not in flight, by a process of this host that has exited: read without a lock,
    /// then locked (skipping any another worker is taking over) and checked again.
    static func leasedByGoneProcesses(_ session: any SQLSession, limit: Int, at now: Date) throws -> [Int64] {
        let host = ProcessInfo.processInfo.hostName
        // The owners "HOST:…" (compared whole, not by the database's collation).
        let prefix = host + ":"
        let leased = try session.rows("""
            SELECT id, leaseOwner FROM notification
            WHERE heldReason IS NULL AND state = 'sending' AND inFlight = 0 AND leaseUntil > ?
              AND substr(leaseOwner, 1, CAST(? AS INTEGER)) = ?
            ORDER BY id
            """, now, prefix.unicodeScalars.count, prefix)
        var gone: [Int64: String] = [:]
        for row in leased where gone.count < limit {
            let holder: String? = try row[1]
            if let holder, holderIsGone(holder, host: host) { gone[try row[0]] = holder }
        }
        guard !gone.isEmpty else { return [] }
        let list = SQLBatch.inList(gone.keys.sorted().map(\.sqlValue)[...])
        return try session.rows("""
            SELECT id, leaseOwner FROM notification
            WHERE id IN (\(list.marks)) AND heldReason IS NULL AND state = 'sending' AND inFlight = 0
            ORDER BY id
            """ + OutboxRowLocks.claiming(session), list.values).compactMap { row in
            let id: Int64 = try row[0]
            return try gone[id] == row[1] as String? ? id : nil
        }
    }

    /// A lease held by a process of this host that has exited can be taken over without waiting.
    static func holderIsGone(_ holder: String?, host: String) -> Bool {
        guard let parts = holder?.split(separator: ":"), parts.count >= 3, String(parts[0]) == host,
              let pid = Int32(parts[1]) else { return false }
        if pid == getpid() { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    @discardableResult
    public func renew(ids: [Int64], owner: String, until: Date) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        // Beside writers, as claims: a long `notify` never holds up a lease that is about to run out.
        return try engine.writeLockingRows { session in
            try OutboxRowLocks.lock(session, ids: ids)
            var held = Set<Int64>()
            for id in ids.sorted() {
                if try session.execute("UPDATE notification SET leaseUntil = ? WHERE id = ? AND state = 'sending' AND leaseOwner = ?",
                                       until, id, owner) > 0 {
                    held.insert(id)
                }
            }
            return held
        }
    }

    public func release(ids: [Int64], owner: String) throws {
        guard !ids.isEmpty else { return }
        try engine.write { session in
            try OutboxRowLocks.lock(session, ids: ids)
            for id in ids {
                try session.execute("""
                    UPDATE notification SET state = CASE WHEN attempts = 0 THEN 'queued' ELSE 'deferred' END,
                           leaseOwner = NULL, leaseUntil = NULL, inFlight = 0
                    WHERE id = ? AND state = 'sending' AND leaseOwner = ?
                    """, id, owner)
            }
        }
    }

    public func hold(ids: [Int64], owner: String, reason: String, actor: String, at now: Date) throws {
        guard !ids.isEmpty else { return }
        try engine.write { session in
            try OutboxRowLocks.lock(session, ids: ids)
            for id in ids {
                guard try session.execute("UPDATE notification SET heldReason = ? WHERE id = ? AND leaseOwner = ?",
                                          reason, id, owner) > 0,
                      let messageId = try session.value("SELECT messageId FROM notification WHERE id = ?", id, as: String.self)
                else { continue }
                try EventLog.append(session, actor: actor, action: "notification.held", objectType: "notification", objectId: messageId,
                                    data: ["reason": .string(reason), "at": .string(EventTimestamp.string(now))])
            }
        }
    }

    public func releaseHeld(ids: [Int64]?, actor: String, at now: Date) throws -> [String] {
        try engine.write { session in
            var rows: [(id: Int64, messageId: String)] = try session.rows(
                "SELECT id, messageId FROM notification WHERE heldReason IS NOT NULL ORDER BY id" + OutboxRowLocks.changing(session), []
            ).map { (try $0[0], try $0[1]) }
            if let ids {
                let unknown = Set(ids).subtracting(rows.map(\.id))
                if let first = unknown.sorted().first { throw StoreError.noMatch("outbox message \(first) is not held") }
                rows = rows.filter { ids.contains($0.id) }
            }
            for row in rows {
                // The lease goes too: the message waits as it was, for the next `send`.
                try session.execute("""
                    UPDATE notification SET heldReason = NULL, leaseOwner = NULL, leaseUntil = NULL, inFlight = 0,
                           state = CASE WHEN state = 'sending' THEN (CASE WHEN attempts = 0 THEN 'queued' ELSE 'deferred' END) ELSE state END
                    WHERE id = ?
                    """, row.id)
                try EventLog.append(session, actor: actor, action: "notification.released", objectType: "notification",
                                    objectId: row.messageId, data: ["at": .string(EventTimestamp.string(now))])
            }
            return rows.map(\.messageId)
        }
    }

    public func dueCount(at now: Date) throws -> Int {
        try engine.read { session in
            let due = try session.value("""
                SELECT COUNT(*) FROM notification
                WHERE heldReason IS NULL AND (state IN ('queued', 'sending') OR (state = 'deferred' AND nextAttemptAt <= ?))
                """, now, as: Int.self) ?? 0
            let inFlight = try session.value(Self.inFlightCount, as: Int.self) ?? 0
            return due - inFlight
        }
    }

    public func unfinishedCount() throws -> Int {
        try engine.read { session in
            try session.value("SELECT COUNT(*) FROM notification WHERE state IN ('queued', 'deferred', 'sending')", as: Int.self) ?? 0
        }
    }

    public func messageStorage() throws -> OutboxMessageStorage {
        try engine.read { session in
            // length() of a bare blob column reads its size from the record header on SQLite, not the bytes; on
            // PostgreSQL's bytea it counts bytes too.
            let row = try session.row("SELECT COUNT(*), COALESCE(SUM(length(bytes)), 0) FROM notificationMessage")
            return OutboxMessageStorage(messages: try row.map { try $0[0] } ?? 0, bytes: try row.map { try $0[1] } ?? 0)
        }
    }

    public func bytes(messageId: String) throws -> Data? {
        try engine.read { session in
            try session.value("""
                SELECT m.bytes FROM notification n JOIN notificationMessage m ON m.notificationId = n.id WHERE n.messageId = ?
                """, messageId, as: Data.self)
        }
    }

    /// True when `error` is another process holding the database's write lock (SQLITE_BUSY or SQLITE_LOCKED):
    /// the operation changed nothing and can be tried again.
    public static func isBusy(_ error: any Error) -> Bool {
        RegistryStore.isBusy(error)
    }
}

/// How outbox rows are locked where the engines differ, in one place.
///
/// On SQLite one writer runs at a time, so a transaction that reads a row owns it until it commits: nothing to add.
/// On PostgreSQL claims and lease renewals (`StoreEngine.writeLockingRows`) run beside the serialized writers, so
/// rows are locked: a claim takes its candidates `FOR UPDATE SKIP LOCKED` (two workers never take the same row, and
/// neither waits for the other), and a writer that changes leased rows locks them first, in id order, so that it
/// waits for a claim in progress and never deadlocks with a renewal.
enum OutboxRowLocks {
    /// The clause that ends a claim's candidate query.
    static func claiming(_ session: any SQLSession) -> String {
        session.kind == .postgresql ? " FOR UPDATE SKIP LOCKED" : ""
    }

    /// The clause that ends a writer's query of rows it is about to change.
    static func changing(_ session: any SQLSession) -> String {
        session.kind == .postgresql ? " FOR UPDATE" : ""
    }

    /// Locks the rows `ids` before they are changed (PostgreSQL only).
    static func lock(_ session: any SQLSession, ids: [Int64]) throws {
        guard session.kind == .postgresql, !ids.isEmpty else { return }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        _ = try session.rows("SELECT id FROM notification WHERE id IN (\(marks)) ORDER BY id FOR UPDATE", ids.map(\.sqlValue))
    }
}
