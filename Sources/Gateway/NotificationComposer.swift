import Foundation
import GRDB
import Logging
import Mail
import OpenPGP
import Registry
import Synchronization

/// What a coordinator asks `notify`, `remind` or `incident notify` to send.
public struct NotificationRequest: Sendable {
    public var caseId: String?
    /// Organisations to notify; empty means every participant of the case.
    public var organizations: [String]
    public var template: String
    public var purpose: NotificationPurpose
    public var incidentCategory: IncidentCategory?
    /// `--var k=v`: extra template values; a dotted key sets a nested value.
    public var variables: [String: String]
    /// Values that depend on the language of the template chosen for each recipient (language → key → value).
    public var localizedVariables: [String: [String: String]] = [:]
    public var attachments: [Attachment]
    /// Notify again an organisation that already received this template for the case.
    public var again: Bool

    public init(caseId: String?, organizations: [String] = [], template: String, purpose: NotificationPurpose,
                incidentCategory: IncidentCategory? = nil, variables: [String: String] = [:],
                attachments: [Attachment] = [], again: Bool = false) {
        self.caseId = caseId; self.organizations = organizations; self.template = template; self.purpose = purpose
        self.incidentCategory = incidentCategory; self.variables = variables; self.attachments = attachments
        self.again = again
    }
}

/// One message `notify` will queue (or, with `--dry-run`, would queue).
public struct PlannedNotification: Sendable, Encodable {
    public let organizationId: String
    public let language: String
    public let to: [String]
    public let cc: [String]
    public let subject: String
    public let signed: Bool
    public let encrypted: Bool
    public let messageId: String
    public let trackingRef: String
}

/// Renders, signs, encrypts and queues notifications — all or nothing.
///
/// Every template, variable, address and key of every message is checked before the first row is written;
/// on any problem nothing is queued and every problem is listed:
/// ```swift
/// let composer = NotificationComposer(writer: store.writer, settings: settings)
/// let queued = try composer.queue(NotificationRequest(caseId: "JVNVU#12345678", template: "vendor-initial",
///                                                     purpose: .caseNotification))
/// ```
public struct NotificationComposer: Sendable {
    public let writer: any DatabaseWriter
    public let settings: GatewaySettings
    public var now: @Sendable () -> Date = { Date() }
    public var logger = Logger(label: "liaison.compose")

    public init(writer: any DatabaseWriter, settings: GatewaySettings) {
        self.writer = writer
        self.settings = settings
    }

    /// Checks everything and shows what would be queued, without signing or writing anything.
    public func plan(_ request: NotificationRequest) throws -> [PlannedNotification] {
        try drafts(for: request).map(\.plan)
    }

    /// Checks everything, then signs, encrypts and stores every message in one transaction.
    @discardableResult
    public func queue(_ request: NotificationRequest, afterEach: ((Database, PlannedNotification) throws -> Void)? = nil) throws -> [PlannedNotification] {
        let drafts = try drafts(for: request)
        var built: [(Draft, Data)] = []
        var problems: [String] = []
        for (draft, result) in zip(drafts, Self.build(drafts, settings: settings)) {
            switch result {
            case .success(let bytes): built.append((draft, bytes))
            case .failure(let error): problems.append("\(draft.organizationId): \(error)")
            }
        }
        if !problems.isEmpty { throw GatewayProblems(problems) }
        let createdAt = now()
        try writer.write { db in
            for (draft, bytes) in built {
                var record = NotificationRecord(
                    caseId: request.caseId, organizationId: draft.organizationId, purpose: request.purpose,
                    incidentCategory: request.incidentCategory, template: request.template, language: draft.language,
                    messageId: draft.messageId, trackingRef: draft.trackingRef, subject: draft.subject,
                    mailFrom: settings.sender.address, bytes: bytes, signed: true, encrypted: draft.encrypt,
                    createdAt: createdAt)
                try record.insert(db)
                for (contact, kind) in draft.to.map({ ($0, "to") }) + draft.cc.map({ ($0, "cc") }) {
                    try NotificationRecipientRecord(notificationId: record.id!, email: contact.email, kind: kind,
                                                    contactId: contact.id).insert(db)
                }
                try Events.append(db, actor: settings.actor, action: "notification.queued", objectType: "notification",
                                  objectId: draft.messageId, data: [
                                      "organizationId": draft.organizationId, "caseId": request.caseId,
                                      "purpose": request.purpose.rawValue, "category": request.incidentCategory?.rawValue,
                                      "template": request.template, "language": draft.language,
                                      "encrypted": draft.encrypt ? "true" : "false",
                                  ])
                try afterEach?(db, draft.plan)
            }
        }
        return drafts.map(\.plan)
    }

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

    // MARK: - Checking

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

