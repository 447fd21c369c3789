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

    /// The exact bytes that will go on the wire, sealed by `MessageSealer`; every check (headers, keys) happens
    /// here, before any connection.
    ///
    /// Throws `GatewayProblems` naming every recipient without a usable key when encrypting, `SigningFault` when
    /// the key cannot sign, `OpenPGPError` and `MailError` as `MessageSealer.seal` does.
    public func compose(date: Date = Date()) throws -> Message {
        guard !to.isEmpty else { throw GatewayError.invalidArgument("at least one --to address is needed") }
        var message = Message(from: from, to: to, subject: subject,
                              body: MessageSealer.content(text: body, attachments: attachments), date: date)
        message.cc = cc
        message.replyTo = replyTo
        guard signingKey != nil || encrypt else { return message }
        let pgp = try OpenPGPContext(homeDirectory: gnupgHome, passphrase: signingPassphrase)
        let sealer = MessageSealer(pgp: pgp, signingKey: signingKey, passphraseField: passphraseField,
                                   signingKeyField: signingKeyField)
        return try sealer.seal(message, encryptTo: encrypt ? try encryptionKeys(pgp, at: date) : nil).message
    }

    /// Every recipient's usable key (one whose user ID names the address), and ours (the signing key, else the
    /// sender's) so that the sent copy can be read again. Throws `GatewayProblems` naming each recipient without one.
    private func encryptionKeys(_ pgp: OpenPGPContext, at date: Date) throws -> [String] {
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
        return fingerprints
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
