import Foundation

/// How far an IMAP mailbox has been read: its UIDVALIDITY and the highest UID stored (RFC 9051 §2.3.1.1).
public struct MailboxState: Sendable, Equatable, Codable {
    /// "imaps://user@host:port/MAILBOX", without a password.
    public let mailboxURL: String
    /// The UIDVALIDITY the UIDs below belong to.
    public let uidValidity: UInt32
    /// The highest UID read and stored (0 when none yet).
    public let lastUID: UInt32
    /// When it last changed (UTC).
    public let updatedAt: Date

    public init(mailboxURL: String, uidValidity: UInt32, lastUID: UInt32, updatedAt: Date) {
        self.mailboxURL = mailboxURL
        self.uidValidity = uidValidity
        self.lastUID = lastUID
        self.updatedAt = updatedAt
    }
}
