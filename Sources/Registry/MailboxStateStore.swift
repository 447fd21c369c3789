import Foundation

/// The reading state of IMAP mailboxes (table `mailboxState`, migration "v5-imap-mailbox-state"). Reached as
/// `RegistryStore.mailboxStates`.
///
/// ```swift
/// let from = try store.mailboxStates.resumePoint(mailboxURL: url, uidValidity: status.uidValidity)
/// … try store.mailboxStates.recordRead(mailboxURL: url, uidValidity: status.uidValidity, uid: uid, at: Date())
/// ```
public protocol MailboxStateStoring: Sendable {
    /// The stored state of the mailbox, or nil when it was never read.
    func state(mailboxURL: String) throws -> MailboxState?
    /// Every mailbox read so far, by URL.
    func all() throws -> [MailboxState]
    /// Records that the message `uid` was read and stored; a lower UID than the one recorded changes nothing,
    /// a new UIDVALIDITY replaces the old state.
    func recordRead(mailboxURL: String, uidValidity: UInt32, uid: UInt32, at now: Date) throws
    /// Sets the last UID read back to `uid` under `uidValidity`, lower than the one recorded: only for a kept UID
    /// that cannot be right (at or above the mailbox's UIDNEXT), so the mailbox is read again from there.
    func rewind(mailboxURL: String, uidValidity: UInt32, to uid: UInt32, at now: Date) throws
}

extension MailboxStateStoring {
    /// The last UID read under `uidValidity`: 0 when the mailbox is new or its UIDVALIDITY changed (then every
    /// message is read again; ingesting is idempotent on Message-ID, so nothing is counted twice).
    public func resumePoint(mailboxURL: String, uidValidity: UInt32) throws -> UInt32 {
        guard let state = try state(mailboxURL: mailboxURL), state.uidValidity == uidValidity else { return 0 }
        return state.lastUID
    }

    public func recordRead(mailboxURL: String, uidValidity: UInt32, uid: UInt32) throws {
        try recordRead(mailboxURL: mailboxURL, uidValidity: uidValidity, uid: uid, at: Date())
    }

    public func rewind(mailboxURL: String, uidValidity: UInt32, to uid: UInt32) throws {
        try rewind(mailboxURL: mailboxURL, uidValidity: uidValidity, to: uid, at: Date())
    }
}

/// `MailboxStateStoring` over a registry's engine.
struct MailboxStateStore: MailboxStateStoring {
    let engine: any StoreEngine

    func state(mailboxURL: String) throws -> MailboxState? {
        try engine.read { session in
            try session.row("SELECT mailboxURL, uidValidity, lastUID, updatedAt FROM mailboxState WHERE mailboxURL = ?", mailboxURL)
                .map(Self.state)
        }
    }

    func all() throws -> [MailboxState] {
        try engine.read { session in
            try session.rows("SELECT mailboxURL, uidValidity, lastUID, updatedAt FROM mailboxState ORDER BY mailboxURL", [])
                .map(Self.state)
        }
    }

    func recordRead(mailboxURL: String, uidValidity: UInt32, uid: UInt32, at now: Date) throws {
        try engine.write { session in
            _ = try session.execute("""
                INSERT INTO mailboxState (mailboxURL, uidValidity, lastUID, updatedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(mailboxURL) DO UPDATE SET
                    lastUID = CASE WHEN mailboxState.uidValidity <> excluded.uidValidity THEN excluded.lastUID
                                   WHEN mailboxState.lastUID > excluded.lastUID THEN mailboxState.lastUID
                                   ELSE excluded.lastUID END,
                    uidValidity = excluded.uidValidity,
                    updatedAt = excluded.updatedAt
                """, mailboxURL, Int64(uidValidity), Int64(uid), now)
        }
    }

    func rewind(mailboxURL: String, uidValidity: UInt32, to uid: UInt32, at now: Date) throws {
        try engine.write { session in
            _ = try session.execute("""
                INSERT INTO mailboxState (mailboxURL, uidValidity, lastUID, updatedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(mailboxURL) DO UPDATE SET
                    lastUID = excluded.lastUID, uidValidity = excluded.uidValidity, updatedAt = excluded.updatedAt
                """, mailboxURL, Int64(uidValidity), Int64(uid), now)
        }
    }

    private static func state(_ row: SQLRow) throws -> MailboxState {
        MailboxState(mailboxURL: try row[0], uidValidity: UInt32(truncatingIfNeeded: try row[1] as Int64),
                     lastUID: UInt32(truncatingIfNeeded: try row[2] as Int64), updatedAt: try row[3])
    }
}
