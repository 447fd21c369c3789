import Foundation
import IMAP
import Logging
import Registry

/// What the IMAP reader needs of a mailbox: `IMAPSession` in use, a wrapper in tests that fail on purpose.
public protocol IMAPMailbox: AnyObject {
    /// "imaps://user@host:port/MAILBOX": the key of the reading state.
    var mailboxURL: String { get }
    func examine() throws(IMAPError) -> MailboxStatus
    func searchUIDs(after uid: UInt32) throws(IMAPError) -> [UInt32]
    @discardableResult func fetch(uid: UInt32, to file: URL) throws(IMAPError) -> Int
    func move(uid: UInt32, to folder: String) throws(IMAPError)
    func addFlag(_ flag: String, uid: UInt32) throws(IMAPError)
}

extension IMAPSession: IMAPMailbox {
    public var mailboxURL: String { endpoint.mailboxURL }
}

/// What to do with a message on the server once it is stored.
public enum IMAPAfterStoring: Sendable, Equatable {
    /// Leave it where it is (it stays unread).
    case leave
    /// UID MOVE it to this folder (or COPY and flag where MOVE is not offered).
    case move(to: String)
    /// Add this flag or keyword, such as `$LiaisonProcessed`.
    case flag(String)
}

/// What one pass over a mailbox did.
public struct IMAPReadSummary: Sendable, Encodable {
    public var mailboxURL: String
    public var uidValidity: UInt32
    /// The mailbox's UIDNEXT when the pass began: mail with this UID or above arrived after it.
    public var uidNext: UInt32
    /// True when the server's UIDVALIDITY differed from the stored one, so the mailbox was read again from UID 1.
    public var uidValidityChanged = false
    /// The ingest outcome of each message read, in UID order.
    public var outcomes: [IngestOutcome] = []
    /// Bytes fetched.
    public var bytes = 0
    /// True when the pass stopped early because `shouldStop` said so.
    public var stopped = false
    /// The first UID that could not be stored in this pass (its outcome is `failed`): the kept last UID stays
    /// below it, so it and the messages after it are read again next pass.
    public var firstFailedUID: UInt32?
    /// How many messages could not be stored in this pass.
    public var failed: Int { outcomes.filter { $0.disposition == .failed }.count }
    /// UIDs the server's UID SEARCH named at or above the UIDNEXT it announced: not read, never recorded as read
    /// (a buggy or hostile server must not move the kept UID past mail still to come).
    public var ignoredUIDs: [UInt32] = []
    /// The kept UID found at or above the announced UIDNEXT (left by a server that once named such a UID): it
    /// cannot be right, so the mailbox was read again from its start (nothing is counted twice).
    public var rewoundFrom: UInt32?
}

/// Reads new messages of an IMAP mailbox into the registry: each message once, in UID order.
///
/// For each UID above the stored one: fetch the exact bytes (mailbox opened read-only, so the message stays
/// unread) into a scratch file, ingest them, record the UID, then move or flag the message if asked. The UID
/// is recorded right after each message is stored, so a server failing mid-batch leaves everything read recorded,
/// and the next pass resumes after the last UID. A message that cannot be stored (a full disk, a failing write)
/// never stops the pass: it is counted as `failed` and logged once, the rest are read, and the recorded UID stays
/// below it, so the next pass reads it again (the ones stored after it are then recognised as duplicates). The
/// same holds for a message the server does not serve now (a NO other than [EXPUNGEISSUED], or a connection
/// dropped on it: the next fetch reconnects); only an empty OK or [EXPUNGEISSUED] means it is gone. UIDs the
/// search names at or above the announced UIDNEXT are ignored (and logged), never kept as the last UID. A
/// changed UIDVALIDITY voids the stored UID: the mailbox is read again, which changes nothing for messages
/// already ingested (ingest is idempotent on Message-ID).
public struct IMAPIngester: Sendable {
    public let ingester: ReplyIngester
    public let states: any MailboxStateStoring
    public let after: IMAPAfterStoring
    public let logger: Logger
    /// Where fetched messages are written while they are ingested (each file is removed after).
    public let scratchDirectory: URL

    public init(ingester: ReplyIngester, states: any MailboxStateStoring, after: IMAPAfterStoring = .leave,
                scratchDirectory: URL = FileManager.default.temporaryDirectory,
                logger: Logger = Logger(label: "liaison.ingest.imap")) {
        self.ingester = ingester; self.states = states; self.after = after
        self.scratchDirectory = scratchDirectory; self.logger = logger
    }

