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

/// One step of the reminder ladder ready to queue: its signed messages, the new answer links they carry, the
/// change to its participant, and the participant as the plan saw it (`OutboxStoring.enqueue(steps:actor:)` stores
/// the step only if it is unchanged).
public struct QueuedStep: Sendable {
    public var messages: [QueuedNotification]
    public var answerLinks: [NewAnswerLink]
    public var followUp: QueueFollowUp
    public var seen: WaitingParticipant
    public init(messages: [QueuedNotification], answerLinks: [NewAnswerLink] = [], followUp: QueueFollowUp,
                seen: WaitingParticipant) {
        self.messages = messages; self.answerLinks = answerLinks; self.followUp = followUp; self.seen = seen
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
        try planningFacts(organizationIds: [organizationId], caseId: caseId, template: template)[organizationId]
            ?? .unknownOrganization
    }

    /// `planningFacts(organizationId:caseId:template:)` of each of `organizationIds`, read in one transaction (one
    /// snapshot) with four queries for every 8,192 organisations, not four per organisation: on
    /// PostgreSQL each query is a round trip. An organisation that does not exist has facts with no organisation.
    public func planningFacts(organizationIds: [String], caseId: String?, template: String) throws -> [String: PlanningFacts] {
        let ids = Array(Set(organizationIds)).sorted()
        guard !ids.isEmpty else { return [:] }
        return try engine.read { session in
            var organizations: [String: Organization] = [:]
            var participants: [String: ParticipantRecord] = [:]
            var earlier: [String: Int] = [:]
            var contacts: [String: [Contact]] = [:]
            for list in Self.lists(ids) {
                try session.forEachRow("SELECT * FROM organization WHERE id IN (\(list.marks))", list.values) { row in
                    let organization = try row.decode(Organization.self)
                    organizations[organization.id] = organization
                    return true
                }
                if let caseId {
                    try session.forEachRow("SELECT * FROM participant WHERE caseId = ? AND organizationId IN (\(list.marks))",
                                           [caseId.sqlValue] + list.values) { row in
                        let participant = try row.decode(ParticipantRecord.self)
                        participants[participant.organizationId] = participant
                        return true
                    }
                    earlier.merge(try OutboxStore.earlierNotifications(session, caseId: caseId, organizations: list, template: template)) { $1 }
                }
                try session.forEachRow("SELECT * FROM contact WHERE active = 1 AND organizationId IN (\(list.marks)) ORDER BY id",
                                       list.values) { row in
                    let contact = try row.decode(Contact.self)
                    contacts[contact.organizationId, default: []].append(contact)
                    return true
                }
            }
            var facts: [String: PlanningFacts] = [:]
            for id in ids {
                facts[id] = PlanningFacts(organization: organizations[id], participant: participants[id],
                                          earlierNotifications: earlier[id] ?? 0, activeContacts: contacts[id] ?? [])
            }
            return facts
        }
    }

    /// How many messages of `template` for the case went or are going to the organisation (failed and voided ones
    /// aside).
    public func earlierNotifications(caseId: String, organizationId: String, template: String) throws -> Int {
        try earlierNotifications(caseId: caseId, organizationIds: [organizationId], template: template)[organizationId] ?? 0
    }

    /// `earlierNotifications(caseId:organizationId:template:)` of each of `organizationIds` (absent: none), read
    /// together.
    public func earlierNotifications(caseId: String, organizationIds: [String], template: String) throws -> [String: Int] {
        let ids = Array(Set(organizationIds)).sorted()
        guard !ids.isEmpty else { return [:] }
        return try engine.read { session in
            var counts: [String: Int] = [:]
            for list in Self.lists(ids) {
                counts.merge(try OutboxStore.earlierNotifications(session, caseId: caseId, organizations: list, template: template)) { $1 }
            }
            return counts
        }
    }