        var plan: PlannedNotification {
            PlannedNotification(organizationId: organizationId, language: language, to: to.map(\.email), cc: cc.map(\.email),
                                subject: subject, signed: true, encrypted: encrypt, messageId: messageId, trackingRef: trackingRef)
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

    private func drafts(for request: NotificationRequest) throws -> [Draft] {
        var problems: [String] = []
        let library: TemplateLibrary
        do { library = try TemplateLibrary(directory: settings.templatesDirectory) } catch { throw GatewayProblems([error.description]) }
        // A template that does not exist is one problem, not one per organisation.
        if library.languages(of: request.template).isEmpty {
            let known = library.names.isEmpty ? "none" : library.names.joined(separator: ", ")
            throw GatewayError.templateNotFound("no template \(request.template) in \(settings.templatesDirectory.path) (templates: \(known))")
        }
        guard let signingKey = settings.signingKey, !signingKey.isEmpty else {
            throw GatewayProblems(["no signing key: set sender.signing_key in liaison.yaml to the fingerprint of the key in the GnuPG home"])
        }
        let pgp = try OpenPGPContext(homeDirectory: settings.gnupgHome)
        let now = now()
        var senderEncryptionKey: String?
        do {
            guard let key = try pgp.key(fingerprint: signingKey, secret: true) else {
                throw GatewayError.keyProblem("signing key \(signingKey) has no secret key in \(settings.gnupgHome ?? "the default GnuPG home")")
            }
            if key.isRevoked || key.isExpired || !key.canSign {
                throw GatewayError.keyProblem("signing key \(signingKey) cannot sign (expired, revoked or without a signing subkey)")
            }
            if let pub = try pgp.key(fingerprint: signingKey), pub.isUsableForEncryption(at: now) { senderEncryptionKey = pub.fingerprint }
        } catch {
            problems.append("\(error)")
        }

        let (context, orgIds) = try writer.read { db -> (TemplateValue, [String]) in
            var base = try senderContext(db, signingKey: signingKey)
            if let caseId = request.caseId {
                guard let record = try CaseRecord.fetchOne(db, key: caseId) else { throw GatewayError.unknownCase(caseId) }
                var caseValue: TemplateValue = ["id": .string(record.id), "title": .string(record.title), "origin": .string(record.origin),
                                                "opened": .string(day(record.openedAt))]
                if let due = record.due { caseValue.set(.string(due), at: ["due"]) }
                if let published = record.publishedAt { caseValue.set(.string(day(published)), at: ["publishedOn"]) }
                base.set(caseValue, at: ["case"])
            }
            var ids = request.organizations
            if ids.isEmpty, let caseId = request.caseId {
                ids = try String.fetchAll(db, sql: "SELECT organizationId FROM participant WHERE caseId = ? ORDER BY organizationId", arguments: [caseId])
                if ids.isEmpty { throw GatewayError.noRecipients("case \(caseId) has no participants; add them with `liaison case add`") }
            }
            return (base, ids)
        }
        if orgIds.isEmpty { throw GatewayError.noRecipients("no organisation to notify") }

        var drafts: [Draft] = []
        var seen = Set<String>()
        for orgId in orgIds where seen.insert(orgId).inserted {
            do {
                drafts += try writer.read { db in
                    try orgDrafts(db, orgId: orgId, request: request, base: context, library: library, pgp: pgp,
                                  signingKey: signingKey, senderEncryptionKey: senderEncryptionKey, now: now)
                }
            } catch let error as GatewayProblems {
                problems += error.problems
            } catch {
                // Most of these sentences name the organisation already; say it once.
                let sentence = "\(error)"
                problems.append(sentence.contains(orgId) ? sentence : "\(orgId): \(sentence)")
            }
        }
        if !problems.isEmpty { throw GatewayProblems(problems) }
        return drafts
    }

    private func orgDrafts(_ db: Database, orgId: String, request: NotificationRequest, base: TemplateValue,
                           library: TemplateLibrary, pgp: OpenPGPContext, signingKey: String,
                           senderEncryptionKey: String?, now: Date) throws -> [Draft] {
        guard let org = try Organization.fetchOne(db, key: orgId) else { throw GatewayError.unknownOrganization(orgId) }
        if org.status == .retired { throw GatewayError.invalidArgument("organisation \(orgId) is retired") }
        var context = base
        var problems: [String] = []
        if let caseId = request.caseId {
            guard let participant = try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": orgId]) else {
                throw GatewayError.invalidArgument("\(orgId) is not a participant of \(caseId); add it with `liaison case add \(caseId) \(orgId)`")
            }
            if let notified = participant.firstNotifiedAt {
                context.set(.string(day(notified)), at: ["case", "notifiedOn"])
            }
            if !request.again {
                let earlier = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM notification WHERE caseId = ? AND organizationId = ? AND template = ? AND state != 'failed'
                    """, arguments: [caseId, orgId, request.template]) ?? 0
                if earlier > 0 && request.purpose != .reminder {
                    throw GatewayError.alreadyNotified("\(orgId) was already sent \(request.template) for \(caseId); use --again to send it once more")
                }
            }
        }
        let languages = org.languages
        context.set(["id": .string(orgId), "name": .string(org.name), "localName": .string(org.localName ?? org.name),
                     "country": .string(org.country)], at: ["organization"])
        for (key, value) in request.variables.sorted(by: { $0.key < $1.key }) {
            let path = key.split(separator: ".").map(String.init)
            context.set(.string(value), at: path)
            if request.purpose == .incident && path.count == 1 { context.set(.string(value), at: ["incident", key]) }
        }
        if !request.attachments.isEmpty {
            context.set(.list(request.attachments.map { ["filename": .string($0.filename)] }), at: ["attachments"])
        }

        let contacts = try Row.fetchAll(db, sql: "SELECT * FROM contact WHERE organizationId = ? AND active ORDER BY id", arguments: [orgId]).map {
            Contact(id: $0["id"], email: $0["email"], name: $0["name"], role: $0["role"], language: $0["language"], pgp: $0["pgp"])
        }
        let toContacts = contacts.filter { $0.role != "cc" }
        let ccContacts = contacts.filter { $0.role == "cc" }
        if toContacts.isEmpty {
            throw GatewayError.noRecipients("\(orgId) has no active `to` contact in Directory/organizations/\(orgId).yaml")
        }

        // One message per language: each `to` contact reads its own language, else the organisation's first.
        var groups: [(MessageTemplate, [Contact])] = []
        for contact in toContacts {
            let preferred = [contact.language, languages.first].compactMap { $0 }
            let template = try library.template(named: request.template, preferring: preferred)
            if let index = groups.firstIndex(where: { $0.0.language == template.language }) { groups[index].1.append(contact) }
            else { groups.append((template, [contact])) }
        }

        var drafts: [Draft] = []
        for (template, to) in groups {
            let tracking = TrackingReference.generate()
            var messageContext = context
            messageContext.set(.string(TrackingReference.subjectTag(tracking)), at: ["tracking"])
            for (key, value) in request.localizedVariables[template.language] ?? [:] {
                messageContext.set(.string(value), at: key.split(separator: ".").map(String.init))
            }
            messageContext.set(.list(to.map { ["email": .string($0.email), "name": .string($0.name ?? $0.email)] }), at: ["recipients"])
            let templateProblems = library.problems(in: template, context: messageContext)
            if !templateProblems.isEmpty {
                problems += templateProblems.map { "\(orgId): \($0)" }
                continue
            }
            let rendered = try library.render(template, context: messageContext)
            var encryptTo: [String] = []
            var missingKeys: [String] = []
            for contact in to + ccContacts {
                if let fpr = contact.pgp, let key = try pgp.key(fingerprint: fpr), key.isUsableForEncryption(at: now) {
                    encryptTo.append(key.fingerprint)
                } else {
                    missingKeys.append(contact.email)
                }
            }
            let encrypt: Bool
            switch settings.encryption {
            case .never: encrypt = false
            case .whenKey: encrypt = missingKeys.isEmpty
            case .always:
                encrypt = true
                if !missingKeys.isEmpty {
                    problems.append("\(orgId): gnupg.encrypt is always, but no usable key for \(missingKeys.joined(separator: ", ")) (missing, expired or revoked)")
                }
            }
            if let own = senderEncryptionKey { encryptTo.append(own) }
            let messageId = "\(tracking).\(MessageID.generate(domain: settings.sender.domain))"
            for contact in to + ccContacts {
                do { _ = try contact.address() } catch { problems.append("\(orgId): \(contact.email): \(error)") }
            }
            drafts.append(Draft(organizationId: orgId, language: template.language, to: to, cc: ccContacts,
                                subject: rendered.subject, body: rendered.body, attachments: request.attachments,
                                encrypt: encrypt, encryptTo: encryptTo, signingKey: signingKey, messageId: messageId,
                                trackingRef: tracking, sender: settings.sender))
        }
        if !problems.isEmpty { throw GatewayProblems(problems) }
        return drafts
    }

    /// The `YYYY-MM-DD` a template shows for a moment: its day in the workspace's time zone.
    private func day(_ date: Date) -> String {
        settings.dates.dayText(date)
    }

    private func senderContext(_ db: Database, signingKey: String) throws -> TemplateValue {
        var orgName = settings.sender.displayName ?? settings.sender.address
        var localName = orgName
        var shortName = orgName
        if let id = settings.senderOrganizationId,
           let row = try Row.fetchOne(db, sql: "SELECT name, localName FROM organization WHERE id = ?", arguments: [id]) {
            orgName = row["name"]
            localName = row["localName"] as String? ?? orgName
            shortName = orgName
        }
        if let open = orgName.firstIndex(of: "("), let close = orgName.lastIndex(of: ")"), open < close {
            shortName = String(orgName[orgName.index(after: open)..<close])
        }
        let grouped = stride(from: 0, to: signingKey.count, by: 4).map { offset -> String in
            let start = signingKey.index(signingKey.startIndex, offsetBy: offset)
            return String(signingKey[start..<signingKey.index(start, offsetBy: min(4, signingKey.count - offset))])
        }.joined(separator: " ")
        return ["sender": ["name": .string(settings.sender.displayName ?? settings.sender.address),
                           "address": .string(settings.sender.address), "organizationName": .string(orgName),
                           "organizationLocalName": .string(localName), "organizationShortName": .string(shortName),
                           "fingerprint": .string(grouped)]]
    }
}
