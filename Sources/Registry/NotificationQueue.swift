import Foundation
import GRDB

/// One message ready to queue: its outbox row, the exact bytes that go on the wire and its envelope recipients.
public struct QueuedNotification: Sendable {
    /// One envelope recipient and the contact it came from.
    public struct Recipient: Sendable, Equatable {
        public var email: String
        /// `to` or `cc`.
        public var kind: String
        public var contactId: Int64?
        public init(email: String, kind: String, contactId: Int64?) { self.email = email; self.kind = kind; self.contactId = contactId }
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
/// participant as the plan saw it (`OutboxStore.enqueue(steps:actor:)` stores the step only if it is unchanged).
public struct QueuedStep: Sendable {
    public var messages: [QueuedNotification]
    public var followUp: QueueFollowUp
    public var seen: WaitingParticipant
    public init(messages: [QueuedNotification], followUp: QueueFollowUp, seen: WaitingParticipant) {
        self.messages = messages; self.followUp = followUp; self.seen = seen
    }
}

/// The directory and case facts `notify` plans from, read before anything is signed.
public struct NotificationPlanningQueries: Sendable {
    let reader: any DatabaseReader
    public init(_ store: RegistryStore) { reader = store.writer }
    public init(reader: any DatabaseReader) { self.reader = reader }

    /// The organisation, or nil.
    public func organization(_ id: String) throws -> Organization? {
        try reader.read { db in try Organization.fetchOne(db, key: id) }
    }

    /// The organisation's active contacts, in the order they were added.
    public func activeContacts(of organizationId: String) throws -> [Contact] {
        try reader.read { db in
            try Contact.fetchAll(db, sql: "SELECT * FROM contact WHERE organizationId = ? AND active ORDER BY id", arguments: [organizationId])
        }
    }

    /// What planning one organisation's message needs, read in one transaction: the organisation, its
    /// participation in `caseId` (when given), how many messages of `template` for the case went or are going to
    /// it (failed and voided ones aside), and its active contacts in the order they were added.
    public func planningFacts(organizationId: String, caseId: String?, template: String) throws -> PlanningFacts {
        try reader.read { db in
            // Prepared once per connection: `notify` reads these for each of thousands of organisations.
            let organization = try Organization.fetchOne(db.cachedStatement(sql: "SELECT * FROM organization WHERE id = ?"),
                                                         arguments: [organizationId])
            var participant: ParticipantRecord?
            var earlier = 0
            if let caseId {
                participant = try ParticipantRecord.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM participant WHERE caseId = ? AND organizationId = ?"),
                    arguments: [caseId, organizationId])
                earlier = try OutboxStore.earlierNotifications(db, caseId: caseId, organizationId: organizationId, template: template)
            }
            let contacts = try Contact.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM contact WHERE organizationId = ? AND active ORDER BY id"),
                arguments: [organizationId])
            return PlanningFacts(organization: organization, participant: participant, earlierNotifications: earlier,
                                 activeContacts: contacts)
        }
    }

    /// How many messages of `template` for the case went or are going to the organisation (failed ones aside).
    public func earlierNotifications(caseId: String, organizationId: String, template: String) throws -> Int {
        try reader.read { db in try OutboxStore.earlierNotifications(db, caseId: caseId, organizationId: organizationId, template: template) }
    }

    /// How many messages of `template` for the case are not yet sent nor failed: queued, being sent (or held)
    /// or deferred for a retry; only those to `organizations` when it is not empty.
    public func unsentNotifications(caseId: String, template: String, organizations: [String] = []) throws -> Int {
        try reader.read { db in
            var sql = "SELECT COUNT(*) FROM notification WHERE caseId = ? AND template = ? AND state IN ('queued', 'sending', 'deferred')"
            var arguments: StatementArguments = [caseId, template]
            if !organizations.isEmpty {
                sql += " AND organizationId IN (\(organizations.map { _ in "?" }.joined(separator: ", ")))"
                for organization in organizations { arguments += [organization] }
            }
            return try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
        }
    }

