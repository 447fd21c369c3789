import Foundation
import GRDB

/// Migration `v7-outbox-in-flight`: `notification.inFlight` marks a message handed to a transport whose result is
/// not recorded yet.
///
/// The claim sets it in the same transaction that leases the row (a worker claims a message just before it sends
/// it); recording the attempt, giving the row back untouched (`release(ids:owner:)`) or an operator's
/// `releaseHeld` clears it. A row still marked once its lease is over was being sent when its run stopped — killed,
/// or unable to record the result or even to hold the row — so the server may have delivered it: the next run holds
/// it (`holdAbandonedInFlight`) instead of sending it again, and only `liaison outbox release` lets it go.
enum OutboxInFlightSchema {
    static let migrationName = "v7-outbox-in-flight"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE notification ADD COLUMN inFlight BOOLEAN NOT NULL DEFAULT 0;
            -- Only the few rows in flight are in this index: finding them never reads the message rows.
            CREATE INDEX notification_inFlight ON notification(id) WHERE inFlight = 1;
            """)
    }
}

/// A message held because a run stopped while sending it.
public struct AbandonedInFlight: Sendable, Equatable, Codable {
    /// The outbox id, as `liaison outbox release` takes it.
    public let id: Int64
    public let messageId: String
    /// The reason stored with the hold.
    public let reason: String
}

extension OutboxStore {
    /// The reason stored on a message held by `holdAbandonedInFlight`.
    public static func abandonedInFlightReason(id: Int64) -> String {
        "a run stopped while sending it, so it may have been delivered: check the relay's log, then "
            + "`liaison outbox release \(id)` to send it again"
    }

    /// Holds every message still marked in flight whose lease ended by `now` or whose process on this host is gone
    /// (a run stopped between handing it to the server and recording the result), with
    /// `abandonedInFlightReason(id:)` and a `notification.held` event each; returns them, oldest first. Such a
    /// message is never claimed again until an operator releases it. Its lease is left as it was, so a worker that
    /// is in fact still sending it can record its result (which clears the hold).
    public func holdAbandonedInFlight(actor: String, at now: Date) throws -> [AbandonedInFlight] {
        let query = """
            SELECT id, messageId, leaseOwner, leaseUntil FROM notification INDEXED BY notification_inFlight
            WHERE inFlight = 1 AND state = 'sending' AND heldReason IS NULL ORDER BY id
            """
        // Usually none: a read, without taking the write lock, says so.
        guard try writer.read({ db in try Row.fetchOne(db, sql: query) }) != nil else { return [] }
        return try writer.write { db in
            let host = ProcessInfo.processInfo.hostName
            let rows = try Row.fetchAll(db, sql: query)
            var held: [AbandonedInFlight] = []
            for row in rows {
                let leaseUntil: Date? = row["leaseUntil"]
                guard leaseUntil.map({ $0 <= now }) ?? true || Self.holderIsGone(row["leaseOwner"], host: host) else { continue }
                let id: Int64 = row["id"]
                let reason = Self.abandonedInFlightReason(id: id)
                try db.execute(sql: "UPDATE notification SET heldReason = ? WHERE id = ?", arguments: [reason, id])
                try EventLog.append(db, actor: actor, action: "notification.held", objectType: "notification",
                                    objectId: row["messageId"],
                                    data: ["reason": .string(reason), "at": .string(EventTimestamp.string(now))])
                held.append(AbandonedInFlight(id: id, messageId: row["messageId"], reason: reason))
            }
            return held
        }
    }
}
