import Foundation

/// A notification as the inbound side needs it: to tie a reply or a report to it.
public struct InboundNotificationRef: Sendable, Equatable {
    public let id: Int64
    public let messageId: String
    public let trackingRef: String
    public let caseId: String?
    public let organizationId: String
    /// The envelope recipients (lowercased), each addressed in To or in Cc.
    public let recipients: [(email: String, kind: ContactRole)]

    public static func == (a: Self, b: Self) -> Bool { a.id == b.id }
}

/// Whether a stored message waits for a person.
public enum InboundReviewState: String, Codable, Sendable, CaseIterable {
    case open, assigned, dismissed
}

/// One received message to store, exactly as received, with what ingest made of it.
public struct NewInboundMessage: Sendable {
    public var messageId: String
    public var receivedAt: Date
    public var fromAddress: String?
    public var subject: String?
    /// `reply` | `auto-reply` | `bounce` | `unmatched` (the counting kind the reports read).
    public var kind: InboundKind
    /// The message's classification: `delivery-report`, `automatic-reply`, `reply`, `unrelated`.
    public var classification: String
    /// What ingest did with it.
    public var disposition: String
    public var notificationId: Int64?
    public var caseId: String?
    public var organizationId: String?
    public var signature: InboundSignature
    public var encrypted: Bool
    public var review: (state: InboundReviewState, reason: String)?
    public var appliedResponse: Response?
    public var undecodable: Bool
    /// Where it came from: `stdin`, `FILE#3`, `DIR/new/NAME`.
    public var source: String?
    /// The bytes as received; empty when they are `streamed` from a file instead.
    public var bytes: Data
    /// A message too large to hold in memory: its bytes, in a file, copied into the registry a window at a time.
    public var streamed: StreamedBytes?
    /// Digest of the signer and the signed content, when a good signature covers it (`InboundTrustSchema`).
    public var signedDigest: String?
    /// Whether the signed content names the case it was applied to; true when it is not signed.
    public var signedForCase: Bool

    public init(messageId: String, receivedAt: Date, fromAddress: String?, subject: String?, kind: InboundKind,
                classification: String, disposition: String, notificationId: Int64? = nil, caseId: String? = nil,
                organizationId: String? = nil, signature: InboundSignature = .none, encrypted: Bool = false,
                review: (state: InboundReviewState, reason: String)? = nil, appliedResponse: Response? = nil,
                undecodable: Bool = false, source: String? = nil, bytes: Data, streamed: StreamedBytes? = nil,
                signedDigest: String? = nil, signedForCase: Bool = true) {
        self.messageId = messageId; self.receivedAt = receivedAt; self.fromAddress = fromAddress; self.subject = subject
        self.kind = kind; self.classification = classification; self.disposition = disposition
        self.notificationId = notificationId; self.caseId = caseId; self.organizationId = organizationId
        self.signature = signature; self.encrypted = encrypted; self.review = review
        self.appliedResponse = appliedResponse; self.undecodable = undecodable; self.source = source; self.bytes = bytes
        self.streamed = streamed
        self.signedDigest = signedDigest; self.signedForCase = signedForCase
    }
}

/// The store's operations for received mail (table `inboundMessage`, and the recipient, contact and participant
/// rows a delivery report changes), reached as `store.inbound`. `write` runs a whole message's changes (storing
/// it, applying it, assigning or dismissing it) in one transaction; `read` sees one snapshot.
///
/// ```swift
/// let open = try store.inbound.entries(unmatchedOnly: false, reviewOnly: true)
/// try store.inbound.write { tx in try tx.dismiss(id: open[0].id, reason: "spam", actor: "ops", at: Date()) }
/// ```
public protocol InboundStoring: Sendable {
    /// Runs `body` in one write transaction: everything it changes lands, or nothing when it throws.
    func write<T>(_ body: (InboundTransaction) throws -> T) throws -> T
    /// Runs `body` over one consistent snapshot.
    func read<T>(_ body: (InboundTransaction) throws -> T) throws -> T
}

