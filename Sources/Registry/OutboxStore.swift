import Foundation
import GRDB

/// A message claimed for sending: what goes on the wire, and the recipients still waiting for it.
public struct ClaimedNotification: Sendable {
    public let id: Int64
    public let messageId: String
    /// Envelope sender (MAIL FROM).
    public let mailFrom: String
    /// The exact stored bytes.
    public let bytes: Data
    /// Envelope recipients that are pending or deferred, in the order they were queued.
    public let recipients: [String]
}

/// The outbox's owner: claims with a lease, renews, records each attempt under the lease holder's token,
/// releases and holds. Every change checks `leaseOwner`, so a worker whose lease ran out and was taken over
/// changes nothing; recording updates only the columns that change, never the stored message bytes.
///
/// ```swift
/// let outbox = OutboxStore(store)
/// let owner = OutboxStore.newLeaseOwner()
/// for claimed in try outbox.claim(owner: owner, lease: 900, limit: 1, at: Date(), dueBy: runStart) { … }
/// ```
public struct OutboxStore: Sendable {
    let writer: any DatabaseWriter

    public init(_ store: RegistryStore) { writer = store.writer }
    /// An outbox over a database opened by the caller (tests that need another busy timeout).
    public init(writer: any DatabaseWriter) { self.writer = writer }

