import Foundation
import Gateway
import Hummingbird
import Registry

/// The inbox area: `/inbox` (what needs a person), `/inbox/{id}` (one message, decoded) and its actions, assign
/// and dismiss, the same operations as `liaison inbox assign` and `liaison inbox dismiss`.
enum InboxRoutes {
    static func register(on router: DeskRouter, desk: Desk) {
        router.page("/inbox", desk: desk) { request, context in
            try InboxPage(services: desk.services(for: context), context: context,
                          everything: request.uri.queryParameters["all"] == "1")
        }
        router.page("/inbox/{id}", desk: desk) { request, context in
            let id = try context.parameters.require("id")
            return try InboxMessagePage(services: desk.services(for: context), context: context, reference: id,
                                        chosenCase: request.uri.queryParameters["case"].map(String.init))
        }
        router.action("/inbox/{id}/assign", desk: desk) { _, context, form in
            let id = try context.parameters.require("id", as: Int64.self)
            let services = try desk.services(for: context)
            guard let caseId = form["case"].flatMap(InboxRoutes.nonEmpty) else { throw DeskInputError("choose a case") }
            guard let organization = form["org"].flatMap(InboxRoutes.nonEmpty) else {
                throw DeskInputError("choose an organisation of case \(caseId)")
            }
            var stated: Registry.Response?
            if let text = form["response"].flatMap(InboxRoutes.nonEmpty) {
                guard let value = Registry.Response(rawValue: text), value != .none else {
                    throw DeskInputError("response \(text) is not one of acknowledged, investigating, affected, not-affected, fixed")
                }
                stated = value
            }
            let (outcome, changed) = try services.replyIngester().assign(String(id), caseId: caseId,
                                                                         organizationId: organization, response: stated)
            var line = "message \(id) assigned to \(caseId) / \(organization): \(outcome.kind)"
            if outcome.signature != .none { line += ", signature \(outcome.signature.rawValue)" }
            if !outcome.effects.isEmpty { line += "; " + outcome.effects.joined(separator: "; ") }
            if let review = outcome.review { line += "; still listed for review (\(review))" }
            if !changed { line += "; nothing changed (already assigned)" }
            return DeskOutcome(line, redirect: "/inbox/\(id)")
        }
        router.action("/inbox/{id}/dismiss", desk: desk) { _, context, form in
            let id = try context.parameters.require("id", as: Int64.self)
            let services = try desk.services(for: context)
            let reason = form["reason"] ?? ""
            try ReplyIngester(store: services.store, gnupgHome: services.gnupgHome, actor: services.actor)
                .dismiss(String(id), reason: reason)
            return DeskOutcome("message \(id) dismissed", redirect: "/inbox")
        }
    }

