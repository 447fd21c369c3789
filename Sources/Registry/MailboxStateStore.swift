import Foundation
import GRDB

/// The reading state of IMAP mailboxes (table `mailboxState`, migration "v5-imap-mailbox-state").
///
/// ```swift
/// let states = MailboxStateStore(writer: store.writer)
/// let from = try states.resumePoint(mailboxURL: url, uidValidity: status.uidValidity)
/// … try states.recordRead(mailboxURL: url, uidValidity: status.uidValidity, uid: uid)
/// ```
public struct MailboxStateStore: Sendable {
    public let writer: any DatabaseWriter

    public init(writer: any DatabaseWriter) { self.writer = writer }

    /// The stored state of the mailbox, or nil when it was never read.
    public func state(mailboxURL: String) throws -> MailboxState? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM mailboxState WHERE mailboxURL = ?", arguments: [mailboxURL])
                .map(Self.state)
        }
    }

    /// Every mailbox read so far, by URL.
    public func all() throws -> [MailboxState] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM mailboxState ORDER BY mailboxURL").map(Self.state)
        }
    }

    /// The last UID read under `uidValidity`: 0 when the mailbox is new or its UIDVALIDITY changed (then every
    /// message is read again; ingesting is idempotent on Message-ID, so nothing is counted twice).
    public func resumePoint(mailboxURL: String, uidValidity: UInt32) throws -> UInt32 {
        guard let state = try state(mailboxURL: mailboxURL), state.uidValidity == uidValidity else { return 0 }
        return state.lastUID
    }

    /// Records that the message `uid` was read and stored; a lower UID than the one recorded changes nothing,
    /// a new UIDVALIDITY replaces the old state.
    public func recordRead(mailboxURL: String, uidValidity: UInt32, uid: UInt32, at now: Date = Date()) throws {
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO mailboxState (mailboxURL, uidValidity, lastUID, updatedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(mailboxURL) DO UPDATE SET
                    lastUID = CASE WHEN uidValidity = excluded.uidValidity THEN max(lastUID, excluded.lastUID)
                                   ELSE excluded.lastUID END,
                    uidValidity = excluded.uidValidity,
                    updatedAt = excluded.updatedAt
                """, arguments: [mailboxURL, Int64(uidValidity), Int64(uid), now])
        }
    }

    /// Sets the last UID read back to `uid` under `uidValidity`, lower than the one recorded: only for a kept UID
    /// that cannot be right (at or above the mailbox's UIDNEXT), so the mailbox is read again from there.
    public func rewind(mailboxURL: String, uidValidity: UInt32, to uid: UInt32, at now: Date = Date()) throws {
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO mailboxState (mailboxURL, uidValidity, lastUID, updatedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(mailboxURL) DO UPDATE SET
                    lastUID = excluded.lastUID, uidValidity = excluded.uidValidity, updatedAt = excluded.updatedAt
                """, arguments: [mailboxURL, Int64(uidValidity), Int64(uid), now])
        }
    }

    private static func state(_ row: Row) -> MailboxState {
        MailboxState(mailboxURL: row["mailboxURL"], uidValidity: UInt32(truncatingIfNeeded: row["uidValidity"] as Int64),
                     lastUID: UInt32(truncatingIfNeeded: row["lastUID"] as Int64), updatedAt: row["updatedAt"])
    }
}
