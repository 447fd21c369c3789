import Foundation

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

    /// How many rows are in flight and not held, found among the few `sending` rows by the index
    /// `notification_state`.
    static let inFlightCount = """
        SELECT COUNT(*) FROM notification WHERE inFlight = 1 AND state = 'sending' AND heldReason IS NULL
        """

    /// Holds every message still marked in flight whose lease ended by `now` or whose process on this host is gone
    /// (a run stopped between handing it to the server and recording the result), with
    /// `abandonedInFlightReason(id:)` and a `notification.held` event each; returns them, oldest first. Such a
    /// message is never claimed again until an operator releases it. Its lease is left as it was, so a worker that
    /// is in fact still sending it can record its result (which clears the hold).
    public func holdAbandonedInFlight(actor: String, at now: Date) throws -> [AbandonedInFlight] {
        let query = """
            SELECT id, messageId, leaseOwner, leaseUntil FROM notification
            WHERE inFlight = 1 AND state = 'sending' AND heldReason IS NULL ORDER BY id
            """
        // Usually none: a read, without taking the write lock, says so.
        guard try engine.read({ session in try session.row(query) }) != nil else { return [] }
        return try engine.write { session in
            let host = ProcessInfo.processInfo.hostName
            let rows = try session.rows(query + OutboxRowLocks.changing(session), [])
            var held: [AbandonedInFlight] = []
            for row in rows {
                let leaseUntil: Date? = try row[3]
                guard try leaseUntil.map({ $0 <= now }) ?? true || Self.holderIsGone(row[2], host: host) else { continue }
                let id: Int64 = try row[0]
                let messageId: String = try row[1]
                let reason = Self.abandonedInFlightReason(id: id)
                try session.execute("UPDATE notification SET heldReason = ? WHERE id = ?", reason, id)
                try EventLog.append(session, actor: actor, action: "notification.held", objectType: "notification",
                                    objectId: messageId, data: ["reason": .string(reason), "at": .string(EventTimestamp.string(now))])
                held.append(AbandonedInFlight(id: id, messageId: messageId, reason: reason))
            }
            return held
        }
    }
}
