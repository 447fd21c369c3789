import Foundation
import GRDB

/// A case with counts of its participants.
public struct CaseSummary: Sendable, Encodable {
    public let record: CaseRecord
    public let participants: Int
    public let notified: Int
    public let responded: Int
    /// Participants whose response is `acknowledged` (received, no status yet).
    public var acknowledged = 0
    /// Participants who stated a status: investigating, affected, not-affected or fixed.
    public var stated = 0
    /// Participants found undeliverable.
    public var undeliverable = 0
    /// Participants notified that have not answered at all.
    public var noAnswer = 0
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
    /// The statement of each named product that stands (from the answer link, VEX documents…), by product name;
    /// empty when none was stated.
    public let products: [ProductStatement]
    /// The statement for all the organisation's products that stands (a mail's status, `case set`), when there is one.
    public var allProducts: ProductStatement?

    /// Addresses of the organisation that bounced or were refused for good in this case's messages.
    public var bouncedAddresses: [AddressTrouble] = []
    /// Delivery problems of our own in this case's messages to it: refused by our relay, or voided by a person.
    public var ownProblems: [AddressTrouble] = []
    /// Automatic replies (out of office, ticket receipts) it sent about the case.
    public var automaticReplies: [AutomaticReplyNote] = []

    enum CodingKeys: String, CodingKey {
        case record, organizationName, daysWaiting, daysToRespond, lastMessageState, verifiedReply, ourDeliveryProblems
        case ourDeliveryProblem, products, allProducts, bouncedAddresses, ownProblems, automaticReplies
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
        try container.encodeIfPresent(allProducts, forKey: .allProducts)
        try container.encode(bouncedAddresses, forKey: .bouncedAddresses)
        try container.encode(ownProblems, forKey: .ownProblems)
        try container.encode(automaticReplies, forKey: .automaticReplies)
    }
}

/// An address and what went wrong with it (the server's reply, or why a person voided the message).
public struct AddressTrouble: Sendable, Encodable, Hashable {
    public let email: String
    public let status: String
    public let reason: String?
    public let at: Date?
}

/// An automatic reply read by `ingest`.
public struct AutomaticReplyNote: Sendable, Encodable, Hashable {
    public let inboundId: Int64
    public let from: String?
    public let subject: String?
    public let receivedAt: Date
}

/// One case an organisation took part in, as `org show` lists its history.
public struct ParticipationHistory: Sendable, Encodable {
    public let caseId: String
    public let title: String
    public let openedAt: Date
    public let publishedAt: Date?
    public let withdrawnAt: Date?
    public let delivery: Delivery
    public let response: Response
    public let firstNotifiedAt: Date?
    public let firstResponseAt: Date?
    /// Whole days from the first notification to the first response; nil without both.
    public let daysToRespond: Int?
    /// When the current response was recorded (the latest change of it); nil while there is none.
    public var respondedAt: Date? = nil
    /// The statement that came with the response, as recorded; nil when none was given.
    public var statement: String? = nil
    /// Where the current response came from, as its `participant.response` event recorded it: `manual`,
    /// `reply <Message-ID>`, …; nil while there is none.
    public var responseSource: String? = nil
    /// The same, as a person reads it (`ResponseSourceKind`); nil while there is no response.
    public var responseSourceKind: ResponseSourceKind? = nil
}

/// Where a participant's response came from, as the desk and `org show` name it.
public enum ResponseSourceKind: String, Sendable, Codable, CaseIterable {
    /// A reply whose OpenPGP signature was verified against the organisation's key.
    case signedMail = "signed-mail"
    /// A reply without a verified signature.
    case mail
    /// The organisation's answer link (the answer form).
    case answerLink = "answer-link"
    /// A VEX or CSAF document.
    case vex
    /// Set by a person (`case set`, or a reply assigned by hand with the status read in it).
    case person
    /// Anything else recorded.
    case other

