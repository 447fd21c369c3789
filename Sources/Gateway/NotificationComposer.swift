import Foundation
import Logging
import Mail
import Registry

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
    /// The case's TLP label, set by the composer from the case: in the subject, first body line and the row.
    public internal(set) var tlp: TrafficLightProtocol?
    /// `--force`: send even where a guard would refuse (an embargo template to a published case, a repeat
    /// while earlier copies are still unsent).
    public var force = false
    /// Refuse `again` while earlier messages of the case and template are still queued or deferred (`notify --again`).
    public var refuseUnsentRepeats = false
    /// Organisations that receive a copy without being participants of the case (the coordinator of an escalation).
    public var observers: [String] = []

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
    /// The TLP label the message carries (`TLP:AMBER+STRICT`), nil outside a case.
    public let tlp: String?
}

/// Renders, signs, encrypts and queues notifications — all or nothing — in steps, each a value handed to the next,
/// each in its own file:
/// 1. plan (`NotificationPlanning.swift`): the request, the case and the directory in; a `PlanningBase` out (the
///    organisations, the sender's and the case's values, the answer links to issue);
/// 2. render, sign and encrypt (`NotificationSigning.swift`): every organisation's messages on every core, each
///    thread with its own gpgme context; `PreparedNotifications` out (the finished, signed messages, organisation
///    by organisation);
/// 3. persist (`OutboxStoring.enqueue`): the finished messages in one write transaction, which checks again that
///    nobody queued the same template for the same organisation meanwhile and that the recipients are still the
///    organisation's contacts, and writes the rows in batches.
///
/// Every template, variable, address and key of every message is checked before the first row is written;
/// on any problem nothing is queued and every problem is listed:
/// ```swift
/// let composer = NotificationComposer(store: store, settings: settings)
/// let queued = try composer.queue(NotificationRequest(caseId: "JVNVU#12345678", template: "vendor-initial",
///                                                     purpose: .caseNotification))
/// ```
public struct NotificationComposer: Sendable {
    public let store: RegistryStore
    public let settings: GatewaySettings
    public var now: @Sendable () -> Date = { Date() }
    public var logger = Logger(label: "liaison.compose")

    public init(store: RegistryStore, settings: GatewaySettings) {
        self.store = store
        self.settings = settings
    }

    /// Checks everything and shows what would be queued, without signing or writing anything.
    public func plan(_ request: NotificationRequest) throws -> [PlannedNotification] {
        try drafts(for: request).map(\.plan)
    }

    /// Checks everything, then signs and encrypts every message on every core, then stores them all in one
    /// transaction (`prepare`, then `persist`), with `followUps`, the changes to participants made in the same
    /// transaction (a reminder counted…). A problem anywhere (a template, a key, a signature, the recipients
    /// changed, already notified) stores nothing and every problem is listed (`GatewayProblems`).
    @discardableResult
    public func queue(_ request: NotificationRequest, followUps: [QueueFollowUp] = []) throws -> [PlannedNotification] {
        try persist(prepare(request), followUps: followUps)
    }

    /// Plans, renders and signs every message; nothing is written yet. Throws `GatewayProblems` listing every
    /// problem of every organisation.
    public func prepare(_ request: NotificationRequest) throws -> PreparedNotifications {
        let base = try planningBase(for: request)
        let parts = PlanningParts.run(base: base, composer: self, sign: true)
        let problems = base.problems + parts.flatMap(\.problems)
        if !problems.isEmpty {
            let fields = parts.reduce(base.fields) { $0.merging($1.fields) { a, _ in a } }
            throw GatewayProblems(summarized(problems, alreadyNotified: parts.flatMap(\.alreadyNotified), request: base.request),
                                  fields: fields)
        }
        let createdAt = now()
        var messages: [QueuedNotification] = []
        var planned: [PlannedNotification] = []
        messages.reserveCapacity(parts.reduce(0) { $0 + $1.signed.count })
        for part in parts {
            for (plan, var queued) in part.signed {
                queued.record.createdAt = createdAt
                messages.append(queued)
                planned.append(plan)
            }
        }
        return PreparedNotifications(request: base.request, messages: messages, planned: planned,
                                     answerLinks: newAnswerLinks(base, at: createdAt))
    }

    /// Stores prepared messages, the answer links they carry and `followUps` in one transaction, all or nothing
    /// (see `OutboxStoring.enqueue`).
    @discardableResult
    public func persist(_ prepared: PreparedNotifications, followUps: [QueueFollowUp] = []) throws -> [PlannedNotification] {
        try persisting(prepared.request) { outbox, refuseRepeats in
            try outbox.enqueue(prepared.messages, refuseRepeats: refuseRepeats, answerLinks: prepared.answerLinks,
                               followUps: followUps, actor: settings.actor)
        }
        return prepared.planned
    }

    /// A reminder or escalation to queue with `queueSteps`: the messages of `request`, and `followUp`, if the
    /// participant still waits as `seen` found it.
    public struct Step: Sendable {
        public var request: NotificationRequest
        public var followUp: QueueFollowUp
        public var seen: WaitingParticipant
        public init(request: NotificationRequest, followUp: QueueFollowUp, seen: WaitingParticipant) {
            self.request = request; self.followUp = followUp; self.seen = seen
        }
    }

    /// Signs every step's messages (all or nothing, as `prepare`), then stores them in one transaction, each step
    /// only if its participant still waits as its `seen` found it (see `OutboxStoring.enqueue(steps:actor:)`). Per
    /// step, what was queued, or nil when another process took the step meanwhile or the participant answered
    /// while it was signed (nothing of it stored).
    public func queueSteps(_ steps: [Step]) throws -> [[PlannedNotification]?] {
        guard let first = steps.first else { return [] }
        let prepared = try steps.map { try prepare($0.request) }
        var stored: [Bool] = []
        try persisting(first.request) { outbox, _ in
            stored = try outbox.enqueue(steps: zip(steps, prepared).map { step, prepared in
                QueuedStep(messages: prepared.messages, answerLinks: prepared.answerLinks, followUp: step.followUp, seen: step.seen)
            }, actor: settings.actor)
        }
        return zip(stored, prepared).map { $0 ? $1.planned : nil }
    }

    /// Runs a store operation for `request`, with the store's refusals said as the composer says them.
    private func persisting(_ request: NotificationRequest, _ body: (any OutboxStoring, Bool) throws -> Void) throws {
        let refuseRepeats = !request.again && request.caseId != nil
            && [.caseNotification, .publication, .incident].contains(request.purpose)
        do {
            try body(store.outbox, refuseRepeats)
        } catch let error as StoreError where error == .alreadyNotified || error == .recipientsChanged {
            throw GatewayProblems([error.description])
        } catch let error as StoreError {
            throw GatewayError.from(error)
        }
    }
}

/// Messages signed and ready to store: what `prepare` made and `persist` writes.
public struct PreparedNotifications: Sendable {
    public let request: NotificationRequest
    /// The finished messages (exact signed bytes, outbox rows, recipients), organisation by organisation in the
    /// order asked.
    public let messages: [QueuedNotification]
    /// What each message is, in the same order.
    public let planned: [PlannedNotification]
    /// The participants' answer links the messages carry that are new, issued when the messages are stored.
    public let answerLinks: [NewAnswerLink]
}
