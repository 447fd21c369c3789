import Crypto
import Foundation
import Logging
import Mail
import OpenPGP
import Registry

/// What `ingest` made of one message.
public struct IngestOutcome: Sendable, Encodable {
    /// What was done with the message.
    public enum Disposition: String, Sendable, Encodable {
        /// A human reply applied to its participant.
        case reply
        /// An automatic reply recorded against its notification; nothing changed.
        case autoReply = "auto-reply"
        /// A delivery report applied to the recipients of its notification.
        case bounce
        /// Matched nothing (or is not a reply at all); kept for review.
        case unmatched
        /// A delivery report that blames our message or domain: no bounce on any address; kept for review.
        case ourDeliveryProblem = "our-delivery-problem"
        /// Matched, but not trusted to change anything (bad or foreign signature, signature required); kept for review.
        case review
        /// Already stored: nothing changed.
        case duplicate
        /// Could not be read as a message (no header field): stored as received and listed for review.
        case unreadable
        /// Reading, storing or applying it failed (nothing of it was kept); the rest of the batch went on.
        case failed
    }
    public let disposition: Disposition
    /// The classification: `delivery-report`, `automatic-reply`, `reply`, `unrelated` (empty when it failed).
    public let kind: String
    public let messageId: String
    public let from: String?
    public let subject: String?
    public let caseId: String?
    public let organizationId: String?
    /// How it was matched: `In-Reply-To`, `References`, `returned message`, `VERP`, `reference`, `sender`, `domain`.
    public let matchedBy: String?
    public let signature: InboundSignature
    public let encrypted: Bool
    /// Why a person must look at it, when one must.
    public let review: String?
    /// Where it was read from (`stdin`, `FILE#3`, `DIR/new/NAME`).
    public let source: String?
    /// What changed: `acknowledged`, `bounced: a@b.example`, …
    public let effects: [String]

    public init(disposition: Disposition, kind: String, messageId: String, from: String?, subject: String?, caseId: String?,
                organizationId: String?, matchedBy: String? = nil, signature: InboundSignature, encrypted: Bool,
                review: String? = nil, source: String? = nil, effects: [String]) {
        self.disposition = disposition; self.kind = kind; self.messageId = messageId; self.from = from; self.subject = subject
        self.caseId = caseId; self.organizationId = organizationId; self.matchedBy = matchedBy; self.signature = signature
        self.encrypted = encrypted; self.review = review; self.source = source; self.effects = effects
    }
}

/// The counts `ingest` prints after a batch.
public struct IngestSummary: Sendable, Encodable, Equatable {
    public var read = 0, matched = 0, automatic = 0, bounces = 0, unmatched = 0, failed = 0, duplicates = 0, review = 0
    /// Delivery reports that blame our message or domain (not bounces).
    public var ourProblems = 0

    public init() {}

    public init(_ outcomes: [IngestOutcome]) {
        for outcome in outcomes {
            read += 1
            switch outcome.disposition {
            case .reply, .review: matched += 1
            case .autoReply: matched += 1; automatic += 1
            case .bounce: bounces += 1; if outcome.caseId != nil || outcome.matchedBy != nil { matched += 1 }
            case .ourDeliveryProblem: ourProblems += 1; if outcome.caseId != nil || outcome.matchedBy != nil { matched += 1 }
            case .unmatched: unmatched += 1; if outcome.kind == MessageKind.automaticReply.rawValue { automatic += 1 }
            case .unreadable: unmatched += 1
            case .duplicate: duplicates += 1
            case .failed: failed += 1
            }
            if outcome.review != nil { review += 1 }
        }
    }

    /// `read 3: 2 matched, 1 automatic, 0 bounces, 1 unmatched, 0 failed`.
    public var line: String {
        "read \(read): \(matched) matched, \(automatic) automatic, \(bounces) bounce\(bounces == 1 ? "" : "s"), "
            + "\(unmatched) unmatched, \(failed) failed"
            + (ourProblems > 0 ? ", \(ourProblems) delivery problem\(ourProblems == 1 ? "" : "s") of ours" : "") + (duplicates > 0 ? ", \(duplicates) already read" : "")
            + (review > 0 ? "; \(review) listed for review (liaison inbox --review)" : "")
    }
}

