import Crypto
import Foundation
import GRDB
import Logging
import Mail
import OpenPGP
import Registry

/// What `ingest` made of one message.
public struct IngestOutcome: Sendable, Encodable {
    public enum Disposition: String, Sendable, Encodable {
        case reply, autoReply = "auto-reply", bounce, unmatched, duplicate, unreadable
    }
    public let disposition: Disposition
    public let messageId: String
    public let from: String?
    public let subject: String?
    public let caseId: String?
    public let organizationId: String?
    public let signature: InboundSignature
    public let encrypted: Bool
    /// What changed: `acknowledged`, `bounced: a@b.example`, …
    public let effects: [String]
}

/// Reads replies, automatic replies and delivery reports, and brings case state up to date.
///
/// A message is matched to its notification by `In-Reply-To`/`References`, else by the tracking reference in
/// its subject, else by the sender's address or domain to an organisation in an open case. Nothing is dropped:
/// a message that matches nothing is stored as `unmatched` and listed. Ingesting the same message twice
/// changes nothing.
public struct ReplyIngester: Sendable {
    public let writer: any DatabaseWriter
    public let gnupgHome: String?
    public let actor: String
    public var now: @Sendable () -> Date = { Date() }

    public init(writer: any DatabaseWriter, gnupgHome: String?, actor: String) {
        self.writer = writer; self.gnupgHome = gnupgHome; self.actor = actor
    }

