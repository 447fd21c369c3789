import Foundation
import GRDB

/// A case with counts of its participants.
public struct CaseSummary: Sendable, Encodable {
    public let record: CaseRecord
    public let participants: Int
    public let notified: Int
    public let responded: Int
}

/// A participant as `case show` presents it.
public struct ParticipantStatus: Sendable, Encodable {
    public let record: ParticipantRecord
    public let organizationName: String
    /// Whole days since first notification, while no response has come.
    public let daysWaiting: Int?
    /// Whole days from first notification to first response.
    public let daysToRespond: Int?
    public let lastMessageState: String?
    /// At least one reply was signed by a key of the organisation's contacts.
    public let verifiedReply: Bool
    /// Delivery reports for this participant that blame our message or domain (size, SPF/DKIM/DMARC, content,
    /// our relay): problems of ours, never bounces of the vendor's addresses.
    public let ourDeliveryProblems: Int
    /// The latest of them as it was listed for review, or null.
    public let ourDeliveryProblem: String?
    /// The current statement of each product (from VEX documents), by product name; empty when none was read.
    public let products: [ProductStatement]

    enum CodingKeys: String, CodingKey {
        case record, organizationName, daysWaiting, daysToRespond, lastMessageState, verifiedReply, ourDeliveryProblems
        case ourDeliveryProblem, products
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record, forKey: .record)
        try container.encode(organizationName, forKey: .organizationName)
        try container.encodeIfPresent(daysWaiting, forKey: .daysWaiting)
        try container.encodeIfPresent(daysToRespond, forKey: .daysToRespond)
        try container.encodeIfPresent(lastMessageState, forKey: .lastMessageState)
        try container.encode(verifiedReply, forKey: .verifiedReply)
        try container.encode(ourDeliveryProblems, forKey: .ourDeliveryProblems)
        try container.encode(ourDeliveryProblem, forKey: .ourDeliveryProblem)
        try container.encode(products, forKey: .products)
    }
}

/// A case and all its participants.
public struct CaseDetail: Sendable, Encodable {
    public let record: CaseRecord
    public let participants: [ParticipantStatus]
}

/// The owner of cases and participants: opening, participants, responses, publication, listings. Every change
/// writes its event in the same transaction. Throws `StoreError` when the rules refuse (unknown case, …).
///
/// ```swift
/// let cases = CaseStore(store)
/// try cases.open(CaseRecord(id: "JVNVU#12345678", title: "TLS", origin: "jvn-jp", openedAt: Date()), actor: "alice")
/// ```
public struct CaseStore: Sendable {
    let writer: any DatabaseWriter

    public init(_ store: RegistryStore) { writer = store.writer }
    public init(writer: any DatabaseWriter) { self.writer = writer }

    /// Opens a case; throws `StoreError.caseExists` when its id is taken.
    public func open(_ record: CaseRecord, actor: String) throws {
        try writer.write { db in
            guard try CaseRecord.fetchOne(db, key: record.id) == nil else { throw StoreError.caseExists(record.id) }
            try record.insert(db)
            try EventLog.append(db, actor: actor, action: "case.opened", objectType: "case", objectId: record.id, data: [
                "title": .string(record.title), "origin": .string(record.origin), "due": .optional(record.due),
                "openedAt": .string(EventTimestamp.string(record.openedAt)), "tlp": .optional(record.tlp?.rawValue),
            ])
        }
    }

    /// The case, or nil.
    public func record(_ caseId: String) throws -> CaseRecord? {
        try writer.read { db in try CaseRecord.fetchOne(db, key: caseId) }
    }

