import Foundation
import Mail
import OpenPGP
import Registry

// The plan-and-render step of composing: the request, the case and the directory in; checked drafts out.
extension NotificationComposer {
    /// What the drafts of every organisation share, found once before any organisation is planned.
    struct PlanningBase: Sendable {
        /// The request, with the case's TLP level.
        let request: NotificationRequest
        let library: TemplateLibrary
        let signingKey: String
        let senderEncryptionKey: String?
        /// The sender's and the case's values.
        let context: TemplateValue
        /// The organisations to notify, each once, in the order asked.
        let organizationIds: [String]
        /// What planning each organisation's message needs, read for all of them at once.
        let facts: [String: PlanningFacts]
        let now: Date
        /// Problems found already (the signing key cannot sign…): nothing is signed, nothing is queued.
        let problems: [String]
        /// The liaison.yaml field behind each of `problems` that a setting caused, keyed by its sentence.
        let fields: [String: String]
        /// Each participant's answer link (`answer.url`), when `answer.base_url` is set.
        var answerURLs: [String: String] = [:]
        /// Links made for this request, issued with its messages.
        var newAnswerLinks: [AnswerToken] = []
    }

    /// Every checked draft, in order, or every problem found.
    func drafts(for request: NotificationRequest) throws -> [Draft] {
        let base = try planningBase(for: request)
        let parts = PlanningParts.run(base: base, composer: self, sign: false)
        let problems = base.problems + parts.flatMap(\.problems)
        if !problems.isEmpty {
            throw GatewayProblems(summarized(problems, alreadyNotified: parts.flatMap(\.alreadyNotified), request: request),
                                  fields: base.fields)
        }
        return parts.flatMap(\.drafts)
    }

    /// The problems as the user reads them: when more than three organisations already had the template for
    /// the case (queued or sent), one line names how many instead of one line each.
    func summarized(_ problems: [String], alreadyNotified: [String], request: NotificationRequest) -> [String] {
        // A fault of our own settings is found by every organisation signed: said once.
        var seen = Set<String>()
        let problems = problems.filter { seen.insert($0).inserted }
        guard alreadyNotified.count > 3, let caseId = request.caseId else { return problems }
        let repeats = Set(alreadyNotified.map {
            GatewayError.alreadyNotified(Self.alreadyNotifiedSentence(organization: $0, template: request.template, caseId: caseId)).description
        })
        let shown = alreadyNotified.prefix(3).joined(separator: ", ")
        let line = "\(alreadyNotified.count) organisations (\(shown) and \(alreadyNotified.count - 3) more) already have "
            + "\(request.template) for \(caseId), queued or sent; use --again to send it once more"
        return problems.filter { !repeats.contains($0) } + [line]
    }

    static func alreadyNotifiedSentence(organization: String, template: String, caseId: String) -> String {
        "\(organization) was already sent \(template) for \(caseId); use --again to send it once more"
    }