    /// The active national CSIRTs of a country (ISO 3166-1 alpha-2, upper case), by id.
    public func nationalCSIRTs(country: String) throws -> [String] {
        try reader.read { db in
            try String.fetchAll(db, sql: """
                SELECT id FROM organization WHERE country = ? AND kind = 'national-csirt' AND status = 'active' ORDER BY id
                """, arguments: [country])
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
    static func earlierNotifications(_ db: Database, caseId: String, organizationId: String, template: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM notification WHERE caseId = ? AND organizationId = ? AND template = ? AND state NOT IN ('failed', 'voided')
            """), arguments: [caseId, organizationId, template]) ?? 0
    }

    /// Queues every message in one transaction, each with its recipients and a `notification.queued` event.
    ///
    /// Inside the transaction, before writing, each organisation is checked again: with `refuseRepeats`, that no
    /// message of the same template for the case went to it (`StoreError.alreadyNotified`: two `notify` run at
    /// the same moment queue once); and that every recipient is still an active contact with that address and
    /// every active `to` contact is a recipient (`StoreError.recipientsChanged`). Then each `followUps` change is
    /// made. All or nothing.
    public func enqueue(_ messages: [QueuedNotification], refuseRepeats: Bool, followUps: [QueueFollowUp] = [],
                        actor: String) throws {
        var handed = false
        try enqueue(refuseRepeats: refuseRepeats, actor: actor, followUps: { followUps }) {
            defer { handed = true }
            return handed ? nil : messages
        }
    }

    /// Queues reminder-ladder steps in one transaction: for each, its messages (the coordinator's copy of an
    /// escalation included) and its `followUp` (the reminder counted, the escalation marked), only if the
    /// participant still waits exactly as `seen` found it: same reminder count, last reminder and escalation,
    /// still no response, case still open. A step whose participant changed is left out, nothing of it written
    /// (another `remind` or `liaison run` took it meanwhile, or an answer came while it was being signed); any
    /// other problem (`StoreError.recipientsChanged`) rolls everything back. Returns, per step, whether it was stored.
    public func enqueue(steps: [QueuedStep], actor: String) throws -> [Bool] {
        try writer.write { db in
            try steps.map { step in
                let now = try CaseStore.waitingParticipant(db, caseId: step.seen.caseId, organizationId: step.seen.organizationId)
                guard now == step.seen else { return false }
                try Self.store(db, step.messages, refuseRepeats: false, actor: actor)
                try Self.apply(db, [step.followUp], actor: actor)
                return true
            }
        }
    }

    /// Whether this store's database can be read by other threads while a write transaction is open (a WAL
    /// pool): then `enqueue(refuseRepeats:actor:followUps:next:)` may be fed by threads that read the registry.
    /// A single connection (a database opened while another process held its write lock, or in memory) cannot.
    public var readsDuringWrites: Bool { writer is DatabasePool }

    /// Queues, in one write transaction, the groups of messages `next` hands over one after the other (nil
    /// when there are no more), each group checked and stored as `enqueue(_:refuseRepeats:followUps:actor:)`
    /// does — an organisation's messages all in one group — then the `followUps` it names at the end. The
    /// write lock is held from the first group to the last, so the messages can be signed while the first are
    /// stored; an error thrown by `next` or by any check rolls everything back. `next` must not wait for
    /// anything that reads this store unless `readsDuringWrites`.
    public func enqueue(refuseRepeats: Bool, actor: String, followUps: () -> [QueueFollowUp],
                        next: () throws -> [QueuedNotification]?) throws {
        try writer.write { db in
            while let messages = try next() {
                try Self.store(db, messages, refuseRepeats: refuseRepeats, actor: actor)
            }
            try Self.apply(db, followUps(), actor: actor)
        }
    }

    private static func store(_ db: Database, _ messages: [QueuedNotification], refuseRepeats: Bool, actor: String) throws {
        var organizations: [String] = []
        var seen = Set<String>()
        for message in messages where seen.insert(message.record.organizationId).inserted {
            organizations.append(message.record.organizationId)
        }
        for organizationId in organizations {
            let planned = messages.filter { $0.record.organizationId == organizationId }
            if refuseRepeats, let caseId = planned[0].record.caseId {
                for template in Set(planned.map(\.record.template))
                where try Self.earlierNotifications(db, caseId: caseId, organizationId: organizationId, template: template) > 0 {
                    let sent = try Int.fetchOne(db, sql: """
                        SELECT COUNT(*) FROM notification WHERE caseId = ? AND organizationId = ? AND template = ?
                          AND state NOT IN ('failed', 'voided', 'queued', 'sending', 'deferred')
                        """, arguments: [caseId, organizationId, template]) ?? 0
                    throw StoreError.alreadyNotified(caseId: caseId, organizationId: organizationId, template: template, queued: sent == 0)
                }
            }
            let contacts = try Contact.fetchAll(db, sql: "SELECT * FROM contact WHERE organizationId = ? AND active",
                                                arguments: [organizationId])
            let recipients = planned.flatMap(\.recipients)
            let current = Dictionary(contacts.compactMap { c in c.id.map { ($0, c.email.lowercased()) } }, uniquingKeysWith: { a, _ in a })
            let stillThere = recipients.allSatisfy { r in r.contactId.map { current[$0] == r.email.lowercased() } ?? true }
            let plannedIds = Set(recipients.compactMap(\.contactId))
            let everyTo = contacts.filter { $0.role != .cc }.allSatisfy { $0.id.map(plannedIds.contains) ?? true }
            guard stillThere, everyTo else { throw StoreError.recipientsChanged(organizationId) }
        }
        for message in messages {
            var record = message.record
            try record.insert(db)
            try db.cachedStatement(sql: "INSERT INTO notificationMessage (notificationId, bytes) VALUES (?, ?)")
                .execute(arguments: [record.id!, message.bytes])
            for recipient in message.recipients {
                try NotificationRecipientRecord(notificationId: record.id!, email: recipient.email, kind: recipient.kind,
                                                contactId: recipient.contactId).insert(db)
            }
            try EventLog.append(db, actor: actor, action: "notification.queued", objectType: "notification",
                                objectId: record.messageId, data: [
                                    "organizationId": .string(record.organizationId), "caseId": .optional(record.caseId),
                                    "purpose": .string(record.purpose.rawValue), "category": .optional(record.incidentCategory?.rawValue),
                                    "template": .string(record.template), "language": .string(record.language),
                                    "encrypted": .string(record.encrypted ? "true" : "false"),
                                ])
        }
    }

    private static func apply(_ db: Database, _ followUps: [QueueFollowUp], actor: String) throws {
        for followUp in followUps {
            switch followUp {
            case .reminded(let caseId, let organizationId, let date):
                try CaseStore.recordReminder(db, caseId: caseId, organizationId: organizationId, at: date)
            case .escalated(let caseId, let organizationId, let date):
                try CaseStore.recordEscalation(db, caseId: caseId, organizationId: organizationId, at: date, actor: actor)
            }
        }
    }
}