extension InboundStoring {
    /// Stored messages, newest first (see ``InboundTransaction/entries(unmatchedOnly:reviewOnly:limit:)``).
    public func entries(unmatchedOnly: Bool, reviewOnly: Bool, limit: Int = 500) throws -> [InboundTransaction.Entry] {
        try read { try $0.entries(unmatchedOnly: unmatchedOnly, reviewOnly: reviewOnly, limit: limit) }
    }

    /// A stored message by row id (`42`) or Message-ID; nil when there is none.
    public func entry(_ reference: String) throws -> InboundTransaction.Entry? {
        try read { try $0.entry(reference) }
    }
}

/// ``InboundStoring`` over the registry's engine.
struct InboundStore: InboundStoring {
    let engine: any StoreEngine

    func write<T>(_ body: (InboundTransaction) throws -> T) throws -> T {
        try engine.write { session in try body(InboundTransaction(session: session)) }
    }

    func read<T>(_ body: (InboundTransaction) throws -> T) throws -> T {
        try engine.read { session in try body(InboundTransaction(session: session)) }
    }
}

/// The inbound operations inside one transaction.
public struct InboundTransaction {
    /// The transaction; operations of other stores that must join it are offered as methods here, so no module
    /// above the registry holds a session.
    let session: any SQLSession

    /// Records product statements a reply made for a participant (its VEX document, or its text for all its
    /// products), with one event `participant.products`, and returns the response the participant's statements
    /// that now stand mean. The vendor's words keep a NUL visibly (`ProductStatement.receivedStorable`).
    public func recordProductStatements(_ statements: [ProductStatement], actor: String) throws -> Response? {
        try ProductStatement.record(session, statements.map(\.receivedStorable), actor: actor)
    }

    // MARK: - Duplicates

    /// The stored message with this Message-ID and the digest of its bytes, when one exists.
    public func stored(messageId: String) throws -> (id: Int64, sha256: String?)? {
        guard let row = try session.row("SELECT id, sha256 FROM inboundMessage WHERE messageId = ?",
                                        InboundText.storable(messageId))
        else { return nil }
        return (try row[0], try row[1])
    }

    /// The first message stored with this signed content (`NewInboundMessage.signedDigest`): its Message-ID and the
    /// case and organisation it was tied to.
    public func message(signedDigest: String) throws -> (messageId: String, caseId: String?, organizationId: String?)? {
        guard let row = try session.row("""
            SELECT messageId, caseId, organizationId FROM inboundMessage WHERE signedDigest = ? ORDER BY id LIMIT 1
            """, signedDigest) else { return nil }
        return (try row[0], try row[1], try row[2])
    }

    /// The ids of the cases `text` names as a token of its own (`CaseNaming`), longest first.
    public func caseIds(mentionedIn text: String) throws -> [String] {
        // Ids of fewer than four characters would match by chance.
        let all = try session.values("SELECT id FROM \"case\" ORDER BY id", as: String.self).filter { $0.unicodeScalars.count >= 4 }
        let ids = CaseNaming.ids(all, namedIn: text)
        return ids.enumerated().sorted { a, b in
            let (left, right) = (a.element.unicodeScalars.count, b.element.unicodeScalars.count)
            return left != right ? left > right : a.offset < b.offset
        }.map(\.element)
    }

    /// Organisations whose active contacts hold this key (fingerprint, any case): a contact the directory retired
    /// (`active: false`) no longer speaks for its organisation, nor does its key.
    public func organizations(keyFingerprint: String) throws -> [String] {
        try session.values("SELECT DISTINCT organizationId FROM contact WHERE upper(pgp) = upper(?) AND active = 1", keyFingerprint)
    }

    /// Whether a message with exactly these bytes (by digest) is stored.
    public func containsDigest(_ sha256: String) throws -> Bool {
        try session.value("SELECT COUNT(*) FROM inboundMessage WHERE sha256 = ?", sha256, as: Int.self) ?? 0 > 0
    }

    // MARK: - Finding notifications

    /// The notification sent with this Message-ID (no angle brackets).
    public func notification(messageId: String) throws -> InboundNotificationRef? {
        try notification(where: "messageId = ?", messageId)
    }

    /// The notification carrying this tracking reference (`LSN-…`, upper case).
    public func notification(trackingRef: String) throws -> InboundNotificationRef? {
        try notification(where: "trackingRef = ?", trackingRef.uppercased())
    }

