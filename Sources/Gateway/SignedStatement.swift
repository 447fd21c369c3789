import Crypto
import Foundation
import Mail
import OpenPGP
import Registry

/// What a good signature on a reply vouches for: the content it covers, and whether that content is about the
/// case the reply was tied to. A signature proves who wrote the text, not which thread it was put in: a vendor's
/// genuine signed statement about another case, replayed into this thread, must not count here.
enum SignedStatement {
    /// Which case the signed content names.
    enum Binding: Equatable {
        /// Not signed, or no good signature.
        case unsigned
        /// The signed content names this case's id or one of the tracking references of its notifications to this
        /// organisation.
        case thisCase
        /// The signed content names another case or another notification's reference, and not this case.
        case otherCase(String)
        /// The signed content names no case at all.
        case noCase
    }

    /// The text a good signature covers: the decrypted message (signed and encrypted), the signed part of a
    /// PGP/MIME or S/MIME message with its protected headers, or the clearsigned text of an inline signature.
    static func text(of message: ClassifiedMessage) -> String? {
        guard message.signatureChecks.contains(where: \.isValid) else { return nil }
        if message.encrypted { return entityText(message.content.root) }
        switch message.signatureKind {
        case .pgpMIME, .smime:
            return signedPart(of: message).map(entityText)
        case .inlinePGP:
            guard let part = InboundClassifier.find(message.content.root, where: { entity in
                (entity.contentType.type == "text" || entity.contentType.mediaType == "application/pgp")
                    && InlinePGPKind.detect(in: String(decoding: entity.decodedBody, as: UTF8.self)) == .signed
            }) else { return nil }
            let text = part.text ?? String(decoding: part.decodedBody, as: UTF8.self)
            guard let start = text.range(of: "-----BEGIN PGP SIGNED MESSAGE-----"),
                  let end = text.range(of: "-----BEGIN PGP SIGNATURE-----", range: start.upperBound..<text.endIndex) else { return text }
            return String(text[start.upperBound..<end.lowerBound])
        case .none:
            return nil
        }
    }

    /// What the signed content alone states (`StatedResponse.reading(of:)`): the decrypted message, the signed part
    /// of a PGP/MIME or S/MIME message, or the clearsigned text; nil without a good signature. A status counts as
    /// signed only when this reading states it: text beside the signature (above a clearsigned block, in a part of
    /// its own) is the sender's unsigned word.
    static func reading(of message: ClassifiedMessage) -> StatedResponse.Reading? {
        guard message.signatureChecks.contains(where: \.isValid) else { return nil }
        if message.encrypted { return StatedResponse.reading(of: StatedResponse.text(of: message.content.root)) }
        switch message.signatureKind {
        case .pgpMIME, .smime:
            return signedPart(of: message).map { StatedResponse.reading(of: StatedResponse.text(of: $0)) }
        case .inlinePGP:
            return text(of: message).map { StatedResponse.reading(of: $0) }
        case .none:
            return nil
        }
    }

    /// Whether a good signature covers every part that may hold a VEX file (`VEXDocument.mayHoldDocument`): all inside the
    /// signed part of a PGP/MIME or S/MIME message, or the message encrypted and signed as a whole. An inline
    /// signature covers its text only.
    static func coversFiles(of message: ClassifiedMessage) -> Bool {
        guard message.signatureChecks.contains(where: \.isValid) else { return false }
        if message.encrypted { return true }
        func jsonParts(_ entity: ParsedEntity) -> Int {
            entity.parts.isEmpty ? (VEXDocument.mayHoldDocument(entity) ? 1 : 0) : entity.parts.map(jsonParts).reduce(0, +)
        }
        let all = jsonParts(message.content.root)
        guard message.signatureKind == .pgpMIME || message.signatureKind == .smime, let signed = signedPart(of: message) else {
            return all == 0
        }
        return jsonParts(signed) == all
    }

    /// The first part of the multipart/signed entity: what a PGP/MIME or S/MIME signature covers.
    private static func signedPart(of message: ClassifiedMessage) -> ParsedEntity? {
        InboundClassifier.find(message.content.root, where: { $0.contentType.mediaType == "multipart/signed" })?.parts.first
    }

    /// The header fields (decoded) and every text part of an entity, as one text to look for references in.
    static func entityText(_ entity: ParsedEntity) -> String {
        var lines = entity.headerFields.map { "\($0.name): \(EncodedWord.decode($0.value))" }
        func walk(_ e: ParsedEntity) {
            if e.parts.isEmpty {
                if e.contentType.type == "text" || e.contentType.mediaType == "message/rfc822" || e.contentType.type == "application" && e.contentType.subtype.hasSuffix("json") {
                    lines.append(e.text ?? String(decoding: e.decodedBody, as: UTF8.self))
                }
            } else {
                for part in e.parts {
                    lines += part.headerFields.filter { $0.name.lowercased() == "subject" }.map { "Subject: \(EncodedWord.decode($0.value))" }
                    walk(part)
                }
            }
        }
        walk(entity)
        return lines.joined(separator: "\n")
    }

    /// A digest of the signer's key and the signed content (line ends and trailing blanks normalised), the same
    /// whatever headers were added on the way or whatever Message-ID the message was re-sent under.
    static func digest(of message: ClassifiedMessage) -> String? {
        guard let text = text(of: message),
              let signer = message.signatureChecks.first(where: \.isValid)?.fingerprint.uppercased() else { return nil }
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.replacingOccurrences(of: #"[ \t]+$"#, with: "", options: .regularExpression) }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return "signed-sha256-" + SHA256.hash(data: Data((signer + "\n" + normalised).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Which case the signed content of `message` names, for a reply tied to `caseId` and `organizationId`.
    static func binding(of message: ClassifiedMessage, caseId: String, organizationId: String,
                        in store: InboundTransaction) throws -> Binding {
        guard let text = text(of: message) else { return .unsigned }
        var others: [String] = []
        for ref in references(in: text) {
            guard let notification = try store.notification(trackingRef: ref) else { continue }
            if notification.caseId == caseId && notification.organizationId == organizationId { return .thisCase }
            others.append("\(ref) (\(notification.caseId ?? "no case"), \(notification.organizationId))")
        }
        let cases = try store.caseIds(mentionedIn: text)
        if cases.contains(where: { $0.caseInsensitiveCompare(caseId) == .orderedSame }) { return .thisCase }
        others += cases
        // Ids shaped like a coordinator's case (JVNVU#…, VU#…, JVN#…) of cases this registry does not hold.
        others += caseShapedIds(in: text).filter { id in !others.contains { $0.caseInsensitiveCompare(id) == .orderedSame } }
        return others.isEmpty ? .noCase : .otherCase(others.joined(separator: ", "))
    }

    /// Tokens shaped like a coordination case id (`JVNVU#12345678`, `VU#123456`, `JVN#12345678`), in order.
    static func caseShapedIds(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: #"\b(?:[A-Z]{0,8}VU|JVN|TA)#[0-9]{4,}\b"#, options: .regularExpression) {
            found.append(String(rest[range]))
            rest = rest[range.upperBound...]
        }
        return found
    }

    /// Every tracking reference in a text, upper-cased, in order.
    static func references(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: #"LSN-[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{8}\b"#, options: .regularExpression) {
            found.append(rest[range].uppercased())
            rest = rest[range.upperBound...]
        }
        return found
    }
}