/// Reads replies, automatic replies and delivery reports, and brings case state up to date, in four steps:
/// read (the caller splits mailboxes with `MailboxReader`), classify (`InboundClassifier`), match
/// (`InboundMatcher`), apply (`InboundApplier`).
///
/// Nothing is dropped: a message that matches nothing is stored and listed. Ingesting the same message twice
/// changes nothing. One failing message never stops a batch.
public struct ReplyIngester: Sendable {
    public let store: RegistryStore
    public let gnupgHome: String?
    public let actor: String
    public var requireSignature: WorkspaceConfiguration.Ingest.RequireSignature = .none
    /// The passphrase of our secret key (`gnupg.passphrase_file` / `gnupg.passphrase_env`), given to gpg-agent by
    /// loopback pinentry to decrypt an encrypted reply; nil for a key without one.
    public var passphrase: String?
    public var now: @Sendable () -> Date = { Date() }
    /// A message larger than this is not read whole (`ingest.max_read_bytes`, `LargeMessage`).
    public var maxReadBytes = WorkspaceConfiguration.Ingest.defaultMaxReadBytes
    /// One OpenPGP context for every message this ingester (and its copies) reads.
    let openPGP = SharedOpenPGPContext()

    public init(store: RegistryStore, gnupgHome: String?, actor: String) {
        self.store = store; self.gnupgHome = gnupgHome; self.actor = actor
    }

    /// Ingests one message given as its raw bytes; `source` says where it was read from.
    public func ingest(_ bytes: Data, source: String? = nil) throws -> IngestOutcome {
        try ingest(bytes, digest: Self.digest(bytes), large: nil, source: source)
    }

    /// Ingests the message held in `file`. One of up to `maxReadBytes` is read whole, exactly as `ingest(_:)`
    /// does; a larger one is never held in memory whole (`LargeMessage`): its digest is computed and its bytes
    /// stored a window at a time, and only its first window is classified and matched.
    /// Throws `GatewayError.input` when the file cannot be read.
    public func ingest(file: URL, source: String? = nil) throws -> IngestOutcome {
        guard let size = LargeMessage.size(of: file) else { throw GatewayError.input("the file could not be read") }
        if size <= maxReadBytes {
            // Copied, not mapped: a file truncated meanwhile (another Maildir reader) must fail this message, not
            // the process.
            guard let bytes = try? Data(contentsOf: file) else {
                throw GatewayError.input("the file could not be read")
            }
            return try ingest(bytes, source: source)
        }
        let large = try LargeMessage(file: file)
        return try ingest(large.window, digest: large.digest, large: large, source: source)
    }

    /// Ingests a batch of files (a Maildir): a file that cannot be read or stored is reported as `failed` (named
    /// by `source`), and the rest go on.
    public func ingest(files: [(source: String, file: URL)]) -> [IngestOutcome] {
        files.map { source, file in
            do { return try ingest(file: file, source: source) } catch {
                return Self.failed(source: source, messageId: file.lastPathComponent, reason: Self.reason(error))
            }
        }
    }