    /// The notification with this row id.
    public func notification(id: Int64) throws -> InboundNotificationRef? {
        try notification(where: "id = ?", [.integer(id)])
    }

    /// The latest notification of a case sent to an organisation.
    public func latestNotification(caseId: String, organizationId: String) throws -> InboundNotificationRef? {
        try notification(where: "caseId = ? AND organizationId = ?", [.text(caseId), .text(organizationId)])
    }

    private func notification(where condition: String, _ value: String) throws -> InboundNotificationRef? {
        try notification(where: condition, [.text(value)])
    }

    private func notification(where condition: String, _ arguments: [SQLValue]) throws -> InboundNotificationRef? {
        // An id from a received message that holds U+0000 names none of ours (none holds one), and neither engine
        // takes such a text: no notification, and the message is read on.
        for case .text(let text) in arguments where SQLValue.nulProblem(text) != nil { return nil }
        guard let row = try session.rows("""
            SELECT id, messageId, trackingRef, caseId, organizationId FROM notification WHERE \(condition) ORDER BY id DESC LIMIT 1
            """, arguments).first else { return nil }
        let id: Int64 = try row[0]
        // `to` recipients first, as they were written.
        let recipients = try session.rows("SELECT email, kind FROM notificationRecipient WHERE notificationId = ? ORDER BY kind DESC, email",
                                          id).map { (email: (try $0[0] as String).lowercased(), kind: try $0[1] as ContactRole) }
        return InboundNotificationRef(id: id, messageId: try row[1], trackingRef: try row[2], caseId: try row[3],
                                      organizationId: try row[4], recipients: recipients)
    }

    /// Organisations with a contact of this address.
    public func organizations(contactEmail: String) throws -> [String] {
        guard SQLValue.nulProblem(contactEmail) == nil else { return [] }   // no contact's address holds U+0000
        return try session.values("SELECT DISTINCT organizationId FROM contact WHERE email = ? COLLATE NOCASE", contactEmail)
    }

    /// Active organisations whose domains include `domain` or a parent of it.
    public func organizations(domain: String) throws -> [String] {
        let domain = domain.lowercased()
        return try session.records(Organization.self, "SELECT * FROM organization WHERE status = 'active' ORDER BY id")
            .filter { $0.domains.contains { domain == $0.lowercased() || domain.hasSuffix("." + $0.lowercased()) } }
            .map(\.id)
    }

    /// The open cases (neither published nor withdrawn) in which this organisation was notified, the most recently
    /// notified first.
    public func openCases(notifying organizationId: String) throws -> [String] {
        try session.values("""
            SELECT p.caseId FROM participant p JOIN "case" c ON c.id = p.caseId
            WHERE p.organizationId = ? AND c.publishedAt IS NULL AND c.withdrawnAt IS NULL AND p.firstNotifiedAt IS NOT NULL
            ORDER BY p.firstNotifiedAt DESC, p.caseId
            """, organizationId)
    }

    /// The key fingerprints (upper case) of the organisation's active contacts: a retired contact's key
    /// (`active: false`) no longer signs for it.
    public func contactKeys(organizationId: String) throws -> Set<String> {
        Set(try session.values("SELECT pgp FROM contact WHERE organizationId = ? AND pgp IS NOT NULL AND active = 1", organizationId,
                               as: String.self).map { $0.uppercased() })
    }