    /// Ingests one message given as its raw bytes.
    public func ingest(_ bytes: Data) throws -> IngestOutcome {
        let parsed: ParsedMessage
        do { parsed = try ParsedMessage(bytes: bytes) } catch {
            return IngestOutcome(disposition: .unreadable, messageId: Self.digest(bytes), from: nil, subject: nil, caseId: nil,
                                 organizationId: nil, signature: .none, encrypted: false, effects: ["\(error)"])
        }
        let messageId = parsed.messageID ?? Self.digest(bytes)
        if try writer.read({ db in try InboundMessageRecord.filter(Column("messageId") == messageId).fetchCount(db) > 0 }) {
            return IngestOutcome(disposition: .duplicate, messageId: messageId, from: parsed.from?.address, subject: parsed.subject,
                                 caseId: nil, organizationId: nil, signature: .none, encrypted: false, effects: [])
        }
        if let report = parsed.deliveryStatus { return try ingestBounce(parsed, report: report, messageId: messageId, bytes: bytes) }

        // Open what we can: decrypt, then check signatures, so the match can also use the inner subject.
        var content = parsed
        var encrypted = false
        var checks: [SignatureCheck] = []
        var signedPayload = false
        var decryptionNote: String?
        let pgp = try OpenPGPContext(homeDirectory: gnupgHome)
        if parsed.root.contentType.type == "multipart", parsed.root.contentType.subtype == "encrypted", parsed.root.parts.count >= 2 {
            encrypted = true
            do {
                let result = try pgp.decrypt(parsed.root.parts[1].decodedBody)
                checks = result.signatures
                signedPayload = !checks.isEmpty
                if let inner = try? ParsedMessage(bytes: result.plaintext) { content = inner }
            } catch { decryptionNote = "could not decrypt: \(error)" }
        } else if parsed.root.inlinePGP == .encrypted, let text = parsed.root.text {
            encrypted = true
            do {
                let result = try pgp.decrypt(Data(text.utf8))
                checks = result.signatures
                signedPayload = !checks.isEmpty
            } catch { decryptionNote = "could not decrypt: \(error)" }
        }
        if !signedPayload {
            let signed = Self.findSigned(content.root)
            if let signed, signed.parts.count >= 2 {
                signedPayload = true
                checks = (try? pgp.verifyDetached(signedData: signed.parts[0].canonicalized(),
                                                  signature: signed.parts[1].decodedBody)) ?? []
            } else if let part = Self.firstText(content.root), part.inlinePGP == .signed, let text = part.text {
                signedPayload = true
                checks = (try? pgp.verifyInline(Data(text.utf8)).signatures) ?? []
            }
        }

        let from = parsed.from?.address
        let subject = parsed.subject
        return try writer.write { db in
            let match = try Self.match(db, parsed: parsed, innerSubject: content.subject)
            let kind: InboundKind = match == nil ? .unmatched : (parsed.isAutomatic ? .autoReply : .reply)
            var signature = InboundSignature.none
            if signedPayload {
                signature = try Self.judge(db, checks: checks, organizationId: match?.organizationId, from: from)
            }
            var effects: [String] = []
            if let note = decryptionNote { effects.append(note) }
            var record = InboundMessageRecord(messageId: messageId, receivedAt: now(), fromAddress: from, subject: subject,
                                              kind: kind, notificationId: match?.notificationId, caseId: match?.caseId,
                                              organizationId: match?.organizationId, signature: signature,
                                              encrypted: encrypted, bytes: bytes)
            try record.insert(db)
            if kind == .reply, let caseId = match?.caseId, let org = match?.organizationId,
               let participant = try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": org]) {
                let body = Self.firstText(content.root)?.text ?? ""
                let stated = Self.statedResponse(in: body)
                let at = Self.responseTime(claimed: parsed.date, notifiedAt: participant.firstNotifiedAt, now: now())
                if let stated, stated != participant.response {
                    try CaseStore.recordResponse(db, caseId: caseId, organizationId: org, response: stated,
                                                statement: Self.statement(in: body), at: at, actor: actor, source: "reply \(messageId)")
                    effects.append(stated.rawValue)
                } else if participant.response == .none {
                    try CaseStore.recordResponse(db, caseId: caseId, organizationId: org, response: .acknowledged,
                                                statement: nil, at: at, actor: actor, source: "reply \(messageId)")
                    effects.append("acknowledged")
                }
            }
            var data: [String: String?] = ["kind": kind.rawValue, "from": from, "caseId": match?.caseId,
                                           "organizationId": match?.organizationId, "signature": signature.rawValue,
                                           "encrypted": encrypted ? "true" : "false"]
            if let id = match?.notificationId { data["notificationId"] = String(id) }
            try Events.append(db, actor: actor, action: "inbound.recorded", objectType: "inbound", objectId: messageId, data: data)
            return IngestOutcome(disposition: kind == .reply ? .reply : (kind == .autoReply ? .autoReply : .unmatched),
                                 messageId: messageId, from: from, subject: subject, caseId: match?.caseId,
                                 organizationId: match?.organizationId, signature: signature, encrypted: encrypted, effects: effects)
        }
    }

    // MARK: - Delivery reports

    private func ingestBounce(_ parsed: ParsedMessage, report: DeliveryStatusReport, messageId: String, bytes: Data) throws -> IngestOutcome {
        try writer.write { db in
            var notification: NotificationRecord?
            let candidates = [report.originalMessageID].compactMap { $0 } + parsed.inReplyTo + parsed.references
            for id in candidates {
                if let found = try NotificationRecord.filter(Column("messageId") == id).fetchOne(db) { notification = found; break }
            }
            if notification == nil, let ref = TrackingReference.find(in: String(decoding: bytes, as: UTF8.self)) {
                notification = try NotificationRecord.filter(Column("trackingRef") == ref).fetchOne(db)
            }
            var effects: [String] = []
            let now = now()
            for failed in report.recipients where failed.isPermanentFailure {
                let address = failed.finalRecipient
                if let n = notification,
                   var recipient = try NotificationRecipientRecord.fetchOne(db, key: ["notificationId": n.id!, "email": address]) {
                    guard recipient.status != .bounced else { continue }
                    recipient.status = .bounced
                    recipient.smtpReply = [failed.status, failed.diagnosticCode].compactMap { $0 }.joined(separator: " ")
                    recipient.updatedAt = now
                    try recipient.update(db)
                }
                try db.execute(sql: "UPDATE contact SET bounceCount = bounceCount + 1, lastBounceAt = ? WHERE email = ?",
                               arguments: [now, address])
                try Events.append(db, actor: actor, action: "recipient.bounced", objectType: "recipient", objectId: address, data: [
                    "messageId": notification?.messageId, "email": address, "status": failed.status,
                    "organizationId": notification?.organizationId, "caseId": notification?.caseId, "at": Timestamp.string(now),
                ])
                effects.append("bounced: \(address)")
            }
            if let n = notification, let caseId = n.caseId,
               try ParticipantTransitions.apply(db, caseId: caseId, organizationId: n.organizationId, at: now, actor: actor) == .undeliverable {
                effects.append("undeliverable")
            }
            var record = InboundMessageRecord(messageId: messageId, receivedAt: now, fromAddress: parsed.from?.address,
                                              subject: parsed.subject, kind: .bounce, notificationId: notification?.id,
                                              caseId: notification?.caseId, organizationId: notification?.organizationId,
                                              signature: .none, encrypted: false, bytes: bytes)
            try record.insert(db)
            try Events.append(db, actor: actor, action: "inbound.recorded", objectType: "inbound", objectId: messageId, data: [
                "kind": "bounce", "caseId": notification?.caseId, "organizationId": notification?.organizationId,
            ])
            return IngestOutcome(disposition: .bounce, messageId: messageId, from: parsed.from?.address, subject: parsed.subject,
                                 caseId: notification?.caseId, organizationId: notification?.organizationId,
                                 signature: .none, encrypted: false, effects: effects)
        }
    }

    // MARK: - Matching

    struct Match { let notificationId: Int64?; let caseId: String?; let organizationId: String }

    static func match(_ db: Database, parsed: ParsedMessage, innerSubject: String?) throws -> Match? {
        for id in parsed.inReplyTo + parsed.references.reversed() {
            if let n = try NotificationRecord.filter(Column("messageId") == id).fetchOne(db) {
                return Match(notificationId: n.id, caseId: n.caseId, organizationId: n.organizationId)
            }
        }
        for subject in [parsed.subject, innerSubject].compactMap({ $0 }) {
            if let ref = TrackingReference.find(in: subject),
               let n = try NotificationRecord.filter(Column("trackingRef") == ref).fetchOne(db) {
                return Match(notificationId: n.id, caseId: n.caseId, organizationId: n.organizationId)
            }
        }
        guard let from = parsed.from else { return nil }
        var orgs = try String.fetchAll(db, sql: "SELECT organizationId FROM contact WHERE email = ?", arguments: [from.address])
        if orgs.isEmpty {
            let domain = from.domain.lowercased()
            orgs = try Organization.filter(Column("status") == OrganizationStatus.active.rawValue).fetchAll(db)
                .filter { $0.domains.contains { domain == $0.lowercased() || domain.hasSuffix("." + $0.lowercased()) } }
                .map(\.id)
        }
        guard orgs.count == 1, let org = orgs.first else { return nil }
        // The open case in which this organisation was most recently notified.
        let row = try Row.fetchOne(db, sql: """
            SELECT p.caseId FROM participant p JOIN "case" c ON c.id = p.caseId
            WHERE p.organizationId = ? AND c.publishedAt IS NULL AND p.firstNotifiedAt IS NOT NULL
            ORDER BY p.firstNotifiedAt DESC LIMIT 1
            """, arguments: [org])
        guard let caseId: String = row?["caseId"] else { return nil }
        return Match(notificationId: nil, caseId: caseId, organizationId: org)
    }

    /// Verified only when a good signature comes from a key of the organisation's contacts in the directory.
    static func judge(_ db: Database, checks: [SignatureCheck], organizationId: String?, from: String?) throws -> InboundSignature {
        guard !checks.isEmpty else { return .bad }
        var known = Set<String>()
        if let organizationId {
            known.formUnion(try String.fetchAll(db, sql: "SELECT pgp FROM contact WHERE organizationId = ? AND pgp IS NOT NULL",
                                                arguments: [organizationId]).map { $0.uppercased() })
        } else if let from {
            known.formUnion(try String.fetchAll(db, sql: "SELECT pgp FROM contact WHERE email = ? AND pgp IS NOT NULL",
                                                arguments: [from]).map { $0.uppercased() })
        }
        if checks.contains(where: { $0.status == .bad }) { return .bad }
        if checks.contains(where: { $0.isValid && known.contains($0.fingerprint.uppercased()) }) { return .verified }
        return .unknownKey
    }

    static func findSigned(_ entity: ParsedEntity) -> ParsedEntity? {
        if entity.contentType.type == "multipart", entity.contentType.subtype == "signed" { return entity }
        for part in entity.parts { if let found = findSigned(part) { return found } }
        return nil
    }

    static func firstText(_ entity: ParsedEntity) -> ParsedEntity? {
        if entity.contentType.type == "text", entity.contentType.subtype == "plain" { return entity }
        for part in entity.parts { if let found = firstText(part) { return found } }
        return nil
    }

    /// A reply may state its answer on a line of its own: `Status: not-affected` (also `影響: なし` / `あり`).
    static func statedResponse(in body: String) -> Response? {
        for line in body.split(whereSeparator: \.isNewline) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix(">") { continue }
            let lower = text.lowercased()
            if lower.hasPrefix("status:") {
                let value = lower.dropFirst("status:".count).trimmingCharacters(in: .whitespaces)
                    .replacingOccurrences(of: " ", with: "-")
                if let response = Response(rawValue: value), response != .none { return response }
            }
            if text.hasPrefix("影響:") || text.hasPrefix("影響：") {
                let value = text.dropFirst(3).trimmingCharacters(in: .whitespaces)
                if value.hasPrefix("なし") { return .notAffected }
                if value.hasPrefix("あり") { return .affected }
                if value.hasPrefix("調査中") { return .investigating }
            }
        }
        return nil
    }

    /// The reply's own words (quoted lines and signature left out), kept as the statement.
    static func statement(in body: String) -> String? {
        var lines: [String] = []
        for line in body.components(separatedBy: .newlines) {
            if line.hasPrefix("-- ") || line == "--" || line.hasPrefix("-----BEGIN PGP SIGNATURE") { break }
            if line.hasPrefix(">") || line.hasPrefix("-----BEGIN PGP SIGNED MESSAGE") || line.hasPrefix("Hash:") { continue }
            lines.append(line)
        }
        let text = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : String(text.prefix(2000))
    }

    /// When the organisation answered: the reply's Date, unless it is in the future or before we wrote to them
    /// (a wrong clock), in which case the time we read it.
    static func responseTime(claimed: Date?, notifiedAt: Date?, now: Date) -> Date {
        guard let claimed, claimed <= now, claimed >= (notifiedAt ?? .distantPast) else { return now }
        return claimed
    }

    static func digest(_ bytes: Data) -> String {
        "sha256-" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