    /// `bytes`: the whole message, or for a `large` one its first window only.
    private func ingest(_ bytes: Data, digest: String, large: LargeMessage?, source: String?) throws -> IngestOutcome {
        let store = self.store.inbound
        let now = now()
        let maxReadBytes = maxReadBytes
        let classified: ClassifiedMessage
        do { classified = try classify(bytes, whole: large == nil) } catch let error as OpenPGPError where OpenPGPContext.unusableHome(gnupgHome) != nil {
            // Our GnuPG home, not the message: it fails, to be read again once the home is fixed.
            throw error
        } catch {
            return try storeUnreadable(bytes, streamed: large?.streamed, digest: digest, reason: "\(error)", source: source,
                                       now: now, in: store)
        }
        let applier = InboundApplier(actor: actor, requireSignature: requireSignature)
        let streamed = large?.streamed
        let unreadRest = large?.reviewReason
        let claimed = classified.parsed.messageID ?? digest
        let signedDigest = SignedStatement.digest(of: classified)
        return try store.write { tx in
            var messageId = claimed
            if let stored = try tx.stored(messageId: claimed) {
                // The same message delivered again (a relay's Received line added, CRLF from IMAP) is no new one;
                // only messages read whole are compared part by part: a large one is recognised by its digest.
                let sameBytes = try stored.sha256 == nil || stored.sha256 == digest || tx.containsDigest(digest)
                    || (streamed == nil && (try tx.byteCount(id: stored.id) ?? 0) <= maxReadBytes
                        && SameMessage.isSame(classified.parsed, as: try tx.bytes(id: stored.id)))
                if sameBytes {
                    return IngestOutcome(disposition: .duplicate, kind: classified.classification.kind.rawValue, messageId: claimed,
                                         from: classified.parsed.from?.address, subject: classified.parsed.subject, caseId: nil,
                                         organizationId: nil, signature: .none, encrypted: false, source: source, effects: [])
                }
                // Another message reusing a Message-ID: kept under a name of its own.
                messageId = claimed + "#" + digest
                if try tx.stored(messageId: messageId) != nil {
                    return IngestOutcome(disposition: .duplicate, kind: classified.classification.kind.rawValue, messageId: messageId,
                                         from: classified.parsed.from?.address, subject: classified.parsed.subject, caseId: nil,
                                         organizationId: nil, signature: .none, encrypted: false, source: source, effects: [])
                }
            }
            let matched = try InboundMatcher().match(classified, in: tx)
            let attributed = try StatementAttribution.attribute(classified, matched, in: tx)
            // The same signed statement again, under another Message-ID or with headers or a list's footer added on
            // the way: in the same thread, and saying nothing beside what is signed. Words added outside the
            // signature, or the statement put into another case's thread, make a message of its own.
            if let signedDigest, let earlier = try tx.message(signedDigest: signedDigest),
               earlier.caseId == attributed.match?.caseId, earlier.organizationId == attributed.match?.organizationId,
               SignedStatement.reading(of: classified) == StatedResponse.reading(of: StatedResponse.text(of: classified.content)) {
                return IngestOutcome(disposition: .duplicate, kind: classified.classification.kind.rawValue, messageId: messageId,
                                     from: classified.parsed.from?.address, subject: classified.parsed.subject, caseId: nil,
                                     organizationId: nil, signature: .none, encrypted: false, source: source,
                                     effects: ["the same signed content as \(earlier.messageId)"])
            }
            return try applier.apply(classified, match: attributed.match, hold: attributed.hold, messageId: messageId, sha256: digest,
                                     signedDigest: signedDigest, source: source, streamed: streamed, unreadRest: unreadRest,
                                     now: now, in: tx)
        }
    }

    /// The classify step, with the ingester's one OpenPGP context, made only for a message that may be signed or
    /// encrypted (a reply), never for a bounce.
    func classify(_ bytes: Data, whole: Bool = true) throws -> ClassifiedMessage {
        var classifier = InboundClassifier(gnupgHome: gnupgHome)
        classifier.passphrase = passphrase
        if !whole { return try classifier.classify(bytes, whole: false) }
        return try openPGP.with(home: gnupgHome, passphrase: passphrase) { try classifier.classify(bytes, openPGP: $0) }
    }