    func planningBase(for request: NotificationRequest) throws -> PlanningBase {
        var request = request
        if let caseId = request.caseId, let record = try store.cases.record(caseId) {
            request.tlp = record.tlp ?? settings.defaultTLP
            for (language, values) in CaseTemplateContext.localizedTitles(of: record) {
                request.localizedVariables[language, default: [:]].merge(values) { given, _ in given }
            }
        }
        var problems: [String] = []
        var fields: [String: String] = [:]
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
        let pgp = try OpenPGPContext(homeDirectory: settings.gnupgHome, passphrase: settings.signingPassphrase)
        let now = now()
        var senderEncryptionKey: String?
        do {
            guard let key = try pgp.key(fingerprint: signingKey, secret: true) else {
                throw GatewayError.signingKey("signing key \(signingKey) has no secret key in \(settings.gnupgHome ?? "the default GnuPG home")")
            }
            if key.isRevoked || key.isExpired || !key.canSign {
                throw GatewayError.signingKey("signing key \(signingKey) cannot sign (expired, revoked or without a signing subkey)")
            }
            if let pub = try pgp.key(fingerprint: signingKey), pub.isUsableForEncryption(at: now) { senderEncryptionKey = pub.fingerprint }
        } catch let error as GatewayError where error == .signingKey {
            problems.append(error.description)
            fields[error.description] = "sender.signing_key"
        } catch {
            problems.append("\(error)")
        }

        let cases = store.cases
        let directory = store.notificationPlanning
        let (context, orgIds) = try { () throws -> (TemplateValue, [String]) in
            var base = try senderContext(directory, signingKey: signingKey)
            if let caseId = request.caseId {
                let record = try GatewayError.mapping { try cases.existing(caseId) }
                if let problem = CaseGuards.withdrawnCaseProblem(record) { throw GatewayError.invalidArgument(problem) }
                if !request.force {
                    if let problem = CaseGuards.publishedCaseProblem(record, template: request.template, purpose: request.purpose) {
                        throw GatewayError.invalidArgument(problem)
                    }
                    if request.again, request.refuseUnsentRepeats,
                       let problem = CaseGuards.unsentRepeatProblem(
                        caseId: caseId, template: request.template,
                        unsent: try directory.unsentNotifications(caseId: caseId, template: request.template,
                                                                  organizations: request.organizations)) {
                        throw GatewayError.invalidArgument(problem)
                    }
                }
                base.set(CaseTemplateContext.value(of: record, in: settings.timeZone, defaultLevel: settings.defaultTLP), at: ["case"])
            }
            var ids = request.organizations
            if ids.isEmpty, let caseId = request.caseId {
                ids = try cases.participantIds(caseId: caseId)
                if ids.isEmpty { throw GatewayError.noRecipients("case \(caseId) has no participants; add them with `liaison case add`") }
            }
            return (base, ids + request.observers)
        }()
        if orgIds.isEmpty { throw GatewayError.noRecipients("no organisation to notify") }
        var seen = Set<String>()
        let organizationIds = orgIds.filter { seen.insert($0).inserted }
        let facts = try directory.planningFacts(organizationIds: organizationIds, caseId: request.caseId, template: request.template)
        var base = PlanningBase(request: request, library: library, signingKey: signingKey, senderEncryptionKey: senderEncryptionKey,
                                context: context, organizationIds: organizationIds, facts: facts, now: now,
                                problems: problems, fields: fields)
        try addAnswerLinks(to: &base)
        return base
    }

    /// Each participant's answer link for the case's messages, when `answer.base_url` is set: its current link,
    /// or a new one (issued in the transaction that stores the messages, `newAnswerLinks`). Observers get none.
    func addAnswerLinks(to base: inout PlanningBase) throws {
        guard settings.answer.baseURL != nil, let caseId = base.request.caseId, let links = try answerLinks() else { return }
        let participants = Set((try? store.cases.participantIds(caseId: caseId)) ?? [])
        for orgId in base.organizationIds where !base.request.observers.contains(orgId) {
            guard participants.contains(orgId), let next = try links.next(caseId: caseId, organizationId: orgId) else { continue }
            base.answerURLs[orgId] = next.link.url
            if let pending = next.pending { base.newAnswerLinks.append(pending) }
        }
    }

    /// The workspace's answer links on the composer's clock; nil without a state folder for the key.
    func answerLinks() throws -> AnswerLinks? {
        guard let state = settings.stateDirectory else { return nil }
        var links = AnswerLinks(store: store, key: try AnswerLinkKey.loadOrCreate(stateDirectory: state), settings: settings.answer)
        links.now = now
        return links
    }

    /// The links `addAnswerLinks` made, as the store issues them with the messages carrying them.
    func newAnswerLinks(_ base: PlanningBase, at date: Date) -> [NewAnswerLink] {
        base.newAnswerLinks.map {
            NewAnswerLink(caseId: $0.caseId, organizationId: $0.organizationId, nonce: $0.nonceHex, expiresAt: $0.expiresAt,
                          issuedAt: date)
        }
    }

