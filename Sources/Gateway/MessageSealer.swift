import Foundation
import Mail
import OpenPGP

/// Seals a message for the wire, the one rule every outgoing message follows (notify, remind, incident notices,
/// `liaison mail send`): the content signed as RFC 3156 §5 multipart/signed (a detached signature over the
/// canonical CRLF, 7-bit content; `micalg` from the signature's hash), then, when encrypting, that whole signed
/// entity encrypted as RFC 3156 §4 multipart/encrypted (sign, then encrypt: §6.1).
///
/// Which keys to encrypt to is the caller's policy (the directory's keys and `gnupg.encrypt` for notify, every
/// recipient's key for `mail send`); the sealer only applies it. One sealer per thread: its gpgme context is not
/// shared.
///
/// ```swift
/// let sealer = MessageSealer(pgp: try OpenPGPContext(homeDirectory: home), signingKey: fingerprint,
///                            passphraseField: "gnupg.passphrase_file")
/// var message = Message(from: sender, to: [vendor], subject: "[JVNVU#12345678] …", body: MessageSealer.content(text: body))
/// let sealed = try sealer.seal(message, encryptTo: [vendorKey, ourKey])
/// outbox.store(sealed.bytes)      // sealed.signed == true, sealed.encrypted == true
/// ```
public struct MessageSealer {
    /// The gpgme context that signs and encrypts.
    public let pgp: OpenPGPContext
    /// Fingerprint of the signing key; nil seals unsigned (`mail send --no-sign`).
    public let signingKey: String?
    /// The liaison.yaml field that gives the key's passphrase (`gnupg.passphrase_file`…), nil when none does:
    /// named by a `SigningFault`.
    public let passphraseField: String?
    /// The liaison.yaml field that named the key (`sender.signing_key`), nil when the command line did.
    public let signingKeyField: String?

    public init(pgp: OpenPGPContext, signingKey: String?, passphraseField: String?,
                signingKeyField: String? = "sender.signing_key") {
        self.pgp = pgp; self.signingKey = signingKey; self.passphraseField = passphraseField
        self.signingKeyField = signingKeyField
    }

    /// A message as it goes on the wire.
    public struct Sealed: Sendable {
        /// The message with its sealed body (headers as given).
        public let message: Message
        /// The exact RFC 5322 bytes: CRLF, 7-bit.
        public let bytes: Data
        public let signed: Bool
        public let encrypted: Bool
    }

    /// The content of a message: the text alone, or with attachments a multipart/mixed of the text and them.
    public static func content(text: String, attachments: [Attachment] = []) -> MIMEEntity {
        let body = MIMEEntity.text(text)
        return attachments.isEmpty ? body : .mixed([body] + attachments.map(MIMEEntity.attachment))
    }

    /// Signs (when a signing key is set) and encrypts (when `encryptTo` is not nil) `message.body`, and serializes
    /// the message with every header it has.
    ///
    /// - Parameter encryptTo: fingerprints of the keys to encrypt to, each usable for encryption; nil: not encrypted.
    /// - Throws: `SigningFault` when our key cannot sign (a setting's fault, naming `passphraseField` or
    ///   `signingKeyField`); `OpenPGPError` when encrypting fails; `MailError` when a header is refused (CR or LF
    ///   in a value, no recipient).
    public func seal(_ message: Message, encryptTo: [String]?) throws -> Sealed {
        var message = message
        if let signingKey {
            let content = message.body
            let signature: DetachedSignature
            do { signature = try pgp.signDetached(content.serialized(), signer: signingKey) } catch {
                throw SigningFault(error, passphraseField: passphraseField, keyField: signingKeyField)
            }
            message.body = .signed(content: content, signature: signature.armored, micalg: signature.micalg)
        }
        if let encryptTo {
            message.body = .encrypted(armoredCiphertext: try pgp.encrypt(message.body.serialized(), to: encryptTo))
        }
        return Sealed(message: message, bytes: try message.serialized(), signed: signingKey != nil, encrypted: encryptTo != nil)
    }
}