    /// Bytes that hold no header field are no message, but nothing is lost: they are stored as received under
    /// their digest and listed for review.
    private func storeUnreadable(_ bytes: Data, streamed: StreamedBytes?, digest: String, reason: String, source: String?, now: Date,
                                 in store: any InboundStoring) throws -> IngestOutcome {
        let actor = actor
        return try store.write { tx in
            var outcome = IngestOutcome(disposition: .unreadable, kind: MessageKind.unrelated.rawValue, messageId: digest, from: nil,
                                        subject: nil, caseId: nil, organizationId: nil, signature: .none, encrypted: false,
                                        review: "not readable as a message: \(reason)", source: source, effects: ["kept as received"])
            if try tx.stored(messageId: digest) != nil {
                outcome = IngestOutcome(disposition: .duplicate, kind: outcome.kind, messageId: digest, from: nil, subject: nil, caseId: nil,
                                        organizationId: nil, signature: .none, encrypted: false, source: source, effects: [])
                return outcome
            }
            try tx.insert(NewInboundMessage(messageId: digest, receivedAt: now, fromAddress: nil, subject: nil, kind: .unmatched,
                                            classification: MessageKind.unrelated.rawValue, disposition: outcome.disposition.rawValue,
                                            review: (.open, outcome.review!), source: source, bytes: bytes, streamed: streamed), sha256: digest)
            try tx.recordInboundEvent(messageId: digest, actor: actor, data: [
                "kind": InboundKind.unmatched.rawValue, "classification": MessageKind.unrelated.rawValue,
                "disposition": outcome.disposition.rawValue, "review": outcome.review,
            ])
            return outcome
        }
    }

    /// Ingests a batch: a message that fails is reported as `failed` and the rest go on.
    public func ingest(batch messages: [(source: String, bytes: Data)]) -> [IngestOutcome] {
        messages.map { source, bytes in
            do { return try ingest(bytes, source: source) } catch {
                return Self.failed(source: source, messageId: Self.digest(bytes), reason: Self.reason(error))
            }
        }
    }

    /// The outcome of a message that could not be read, stored or applied: nothing of it was kept.
    public static func failed(source: String?, messageId: String, reason: String) -> IngestOutcome {
        IngestOutcome(disposition: .failed, kind: "", messageId: messageId, from: nil, subject: nil, caseId: nil, organizationId: nil,
                      signature: .none, encrypted: false, source: source, effects: [reason])
    }

    /// One line for a user: the store's explanation of a database failure (a full disk, a read-only file), else
    /// the error's own description.
    static func reason(_ error: any Error) -> String {
        RegistryStore.explain(error) ?? "\(error)"
    }