    /// One organisation's drafts, or with `sign` its finished messages, or its problems.
    func organizationPart(_ orgId: String, base: PlanningBase, pgp: OpenPGPContext, sign: Bool) -> PlanningParts.Part {
        var part = PlanningParts.Part()
        do {
            var context = base.context
            context.set(base.answerURLs[orgId].map { ["url": .string($0)] } ?? [:], at: ["answer"])
            part.drafts = try orgDrafts(facts: base.facts[orgId] ?? .unknownOrganization, orgId: orgId,
                                        request: base.request, base: context, library: base.library, pgp: pgp,
                                        signingKey: base.signingKey, senderEncryptionKey: base.senderEncryptionKey, now: base.now)
        } catch let error as GatewayProblems {
            part.problems = error.problems
        } catch let error as GatewayError where error == .alreadyNotified {
            part.problems = ["\(error)"]
            part.alreadyNotified = [orgId]
        } catch {
            // Most of these sentences name the organisation already; say it once.
            let sentence = "\(error)"
            part.problems = [sentence.contains(orgId) ? sentence : "\(orgId): \(sentence)"]
        }
        guard sign, part.problems.isEmpty else { return part }
        var bytes: [Data] = []
        for draft in part.drafts {
            do { bytes.append(try draft.build(pgp: pgp, settings: settings)) } catch let fault as SigningFault {
                // Ours, the same for every organisation: said once, without the organisation's name.
                part.problems.append(fault.description)
                part.fields[fault.description] = fault.field ?? "sender.signing_key"
                break
            } catch {
                part.problems.append("\(draft.organizationId): \(error)")
            }
        }
        guard part.problems.isEmpty else { return part }
        // Finished now: the rendered text is dropped, so that a notify holds each message once, as signed bytes.
        // `createdAt` is set when every organisation is done (`prepare`).
        part.signed = zip(part.drafts, bytes).map { draft, bytes in
            (draft.plan, draft.queued(bytes: bytes, request: base.request, settings: settings, createdAt: base.now))
        }
        part.drafts = []
        return part
    }

    private func orgDrafts(facts: PlanningFacts, orgId: String, request: NotificationRequest, base: TemplateValue,
                           library: TemplateLibrary, pgp: OpenPGPContext, signingKey: String,
                           senderEncryptionKey: String?, now: Date) throws -> [Draft] {
        guard let org = facts.organization else {
            throw GatewayError.unknownOrganization(orgId, known: (try? store.directory.organizations().map(\.id)) ?? [])
        }
        if org.status == .retired { throw GatewayError.invalidArgument("organisation \(orgId) is retired") }
        var context = base
        var problems: [String] = []
        if let caseId = request.caseId, !request.observers.contains(orgId) {
            guard let participant = facts.participant else {
                throw GatewayError.from(StoreError.notParticipant(caseId: caseId, organizationId: orgId,
                                                                  participants: (try? store.cases.participantIds(caseId: caseId)) ?? []))
            }
            if let notified = participant.firstNotifiedAt {
                context.set(.string(ZoneLabel.day(of: notified, in: settings.timeZone)), at: ["case", "notifiedOn"])
            }
            if !request.again {
                if facts.earlierNotifications > 0 && [.caseNotification, .publication, .incident].contains(request.purpose) {
                    throw GatewayError.alreadyNotified(Self.alreadyNotifiedSentence(organization: orgId, template: request.template, caseId: caseId))
                }
            }
        }
        let languages = org.languages
        // `answer` is always an object, so `{{#answer.url}}` is simply false without a link.
        context.set(base[member: "answer"] ?? [:], at: ["answer"])
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

        let contacts = facts.activeContacts.map {
            Contact(id: $0.id!, email: $0.email, name: $0.name, role: $0.role, language: $0.language, pgp: $0.pgp)
        }
        let toContacts = contacts.filter { $0.role != .cc }
        // TLP:RED is for the named recipients only: cc contacts never receive it.
        let ccContacts = request.tlp?.allowsCarbonCopies == false ? [] : contacts.filter { $0.role == .cc }
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
            let rendered = CaseTemplateContext.labelled(try library.renderChecked(template, context: messageContext), tlp: request.tlp)
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
                                trackingRef: tracking, sender: settings.sender, tlp: request.tlp))
        }
        if !problems.isEmpty { throw GatewayProblems(problems) }
        return drafts
    }

    private func senderContext(_ directory: NotificationPlanningQueries, signingKey: String) throws -> TemplateValue {
        var orgName = settings.sender.displayName ?? settings.sender.address
        var localName = orgName
        var shortName = orgName
        if let id = settings.senderOrganizationId,
           let organization = try directory.organization(id) {
            orgName = organization.name
            localName = organization.localName ?? orgName
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