    /// `IN (…)` lists of `ids`, 8,192 a list: room beside them for a query's other values.
    private static func lists(_ ids: [String]) -> [(marks: String, values: [SQLValue])] {
        SQLBatch.chunks(ids.map(\.sqlValue), of: 8_192).map(SQLBatch.inList)
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

    /// The facts of an organisation that does not exist: none.
    public static let unknownOrganization = PlanningFacts(organization: nil, participant: nil, earlierNotifications: 0, activeContacts: [])
}

extension OutboxStore {
    /// How many messages of `template` for the case went or are going to each of the organisations of `list`
    /// (failed and voided ones aside); an organisation with none is absent.
    static func earlierNotifications(_ session: any SQLSession, caseId: String, organizations list: (marks: String, values: [SQLValue]),
                                     template: String) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        try session.forEachRow("""
            SELECT organizationId, COUNT(*) FROM notification
            WHERE caseId = ? AND organizationId IN (\(list.marks)) AND template = ? AND state NOT IN ('failed', 'voided')
            GROUP BY organizationId
            """, [caseId.sqlValue] + list.values + [template.sqlValue]) { row in
            counts[try row[0] as String] = try row[1] as Int
            return true
        }
        return counts
    }

    public func enqueue(_ messages: [QueuedNotification], refuseRepeats: Bool, answerLinks: [NewAnswerLink],
                        followUps: [QueueFollowUp], actor: String) throws {
        try engine.write { session in
            for link in answerLinks { try AnswerLinkStore.issue(session, link, actor: actor) }
            try Self.store(session, messages, refuseRepeats: refuseRepeats, actor: actor)
            try Self.apply(session, followUps, actor: actor)
        }
    }

    public func enqueue(steps: [QueuedStep], actor: String) throws -> [Bool] {
        try engine.write { session in
            try steps.map { step in
                let now = try CaseStore.waitingParticipant(session, caseId: step.seen.caseId,
                                                                    organizationId: step.seen.organizationId)
                guard now == step.seen else { return false }
                for link in step.answerLinks { try AnswerLinkStore.issue(session, link, actor: actor) }
                try Self.store(session, step.messages, refuseRepeats: false, actor: actor)
                try Self.apply(session, [step.followUp], actor: actor)
                return true
            }
        }
    }

    /// Checks each organisation's messages again inside the transaction, then writes the rows in batches: every
    /// `notification` row, then their bytes, then their recipients (multi-row inserts, `SQLSession.insertRows`),
    /// then one `notification.queued` event per message, in the messages' order.
    private static func store(_ session: any SQLSession, _ messages: [QueuedNotification], refuseRepeats: Bool, actor: String) throws {
        guard !messages.isEmpty else { return }
        var organizations: [String] = []
        var byOrganization: [String: [Int]] = [:]
        for (index, message) in messages.enumerated() {
            let organizationId = message.record.organizationId
            if byOrganization[organizationId] == nil { organizations.append(organizationId) }
            byOrganization[organizationId, default: []].append(index)
        }
        if refuseRepeats { try refuseRepeated(session, messages, organizations: organizations, byOrganization: byOrganization) }
        try refuseChangedRecipients(session, messages, organizations: organizations, byOrganization: byOrganization)

        let returned = try session.insert(messages.map(\.record), returning: ["id", "messageId"])
        var ids: [String: Int64] = [:]
        ids.reserveCapacity(returned.count)
        for row in returned { ids[try row[1] as String] = try row[0] as Int64 }
        let rowIds = try messages.map { message in
            guard let id = ids[message.record.messageId] else {
                throw StoreError.invalidArgument("the outbox gave no id to message \(message.record.messageId)")
            }
            return id
        }
        try session.insertRows(into: "notificationMessage", columns: ["notificationId", "bytes"],
                               zip(rowIds, messages).map { id, message -> [SQLValue] in [.integer(id), .blob(message.bytes)] })
        try session.insert(zip(rowIds, messages).flatMap { id, message in
            message.recipients.map {
                NotificationRecipientRecord(notificationId: id, email: $0.email, kind: $0.kind, contactId: $0.contactId)
            }
        })
        let at = Date()
        try EventLog.append(session, actor: actor, messages.map { message in
            let record = message.record
            return EventLog.Entry(action: "notification.queued", objectType: "notification", objectId: record.messageId, data: [
                "organizationId": .string(record.organizationId), "caseId": .optional(record.caseId),
                "purpose": .string(record.purpose.rawValue), "category": .optional(record.incidentCategory?.rawValue),
                "template": .string(record.template), "language": .string(record.language),
                "encrypted": .string(record.encrypted ? "true" : "false"),
            ], at: at)
        })
    }