    /// Why a case was withdrawn (`case withdraw`), or nil when it was not (or does not exist): a withdrawn case takes
    /// no response until it is reopened. A withdrawal given no reason reads as an empty text.
    public func withdrawal(caseId: String) throws -> String? {
        guard let row = try session.row(#"SELECT withdrawnAt, withdrawnReason FROM "case" WHERE id = ?"#, caseId),
              try row[0] as String? != nil else { return nil }
        return try row[1] as String? ?? ""
    }

    /// The participant row of an organisation in a case.
    public func participant(caseId: String, organizationId: String) throws -> ParticipantRecord? {
        try session.record(ParticipantRecord.self, "SELECT * FROM participant WHERE caseId = ? AND organizationId = ?",
                           caseId, organizationId)
    }

    // MARK: - Recording

    /// Stores the message byte for byte with what was made of it; returns its row id. A `streamed` message's
    /// bytes go to `inboundMessageBody`, copied from its file a window at a time (`BlobStreaming`).
    @discardableResult
    public func insert(_ message: NewInboundMessage, sha256: String) throws -> Int64 {
        let id = try session.value("""
            INSERT INTO inboundMessage (messageId, receivedAt, fromAddress, subject, kind, notificationId, caseId, organizationId,
                signature, encrypted, bytes, classification, disposition, reviewState, reviewReason, appliedResponse, sha256,
                undecodable, source, signedDigest, signedForCase)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id
            """,
            InboundText.storable(message.messageId), message.receivedAt, message.fromAddress.map(InboundText.storable),
            message.subject.map(InboundText.storable), message.kind.rawValue,
            message.notificationId, message.caseId, message.organizationId, message.signature.rawValue, message.encrypted,
            message.streamed == nil ? message.bytes : Data(), InboundText.storable(message.classification),
            InboundText.storable(message.disposition), message.review?.state.rawValue,
            message.review.map { InboundText.storable($0.reason) }, message.appliedResponse?.rawValue, sha256,
            message.undecodable, message.source.map(InboundText.storable), message.signedDigest, message.signedForCase,
            as: Int64.self)
        guard let id else { throw StoreError.invalidArgument("the received message was not stored") }
        if let streamed = message.streamed {
            try BlobStreaming.store(streamed, rowId: id, in: session)
        }
        return id
    }

    /// Marks one recipient of one notification bounced and counts a bounce on that contact, with an event.
    /// Only an envelope recipient of that notification can be bounced: a report is evidence about its own message
    /// only. Returns false (and changes nothing) when the address is not one, or was already bounced.
    public func bounceRecipient(notificationId: Int64, email: String, status: String, diagnostic: String?,
                                inboundMessageId: String, at date: Date, actor: String) throws -> Bool {
        guard let row = try session.row("""
            SELECT n.messageId, n.caseId, n.organizationId, r.email, r.status FROM notificationRecipient r
            JOIN notification n ON n.id = r.notificationId
            WHERE r.notificationId = ? AND r.email = ? COLLATE NOCASE
            """, notificationId, email) else { return false }
        guard (try row["status"] as String) != RecipientStatus.bounced.rawValue else { return false }
        let stored: String = try row["email"]
        let reply = InboundText.storable([status, diagnostic].compactMap { $0 }.joined(separator: " "))
        try session.execute("""
            UPDATE notificationRecipient SET status = 'bounced', smtpCode = NULL, smtpReply = ?, updatedAt = ? WHERE notificationId = ? AND email = ?
            """, String(reply.prefix(500)), date, notificationId, stored)
        try session.execute("UPDATE contact SET bounceCount = bounceCount + 1, lastBounceAt = ? WHERE email = ? COLLATE NOCASE",
                            date, stored)
        try EventLog.append(session, actor: actor, action: "recipient.bounced", objectType: "recipient", objectId: stored, data: [
            "messageId": .string(try row["messageId"]), "email": .string(stored), "status": .string(status),
            "organizationId": .string(try row["organizationId"]), "caseId": EventValue.optional(try row["caseId"] as String?),
            "report": .string(inboundMessageId), "at": .string(EventTimestamp.string(date)),
        ])
        return true
    }

    /// Moves the participant's delivery as the statuses of its recipients now call for (`ParticipantTransitions`),
    /// after a bounce; returns whether it became undeliverable.
    public func updateDeliveryAfterBounce(caseId: String, organizationId: String, at date: Date, actor: String) throws -> Bool {
        try ParticipantTransitions.apply(session, caseId: caseId, organizationId: organizationId, at: date, actor: actor) == .undeliverable
    }

    // MARK: - Review queue

    /// One stored message as `liaison inbox` lists it.
    public struct Entry: Sendable, Encodable {
        public let id: Int64
        public let messageId: String
        public let receivedAt: Date
        public let from: String?
        public let subject: String?
        public let kind: InboundKind
        public let classification: String?
        public let disposition: String?
        public let caseId: String?
        public let organizationId: String?
        public let signature: InboundSignature
        /// Nil when it never waited for a person.
        public let reviewState: InboundReviewState?
        public let reviewReason: String?
    }

    /// Stored messages, newest first: all, or only those a person must look at (`review`), or only those that
    /// matched no notification (`unmatched`).
    public func entries(unmatchedOnly: Bool, reviewOnly: Bool, limit: Int = 500) throws -> [Entry] {
        var conditions: [String] = []
        if unmatchedOnly { conditions.append("caseId IS NULL AND notificationId IS NULL") }
        if reviewOnly { conditions.append("reviewState = 'open'") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try session.rows("""
            SELECT id, messageId, receivedAt, fromAddress, subject, kind, classification, disposition, caseId, organizationId,
                   signature, reviewState, reviewReason
            FROM inboundMessage \(whereClause) ORDER BY receivedAt DESC, id DESC LIMIT ?
            """, limit).map { row in
                Entry(id: try row[0], messageId: try row[1], receivedAt: try row[2], from: try row[3],
                      subject: try row[4], kind: try row[5], classification: try row[6],
                      disposition: try row[7], caseId: try row[8], organizationId: try row[9],
                      signature: try row[10], reviewState: try row[11], reviewReason: try row[12])
            }
    }

    /// A stored message by row id (`42`) or Message-ID.
    public func entry(_ reference: String) throws -> Entry? {
        let found: Int64?
        if let id = Int64(reference) {
            found = try session.value("SELECT id FROM inboundMessage WHERE id = ?", id)
        } else {
            let bare = reference.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
            found = try session.value("SELECT id FROM inboundMessage WHERE messageId = ?", bare)
        }
        guard let id = found else { return nil }
        return try entries(unmatchedOnly: false, reviewOnly: false, limit: Int.max).first { $0.id == id }
    }

    /// The bytes stored for a message, exactly as received (from `inboundMessageBody` for a large one).
    public func bytes(id: Int64) throws -> Data? {
        try session.value("""
            SELECT COALESCE(b.bytes, m.bytes) FROM inboundMessage m LEFT JOIN inboundMessageBody b ON b.messageRowId = m.id
            WHERE m.id = ?
            """, id)
    }

    /// The first `count` bytes stored for a message (all of them when it has fewer), without reading the rest:
    /// a large message's bytes are read from `inboundMessageBody` a window at a time (`BlobStreaming.head`).
    public func head(id: Int64, count: Int) throws -> Data? {
        if try session.value("SELECT 1 FROM inboundMessageBody WHERE messageRowId = ?", id, as: Int.self) != nil {
            return try BlobStreaming.head(rowId: id, upTo: count, in: session)
        }
        return try bytes(id: id).map { Data($0.prefix(count)) }
    }

    /// How many bytes are stored for a message, without reading them.
    public func byteCount(id: Int64) throws -> Int? {
        // length() of a bare column reads the blob's size from its record header, not the blob itself.
        try session.value("""
            SELECT CASE WHEN b.messageRowId IS NULL THEN length(m.bytes) ELSE length(b.bytes) END FROM inboundMessage m
            LEFT JOIN inboundMessageBody b ON b.messageRowId = m.id WHERE m.id = ?
            """, id)
    }

    /// What a stored message is tied to and what was made of it: the columns an assignment may change.
    public struct Resolution: Sendable, Equatable {
        public var notificationId: Int64?
        public var caseId: String?
        public var organizationId: String?
        public var kind: InboundKind
        public var disposition: String?
        public var signature: InboundSignature
        public var reviewState: InboundReviewState?
        public var reviewReason: String?
        public var appliedResponse: Response?

        public init(notificationId: Int64?, caseId: String?, organizationId: String?, kind: InboundKind, disposition: String?,
                    signature: InboundSignature, reviewState: InboundReviewState?, reviewReason: String?, appliedResponse: Response?) {
            self.notificationId = notificationId; self.caseId = caseId; self.organizationId = organizationId; self.kind = kind
            self.disposition = disposition; self.signature = signature; self.reviewState = reviewState
            self.reviewReason = reviewReason; self.appliedResponse = appliedResponse
        }
    }

    /// The current resolution of a stored message (by row id).
    public func resolution(id: Int64) throws -> Resolution? {
        guard let row = try session.row("""
            SELECT notificationId, caseId, organizationId, kind, disposition, signature, reviewState, reviewReason, appliedResponse
            FROM inboundMessage WHERE id = ?
            """, id) else { return nil }
        return Resolution(notificationId: try row[0], caseId: try row[1], organizationId: try row[2],
                          kind: InboundKind(rawValue: try row[3]) ?? .unmatched, disposition: try row[4],
                          signature: InboundSignature(rawValue: try row[5]) ?? .none,
                          reviewState: (try row[6] as String?).flatMap(InboundReviewState.init(rawValue:)),
                          reviewReason: try row[7], appliedResponse: (try row[8] as String?).flatMap(Response.init(rawValue:)))
    }

    /// Records a person's assignment of a stored message to a case and organisation, with what applying it did
    /// (`effects`: `fixed`, `bounced: a@b.example`, `not applied: bad signature`…); an event `inbound.assigned`.
    public func assign(id: Int64, _ resolution: Resolution, effects: [String], actor: String, at date: Date) throws {
        try session.execute("""
            UPDATE inboundMessage SET notificationId = ?, caseId = ?, organizationId = ?, kind = ?, disposition = ?, signature = ?,
                reviewState = ?, reviewReason = ?, appliedResponse = ?
            WHERE id = ?
            """, resolution.notificationId, resolution.caseId, resolution.organizationId, resolution.kind.rawValue,
            resolution.disposition.map(InboundText.storable), resolution.signature.rawValue, resolution.reviewState?.rawValue,
            resolution.reviewReason.map(InboundText.storable), resolution.appliedResponse?.rawValue, id)
        let messageId = try session.value("SELECT messageId FROM inboundMessage WHERE id = ?", id, as: String.self) ?? String(id)
        try EventLog.append(session, actor: actor, action: "inbound.assigned", objectType: "inbound", objectId: messageId, data: [
            "caseId": .optional(resolution.caseId), "organizationId": .optional(resolution.organizationId),
            "disposition": .optional(resolution.disposition), "signature": .string(resolution.signature.rawValue),
            "review": .optional(resolution.reviewReason), "effects": .string(effects.joined(separator: "; ")),
            "at": .string(EventTimestamp.string(date)),
        ])
    }

    /// Closes a stored message's review without changing any case; an event with the reason.
    ///
    /// - Throws: `StoreError.invalidArgument` when the message was dismissed already ("message N was already
    ///   dismissed by ACTOR at TIME"); nothing changes then, so the log holds one dismissal per message.
    public func dismiss(id: Int64, reason: String, actor: String, at date: Date) throws {
        let state = try session.value("SELECT reviewState FROM inboundMessage WHERE id = ?", id, as: String.self)
        if state == "dismissed" {
            let earlier = try session.row("""
                SELECT e.actor, e.at FROM event e JOIN inboundMessage m ON e.objectId = m.messageId
                WHERE m.id = ? AND e.objectType = 'inbound' AND e.action = 'inbound.dismissed' ORDER BY e.id DESC LIMIT 1
                """, id)
            let by = try earlier.map { (row: SQLRow) -> String in
                let at: Date? = try? row[1] as Date?
                return " by \(try row[0] as String? ?? "?")" + (at.map { " at \(EventTimestamp.string($0))" } ?? "")
            } ?? ""
            throw StoreError.invalidArgument("message \(id) was already dismissed\(by)")
        }
        try session.execute("UPDATE inboundMessage SET reviewState = 'dismissed', reviewReason = ? WHERE id = ?", reason, id)
        let messageId = try session.value("SELECT messageId FROM inboundMessage WHERE id = ?", id, as: String.self) ?? String(id)
        try EventLog.append(session, actor: actor, action: "inbound.dismissed", objectType: "inbound", objectId: messageId, data: [
            "reason": .string(reason), "at": .string(EventTimestamp.string(date)),
        ])
    }
}

/// Text from a received message as it is kept in a TEXT column.
enum InboundText {
    /// `text` with each NUL (U+0000) written as the six characters `\u{0}`: neither engine stores one in text
    /// (`SQLValue.nulProblem`), and what a vendor sent is kept, not refused; two Message-IDs that differ only after
    /// a NUL stay two.
    static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return text.replacingOccurrences(of: "\u{0}", with: "\\u{0}")
    }
}