    /// A lease token for one worker: host, process id and a random part, so that a lease of a process of this
    /// host that has exited is taken over at once.
    public static func newLeaseOwner() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))"
    }

    /// Claims up to `limit` rows: queued, deferred and due by `dueBy`, or sending under a lease that ended at
    /// `now` or whose process is gone, unless it is marked in flight (see `holdAbandonedInFlight`). Held rows are
    /// never claimed. Each claimed row is `sending` under `owner` until `now + lease`; the first `markInFlight` of
    /// them (all by default) are also marked in flight until their attempt is recorded or they are released: mark
    /// a row only to send it at once. A worker that claims a batch marks the first, and each `record` marks the
    /// next (`record(_:owner:maxAttempts:actor:markingInFlight:)`), so a run killed mid-batch leaves only the
    /// message it was sending in flight; the rest, only leased by a process that is gone, are claimed again at once.
    public func claim(owner: String, lease: TimeInterval, limit: Int, at now: Date, dueBy: Date,
                      markInFlight: Int = .max) throws -> [ClaimedNotification] {
        try writer.write { db in
            let host = ProcessInfo.processInfo.hostName
            let candidates = try Row.fetchAll(db, sql: """
                SELECT id, state, leaseOwner, leaseUntil, inFlight FROM notification
                WHERE heldReason IS NULL
                  AND (state = 'queued' OR (state = 'deferred' AND nextAttemptAt <= ?) OR state = 'sending')
                ORDER BY id LIMIT ?
                """, arguments: [dueBy, limit * 4 + 64])
            var claimed: [ClaimedNotification] = []
            for row in candidates where claimed.count < limit {
                let id: Int64 = row["id"]
                if row["state"] as String == "sending" {
                    // In flight: it may have been delivered; holdAbandonedInFlight holds it, nothing claims it.
                    if row["inFlight"] as Bool { continue }
                    let leaseUntil: Date? = row["leaseUntil"]
                    let expired = leaseUntil.map { $0 <= now } ?? true
                    guard expired || Self.holderIsGone(row["leaseOwner"], host: host) else { continue }
                }
                // The first `markInFlight` rows are about to be sent; the rest of a batch only leased, until their turn.
                try db.cachedStatement(sql: "UPDATE notification SET state = 'sending', leaseOwner = ?, leaseUntil = ?, inFlight = ? WHERE id = ?")
                    .execute(arguments: [owner, now.addingTimeInterval(lease), claimed.count < markInFlight, id])
                guard let message = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT n.messageId, n.mailFrom, m.bytes FROM notification n JOIN notificationMessage m ON m.notificationId = n.id
                    WHERE n.id = ?
                    """),
                                                     arguments: [id]) else { continue }
                let recipients = try String.fetchAll(db.cachedStatement(sql: """
                    SELECT email FROM notificationRecipient WHERE notificationId = ? AND status IN ('pending', 'deferred')
                    ORDER BY rowid
                    """), arguments: [id])
                claimed.append(ClaimedNotification(id: id, messageId: message["messageId"], mailFrom: message["mailFrom"],
                                                   bytes: message["bytes"], recipients: recipients))
            }
            return claimed
        }
    }

    /// A lease held by a process of this host that has exited can be taken over without waiting.
    static func holderIsGone(_ holder: String?, host: String) -> Bool {
        guard let parts = holder?.split(separator: ":"), parts.count >= 3, String(parts[0]) == host,
              let pid = Int32(parts[1]) else { return false }
        if pid == getpid() { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Extends the lease of the rows `owner` still holds to `until`; returns the ids it still holds.
    @discardableResult
    public func renew(ids: [Int64], owner: String, until: Date) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try writer.write { db in
            var held = Set<Int64>()
            for id in ids {
                try db.cachedStatement(sql: "UPDATE notification SET leaseUntil = ? WHERE id = ? AND state = 'sending' AND leaseOwner = ?")
                    .execute(arguments: [until, id, owner])
                if db.changesCount > 0 { held.insert(id) }
            }
            return held
        }
    }

    /// Gives claimed rows back untouched, as they were before the claim (queued, or deferred with their next
    /// attempt time): used when `send` stops on a configuration problem, which is no attempt.
    public func release(ids: [Int64], owner: String) throws {
        guard !ids.isEmpty else { return }
        try writer.write { db in
            for id in ids {
                try db.execute(sql: """
                    UPDATE notification SET state = CASE WHEN attempts = 0 THEN 'queued' ELSE 'deferred' END,
                           leaseOwner = NULL, leaseUntil = NULL, inFlight = 0
                    WHERE id = ? AND state = 'sending' AND leaseOwner = ?
                    """, arguments: [id, owner])
            }
        }
    }

    /// Marks a row so that no `send` takes it again until an operator releases it: the server accepted it but
    /// its delivery could not be recorded. Writes a `notification.held` event.
    public func hold(id: Int64, owner: String, reason: String, actor: String, at now: Date) throws {
        try hold(ids: [id], owner: owner, reason: reason, actor: actor, at: now)
    }

    /// Holds every row of `ids` that `owner` still leases, in one transaction, each with its `notification.held`
    /// event (see `hold(id:owner:reason:actor:at:)`).
    public func hold(ids: [Int64], owner: String, reason: String, actor: String, at now: Date) throws {
        guard !ids.isEmpty else { return }
        try writer.write { db in
            for id in ids {
                try db.execute(sql: "UPDATE notification SET heldReason = ? WHERE id = ? AND leaseOwner = ?",
                               arguments: [reason, id, owner])
                guard db.changesCount > 0,
                      let messageId = try String.fetchOne(db, sql: "SELECT messageId FROM notification WHERE id = ?", arguments: [id])
                else { continue }
                try EventLog.append(db, actor: actor, action: "notification.held", objectType: "notification", objectId: messageId,
                                    data: ["reason": .string(reason), "at": .string(EventTimestamp.string(now))])
            }
        }
    }

    /// Releases held rows (all of them when `ids` is nil) so that the next `send` tries them again; returns the
    /// Message-IDs released. Writes a `notification.released` event for each.
    public func releaseHeld(ids: [Int64]?, actor: String, at now: Date) throws -> [String] {
        try writer.write { db in
            var rows = try Row.fetchAll(db, sql: "SELECT id, messageId FROM notification WHERE heldReason IS NOT NULL ORDER BY id")
            if let ids {
                let unknown = Set(ids).subtracting(rows.map { $0["id"] as Int64 })
                if let first = unknown.sorted().first { throw StoreError.noMatch("outbox message \(first) is not held") }
                rows = rows.filter { ids.contains($0["id"]) }
            }
            for row in rows {
                // The lease goes too: the message waits as it was, for the next `send`.
                try db.execute(sql: """
                    UPDATE notification SET heldReason = NULL, leaseOwner = NULL, leaseUntil = NULL, inFlight = 0,
                           state = CASE WHEN state = 'sending' THEN (CASE WHEN attempts = 0 THEN 'queued' ELSE 'deferred' END) ELSE state END
                    WHERE id = ?
                    """, arguments: [row["id"] as Int64])
                try EventLog.append(db, actor: actor, action: "notification.released", objectType: "notification",
                                    objectId: row["messageId"], data: ["at": .string(EventTimestamp.string(now))])
            }
            return rows.map { $0["messageId"] }
        }
    }

    /// How many rows a `send` started at `now` would try (a row in flight is never tried again: it is held).
    public func dueCount(at now: Date) throws -> Int {
        try writer.read { db in
            let due = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM notification
                WHERE heldReason IS NULL AND (state IN ('queued', 'sending') OR (state = 'deferred' AND nextAttemptAt <= ?))
                """, arguments: [now]) ?? 0
            let inFlight = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM notification INDEXED BY notification_inFlight
                WHERE inFlight = 1 AND state = 'sending' AND heldReason IS NULL
                """) ?? 0
            return due - inFlight
        }
    }

    /// How many rows are not finished: queued, sending or deferred (held ones included).
    public func unfinishedCount() throws -> Int {
        try writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM notification WHERE state IN ('queued', 'deferred', 'sending')") ?? 0
        }
    }

    /// The exact bytes stored for a message, as sent.
    public func bytes(messageId: String) throws -> Data? {
        try writer.read { db in
            try Data.fetchOne(db, sql: """
                SELECT m.bytes FROM notification n JOIN notificationMessage m ON m.notificationId = n.id WHERE n.messageId = ?
                """, arguments: [messageId])
        }
    }
}

extension OutboxStore {
    /// True when `error` is another process holding the database's write lock (SQLITE_BUSY or SQLITE_LOCKED):
    /// the operation changed nothing and can be tried again.
    public static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }
}
