import Foundation

/// One message ready to queue: its outbox row, the exact bytes that go on the wire and its envelope recipients.
public struct QueuedNotification: Sendable {
    /// One envelope recipient and the contact it came from.
    public struct Recipient: Sendable, Equatable {
        public var email: String
        /// Whether it is addressed in To or in Cc.
        public var kind: ContactRole
        public var contactId: Int64?
        public init(email: String, kind: ContactRole, contactId: Int64?) { self.email = email; self.kind = kind; self.contactId = contactId }
    }
    public var record: NotificationRecord
    /// The signed message, stored once and never changed.
    public var bytes: Data
    public var recipients: [Recipient]
    public init(record: NotificationRecord, bytes: Data, recipients: [Recipient]) {
        self.record = record; self.bytes = bytes; self.recipients = recipients
    }
}

/// A change to a participant made in the transaction that queues its message, so both land or neither does.
public enum QueueFollowUp: Sendable {
    /// A reminder was queued: `lastRemindedAt` and the reminder count move.
    case reminded(caseId: String, organizationId: String, at: Date)
    /// An escalation was queued: `escalatedAt` is set, with a `participant.escalated` event.
    case escalated(caseId: String, organizationId: String, at: Date)
}

/// One step of the reminder ladder ready to queue: its signed messages, the change to its participant, and the
/// participant as the plan saw it (`OutboxStoring.enqueue(steps:actor:)` stores the step only if it is unchanged).
public struct QueuedStep: Sendable {
    public var messages: [QueuedNotification]
    public var followUp: QueueFollowUp
    public var seen: WaitingParticipant
    public init(messages: [QueuedNotification], followUp: QueueFollowUp, seen: WaitingParticipant) {
        self.messages = messages; self.followUp = followUp; self.seen = seen
    }
}

/// The directory and case facts `notify` plans from, read before anything is signed. Reached as
/// `RegistryStore.notificationPlanning`.
public struct NotificationPlanningQueries: Sendable {
    let engine: any StoreEngine

    init(engine: any StoreEngine) { self.engine = engine }

    /// The organisation, or nil.
    public func organization(_ id: String) throws -> Organization? {
        try engine.read { session in try session.record(Organization.self, "SELECT * FROM organization WHERE id = ?", id) }
    }

    /// The organisation's active contacts, in the order they were added.
    public func activeContacts(of organizationId: String) throws -> [Contact] {
        try engine.read { session in
            try session.records(Contact.self, "SELECT * FROM contact WHERE organizationId = ? AND active = 1 ORDER BY id", organizationId)
        }
    }

    /// What planning one organisation's message needs, read in one transaction: the organisation, its
    /// participation in `caseId` (when given), how many messages of `template` for the case went or are going to
    /// it (failed and voided ones aside), and its active contacts in the order they were added.
    public func planningFacts(organizationId: String, caseId: String?, template: String) throws -> PlanningFacts {
        try engine.read { session in
            let organization = try session.record(Organization.self, "SELECT * FROM organization WHERE id = ?", organizationId)
            var participant: ParticipantRecord?
            var earlier = 0
            if let caseId {
                participant = try session.record(ParticipantRecord.self,
                                                 "SELECT * FROM participant WHERE caseId = ? AND organizationId = ?", caseId, organizationId)
                earlier = try OutboxStore.earlierNotifications(session, caseId: caseId, organizationId: organizationId, template: template)
            }
            let contacts = try session.records(Contact.self, "SELECT * FROM contact WHERE organizationId = ? AND active = 1 ORDER BY id",
                                               organizationId)
            return PlanningFacts(organization: organization, participant: participant, earlierNotifications: earlier,
                                 activeContacts: contacts)
        }
    }

    /// How many messages of `template` for the case went or are going to the organisation (failed ones aside).
    public func earlierNotifications(caseId: String, organizationId: String, template: String) throws -> Int {
        try engine.read { session in
            try OutboxStore.earlierNotifications(session, caseId: caseId, organizationId: organizationId, template: template)
        }
    }

    /// How many messages of `template` for the case are not yet sent nor failed: queued, being sent (or held)
    /// or deferred for a retry; only those to `organizations` when it is not empty.
    public func unsentNotifications(caseId: String, template: String, organizations: [String] = []) throws -> Int {
        try engine.read { session in
            var sql = "SELECT COUNT(*) FROM notification WHERE caseId = ? AND template = ? AND state IN ('queued', 'sending', 'deferred')"
            var arguments: [SQLValue] = [caseId.sqlValue, template.sqlValue]
            if !organizations.isEmpty {
                sql += " AND organizationId IN (\(organizations.map { _ in "?" }.joined(separator: ", ")))"
                arguments += organizations.map(\.sqlValue)
            }
            return try session.rows(sql, arguments).first.map { try $0[0] } ?? 0
        }
    }

    /// The active national CSIRTs of a country (ISO 3166-1 alpha-2, upper case), by id.
    public func nationalCSIRTs(country: String) throws -> [String] {
        try engine.read { session in
            try session.values("""
                SELECT id FROM organization WHERE country = ? AND kind = 'national-csirt' AND status = 'active' ORDER BY id
                """, country, as: String.self)
        }
    }
}

