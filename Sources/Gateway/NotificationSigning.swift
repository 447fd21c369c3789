import Foundation
import Mail
import OpenPGP
import Registry
import Synchronization

// The sign-and-encrypt step of composing: drafts in, exact message bytes out.
extension NotificationComposer {
    /// Signs (and encrypts) every draft, on as many threads as there are cores: each signature is a gpg run,
    /// so a thousand vendors take a thousand of them. gpgme wants one context per thread.
    static func build(_ drafts: [Draft], settings: GatewaySettings) -> [Result<Data, any Error>] {
        let workers = max(1, min(drafts.count, ProcessInfo.processInfo.activeProcessorCount))
        let results = Mutex([Result<Data, any Error>](repeating: .failure(GatewayError.configuration("not built")), count: drafts.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let indices = Array(stride(from: worker, to: drafts.count, by: workers))
            do {
                let pgp = try OpenPGPContext(homeDirectory: settings.gnupgHome)
                for index in indices {
                    let result = Result { try drafts[index].build(pgp: pgp, settings: settings) }
                    results.withLock { $0[index] = result }
                }
            } catch {
                results.withLock { for index in indices { $0[index] = .failure(error) } }
            }
        }
        return results.withLock { $0 }
    }

    /// A message ready to build: recipients, rendered text and the decision to encrypt.
    struct Draft {
        let organizationId: String
        let language: String
        let to: [Contact]
        let cc: [Contact]
        let subject: String
        let body: String
        let attachments: [Attachment]
        let encrypt: Bool
        let encryptTo: [String]
        let signingKey: String
        let messageId: String
        let trackingRef: String
        let sender: EmailAddress
        let tlp: TrafficLightProtocol?

        var plan: PlannedNotification {
            PlannedNotification(organizationId: organizationId, language: language, to: to.map(\.email), cc: cc.map(\.email),
                                subject: subject, signed: true, encrypted: encrypt, messageId: messageId, trackingRef: trackingRef,
                                tlp: tlp?.label)
        }

        /// The exact bytes: RFC 3156 multipart/signed, wrapped in multipart/encrypted when encrypting (§6.1).
        func build(pgp: OpenPGPContext, settings: GatewaySettings) throws -> Data {
            var content = MIMEEntity.text(body)
            if !attachments.isEmpty { content = .mixed([content] + attachments.map(MIMEEntity.attachment)) }
            let signature = try pgp.signDetached(content.serialized(), signer: signingKey)
            var body = MIMEEntity.signed(content: content, signature: signature.armored, micalg: signature.micalg)
            if encrypt {
                body = .encrypted(armoredCiphertext: try pgp.encrypt(body.serialized(), to: encryptTo))
            }
            var message = Message(from: sender, to: try to.map { try $0.address() }, subject: subject, body: body)
            message.cc = try cc.map { try $0.address() }
            message.messageID = messageId
            message.extraHeaders = [(name: "X-Liaison-Tracking", value: trackingRef)]
            return try message.serialized()
        }

        /// The outbox row and recipients for the signed bytes.
        func queued(bytes: Data, request: NotificationRequest, settings: GatewaySettings, createdAt: Date) -> QueuedNotification {
            var record = NotificationRecord(
                caseId: request.caseId, organizationId: organizationId, purpose: request.purpose,
                incidentCategory: request.incidentCategory, template: request.template, language: language,
                messageId: messageId, trackingRef: trackingRef, subject: subject,
                mailFrom: VERPAddress.envelopeSender(settings.sender.address, trackingRef: trackingRef, enabled: settings.verp),
                bytes: bytes, signed: true, encrypted: encrypt,
                createdAt: createdAt)
            record.tlp = tlp
            let recipients = to.map { QueuedNotification.Recipient(email: $0.email, kind: "to", contactId: $0.id) }
                + cc.map { QueuedNotification.Recipient(email: $0.email, kind: "cc", contactId: $0.id) }
            return QueuedNotification(record: record, recipients: recipients)
        }
    }

    struct Contact {
        let id: Int64
        let email: String
        let name: String?
        let role: String
        let language: String?
        let pgp: String?

        func address() throws -> EmailAddress { try EmailAddress(address: email, displayName: name) }
    }

}
