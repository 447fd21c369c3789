import Foundation
import Mail
import OpenPGP

/// A received message after the classify step: what it is, what it says, and what its signature proves.
public struct ClassifiedMessage: Sendable {
    /// The exact bytes as received.
    public let bytes: Data
    public let parsed: ParsedMessage
    public let classification: MessageClassification
    /// The message to read the reply from: the decrypted one when it came encrypted.
    public let content: ParsedMessage
    public let encrypted: Bool
    /// What the signature checks said; empty when the reply is unsigned or could not be checked.
    public let signatureChecks: [SignatureCheck]
    /// Which kind of signature the message carries.
    public let signatureKind: SignatureKind
    /// For S/MIME: the e-mail addresses the signing certificates name.
    public let signerEmails: [String]
    /// Why a signature or an encrypted part could not be checked (`could not decrypt: …`, `S/MIME: …`).
    public let notes: [String]
    /// A text part could not be decoded in its charset; its bytes are kept as received.
    public let undecodable: Bool
    /// Only the beginning of a large message was read: a signature or an encrypted part in it was not checked.
    public var unchecked = false

    /// The same message under another classification (a person's reading of it).
    func classified(as classification: MessageClassification) -> ClassifiedMessage {
        ClassifiedMessage(bytes: bytes, parsed: parsed, classification: classification, content: content, encrypted: encrypted,
                          signatureChecks: signatureChecks, signatureKind: signatureKind, signerEmails: signerEmails, notes: notes,
                          undecodable: undecodable)
    }

    public enum SignatureKind: String, Sendable {
        case none, pgpMIME = "pgp-mime", inlinePGP = "inline-pgp", smime = "s/mime"
    }
}

/// The classify step of ingest: parse, classify, open (decrypt) and check signatures. Touches no database.
public struct InboundClassifier: Sendable {
    public let gnupgHome: String?
    /// The passphrase of our secret key, to decrypt through loopback pinentry; nil for a key without one.
    public var passphrase: String?

    public init(gnupgHome: String?) { self.gnupgHome = gnupgHome }

    /// Classifies `bytes`; throws `MailError.malformedMessage` when they hold no header field at all, and
    /// `OpenPGPError.homeDirectory` for a reply when the GnuPG home is there but this user may not use it
    /// (`OpenPGPContext.unusableHome`).
    /// `openPGP` gives the context to decrypt and verify with, asked only for a reply (else one is made here).
    /// `whole` is false for the first window of a large message (`LargeMessage`): it is classified, but nothing
    /// in it is decrypted or verified, since a signature or ciphertext cut short cannot be checked.
    public func classify(_ bytes: Data, whole: Bool = true, openPGP: () throws -> OpenPGPContext? = { nil }) throws -> ClassifiedMessage {
        let parsed = try ParsedMessage(bytes: bytes)
        if !whole {
            var classification = parsed.classify()
            if classification.kind == .humanReply || classification.kind == .automaticReply {
                classification = MachineMail.promotingStatement(classification, content: parsed)
            }
            let sealed = Self.find(parsed.root) {
                ["multipart/signed", "multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime"]
                    .contains($0.contentType.mediaType) || ($0.contentType.type == "text" && $0.inlinePGP != nil)
            } != nil
            var message = ClassifiedMessage(bytes: bytes, parsed: parsed, classification: classification, content: parsed,
                                            encrypted: false, signatureChecks: [], signatureKind: .none, signerEmails: [],
                                            notes: sealed ? ["signature or encryption not checked: the message is too big to read in full"] : [],
                                            undecodable: Self.hasUndecodablePart(parsed.root))
            message.unchecked = sealed
            return message
        }
        var classification = parsed.classify()
        var content = parsed
        var encrypted = false
        var checks: [SignatureCheck] = []
        var kind = ClassifiedMessage.SignatureKind.none
        var notes: [String] = []
        var emails: [String] = []
        // Reports and feedback are never opened: their signatures are not a vendor's answer.
        if classification.kind == .humanReply || classification.kind == .automaticReply {
            // A home that is there but not ours to use throws: the message is not read as if no home were set (its
            // signature unchecked), it is left to be read again.
            let pgp = try openPGP() ?? OpenPGPContext.forChecking(homeDirectory: gnupgHome, passphrase: passphrase)
            if let opaque = Self.find(parsed.root, where: { ["application/pkcs7-mime", "application/x-pkcs7-mime"].contains($0.contentType.mediaType) }),
               let type = MachineMail.smimeType(opaque), type.contains("enveloped") {
                // No S/MIME decryption key is held here: what it says stays unread (and acknowledges nothing).
                encrypted = true
                notes.append("could not decrypt: S/MIME-encrypted (application/pkcs7-mime, \(type)); Liaison holds no S/MIME decryption key")
            } else if parsed.root.contentType.mediaType == "multipart/encrypted", parsed.root.parts.count >= 2 {
                encrypted = true
                do {
                    guard let pgp else { throw GatewayError.configuration("no usable GnuPG home") }
                    let result = try pgp.decrypt(parsed.root.parts[1].decodedBody)
                    checks = result.signatures
                    if !checks.isEmpty { kind = .pgpMIME }
                    if let inner = try? ParsedMessage(bytes: result.plaintext) { content = inner }
                } catch { notes.append("could not decrypt: \(error)") }
            } else if let part = Self.firstText(parsed.root), part.inlinePGP == .encrypted {
                encrypted = true
                do {
                    guard let pgp else { throw GatewayError.configuration("no usable GnuPG home") }
                    let result = try pgp.decrypt(part.decodedBody)
                    checks = result.signatures
                    if !checks.isEmpty { kind = .inlinePGP }
                    if let inner = try? ParsedMessage(bytes: Data("Content-Type: text/plain; charset=utf-8\n\n".utf8) + result.plaintext) {
                        content = inner
                    }
                } catch { notes.append("could not decrypt: \(error)") }
            }
            if kind == .none {
                (kind, checks) = Self.verify(content.root, pgp: pgp, home: gnupgHome, notes: &notes, signerEmails: &emails)
            }
            classification = MachineMail.promotingStatement(classification, content: content)
        }
        return ClassifiedMessage(bytes: bytes, parsed: parsed, classification: classification, content: content,
                                 encrypted: encrypted, signatureChecks: checks, signatureKind: kind, signerEmails: emails, notes: notes,
                                 undecodable: Self.hasUndecodablePart(content.root))
    }