/// What `NotificationPlanningQueries.planningFacts` read about one organisation.
public struct PlanningFacts: Sendable {
    public let organization: Organization?
    /// Its participation in the case, nil outside a case or when it is not a participant.
    public let participant: ParticipantRecord?
    public let earlierNotifications: Int
    public let activeContacts: [Contact]
}

extension OutboxStore {
    static func earlierNotifications(_ session: any SQLSession, caseId: String, organizationId: String, template: String) throws -> Int {
        try session.value("""
            SELECT COUNT(*) FROM notification WHERE caseId = ? AND organizationId = ? AND template = ? AND state NOT IN ('failed', 'voided')
            """, caseId, organizationId, template, as: Int.self) ?? 0
    }

    public func enqueue(_ messages: [QueuedNotification], refuseRepeats: Bool, followUps: [QueueFollowUp],
                        actor: String) throws {
        var handed = false
        try enqueue(refuseRepeats: refuseRepeats, actor: actor, followUps: { followUps }) {
            defer { handed = true }
            return handed ? nil : messages
        }
    }

    public func enqueue(steps: [QueuedStep], actor: String) throws -> [Bool] {
        try engine.write { session in
            try steps.map { step in
                let now = try CaseStore.waitingParticipant(session, caseId: step.seen.caseId,
                                                                    organizationId: step.seen.organizationId)
                guard now == step.seen else { return false }
                try Self.store(session, step.messages, refuseRepeats: false, actor: actor)
                try Self.apply(session, [step.followUp], actor: actor)
                return true
            }
        }
    }

    public func enqueue(refuseRepeats: Bool, actor: String, followUps: () -> [QueueFollowUp],
                        next: () throws -> [QueuedNotification]?) throws {
        try engine.write { session in
            while let messages = try next() {
                try Self.store(session, messages, refuseRepeats: refuseRepeats, actor: actor)
            }
            try Self.apply(session, followUps(), actor: actor)
        }
    }

    private static func store(_ session: any SQLSession, _ messages: [QueuedNotification], refuseRepeats: Bool, actor: String) throws {
        var organizations: [String] = []
        var seen = Set<String>()
        for message in messages where seen.insert(message.record.organizationId).inserted {
            organizations.append(message.record.organizationId)
        }
        for organizationId in organizations {
            let planned = messages.filter { $0.record.organizationId == organizationId }
            if refuseRepeats, let caseId = planned[0].record.caseId {
                for template in Set(planned.map(\.record.template))
                where try Self.earlierNotifications(session, caseId: caseId, organizationId: organizationId, template: template) > 0 {
                    let sent = try session.value("""
                        SELECT COUNT(*) FROM notification WHERE caseId = ? AND organizationId = ? AND template = ?
                          AND state NOT IN ('failed', 'voided', 'queued', 'sending', 'deferred')
                        """, caseId, organizationId, template, as: Int.self) ?? 0
                    throw StoreError.alreadyNotified(caseId: caseId, organizationId: organizationId, template: template, queued: sent == 0)
                }
            }
            let contacts = try session.records(Contact.self, "SELECT * FROM contact WHERE organizationId = ? AND active = 1", organizationId)
            let recipients = planned.flatMap(\.recipients)
            let current = Dictionary(contacts.compactMap { c in c.id.map { ($0, c.email.lowercased()) } }, uniquingKeysWith: { a, _ in a })
            let stillThere = recipients.allSatisfy { r in r.contactId.map { current[$0] == r.email.lowercased() } ?? true }
            let plannedIds = Set(recipients.compactMap(\.contactId))
            let everyTo = contacts.filter { $0.role != .cc }.allSatisfy { $0.id.map(plannedIds.contains) ?? true }
            guard stillThere, everyTo else { throw StoreError.recipientsChanged(organizationId) }
        }
        for message in messages {
            let record = message.record
            guard let id = try session.insert(record) else {
                throw StoreError.invalidArgument("the outbox gave no id to message \(record.messageId)")
            }
            try session.execute("INSERT INTO notificationMessage (notificationId, bytes) VALUES (?, ?)", id, message.bytes)
            for recipient in message.recipients {
                try session.insert(NotificationRecipientRecord(notificationId: id, email: recipient.email, kind: recipient.kind,
                                                               contactId: recipient.contactId))
            }
            try EventLog.append(session, actor: actor, action: "notification.queued", objectType: "notification",
                                objectId: record.messageId, data: [
                                    "organizationId": .string(record.organizationId), "caseId": .optional(record.caseId),
                                    "purpose": .string(record.purpose.rawValue), "category": .optional(record.incidentCategory?.rawValue),
                                    "template": .string(record.template), "language": .string(record.language),
                                    "encrypted": .string(record.encrypted ? "true" : "false"),
                                ])
        }
    }

    private static func apply(_ session: any SQLSession, _ followUps: [QueueFollowUp], actor: String) throws {
        guard !followUps.isEmpty else { return }
        for followUp in followUps {
            switch followUp {
            case .reminded(let caseId, let organizationId, let date):
                try CaseStore.recordReminder(session, caseId: caseId, organizationId: organizationId, at: date)
            case .escalated(let caseId, let organizationId, let date):
                try CaseStore.recordEscalation(session, caseId: caseId, organizationId: organizationId, at: date, actor: actor)
            }
        }
    }
}