    /// Ties a stored message (`reference`: its row id in `liaison inbox` or its Message-ID) to a case and
    /// organisation by a person's decision, and applies it as ingest would have had it matched (`InboundApplier`).
    ///
    /// `response` is the status a person read in the reply, applied instead of what Liaison reads in it.
    ///
    /// - Returns: what applying it did, and whether anything changed (assigning twice changes nothing).
    /// - Throws: `GatewayError.input` when no message is stored under `reference`, or it cannot be read as a
    ///   message; `GatewayError.invalidArgument` when the organisation is not a participant of the case.
    public func assign(_ reference: String, caseId: String, organizationId: String,
                       response: Response? = nil) throws -> (outcome: IngestOutcome, changed: Bool) {
        let store = self.store.inbound
        // A message above `maxReadBytes` is read from its first window only, as ingest read it (`LargeMessage`).
        let maxReadBytes = maxReadBytes
        guard let (entry, bytes, whole) = try store.read({ tx -> (InboundTransaction.Entry, Data, Bool)? in
            guard let entry = try tx.entry(reference), let size = try tx.byteCount(id: entry.id) else { return nil }
            if size > maxReadBytes {
                guard let head = try tx.head(id: entry.id, count: LargeMessage.readableWindow) else { return nil }
                return (entry, LargeMessage.readable(head), false)
            }
            guard let bytes = try tx.bytes(id: entry.id) else { return nil }
            return (entry, bytes, true)
        }) else { throw GatewayError.input("no stored message \(reference); `liaison inbox` lists them") }
        let read: ClassifiedMessage
        do { read = try classify(bytes, whole: whole) } catch let error as OpenPGPError where OpenPGPContext.unusableHome(gnupgHome) != nil {
            throw GatewayError.configuration(error.description)
        } catch {
            throw GatewayError.input("message \(reference) cannot be read as a message: \(error)")
        }
        // A person read it and says what it states: machine-sent mail (a tracker's note, a reply taken for a
        // quarantine notice) is then the vendor's answer, under the same trust rule as any reply.
        let classified = response == nil || response == Response.none ? read : read.classified(as: MachineMail.readByPerson(read.classification))
        if let response, response == .none || classified.classification.kind != .humanReply {
            throw GatewayError.invalidArgument(response == .none
                ? "--response none is no status; give acknowledged, investigating, affected, not-affected or fixed"
                : "--response applies to a reply; message \(reference) is \(classified.classification.kind.rawValue) (\(classified.classification.reason))")
        }
        let cases = self.store.cases
        let participants = try GatewayError.mapping { () throws -> [String] in
            // A withdrawn case takes no response, as `case set` refuses it: it must be reopened first.
            if let problem = CaseGuards.withdrawnCaseProblem(try cases.existing(caseId)) { throw GatewayError.invalidArgument(problem) }
            return try cases.participantIds(caseId: caseId)
        }
        guard participants.contains(organizationId) else {
            throw GatewayError.from(StoreError.notParticipant(caseId: caseId, organizationId: organizationId, participants: participants))
        }
        let applier = InboundApplier(actor: actor, requireSignature: requireSignature)
        let now = now()
        return try store.write { tx in
            guard try tx.participant(caseId: caseId, organizationId: organizationId) != nil else {
                throw GatewayError.from(StoreError.notParticipant(caseId: caseId, organizationId: organizationId, participants: participants))
            }
            // The notification it answers: the one it was matched to when that is this participant's, else the
            // latest one sent to them in this case.
            var notification = try tx.resolution(id: entry.id)?.notificationId.flatMap { try tx.notification(id: $0) }
            if notification?.caseId != caseId || notification?.organizationId != organizationId {
                notification = try tx.latestNotification(caseId: caseId, organizationId: organizationId)
            }
            let match = InboundMatch(notification: notification, caseId: caseId, organizationId: organizationId, via: "assigned")
            return try applier.assign(classified, stored: entry.id, messageId: entry.messageId, to: match, now: now, in: tx,
                                      response: response)
        }
    }

    /// Closes the review of stored message `reference` (its row id or Message-ID) without changing any case: an
    /// `inbound.dismissed` event naming the actor and `reason` (`liaison inbox dismiss`, the desk's Dismiss).
    ///
    /// - Returns: the message as it was listed before.
    /// - Throws: `GatewayError.invalidArgument` when `reason` is blank or the message was dismissed already (by whom,
    ///   when), `GatewayError.input` when no message is stored under `reference`; nothing changes then.
    @discardableResult
    public func dismiss(_ reference: String, reason: String) throws -> InboundTransaction.Entry {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw GatewayError.invalidArgument("--reason must say why") }
        let (actor, now) = (self.actor, now())
        return try GatewayError.mapping {
            try store.inbound.write { tx in
                guard let entry = try tx.entry(reference) else {
                    throw GatewayError.input("no stored message \(reference); `liaison inbox` lists them")
                }
                try tx.dismiss(id: entry.id, reason: reason, actor: actor, at: now)
                return entry
            }
        }
    }

    /// When the organisation answered: the reply's Date; the time we read it when that is in the future, and the
    /// time of our notice when it is before we wrote to them (a wrong clock).
    static func responseTime(claimed: Date?, notifiedAt: Date?, now: Date) -> Date {
        guard let claimed, claimed <= now else { return now }
        // Dated before we wrote (the sender's clock behind): recorded as of our notice, so that a reply written
        // later still counts as the later one.
        if let notifiedAt, claimed < notifiedAt { return min(notifiedAt, now) }
        return claimed
    }

    static func digest(_ bytes: Data) -> String {
        "sha256-" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
