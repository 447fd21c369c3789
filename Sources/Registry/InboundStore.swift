import Foundation
import GRDB

/// A notification as the inbound side needs it: to tie a reply or a report to it.
public struct InboundNotificationRef: Sendable, Equatable {
    public let id: Int64
    public let messageId: String
    public let trackingRef: String
    public let caseId: String?
    public let organizationId: String
    /// The envelope recipients (lowercased) with their kind (`to` or `cc`).
    public let recipients: [(email: String, kind: String)]

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
/// rows a delivery report changes). Reads run on their own; `write` runs a whole message's changes in one
/// transaction.
public struct InboundStore: Sendable {
    public let writer: any DatabaseWriter
    public init(writer: any DatabaseWriter) { self.writer = writer }

    /// Runs `body` in one write transaction.
    public func write<T: Sendable>(_ body: @Sendable (InboundTransaction) throws -> T) throws -> T {
        try writer.write { db in try body(InboundTransaction(db: db)) }
    }

    /// Runs `body` with read access.
    public func read<T: Sendable>(_ body: @Sendable (InboundTransaction) throws -> T) throws -> T {
        try writer.read { db in try body(InboundTransaction(db: db)) }
    }
}

/// The inbound operations inside one transaction.
public struct InboundTransaction {
    /// The connection; operations of other stores that must join the same transaction are offered as methods
    /// here, so no module above the registry holds a connection.
    let db: Database

    // MARK: - Duplicates