    /// Reads every message not read yet; `each` sees each outcome as it is recorded, a `failed` one included.
    /// Stops before the next message when `shouldStop` returns true. Throws the mailbox's `IMAPError`s (what was
    /// read before stays recorded) and errors of the reading state; a message that cannot be stored is an outcome,
    /// not an error.
    public func readNew(from mailbox: some IMAPMailbox, shouldStop: () -> Bool = { false },
                        each: (UInt32, IngestOutcome) -> Void = { _, _ in }) throws -> IMAPReadSummary {
        let status = try mailbox.examine()
        let url = mailbox.mailboxURL
        var summary = IMAPReadSummary(mailboxURL: url, uidValidity: status.uidValidity, uidNext: status.uidNext)
        let stored = try states.state(mailboxURL: url)
        if let stored, stored.uidValidity != status.uidValidity {
            summary.uidValidityChanged = true
            logger.warning("\(url): UIDVALIDITY changed from \(stored.uidValidity) to \(status.uidValidity); reading the mailbox again (messages already ingested are recognised by their Message-ID)")
        }
        var resume = try states.resumePoint(mailboxURL: url, uidValidity: status.uidValidity)
        if status.uidNext != 0 && resume >= status.uidNext {
            // No message of this mailbox has a UID at or above UIDNEXT: a kept UID there would pass over every
            // message still to come. Read the mailbox again instead (ingest is idempotent on Message-ID).
            logger.warning("\(url): the kept UID \(resume) is at or above the UIDNEXT \(status.uidNext) the server announced; reading the mailbox again from its start")
            summary.rewoundFrom = resume
            try states.rewind(mailboxURL: url, uidValidity: status.uidValidity, to: 0, at: ingester.now())
            resume = 0
        }
        if stored == nil || summary.uidValidityChanged {
            try states.recordRead(mailboxURL: url, uidValidity: status.uidValidity, uid: resume, at: ingester.now())
        }
        // Nothing new when the next UID the server will give is the one after the last read.
        if status.uidNext != 0 && status.uidNext <= resume &+ 1 { return summary }
        var uids = try mailbox.searchUIDs(after: resume)
        if status.uidNext != 0 {
            summary.ignoredUIDs = uids.filter { $0 >= status.uidNext }
            uids.removeAll { $0 >= status.uidNext }
        }
        if !summary.ignoredUIDs.isEmpty {
            logger.warning("\(url): UID SEARCH named \(Self.list(summary.ignoredUIDs)) at or above the UIDNEXT \(status.uidNext) the server announced; ignored in this pass, the kept UID stays below")
        }
        var lostInARow = 0
        let scratch = scratchDirectory.appendingPathComponent("liaison-imap-\(getpid())-\(UUID().uuidString).eml")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for uid in uids {
            if shouldStop() { summary.stopped = true; break }
            let size: Int
            switch Result(catching: { () throws(IMAPError) -> Int in try mailbox.fetch(uid: uid, to: scratch) }) {
            case .success(let fetched):
                size = fetched
            case .failure(let error) where error == .messageMissing:
                logger.info("\(url): UID \(uid) was removed before it could be read; skipped")
                if summary.firstFailedUID != nil { continue }
                try states.recordRead(mailboxURL: url, uidValidity: status.uidValidity, uid: uid, at: ingester.now())
                continue
            case .failure(let error) where error == .fetchRefused || error == .connectionLost:
                // The message is there but was not served (a NO such as [UNAVAILABLE], or a server that drops the
                // connection on it): skip it for this pass, read the rest, keep the UID below it. A server
                // dropping the connection on three messages in a row is down, not serving one bad message.
                if error == .connectionLost {
                    lostInARow += 1
                    if lostInARow >= 3 { throw error }
                } else {
                    lostInARow = 0
                }
                summary.firstFailedUID = summary.firstFailedUID ?? uid
                let failed = ReplyIngester.failed(source: "\(url);UID=\(uid)", messageId: "UID \(uid)",
                                                  reason: error.description)
                summary.outcomes.append(failed)
                logger.warning("\(url): UID \(uid) could not be fetched and is read again on the next pass: \(error.description)")
                each(uid, failed)
                continue
            case .failure(let error):
                throw error
            }
            lostInARow = 0
            // Read from the scratch file: a message above `ingest.max_read_bytes` is never held whole (`LargeMessage`).
            let outcome: IngestOutcome
            do {
                outcome = try ingester.ingest(file: scratch)
            } catch {
                // Nothing of it was kept; the others go on, and the recorded UID stays below it.
                let reason = ReplyIngester.reason(error)
                summary.firstFailedUID = summary.firstFailedUID ?? uid
                let failed = ReplyIngester.failed(source: "\(url);UID=\(uid)", messageId: "UID \(uid)", reason: reason)
                summary.outcomes.append(failed)
                logger.warning("\(url): UID \(uid) could not be stored and is read again on the next pass: \(reason)")
                each(uid, failed)
                continue
            }
            if summary.firstFailedUID == nil {
                try states.recordRead(mailboxURL: url, uidValidity: status.uidValidity, uid: uid, at: ingester.now())
            }
            summary.outcomes.append(outcome)
            summary.bytes += size
            logger.info("\(url): UID \(uid), \(size) bytes: \(outcome.disposition.rawValue) \(outcome.messageId)")
            switch after {
            case .leave: break
            case .move(let folder): try mailbox.move(uid: uid, to: folder)
            case .flag(let flag): try mailbox.addFlag(flag, uid: uid)
            }
            each(uid, outcome)
        }
        return summary
    }

    /// "UID 7" or "UIDs 7, 9": for log lines, at most ten named.
    public static func list(_ uids: [UInt32]) -> String {
        let named = uids.prefix(10).map(String.init).joined(separator: ", ") + (uids.count > 10 ? ", …" : "")
        return (uids.count == 1 ? "UID " : "UIDs ") + named
    }
}
