import Foundation
import Logging
import Mail
import OpenPGP
import SMTP

/// One message composed on the command line (`liaison mail send`): the operator's proof that the signing key
/// and the relay work, and the same pipeline every notification goes through.
public struct DirectMail: Sendable {
    public var from: EmailAddress
    public var to: [EmailAddress]
    public var cc: [EmailAddress] = []
    public var replyTo: EmailAddress?
    public var subject: String
    public var body: String
    public var attachments: [Attachment] = []
    /// Fingerprint of the signing key; nil sends unsigned (`--no-sign`).
    public var signingKey: String?
    public var encrypt = false
    public var gnupgHome: String?
    /// The signing key's passphrase, for loopback pinentry; nil for a key without one.
    public var signingPassphrase: String?
    /// The liaison.yaml fields that gave the passphrase and named the key, for a signing failure (nil: neither).
    public var passphraseField: String?
    public var signingKeyField: String?

    public init(from: EmailAddress, to: [EmailAddress], subject: String, body: String) {
        self.from = from; self.to = to; self.subject = subject; self.body = body
    }

    /// The exact bytes that will go on the wire; every check (headers, keys) happens here, before any connection.
    public func compose(date: Date = Date()) throws -> Message {
        guard !to.isEmpty else { throw GatewayError.invalidArgument("at least one --to address is needed") }
        var content = MIMEEntity.text(body)
        if !attachments.isEmpty { content = .mixed([content] + attachments.map(MIMEEntity.attachment)) }
        var entity = content
        if signingKey != nil || encrypt {
            let pgp = try OpenPGPContext(homeDirectory: gnupgHome, passphrase: signingPassphrase)
            if let signingKey {
                let signature: DetachedSignature
                do { signature = try pgp.signDetached(content.serialized(), signer: signingKey) } catch {
                    throw SigningFault(error, passphraseField: passphraseField, keyField: signingKeyField)
                }
                entity = .signed(content: content, signature: signature.armored, micalg: signature.micalg)
            }
            if encrypt {
                var fingerprints: [String] = []
                var problems: [String] = []
                for address in to + cc {
                    let usable = try pgp.keys(matching: address.address).filter { $0.isUsableForEncryption(at: date) && $0.hasUserID(email: address.address) }
                    if let key = usable.first { fingerprints.append(key.fingerprint) }
                    else { problems.append("no usable OpenPGP key for \(address.address) (missing, expired or revoked) in \(gnupgHome ?? "the GnuPG home")") }
                }
                if !problems.isEmpty { throw GatewayProblems(problems) }
                if let own = try signingKey.flatMap({ try pgp.key(fingerprint: $0) }), own.isUsableForEncryption(at: date) {
                    fingerprints.append(own.fingerprint)
                } else if let own = try pgp.keys(matching: from.address).first(where: { $0.isUsableForEncryption(at: date) }) {
                    fingerprints.append(own.fingerprint)
                }
                entity = .encrypted(armoredCiphertext: try pgp.encrypt(entity.serialized(), to: fingerprints))
            }
        }
        var message = Message(from: from, to: to, subject: subject, body: entity)
        message.cc = cc
        message.replyTo = replyTo
        message.date = date
        return message
    }

    /// Composes and sends through `transport`; the report tells each recipient's outcome.
    public func send(through transport: any MailTransport) throws -> DeliveryReport {
        try send(try compose(), through: transport)
    }

    /// Sends `message` as `compose()` made it: the same bytes and Message-ID the caller already has, not a
    /// second composition (which would sign again under a new Message-ID).
    public func send(_ message: Message, through transport: any MailTransport) throws -> DeliveryReport {
        let bytes = try message.serialized()
        let outgoing = OutgoingMessage(messageID: message.messageID, sender: message.from.address,
                                       recipients: message.envelopeRecipients, bytes: bytes)
        guard let report = transport.send([outgoing]).first else {
            throw GatewayError.configuration("the transport returned no result")
        }
        return report
    }
}