    /// Refuses (`StoreError.alreadyNotified`) the first organisation, in order, that already has a message of the
    /// same template for the case, queued or sent (failed and voided ones aside): one query per case and template.
    private static func refuseRepeated(_ session: any SQLSession, _ messages: [QueuedNotification], organizations: [String],
                                       byOrganization: [String: [Int]]) throws {
        struct Key: Hashable { let caseId: String; let template: String }
        // Per case and template, the states of the earlier messages of each organisation.
        var earlier: [Key: [String: [String]]] = [:]
        for message in messages {
            guard let caseId = message.record.caseId else { continue }
            let key = Key(caseId: caseId, template: message.record.template)
            guard earlier[key] == nil else { continue }
            var states: [String: [String]] = [:]
            try session.forEachRow("""
                SELECT organizationId, state FROM notification WHERE caseId = ? AND template = ? AND state NOT IN ('failed', 'voided')
                """, [caseId.sqlValue, key.template.sqlValue]) { row in
                let organizationId: String = try row[0], state: String = try row[1]
                states[organizationId, default: []].append(state)
                return true
            }
            earlier[key] = states
        }
        for organizationId in organizations {
            let planned = byOrganization[organizationId, default: []].map { messages[$0] }
            guard let caseId = planned[0].record.caseId else { continue }
            var templates: [String] = []
            for template in planned.map(\.record.template) where !templates.contains(template) { templates.append(template) }
            for template in templates {
                guard let states = earlier[Key(caseId: caseId, template: template)]?[organizationId], !states.isEmpty else { continue }
                let unsent: Set<String> = ["queued", "sending", "deferred"]
                throw StoreError.alreadyNotified(caseId: caseId, organizationId: organizationId, template: template,
                                                 queued: states.allSatisfy(unsent.contains))
            }
        }
    }

    /// Refuses (`StoreError.recipientsChanged`) the first organisation, in order, one of whose recipients is no
    /// longer an active contact with that address, or that has an active `to` contact who is not a recipient. The
    /// active contacts of every organisation are read together (`SQLBatch.maxValues` organisations a query).
    private static func refuseChangedRecipients(_ session: any SQLSession, _ messages: [QueuedNotification], organizations: [String],
                                                byOrganization: [String: [Int]]) throws {
        var contacts: [String: [(id: Int64, email: String, isTo: Bool)]] = [:]
        for chunk in SQLBatch.chunks(organizations.map(\.sqlValue), of: SQLBatch.maxValues) {
            let list = SQLBatch.inList(chunk)
            try session.forEachRow("""
                SELECT organizationId, id, email, role FROM contact WHERE active = 1 AND organizationId IN (\(list.marks))
                """, list.values) { row in
                let organizationId: String = try row[0], id: Int64 = try row[1], email: String = try row[2], role: String = try row[3]
                contacts[organizationId, default: []].append((id: id, email: email, isTo: role != ContactRole.cc.rawValue))
                return true
            }
        }
        for organizationId in organizations {
            let recipients = byOrganization[organizationId, default: []].flatMap { messages[$0].recipients }
            let active = contacts[organizationId] ?? []
            let current = Dictionary(active.map { ($0.id, $0.email.lowercased()) }, uniquingKeysWith: { a, _ in a })
            let stillThere = recipients.allSatisfy { r in r.contactId.map { current[$0] == r.email.lowercased() } ?? true }
            let plannedIds = Set(recipients.compactMap(\.contactId))
            let everyTo = active.filter(\.isTo).allSatisfy { plannedIds.contains($0.id) }
            guard stillThere, everyTo else { throw StoreError.recipientsChanged(organizationId) }
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