    /// The kind of a recorded source text; `replySignature` is the signature outcome of the reply it names, if any.
    public static func of(source: String, replySignature: String?) -> ResponseSourceKind {
        let lowered = source.lowercased()
        if lowered == "manual" || lowered.hasPrefix("manual ") || lowered.hasPrefix("person") { return .person }
        if lowered.hasPrefix("reply ") { return replySignature == InboundSignature.verified.rawValue ? .signedMail : .mail }
        if lowered.contains("link") || lowered.contains("answer form") { return .answerLink }
        if lowered.contains("vex") || lowered.contains("csaf") { return .vex }
        return .other
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
            var data: [String: EventValue] = [
                "title": .string(record.title), "origin": .string(record.origin), "due": .optional(record.due),
                "openedAt": .string(EventTimestamp.string(record.openedAt)), "tlp": .optional(record.tlp?.rawValue),
            ]
            if let titleJa = record.titleJa { data["titleJa"] = .string(titleJa) }
            try EventLog.append(db, actor: actor, action: "case.opened", objectType: "case", objectId: record.id, data: data)
        }
    }

    /// The case; throws `StoreError.unknownCase`, naming the nearest case id when one is a likely typo.
    static func existingCase(_ db: Database, _ caseId: String) throws -> CaseRecord {
        if let record = try CaseRecord.fetchOne(db, key: caseId) { return record }
        throw StoreError.unknownCase(caseId, known: try String.fetchAll(db, sql: #"SELECT id FROM "case""#))
    }

    static func organizationIds(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM organization")
    }

    /// The lifecycle writes (TLP, titles, withdrawal) over the same database.
    public func lifecycle(actor: String) -> CaseLifecycleStore { CaseLifecycleStore(writer: writer, actor: actor) }

    /// The case; throws `StoreError.unknownCase` (with "did you mean") when there is none.
    public func existing(_ caseId: String) throws -> CaseRecord {
        try writer.read { db in try Self.existingCase(db, caseId) }
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
            try CaseLifecycleStore.refuseWithdrawn(try Self.existingCase(db, caseId))
            var ids: [String] = []
            var problems: [String] = []
            var unlisted = 0
            for org in organizations {
                let status = try Organization.fetchOne(db, key: org)?.status
                if status != .active && problems.count >= StoreError.listedProblems { unlisted += 1; continue }
                switch status {
                case nil: problems.append(StoreError.unknownOrganization(org, known: try Self.organizationIds(db)).description)
                case .retired: problems.append(StoreError.retiredOrganization(org).description)
                case .active: ids.append(org)
                }
            }
            if !problems.isEmpty { throw StoreError.unknownOrganizations(problems, more: unlisted) }
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
            // A person's decision on a case opened by mistake: reopen it first (a reply read by ingest is still kept).
            if let record = try CaseRecord.fetchOne(db, key: caseId) { try CaseLifecycleStore.refuseWithdrawn(record) }
            var response = response
            // A status set by a person is a statement for all the organisation's products, newer than those before it.
            if let status = ProductStatement.status(of: response),
               try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": organizationId]) != nil {
                let general = ProductStatement(caseId: caseId, organizationId: organizationId, product: "", productId: nil,
                                               status: status, justification: nil, detail: statement, source: .person,
                                               reference: source, statedAt: date, recordedAt: date)
                response = try ProductStatementSchema.record(db, [general], actor: actor) ?? response
            }
            try Self.recordResponse(db, caseId: caseId, organizationId: organizationId, response: response,
                                    statement: statement, at: date, actor: actor, source: source)
        }
    }

    /// `setResponse` inside a transaction of the caller (ingest records a reply and its effect together).
    public static func recordResponse(_ db: Database, caseId: String, organizationId: String, response: Response,
                                      statement: String?, at date: Date, actor: String, source: String) throws {
        _ = try Self.existingCase(db, caseId)
        guard var participant = try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": organizationId]) else {
            throw StoreError.notParticipant(caseId: caseId, organizationId: organizationId, participants: try String.fetchAll(
                db, sql: "SELECT organizationId FROM participant WHERE caseId = ?", arguments: [caseId]))
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
    /// With `tlp`, the case's level becomes it (a `case.tlp-changed` event); with `advisoryURL`, the advisory's
    /// address is kept for the publication template. A withdrawn case is refused.
    public func publish(caseId: String, at date: Date, actor: String, dates: WorkspaceDates = .utc,
                        tlp: TrafficLightProtocol? = nil, advisoryURL: String? = nil) throws {
        try writer.write { db in
            var record = try Self.existingCase(db, caseId)
            try CaseLifecycleStore.refuseWithdrawn(record)
            if let published = record.publishedAt {
                throw StoreError.alreadyPublished(caseId, at: "\(dates.timeText(published)) "
                                                  + "(\(ZoneLabel.abbreviation(dates.timeZone, at: published)))")
            }
            let previousLevel = record.tlp
            record.publishedAt = date
            if let tlp { record.tlp = tlp }
            if let advisoryURL { record.advisoryURL = advisoryURL }
            try record.update(db, columns: ["publishedAt", "tlp", "advisoryURL"])
            try EventLog.append(db, actor: actor, action: "case.published", objectType: "case", objectId: caseId, data: [
                "origin": .string(record.origin), "publishedAt": .string(EventTimestamp.string(date)),
            ].merging(advisoryURL.map { ["url": EventValue.string($0)] } ?? [:]) { first, _ in first })
            if let tlp, tlp != previousLevel {
                try EventLog.append(db, actor: actor, action: "case.tlp-changed", objectType: "case", objectId: caseId,
                                    data: ["from": .optional(previousLevel?.rawValue), "to": .string(tlp.rawValue),
                                           "reason": .string("published")], at: date)
            }
        }
    }

    /// Cases, newest first; `openOnly` leaves out published and withdrawn ones.
    public func list(openOnly: Bool) throws -> [CaseSummary] {
        try writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.*, COUNT(p.organizationId) AS participants,
                       SUM(p.delivery = 'notified') AS notified, SUM(p.response != 'none') AS responded,
                       SUM(p.response = 'acknowledged') AS acknowledged,
                       SUM(p.response IN ('investigating', 'affected', 'not-affected', 'fixed')) AS stated,
                       SUM(p.delivery = 'undeliverable') AS undeliverable,
                       SUM(p.delivery = 'notified' AND p.response = 'none') AS noAnswer
                FROM "case" c LEFT JOIN participant p ON p.caseId = c.id
                \(openOnly ? "WHERE c.publishedAt IS NULL AND c.withdrawnAt IS NULL" : "")
                GROUP BY c.id ORDER BY c.openedAt DESC, c.id
                """)
            return try rows.map { row in
                var summary = CaseSummary(record: try CaseRecord(row: row), participants: row["participants"] ?? 0,
                                          notified: row["notified"] ?? 0, responded: row["responded"] ?? 0)
                summary.acknowledged = row["acknowledged"] ?? 0
                summary.stated = row["stated"] ?? 0
                summary.undeliverable = row["undeliverable"] ?? 0
                summary.noAnswer = row["noAnswer"] ?? 0
                return summary
            }
        }
    }

    /// One case with each participant's state (no message bytes are read); days are counted up to `now`.
    public func show(caseId: String, now: Date) throws -> CaseDetail {
        try writer.read { db in try Self.detail(db, caseId: caseId, now: now) }
    }

    /// The columns of `participant` in the order `ParticipantRecord(participantRow:)` reads them.
    static let participantColumns = """
        p.caseId, p.organizationId, p.addedAt, p.delivery, p.firstNotifiedAt, p.response, p.firstResponseAt,
        p.respondedAt, p.statement, p.lastRemindedAt, p.reminderCount, p.escalatedAt, p.unreachableAt
        """

    /// `show` inside a read: one query per kind of fact, each grouped by organisation (none per participant), so a
    /// case of thousands of participants costs a handful of statements.
    static func detail(_ db: Database, caseId: String, now: Date) throws -> CaseDetail {
        let record = try existingCase(db, caseId)
        let facts = try ParticipantFacts.read(db, caseId: caseId, lastState: true)
        var participants: [ParticipantStatus] = []
        // Rows read in place from the statement (a cursor copies none), columns by position.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT \(participantColumns), o.name
            FROM participant p JOIN organization o ON o.id = p.organizationId
            WHERE p.caseId = ? ORDER BY p.organizationId
            """), arguments: [caseId])
        while let row = try rows.next() {
            let p = try ParticipantRecord(participantRow: row)
            var waiting: Int?
            if let notified = p.firstNotifiedAt {
                let end = p.firstResponseAt ?? now
                waiting = max(0, Int(end.timeIntervalSince(notified) / 86_400))
            }
            let problems = facts.ourProblems[p.organizationId]
            let products = facts.products[p.organizationId]
            var status = ParticipantStatus(record: p, organizationName: row[13],
                                           daysWaiting: p.firstResponseAt == nil ? waiting : nil,
                                           daysToRespond: p.firstResponseAt == nil ? nil : waiting,
                                           lastMessageState: facts.lastState[p.organizationId],
                                           verifiedReply: facts.verifiedReply(p.organizationId, response: p.response),
                                           ourDeliveryProblems: problems?.count ?? 0, ourDeliveryProblem: problems?.latest,
                                           products: (products ?? []).filter { !$0.product.isEmpty })
            status.allProducts = products?.first { $0.product.isEmpty }
            status.bouncedAddresses = facts.bounced[p.organizationId] ?? []
            status.ownProblems = facts.own[p.organizationId] ?? []
            status.automaticReplies = facts.automatic[p.organizationId] ?? []
            participants.append(status)
        }
        return CaseDetail(record: record, participants: participants)
    }

    /// Every case the organisation took part in, newest first, with what it answered (response, statement, where
    /// the response came from) and how fast.
    public func history(organizationId: String) throws -> [ParticipationHistory] {
        try writer.read { db in
            // The source of each current response: its latest `participant.response` event, and the signature of
            // the reply it names (`reply <Message-ID>`).
            var sources: [String: (source: String, signature: String?)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT e.objectId, json_extract(e.data, '$.source') AS source, m.signature
                FROM event e
                LEFT JOIN inboundMessage m ON json_extract(e.data, '$.source') LIKE 'reply %'
                     AND m.messageId = substr(json_extract(e.data, '$.source'), 7)
                WHERE e.id IN (SELECT max(id) FROM event WHERE action = 'participant.response' AND objectType = 'participant'
                               AND objectId IN (SELECT caseId || '|' || organizationId FROM participant WHERE organizationId = ?)
                               GROUP BY objectId)
                """, arguments: [organizationId]) {
                guard let source: String = row["source"] else { continue }
                sources[row["objectId"]] = (source, row["signature"])
            }
            return try Row.fetchAll(db, sql: """
                SELECT c.id, c.title, c.openedAt, c.publishedAt, c.withdrawnAt, p.delivery, p.response, p.firstNotifiedAt,
                       p.firstResponseAt, p.respondedAt, p.statement
                FROM participant p JOIN "case" c ON c.id = p.caseId
                WHERE p.organizationId = ? ORDER BY c.openedAt DESC, c.id
                """, arguments: [organizationId]).map { row in
                let notified: Date? = row["firstNotifiedAt"], responded: Date? = row["firstResponseAt"]
                let response = Response(rawValue: row["response"]) ?? .none
                var item = ParticipationHistory(
                    caseId: row["id"], title: row["title"], openedAt: row["openedAt"], publishedAt: row["publishedAt"],
                    withdrawnAt: row["withdrawnAt"], delivery: Delivery(rawValue: row["delivery"]) ?? .pending,
                    response: response, firstNotifiedAt: notified, firstResponseAt: responded,
                    daysToRespond: notified.flatMap { n in responded.map { max(0, Int($0.timeIntervalSince(n) / 86_400)) } })
                item.respondedAt = response == .none ? nil : row["respondedAt"]
                item.statement = row["statement"]
                if response != .none, let recorded = sources["\(item.caseId)|\(organizationId)"] {
                    item.responseSource = recorded.source
                    item.responseSourceKind = ResponseSourceKind.of(source: recorded.source, replySignature: recorded.signature)
                }
                return item
            }
        }
    }

    /// Participants of an open case notified at or before `cutoff` with no status, not reminded after it.
    /// Throws when the case is unknown or published.
    /// An acknowledged participant is due too while `today` (`YYYY-MM-DD`, the workspace's day) is not past the
    /// case's due date: an acknowledgement alone does not end the request for a status.
    public func dueForReminder(caseId: String, cutoff: Date, today: String) throws -> [String] {
        try writer.read { db in
            let record = try Self.existingCase(db, caseId)
            if record.publishedAt != nil { throw StoreError.invalidArgument("case \(caseId) is published; reminders are for open cases") }
            try CaseLifecycleStore.refuseWithdrawn(record)
            return try String.fetchAll(db, sql: """
                SELECT organizationId FROM participant
                WHERE caseId = ? AND delivery = 'notified' AND firstNotifiedAt <= ?
                  AND (response = 'none' OR (response = 'acknowledged' AND (? IS NULL OR ? <= ?)))
                  AND (lastRemindedAt IS NULL OR lastRemindedAt <= ?)
                ORDER BY firstNotifiedAt, organizationId
                """, arguments: [caseId, cutoff, record.due, today, record.due, cutoff])
        }
    }
}