    /// Finds and checks the message's signature: PGP/MIME (also inside a list's `multipart/mixed`), S/MIME, or
    /// inline PGP in any text part (also labelled `application/pgp`), checked over the bytes as sent.
    static func verify(_ root: ParsedEntity, pgp: OpenPGPContext?, home: String?, notes: inout [String],
                       signerEmails: inout [String]) -> (ClassifiedMessage.SignatureKind, [SignatureCheck]) {
        if let signed = find(root, where: { $0.contentType.mediaType == "multipart/signed" }), signed.parts.count >= 2 {
            let proto = signed.contentType.parameters["protocol"]?.lowercased() ?? ""
            if proto.contains("pkcs7") {
                do {
                    let result = try CMSVerification(homeDirectory: pgp?.homeDirectory ?? home).verifyDetached(
                        signedData: signed.parts[0].canonicalized(), signature: signed.parts[1].decodedBody)
                    signerEmails = result.signerEmails
                    for check in result.checks { if case .error(let reason) = check.status { notes.append("S/MIME: \(reason)") } }
                    return (.smime, result.checks)
                } catch {
                    notes.append("S/MIME signature not checked: \(error)")
                    return (.smime, [])
                }
            }
            guard let pgp else { notes.append("no GnuPG home to check the signature"); return (.pgpMIME, []) }
            do {
                return (.pgpMIME, try pgp.verifyDetached(signedData: signed.parts[0].canonicalized(), signature: signed.parts[1].decodedBody))
            } catch {
                notes.append("PGP/MIME signature not checked: \(error)")
                return (.pgpMIME, [])
            }
        }
        if let opaque = find(root, where: { ["application/pkcs7-mime", "application/x-pkcs7-mime"].contains($0.contentType.mediaType) }),
           (MachineMail.smimeType(opaque) ?? "signed-data") == "signed-data" {
            notes.append("S/MIME opaque-signed (application/pkcs7-mime) message: not checked")
            return (.smime, [])
        }
        if let part = find(root, where: { entity in
            (entity.contentType.type == "text" || entity.contentType.mediaType == "application/pgp")
                && InlinePGPKind.detect(in: String(decoding: entity.decodedBody, as: UTF8.self)) == .signed
        }) {
            guard let pgp else { notes.append("no GnuPG home to check the signature"); return (.inlinePGP, []) }
            // The signature covers the text in the charset it was written in: check the bytes as sent first,
            // then (for mailers that re-encode after signing) the text as UTF-8.
            let candidates = [part.decodedBody, part.text.map { Data($0.utf8) }].compactMap { $0 }
            var last: [SignatureCheck] = []
            for candidate in candidates {
                guard let result = try? pgp.verifyInline(candidate) else { continue }
                if result.signatures.contains(where: { $0.isValid }) { return (.inlinePGP, result.signatures) }
                last = result.signatures
            }
            if last.isEmpty { notes.append("inline PGP signature could not be read") }
            return (.inlinePGP, last)
        }
        return (.none, [])
    }

    static func find(_ entity: ParsedEntity, where predicate: (ParsedEntity) -> Bool) -> ParsedEntity? {
        if predicate(entity) { return entity }
        for part in entity.parts { if let found = find(part, where: predicate) { return found } }
        return nil
    }

    static func firstText(_ entity: ParsedEntity) -> ParsedEntity? {
        find(entity) { $0.contentType.mediaType == "text/plain" || $0.contentType.mediaType == "application/pgp" }
    }

    static func hasUndecodablePart(_ entity: ParsedEntity) -> Bool {
        find(entity) { $0.isUndecodable && !$0.isAttachment } != nil
    }
}
