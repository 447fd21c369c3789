import Foundation
import Mail
import OpenPGP
import Registry
import Synchronization

// The sign-and-encrypt step of composing: drafts in, exact message bytes out, on every core.
extension NotificationComposer {
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

        /// The exact bytes, sealed by `MessageSealer`: signed, and encrypted to `encryptTo` when encrypting.
        func build(pgp: OpenPGPContext, settings: GatewaySettings) throws -> Data {
            var message = Message(from: sender, to: try to.map { try $0.address() }, subject: subject,
                                  body: MessageSealer.content(text: body, attachments: attachments), messageID: messageId)
            message.cc = try cc.map { try $0.address() }
            message.extraHeaders = [(name: "X-Liaison-Tracking", value: trackingRef)]
            let sealer = MessageSealer(pgp: pgp, signingKey: signingKey, passphraseField: settings.passphraseField)
            return try sealer.seal(message, encryptTo: encrypt ? encryptTo : nil).bytes
        }

        /// The outbox row and recipients for the signed bytes.
        func queued(bytes: Data, request: NotificationRequest, settings: GatewaySettings, createdAt: Date) -> QueuedNotification {
            var record = NotificationRecord(
                caseId: request.caseId, organizationId: organizationId, purpose: request.purpose,
                incidentCategory: request.incidentCategory, template: request.template, language: language,
                messageId: messageId, trackingRef: trackingRef, subject: subject,
                mailFrom: VERPAddress.envelopeSender(settings.sender.address, trackingRef: trackingRef, enabled: settings.verp),
                signed: true, encrypted: encrypt,
                createdAt: createdAt)
            record.tlp = tlp
            let recipients = to.map { QueuedNotification.Recipient(email: $0.email, kind: .to, contactId: $0.id) }
                + cc.map { QueuedNotification.Recipient(email: $0.email, kind: .cc, contactId: $0.id) }
            return QueuedNotification(record: record, bytes: bytes, recipients: recipients)
        }
    }

    struct Contact {
        let id: Int64
        let email: String
        let name: String?
        let role: ContactRole
        let language: String?
        let pgp: String?

        func address() throws -> EmailAddress { try EmailAddress(address: email, displayName: name) }
    }

}

/// Plans (and signs) the organisations of a notification on as many threads as there are cores, each thread
/// with its own gpgme context and so its own gpg-agent connection (gpgme wants one context per thread), each
/// thread taking the next organisation as it finishes one; `run` returns every organisation's part, in order, once
/// all are done.
///
/// `@unchecked Sendable`: `parts`, `next` and `failed` are only touched while holding `lock`.
final class PlanningParts: @unchecked Sendable {
    /// One organisation's drafts (when not signing), its finished messages (when signing), or its problems.
    struct Part: Sendable {
        var drafts: [NotificationComposer.Draft] = []
        /// Each message as planned and as it is queued, with its exact signed bytes.
        var signed: [(plan: PlannedNotification, queued: QueuedNotification)] = []
        var problems: [String] = []
        /// The liaison.yaml field behind each of `problems` that a setting caused (our key could not sign).
        var fields: [String: String] = [:]
        /// The organisations among `problems` that already had this template for the case.
        var alreadyNotified: [String] = []
    }

    private let lock = NSLock()
    private var parts: [Part]
    private var next = 0
    /// Once one organisation has a problem nothing will be queued: the others are still checked, not signed.
    private var failed = false

    private init(count: Int) { parts = Array(repeating: Part(), count: count) }

    /// Every organisation's part, in the order of `base.organizationIds`.
    static func run(base: NotificationComposer.PlanningBase, composer: NotificationComposer, sign: Bool) -> [Part] {
        let ids = base.organizationIds
        let running = PlanningParts(count: ids.count)
        let signing = sign && base.problems.isEmpty
        let workers = max(1, min(ids.count, ProcessInfo.processInfo.activeProcessorCount))
        let done = DispatchGroup()
        for _ in 0..<workers {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                let context: Result<OpenPGPContext, any Error> = Result {
                    try OpenPGPContext(homeDirectory: composer.settings.gnupgHome, passphrase: composer.settings.signingPassphrase)
                }
                while let index = running.take() {
                    let part: Part
                    switch context {
                    case .success(let pgp):
                        part = composer.organizationPart(ids[index], base: base, pgp: pgp, sign: signing && !running.hasFailed)
                    case .failure(let error):
                        part = Part(problems: ["\(ids[index]): \(error)"])
                    }
                    running.put(part, at: index)
                }
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        done.wait()
        return running.lock.withLock { running.parts }
    }

    /// Whether any part so far had a problem.
    private var hasFailed: Bool { lock.withLock { failed } }

    private func take() -> Int? {
        lock.withLock {
            guard next < parts.count else { return nil }
            next += 1
            return next - 1
        }
    }

    private func put(_ part: Part, at index: Int) {
        lock.withLock {
            parts[index] = part
            if !part.problems.isEmpty { failed = true }
        }
    }
}