    static func nonEmpty(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// A form field a person left out or filled wrongly: one line, shown as the action's refusal.
struct DeskInputError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Why a stored message waits for a person, as the inbox groups them.
enum InboxReason: String, Encodable, Sendable, CaseIterable {
    /// A reply whose status could not be read: a person sets it (`inbox assign … --response`).
    case notUnderstood = "not-understood"
    /// Matched no notification and no case.
    case unmatched
    /// A delivery report blaming our message or domain: our fault, not the vendor's.
    case ourDeliveryProblem = "our-delivery-problem"
    /// Anything else kept for review (a bad signature, a key not the organisation's, machine mail, …).
    case review
    /// Not waiting for anyone (listed only with `?all=1`).
    case settled

    init(_ entry: InboundTransaction.Entry) {
        if entry.kind == .ourDeliveryProblem, entry.reviewState == .open {
            self = .ourDeliveryProblem
        } else if entry.reviewState != .open {
            self = .settled
        } else if entry.reviewReason?.hasPrefix("answer not understood") == true {
            self = .notUnderstood
        } else if entry.caseId == nil, entry.kind == .unmatched || entry.organizationId == nil {
            self = .unmatched
        } else {
            self = .review
        }
    }

    /// The label key of `DeskLabels`.
    var labelKey: String { "inbox_reason_\(rawValue.replacingOccurrences(of: "-", with: "_"))" }
}

/// Which cases a user may not read: TLP:RED ones, for an auditor.
struct RedCases: Sendable {
    let hidden: Set<String>

    init(services: WorkspaceServices, context: DeskRequestContext) throws {
        let user = try context.requireUser()
        if user.role.mayReadRed {
            hidden = []
        } else {
            let fallback = services.configuration.cases.tlp
            hidden = Set(try services.caseBook().list().filter { ($0.record.tlp ?? fallback) == .red }.map(\.record.id))
        }
    }

    /// Whether the content tied to `caseId` must be withheld.
    func hides(_ caseId: String?) -> Bool { caseId.map(hidden.contains) ?? false }
}

/// `/inbox`: the messages waiting for a person, newest first, each with why it is listed.
struct InboxPage: DeskPage {
    static let template = DeskTemplates.inbox
    static let section = DeskSection.inbox
    let title: String
    /// Every stored message (`?all=1`), or only those waiting for review.
    let everything: Bool
    let counts: [Count]
    let messages: [Row]

    struct Count: Encodable, Sendable {
        let reason: String
        let label: String
        let count: Int
    }

    struct Row: Encodable, Sendable {
        let id: Int64
        let href: String
        let received: String
        let receivedAt: Date
        /// Withheld (nil) when the message belongs to a TLP:RED case and the user is an auditor.
        let from: String?
        let subject: String?
        let kind: String
        let classification: String?
        let signature: String
        let caseId: String?
        let caseHref: String?
        let organizationId: String?
        let reason: String
        let reasonLabel: String
        /// The review note as ingest wrote it (why it is kept), or the dismissal's reason.
        let reviewNote: String?
        let reviewState: String?
        /// The review state in the page language (`review_state_open` …).
        let reviewStateLabel: String?
        let withheld: Bool
    }

    init(services: WorkspaceServices, context: DeskRequestContext, everything: Bool) throws {
        let labels = context.labels
        title = labels["inbox_title"] ?? "Inbox"
        self.everything = everything
        let red = try RedCases(services: services, context: context)
        let entries = try services.store.inbound.entries(unmatchedOnly: false, reviewOnly: !everything)
        let dates = services.dates
        messages = entries.map { entry in
            let reason = InboxReason(entry)
            let withheld = red.hides(entry.caseId)
            return Row(id: entry.id, href: "/inbox/\(entry.id)", received: dates.timeText(entry.receivedAt),
                       receivedAt: entry.receivedAt, from: withheld ? nil : entry.from, subject: withheld ? nil : entry.subject,
                       kind: entry.kind.rawValue, classification: entry.classification, signature: entry.signature.rawValue,
                       caseId: entry.caseId, caseHref: entry.caseId.map { "/cases/" + DeskPaths.segment($0) },
                       organizationId: withheld ? nil : entry.organizationId, reason: reason.rawValue,
                       reasonLabel: labels[reason.labelKey] ?? reason.rawValue,
                       reviewNote: withheld ? nil : entry.reviewReason, reviewState: entry.reviewState?.rawValue,
                       reviewStateLabel: InboxMessagePage.label("review_state_", entry.reviewState?.rawValue, labels), withheld: withheld)
        }
        let grouped = Dictionary(grouping: messages, by: \.reason)
        counts = InboxReason.allCases.compactMap { reason in
            guard let count = grouped[reason.rawValue]?.count else { return nil }
            return Count(reason: reason.rawValue, label: labels[reason.labelKey] ?? reason.rawValue, count: count)
        }
    }
}

/// `/inbox/{id}`: one stored message decoded (headers, signature status, plain text, attachments listed), why it
/// is listed, and the forms to assign it to a case and organisation or dismiss it.
struct InboxMessagePage: DeskPage {
    static let template = DeskTemplates.inboxMessage
    static let section = DeskSection.inbox
    let title: String
    let id: Int64
    /// Withheld (nil) for a TLP:RED case when the user is an auditor, with the organisation.
    let messageId: String?
    let received: String
    let receivedAt: Date
    let from: String?
    let to: [String]
    let cc: [String]
    let date: String?
    let subject: String?
    let kind: String
    /// The kind in the page language, the classification only when it says more than the kind.
    let kindLabel: String
    let classification: String?
    let disposition: String?
    let classificationNote: String?
    let signature: String
    let signatureLabel: String
    let caseId: String?
    let caseHref: String?
    let organizationId: String?
    let organizationHref: String?
    let reviewState: String?
    let reviewStateLabel: String?
    let reviewNote: String?
    let reason: String
    let reasonLabel: String
    /// The first plain-text part, decoded; nil when there is none (encrypted, attachments only) or withheld.
    let text: String?
    let attachments: [Attachment]
    let hasAttachments: Bool
    let hasCc: Bool
    let unparsable: Bool
    /// The stored size in bytes when only the message's first MiB could be read.
    let readInPart: Int?
    /// The message belongs to a TLP:RED case and the user is an auditor: its content is not shown.
    let withheld: Bool
    /// Whether the user may assign or dismiss (coordinators and leads).
    let mayAct: Bool
    /// The assign form: the case chosen (the message's own, or `?case=`), its participants, the open cases.
    let assign: AssignForm?

    struct Attachment: Encodable, Sendable {
        let name: String?
        let contentType: String
        let bytes: Int
    }

    struct Choice: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct AssignForm: Encodable, Sendable {
        let cases: [Choice]
        /// The case whose participants are offered; nil until one is chosen.
        let caseId: String?
        let organizations: [Choice]
        let responses: [Choice]
    }

    /// `labels[prefix + value]` (dashes read as underscores), else the value itself; nil for nil.
    static func label(_ prefix: String, _ value: String?, _ labels: [String: String]) -> String? {
        value.map { labels[prefix + $0.replacingOccurrences(of: "-", with: "_")] ?? $0 }
    }

    init(services: WorkspaceServices, context: DeskRequestContext, reference: String, chosenCase: String?) throws {
        let labels = context.labels
        guard Int64(reference) != nil,
              let view = try InboundMessageView.read(store: services.store, reference: reference,
                                                     maxReadBytes: services.configuration.ingest.maxReadBytes) else {
            throw HTTPError(.notFound, message: "no received message \(reference)")
        }
        let entry = view.entry
        let red = try RedCases(services: services, context: context)
        let dates = services.dates
        withheld = red.hides(entry.caseId)
        id = entry.id
        messageId = withheld ? nil : entry.messageId
        received = dates.timeText(entry.receivedAt)
        receivedAt = entry.receivedAt
        from = withheld ? nil : (view.fromHeader ?? entry.from)
        to = withheld ? [] : view.to
        cc = withheld ? [] : view.cc
        date = withheld ? nil : view.date.map(dates.timeText)
        subject = withheld ? nil : view.subject
        kind = entry.kind.rawValue
        classification = entry.classification
        disposition = entry.disposition
        kindLabel = Self.label("inbox_kind_", entry.kind.rawValue, labels) ?? entry.kind.rawValue
        // "reply (reply), reply" says one thing three times: each part is shown once.
        let notes = [entry.classification, entry.disposition].compactMap { $0 }.filter { !$0.isEmpty && $0 != entry.kind.rawValue }
        classificationNote = notes.isEmpty ? nil : NSOrderedSet(array: notes).array.compactMap { $0 as? String }.joined(separator: ", ")
        signature = entry.signature.rawValue
        signatureLabel = labels["signature_\(entry.signature.rawValue.replacingOccurrences(of: "-", with: "_"))"] ?? entry.signature.rawValue
        caseId = entry.caseId
        caseHref = entry.caseId.map { "/cases/" + DeskPaths.segment($0) }
        organizationId = withheld ? nil : entry.organizationId
        organizationHref = withheld ? nil : entry.organizationId.map { "/directory/" + DeskPaths.segment($0) }
        reviewState = entry.reviewState?.rawValue
        reviewStateLabel = Self.label("review_state_", entry.reviewState?.rawValue, labels)
        reviewNote = withheld ? nil : entry.reviewReason
        let reason = InboxReason(entry)
        self.reason = reason.rawValue
        reasonLabel = labels[reason.labelKey] ?? reason.rawValue
        text = withheld ? nil : view.text.map { $0.replacingOccurrences(of: "\r\n", with: "\n") }
        attachments = withheld ? [] : view.attachments.map { Attachment(name: $0.filename, contentType: $0.contentType, bytes: $0.bytes) }
        hasAttachments = !attachments.isEmpty
        hasCc = !cc.isEmpty
        unparsable = view.unparsable
        readInPart = view.readInPart
        title = (labels["message"] ?? "Message") + " \(entry.id)"
        let user = try context.requireUser()
        mayAct = user.role.mayChange && !withheld
        guard mayAct else { assign = nil; return }

        let book = services.caseBook()
        let open = try book.list(openOnly: true)
        // A withdrawn case takes no assignment (`inbox assign` refuses it): it is neither offered nor preselected.
        let chosen = (chosenCase.flatMap(InboxRoutes.nonEmpty) ?? entry.caseId).flatMap { id in
            (try? services.store.cases.existing(id))?.withdrawnAt == nil ? id : nil
        }
        var cases = open.map { Choice(value: $0.record.id, label: "\($0.record.id) — \($0.record.title)", selected: $0.record.id == chosen) }
        if let chosen, !cases.contains(where: { $0.value == chosen }) {
            // The message's own case may be published already: it is still offered.
            cases.insert(Choice(value: chosen, label: chosen, selected: true), at: 0)
        }
        var organizations: [Choice] = []
        if let chosen, let participants = try? services.store.cases.participantIds(caseId: chosen) {
            organizations = participants.map { Choice(value: $0, label: $0, selected: $0 == entry.organizationId) }
        }
        let responses = [Registry.Response.acknowledged, .investigating, .affected, .notAffected, .fixed].map {
            Choice(value: $0.rawValue, label: labels["response_\($0.rawValue.replacingOccurrences(of: "-", with: "_"))"] ?? $0.rawValue,
                   selected: false)
        }
        assign = AssignForm(cases: cases, caseId: chosen, organizations: organizations, responses: responses)
    }
}