    /// The stored message with this Message-ID and the digest of its bytes, when one exists.
    public func stored(messageId: String) throws -> (id: Int64, sha256: String?)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, sha256 FROM inboundMessage WHERE messageId = ?",
                                         arguments: [InboundText.storable(messageId)])
        else { return nil }
        return (row["id"], row["sha256"])
    }

    /// The Message-ID under which a message with this signed content (`NewInboundMessage.signedDigest`) is stored.
    public func messageId(signedDigest: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT messageId FROM inboundMessage WHERE signedDigest = ? ORDER BY id LIMIT 1",
                            arguments: [signedDigest])
    }

    /// The ids of the cases whose id occurs in `text` (as it is written in the case), longest first.
    public func caseIds(mentionedIn text: String) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM \"case\" WHERE length(id) >= 4 AND instr(upper(?), upper(id)) > 0 ORDER BY length(id) DESC",
                            arguments: [text])
    }

    /// Organisations whose contacts hold this key (fingerprint, any case).
    public func organizations(keyFingerprint: String) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT organizationId FROM contact WHERE upper(pgp) = upper(?)",
                            arguments: [keyFingerprint])
    }

    /// Whether a message with exactly these bytes (by digest) is stored.
    public func containsDigest(_ sha256: String) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inboundMessage WHERE sha256 = ?", arguments: [sha256]) ?? 0 > 0
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
        try notification(where: "id = ?", [id])
    }

    /// The latest notification of a case sent to an organisation.
    public func latestNotification(caseId: String, organizationId: String) throws -> InboundNotificationRef? {
        try notification(where: "caseId = ? AND organizationId = ?", [caseId, organizationId])
    }

    private func notification(where condition: String, _ value: String) throws -> InboundNotificationRef? {
        try notification(where: condition, [value])
    }

    private func notification(where condition: String, _ arguments: StatementArguments) throws -> InboundNotificationRef? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT id, messageId, trackingRef, caseId, organizationId FROM notification WHERE \(condition) ORDER BY id DESC LIMIT 1
            """, arguments: arguments) else { return nil }
        let id: Int64 = row["id"]
        let recipients = try Row.fetchAll(db, sql: "SELECT email, kind FROM notificationRecipient WHERE notificationId = ? ORDER BY rowid",
                                          arguments: [id]).map { (email: ($0["email"] as String).lowercased(), kind: $0["kind"] as String) }
        return InboundNotificationRef(id: id, messageId: row["messageId"], trackingRef: row["trackingRef"], caseId: row["caseId"],
                                      organizationId: row["organizationId"], recipients: recipients)
    }

    /// Organisations with a contact of this address.
    public func organizations(contactEmail: String) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT organizationId FROM contact WHERE email = ? COLLATE NOCASE", arguments: [contactEmail])
    }

    /// Active organisations whose domains include `domain` or a parent of it.
    public func organizations(domain: String) throws -> [String] {
        let domain = domain.lowercased()
        return try Organization.filter(Column("status") == OrganizationStatus.active.rawValue).fetchAll(db)
            .filter { $0.domains.contains { domain == $0.lowercased() || domain.hasSuffix("." + $0.lowercased()) } }
            .map(\.id)
    }

    /// The open case in which this organisation was most recently notified.
    public func latestOpenCase(notifying organizationId: String) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT p.caseId FROM participant p JOIN "case" c ON c.id = p.caseId
            WHERE p.organizationId = ? AND c.publishedAt IS NULL AND p.firstNotifiedAt IS NOT NULL
            ORDER BY p.firstNotifiedAt DESC LIMIT 1
            """, arguments: [organizationId])
    }

    /// The key fingerprints (upper case) of the organisation's contacts.
    public func contactKeys(organizationId: String) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT pgp FROM contact WHERE organizationId = ? AND pgp IS NOT NULL",
                                arguments: [organizationId]).map { $0.uppercased() })
    }

    /// The participant row of an organisation in a case.
    public func participant(caseId: String, organizationId: String) throws -> ParticipantRecord? {
        try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": organizationId])
    }

    // MARK: - Recording

    /// Stores the message byte for byte with what was made of it; returns its row id. A `streamed` message's
    /// bytes go to `inboundMessageBody`, copied from its file a window at a time (`BlobStreaming`).
    @discardableResult
    public func insert(_ message: NewInboundMessage, sha256: String) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO inboundMessage (messageId, receivedAt, fromAddress, subject, kind, notificationId, caseId, organizationId,
                signature, encrypted, bytes, classification, disposition, reviewState, reviewReason, appliedResponse, sha256,
                undecodable, source, signedDigest, signedForCase)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                InboundText.storable(message.messageId), message.receivedAt, message.fromAddress.map(InboundText.storable),
                message.subject.map(InboundText.storable), message.kind.rawValue,
                message.notificationId, message.caseId, message.organizationId, message.signature.rawValue, message.encrypted,
                message.streamed == nil ? message.bytes : Data(), message.classification, message.disposition, message.review?.state.rawValue, message.review?.reason,
                message.appliedResponse?.rawValue, sha256, message.undecodable, message.source, message.signedDigest,
                message.signedForCase,
            ])
        let id = db.lastInsertedRowID
        if let streamed = message.streamed {
            try db.execute(sql: "INSERT INTO inboundMessageBody (messageRowId, bytes) VALUES (?, zeroblob(?))",
                           arguments: [id, streamed.count])
            try BlobStreaming.write(streamed, rowId: id, in: db)
        }
        return id
    }

    /// Marks one recipient of one notification bounced and counts a bounce on that contact, with an event.
    /// Only an envelope recipient of that notification can be bounced: a report is evidence about its own message
    /// only. Returns false (and changes nothing) when the address is not one, or was already bounced.
    public func bounceRecipient(notificationId: Int64, email: String, status: String, diagnostic: String?,
                                inboundMessageId: String, at date: Date, actor: String) throws -> Bool {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT n.messageId, n.caseId, n.organizationId, r.email, r.status FROM notificationRecipient r
            JOIN notification n ON n.id = r.notificationId
            WHERE r.notificationId = ? AND r.email = ? COLLATE NOCASE
            """, arguments: [notificationId, email]) else { return false }
        guard (row["status"] as String) != RecipientStatus.bounced.rawValue else { return false }
        let stored: String = row["email"]
        let reply = [status, diagnostic].compactMap { $0 }.joined(separator: " ")
        try db.execute(sql: """
            UPDATE notificationRecipient SET status = 'bounced', smtpCode = NULL, smtpReply = ?, updatedAt = ? WHERE notificationId = ? AND email = ?
            """, arguments: [String(reply.prefix(500)), date, notificationId, stored])
        try db.execute(sql: "UPDATE contact SET bounceCount = bounceCount + 1, lastBounceAt = ? WHERE email = ? COLLATE NOCASE",
                       arguments: [date, stored])
        try EventLog.append(db, actor: actor, action: "recipient.bounced", objectType: "recipient", objectId: stored, data: [
            "messageId": .string(row["messageId"]), "email": .string(stored), "status": .string(status),
            "organizationId": .string(row["organizationId"]), "caseId": EventValue.optional(row["caseId"] as String?),
            "report": .string(inboundMessageId), "at": .string(EventTimestamp.string(date)),
        ])
        return true
    }

    /// Moves the participant's delivery as the statuses of its recipients now call for (`ParticipantTransitions`),
    /// after a bounce; returns whether it became undeliverable.
    public func updateDeliveryAfterBounce(caseId: String, organizationId: String, at date: Date, actor: String) throws -> Bool {
        try ParticipantTransitions.apply(db, caseId: caseId, organizationId: organizationId, at: date, actor: actor) == .undeliverable
    }

    // MARK: - Review queue

    /// One stored message as `liaison inbox` lists it.
    public struct Entry: Sendable, Encodable {
        public let id: Int64
        public let messageId: String
        public let receivedAt: Date
        public let from: String?
        public let subject: String?
        public let kind: String
        public let classification: String?
        public let disposition: String?
        public let caseId: String?
        public let organizationId: String?
        public let signature: String
        public let reviewState: String?
        public let reviewReason: String?
    }

    /// Stored messages, newest first: all, or only those a person must look at (`review`), or only those that
    /// matched no notification (`unmatched`).
    public func entries(unmatchedOnly: Bool, reviewOnly: Bool, limit: Int = 500) throws -> [Entry] {
        var conditions: [String] = []
        if unmatchedOnly { conditions.append("caseId IS NULL AND notificationId IS NULL") }
        if reviewOnly { conditions.append("reviewState = 'open'") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try Row.fetchAll(db, sql: """
            SELECT id, messageId, receivedAt, fromAddress, subject, kind, classification, disposition, caseId, organizationId,
                   signature, reviewState, reviewReason
            FROM inboundMessage \(whereClause) ORDER BY receivedAt DESC, id DESC LIMIT ?
            """, arguments: [limit]).map { row in
                Entry(id: row["id"], messageId: row["messageId"], receivedAt: row["receivedAt"], from: row["fromAddress"],
                      subject: row["subject"], kind: row["kind"], classification: row["classification"],
                      disposition: row["disposition"], caseId: row["caseId"], organizationId: row["organizationId"],
                      signature: row["signature"], reviewState: row["reviewState"], reviewReason: row["reviewReason"])
            }
    }

    /// A stored message by row id (`42`) or Message-ID.
    public func entry(_ reference: String) throws -> Entry? {
        let row: Row?
        if let id = Int64(reference) {
            row = try Row.fetchOne(db, sql: "SELECT id FROM inboundMessage WHERE id = ?", arguments: [id])
        } else {
            let bare = reference.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
            row = try Row.fetchOne(db, sql: "SELECT id FROM inboundMessage WHERE messageId = ?", arguments: [bare])
        }
        guard let id: Int64 = row?["id"] else { return nil }
        return try entries(unmatchedOnly: false, reviewOnly: false, limit: Int.max).first { $0.id == id }
    }

    /// The bytes stored for a message, exactly as received (from `inboundMessageBody` for a large one).
    public func bytes(id: Int64) throws -> Data? {
        try Data.fetchOne(db, sql: """
            SELECT COALESCE(b.bytes, m.bytes) FROM inboundMessage m LEFT JOIN inboundMessageBody b ON b.messageRowId = m.id
            WHERE m.id = ?
            """, arguments: [id])
    }

    /// The first `count` bytes stored for a message (all of them when it has fewer), without reading the rest:
    /// a large message's bytes are read from `inboundMessageBody` through SQLite's incremental blob I/O.
    public func head(id: Int64, count: Int) throws -> Data? {
        if try Int.fetchOne(db, sql: "SELECT 1 FROM inboundMessageBody WHERE messageRowId = ?", arguments: [id]) != nil {
            return try BlobStreaming.read(rowId: id, upTo: count, in: db)
        }
        return try bytes(id: id).map { Data($0.prefix(count)) }
    }

    /// How many bytes are stored for a message, without reading them.
    public func byteCount(id: Int64) throws -> Int? {
        // length() of a bare column reads the blob's size from its record header, not the blob itself.
        try Int.fetchOne(db, sql: """
            SELECT CASE WHEN b.messageRowId IS NULL THEN length(m.bytes) ELSE length(b.bytes) END FROM inboundMessage m
            LEFT JOIN inboundMessageBody b ON b.messageRowId = m.id WHERE m.id = ?
            """, arguments: [id])
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
        guard let row = try Row.fetchOne(db, sql: """
            SELECT notificationId, caseId, organizationId, kind, disposition, signature, reviewState, reviewReason, appliedResponse
            FROM inboundMessage WHERE id = ?
            """, arguments: [id]) else { return nil }
        return Resolution(notificationId: row["notificationId"], caseId: row["caseId"], organizationId: row["organizationId"],
                          kind: InboundKind(rawValue: row["kind"]) ?? .unmatched, disposition: row["disposition"],
                          signature: InboundSignature(rawValue: row["signature"]) ?? .none,
                          reviewState: (row["reviewState"] as String?).flatMap(InboundReviewState.init(rawValue:)),
                          reviewReason: row["reviewReason"], appliedResponse: (row["appliedResponse"] as String?).flatMap(Response.init(rawValue:)))
    }

    /// Records a person's assignment of a stored message to a case and organisation, with what applying it did
    /// (`effects`: `fixed`, `bounced: a@b.example`, `not applied: bad signature`…); an event `inbound.assigned`.
    public func assign(id: Int64, _ resolution: Resolution, effects: [String], actor: String, at date: Date) throws {
        try db.execute(sql: """
            UPDATE inboundMessage SET notificationId = ?, caseId = ?, organizationId = ?, kind = ?, disposition = ?, signature = ?,
                reviewState = ?, reviewReason = ?, appliedResponse = ?
            WHERE id = ?
            """, arguments: [resolution.notificationId, resolution.caseId, resolution.organizationId, resolution.kind.rawValue,
                             resolution.disposition, resolution.signature.rawValue, resolution.reviewState?.rawValue,
                             resolution.reviewReason, resolution.appliedResponse?.rawValue, id])
        let messageId = try String.fetchOne(db, sql: "SELECT messageId FROM inboundMessage WHERE id = ?", arguments: [id]) ?? String(id)
        try EventLog.append(db, actor: actor, action: "inbound.assigned", objectType: "inbound", objectId: messageId, data: [
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
        let state = try String.fetchOne(db, sql: "SELECT reviewState FROM inboundMessage WHERE id = ?", arguments: [id])
        if state == "dismissed" {
            let earlier = try Row.fetchOne(db, sql: """
                SELECT e.actor, e.at FROM event e JOIN inboundMessage m ON e.objectId = m.messageId
                WHERE m.id = ? AND e.objectType = 'inbound' AND e.action = 'inbound.dismissed' ORDER BY e.id DESC LIMIT 1
                """, arguments: [id])
            let by = earlier.map { (row: Row) -> String in
                let at: Date? = row["at"]
                return " by \(row["actor"] as String? ?? "?")" + (at.map { " at \(EventTimestamp.string($0))" } ?? "")
            } ?? ""
            throw StoreError.invalidArgument("message \(id) was already dismissed\(by)")
        }
        try db.execute(sql: "UPDATE inboundMessage SET reviewState = 'dismissed', reviewReason = ? WHERE id = ?",
                       arguments: [reason, id])
        let messageId = try String.fetchOne(db, sql: "SELECT messageId FROM inboundMessage WHERE id = ?", arguments: [id]) ?? String(id)
        try EventLog.append(db, actor: actor, action: "inbound.dismissed", objectType: "inbound", objectId: messageId, data: [
            "reason": .string(reason), "at": .string(EventTimestamp.string(date)),
        ])
    }
}

/// Text from a received message as it is kept in a TEXT column.
enum InboundText {
    /// `text` with each NUL (U+0000) written as the six characters `\u{0}`: SQLite binds text up to its first NUL,
    /// so a Message-ID or subject holding one would be cut short there, and two different Message-IDs sharing what
    /// comes before it would be taken for one message (the second dropped as a duplicate).
    static func storable(_ text: String) -> String {
        guard text.utf8.contains(0) else { return text }
        return text.replacingOccurrences(of: "\u{0}", with: "\\u{0}")
    }
}