    /// Adds organisations by id, and every active organisation of `kind` implementing all `technologies`.
    /// Returns the ids newly added (already present ones are skipped). Unknown or retired organisations are
    /// every one listed in the error, and nothing is added.
    public func addParticipants(caseId: String, organizations: [String], technologies: [String], kind: String?,
                                actor: String, at now: Date) throws -> [String] {
        try writer.write { db in
            guard try CaseRecord.fetchOne(db, key: caseId) != nil else { throw StoreError.unknownCase(caseId) }
            var ids: [String] = []
            var problems: [String] = []
            for org in organizations {
                switch try Organization.fetchOne(db, key: org)?.status {
                case nil: problems.append(StoreError.unknownOrganization(org).description)
                case .retired: problems.append(StoreError.retiredOrganization(org).description)
                case .active: ids.append(org)
                }
            }
            if !problems.isEmpty { throw StoreError.unknownOrganizations(problems) }
            if !technologies.isEmpty || kind != nil {
                let wantedKind = kind ?? (technologies.isEmpty ? nil : "product-developer")
                var candidates = Organization.filter(Column("status") == OrganizationStatus.active.rawValue)
                if let wantedKind { candidates = candidates.filter(Column("kind") == wantedKind) }
                for organization in try candidates.order(Column("id")).fetchAll(db)
                where technologies.allSatisfy(organization.technologies.contains) {
                    ids.append(organization.id)
                }
                if ids.isEmpty {
                    throw StoreError.invalidArgument("no active \(wantedKind ?? "organisation") implements \(technologies.joined(separator: " + "))")
                }
            }
            var added: [String] = []
            for org in ids where try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": org]) == nil {
                try ParticipantRecord(caseId: caseId, organizationId: org, addedAt: now).insert(db)
                try EventLog.append(db, actor: actor, action: "participant.added", objectType: "participant",
                                    objectId: "\(caseId)|\(org)", data: ["caseId": .string(caseId), "organizationId": .string(org)])
                added.append(org)
            }
            return added
        }
    }

    /// The case's participants' organisation ids, sorted.
    public func participantIds(caseId: String) throws -> [String] {
        try writer.read { db in
            try String.fetchAll(db, sql: "SELECT organizationId FROM participant WHERE caseId = ? ORDER BY organizationId",
                                arguments: [caseId])
        }
    }

    /// One participant, or nil.
    public func participant(caseId: String, organizationId: String) throws -> ParticipantRecord? {
        try writer.read { db in try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": organizationId]) }
    }

    /// Records what an organisation said about the case; the first response time is kept, later ones move
    /// `respondedAt`.
    public func setResponse(caseId: String, organizationId: String, response: Response, statement: String?,
                            at date: Date, actor: String, source: String) throws {
        try writer.write { db in
            try Self.recordResponse(db, caseId: caseId, organizationId: organizationId, response: response,
                                    statement: statement, at: date, actor: actor, source: source)
        }
    }

    /// `setResponse` inside a transaction of the caller (ingest records a reply and its effect together).
    public static func recordResponse(_ db: Database, caseId: String, organizationId: String, response: Response,
                                      statement: String?, at date: Date, actor: String, source: String) throws {
        guard try CaseRecord.fetchOne(db, key: caseId) != nil else { throw StoreError.unknownCase(caseId) }
        guard var participant = try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": organizationId]) else {
            throw StoreError.notParticipant(caseId: caseId, organizationId: organizationId)
        }
        participant.response = response
        if participant.firstResponseAt == nil, response != .none { participant.firstResponseAt = date }
        participant.respondedAt = date
        if let statement { participant.statement = statement }
        try participant.update(db, columns: ["response", "firstResponseAt", "respondedAt", "statement"])
        if response != .none {
            try CaseLifecycleStore.clearUnreachable(db, caseId: caseId, organizationId: organizationId, at: date, actor: actor)
        }
        try EventLog.append(db, actor: actor, action: "participant.response", objectType: "participant",
                            objectId: "\(caseId)|\(organizationId)", data: [
                                "caseId": .string(caseId), "organizationId": .string(organizationId),
                                "response": .string(response.rawValue), "statement": .optional(statement),
                                "at": .string(EventTimestamp.string(date)), "source": .string(source),
                            ])
    }

    /// Marks the case published at `date`. A case already published is refused with
    /// `StoreError.alreadyPublished`, naming its publication time as `dates` shows it (`2007-10-01 09:00 (JST)`).
    public func publish(caseId: String, at date: Date, actor: String, dates: WorkspaceDates = .utc) throws {
        try writer.write { db in
            guard var record = try CaseRecord.fetchOne(db, key: caseId) else { throw StoreError.unknownCase(caseId) }
            if let published = record.publishedAt {
                throw StoreError.alreadyPublished(caseId, at: "\(dates.timeText(published)) "
                                                  + "(\(ZoneLabel.abbreviation(dates.timeZone, at: published)))")
            }
            record.publishedAt = date
            try record.update(db, columns: ["publishedAt"])
            try EventLog.append(db, actor: actor, action: "case.published", objectType: "case", objectId: caseId, data: [
                "origin": .string(record.origin), "publishedAt": .string(EventTimestamp.string(date)),
            ])
        }
    }

    /// Cases, newest first; `openOnly` leaves out published ones.
    public func list(openOnly: Bool) throws -> [CaseSummary] {
        try writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.*, COUNT(p.organizationId) AS participants,
                       SUM(p.delivery = 'notified') AS notified, SUM(p.response != 'none') AS responded
                FROM "case" c LEFT JOIN participant p ON p.caseId = c.id
                \(openOnly ? "WHERE c.publishedAt IS NULL" : "")
                GROUP BY c.id ORDER BY c.openedAt DESC, c.id
                """)
            return try rows.map { row in
                CaseSummary(record: try CaseRecord(row: row), participants: row["participants"] ?? 0,
                            notified: row["notified"] ?? 0, responded: row["responded"] ?? 0)
            }
        }
    }

    /// One case with each participant's state (no message bytes are read); days are counted up to `now`.
    public func show(caseId: String, now: Date) throws -> CaseDetail {
        try writer.read { db in
            guard let record = try CaseRecord.fetchOne(db, key: caseId) else { throw StoreError.unknownCase(caseId) }
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.*, o.name AS organizationName,
                       (SELECT n.state FROM notification n INDEXED BY notification_case
                        WHERE n.caseId = p.caseId AND n.organizationId = p.organizationId
                        ORDER BY n.id DESC LIMIT 1) AS lastState,
                       (SELECT COUNT(*) FROM inboundMessage m WHERE m.id = (
                            SELECT MAX(id) FROM inboundMessage WHERE caseId = p.caseId AND organizationId = p.organizationId
                            AND appliedResponse IS NOT NULL)
                        AND m.appliedResponse = p.response AND m.signature = 'verified' AND m.signedForCase) AS verifiedReplies,
                       (SELECT COUNT(*) FROM inboundMessage WHERE caseId = p.caseId AND organizationId = p.organizationId
                        AND kind = 'our-delivery-problem') AS ourProblems,
                       (SELECT reviewReason FROM inboundMessage WHERE caseId = p.caseId AND organizationId = p.organizationId
                        AND kind = 'our-delivery-problem' ORDER BY id DESC LIMIT 1) AS ourProblem
                FROM participant p JOIN organization o ON o.id = p.organizationId
                WHERE p.caseId = ? ORDER BY p.organizationId
                """, arguments: [caseId])
            let products = Dictionary(grouping: try ProductStatementSchema.current(db, caseId: caseId), by: \.organizationId)
            let participants = try rows.map { row -> ParticipantStatus in
                let p = try ParticipantRecord(row: row)
                var waiting: Int?
                if let notified = p.firstNotifiedAt {
                    let end = p.firstResponseAt ?? now
                    waiting = max(0, Int(end.timeIntervalSince(notified) / 86_400))
                }
                return ParticipantStatus(record: p, organizationName: row["organizationName"],
                                         daysWaiting: p.firstResponseAt == nil ? waiting : nil,
                                         daysToRespond: p.firstResponseAt == nil ? nil : waiting,
                                         lastMessageState: row["lastState"],
                                         verifiedReply: (row["verifiedReplies"] as Int? ?? 0) > 0,
                                         ourDeliveryProblems: row["ourProblems"] ?? 0, ourDeliveryProblem: row["ourProblem"],
                                         products: products[p.organizationId] ?? [])
            }
            return CaseDetail(record: record, participants: participants)
        }
    }

    /// Participants of an open case notified at or before `cutoff` with no response, not reminded after it.
    /// Throws when the case is unknown or published.
    public func dueForReminder(caseId: String, cutoff: Date) throws -> [String] {
        try writer.read { db in
            guard let record = try CaseRecord.fetchOne(db, key: caseId) else { throw StoreError.unknownCase(caseId) }
            if record.publishedAt != nil { throw StoreError.invalidArgument("case \(caseId) is published; reminders are for open cases") }
            return try String.fetchAll(db, sql: """
                SELECT organizationId FROM participant
                WHERE caseId = ? AND delivery = 'notified' AND response = 'none' AND firstNotifiedAt <= ?
                  AND (lastRemindedAt IS NULL OR lastRemindedAt <= ?)
                ORDER BY firstNotifiedAt, organizationId
                """, arguments: [caseId, cutoff, cutoff])
        }
    }
}
