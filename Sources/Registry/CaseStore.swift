import Foundation

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
    /// The state of the latest message to the organisation about the case.
    public let lastMessageState: NotificationState?
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
    /// The same, as a person reads it (`ProductStatement.Source.of(recorded:replySignature:)`); nil while there is no
    /// response, or when the recorded source is none Liaison names (JSON `other`).
    public var responseSourceKind: ProductStatement.Source? = nil

    enum CodingKeys: String, CodingKey {
        case caseId, title, openedAt, publishedAt, withdrawnAt, delivery, response, firstNotifiedAt, firstResponseAt
        case daysToRespond, respondedAt, statement, responseSource, responseSourceKind
    }

    /// As documented for `org show --format json`: `responseSourceKind` is `signed-mail`, `mail`, `answer-link`,
    /// `vex`, `person` or `other`, present with `responseSource`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(caseId, forKey: .caseId)
        try container.encode(title, forKey: .title)
        try container.encode(openedAt, forKey: .openedAt)
        try container.encodeIfPresent(publishedAt, forKey: .publishedAt)
        try container.encodeIfPresent(withdrawnAt, forKey: .withdrawnAt)
        try container.encode(delivery, forKey: .delivery)
        try container.encode(response, forKey: .response)
        try container.encodeIfPresent(firstNotifiedAt, forKey: .firstNotifiedAt)
        try container.encodeIfPresent(firstResponseAt, forKey: .firstResponseAt)
        try container.encodeIfPresent(daysToRespond, forKey: .daysToRespond)
        try container.encodeIfPresent(respondedAt, forKey: .respondedAt)
        try container.encodeIfPresent(statement, forKey: .statement)
        try container.encodeIfPresent(responseSource, forKey: .responseSource)
        if responseSource != nil { try container.encode(responseSourceKind?.code ?? "other", forKey: .responseSourceKind) }
    }
}

/// A case and all its participants.
public struct CaseDetail: Sendable, Encodable {
    public let record: CaseRecord
    public let participants: [ParticipantStatus]
}

/// The owner of cases and participants: opening, participants, responses, publication, listings, the reminder
/// ladder, corrections, import and export, over either engine. Every change writes its event in the same
/// transaction. Reached as `RegistryStore.cases`.
struct CaseStore: CaseStoring {
    let engine: any StoreEngine

    init(engine: any StoreEngine) { self.engine = engine }

    func open(_ record: CaseRecord, actor: String) throws {
        try engine.write { session in
            guard try Self.caseRecord(session, record.id) == nil else { throw StoreError.caseExists(record.id) }
            try session.insert(record)
            var data: [String: EventValue] = [
                "title": .string(record.title), "origin": .string(record.origin), "due": .optional(record.due?.description),
                "openedAt": .string(EventTimestamp.string(record.openedAt)), "tlp": .optional(record.tlp?.rawValue),
            ]
            if let titleJa = record.titleJa { data["titleJa"] = .string(titleJa) }
            try EventLog.append(session, actor: actor, action: "case.opened", objectType: "case", objectId: record.id, data: data)
        }
    }

    /// The case, or nil.
    static func caseRecord(_ session: any SQLSession, _ caseId: String) throws -> CaseRecord? {
        try session.record(CaseRecord.self, #"SELECT * FROM "case" WHERE id = ?"#, caseId)
    }

    /// The case; throws `StoreError.unknownCase`, naming the nearest case id when one is a likely typo.
    static func existingCase(_ session: any SQLSession, _ caseId: String) throws -> CaseRecord {
        if let record = try caseRecord(session, caseId) { return record }
        throw StoreError.unknownCase(caseId, known: try session.values(#"SELECT id FROM "case""#, as: String.self))
    }

    /// One participant, or nil.
    static func participant(_ session: any SQLSession, caseId: String, organizationId: String) throws -> ParticipantRecord? {
        try session.record(ParticipantRecord.self, "SELECT * FROM participant WHERE caseId = ? AND organizationId = ?",
                           caseId, organizationId)
    }

    /// The participant; throws `StoreError.notParticipant` listing the case's participants.
    static func existingParticipant(_ session: any SQLSession, caseId: String, organizationId: String) throws -> ParticipantRecord {
        if let participant = try participant(session, caseId: caseId, organizationId: organizationId) { return participant }
        throw StoreError.notParticipant(caseId: caseId, organizationId: organizationId, participants: try session.values(
            "SELECT organizationId FROM participant WHERE caseId = ? ORDER BY organizationId", caseId, as: String.self))
    }

    func existing(_ caseId: String) throws -> CaseRecord {
        try engine.read { session in try Self.existingCase(session, caseId) }
    }

    func record(_ caseId: String) throws -> CaseRecord? {
        try engine.read { session in try Self.caseRecord(session, caseId) }
    }

    func addParticipants(caseId: String, organizations: [String], technologies: [String], kind: String?,
                         actor: String, at now: Date) throws -> [String] {
        try engine.write { session in
            try Self.refuseWithdrawn(try Self.existingCase(session, caseId))
            var ids: [String] = []
            var problems: [String] = []
            var unlisted = 0
            for org in organizations {
                let status = try session.value("SELECT status FROM organization WHERE id = ?", org, as: String.self)
                    .map { OrganizationStatus(rawValue: $0) ?? .retired }
                if status != .active && problems.count >= StoreError.listedProblems { unlisted += 1; continue }
                switch status {
                case nil:
                    let known = try session.values("SELECT id FROM organization", as: String.self)
                    problems.append(StoreError.unknownOrganization(org, known: known).description)
                case .retired: problems.append(StoreError.retiredOrganization(org).description)
                case .active: ids.append(org)
                }
            }
            if !problems.isEmpty { throw StoreError.unknownOrganizations(problems, more: unlisted) }
            if !technologies.isEmpty || kind != nil {
                let wantedKind = kind ?? (technologies.isEmpty ? nil : "product-developer")
                let candidates = try wantedKind.map {
                    try session.records(Organization.self, "SELECT * FROM organization WHERE status = ? AND kind = ? ORDER BY id",
                                        OrganizationStatus.active.rawValue, $0)
                } ?? session.records(Organization.self, "SELECT * FROM organization WHERE status = ? ORDER BY id",
                                     OrganizationStatus.active.rawValue)
                for organization in candidates where technologies.allSatisfy(organization.technologies.contains) {
                    ids.append(organization.id)
                }
                if ids.isEmpty {
                    throw StoreError.invalidArgument("no active \(wantedKind ?? "organisation") implements \(technologies.joined(separator: " + "))")
                }
            }
            // The new participants, each once, in order: their rows with multi-row inserts, then their events.
            var present = Set(try session.values("SELECT organizationId FROM participant WHERE caseId = ?", caseId, as: String.self))
            let added = ids.filter { present.insert($0).inserted }
            try session.insert(added.map { ParticipantRecord(caseId: caseId, organizationId: $0, addedAt: now) })
            let at = Date()
            try EventLog.append(session, actor: actor, added.map { org in
                EventLog.Entry(action: "participant.added", objectType: "participant", objectId: "\(caseId)|\(org)",
                               data: ["caseId": .string(caseId), "organizationId": .string(org)], at: at)
            })
            return added
        }
    }

    func participantIds(caseId: String) throws -> [String] {
        try engine.read { session in
            try session.values("SELECT organizationId FROM participant WHERE caseId = ? ORDER BY organizationId", caseId,
                               as: String.self)
        }
    }

    func participant(caseId: String, organizationId: String) throws -> ParticipantRecord? {
        try engine.read { session in try Self.participant(session, caseId: caseId, organizationId: organizationId) }
    }

    func setResponse(caseId: String, organizationId: String, response: Response, statement: String?,
                     at date: Date, actor: String, source: String) throws {
        try engine.write { session in
            // A person's decision on a case opened by mistake: reopen it first (a reply read by ingest is still kept).
            if let record = try Self.caseRecord(session, caseId) { try Self.refuseWithdrawn(record) }
            var response = response
            // A status set by a person is a statement for all the organisation's products, newer than those before it.
            if let status = ProductStatement.status(of: response),
               try Self.participant(session, caseId: caseId, organizationId: organizationId) != nil {
                let general = ProductStatement(caseId: caseId, organizationId: organizationId, product: "", productId: nil,
                                               status: status, justification: nil, detail: statement, source: .person,
                                               reference: source, statedAt: date, recordedAt: date)
                response = try ProductStatement.record(session, [general], actor: actor) ?? response
            }
            try Self.recordResponse(session, caseId: caseId, organizationId: organizationId, response: response,
                                    statement: statement, at: date, actor: actor, source: source)
        }
    }

    /// `setResponse` inside a transaction of the caller (ingest records a reply and its effect together).
    static func recordResponse(_ session: any SQLSession, caseId: String, organizationId: String, response: Response,
                               statement: String?, at date: Date, actor: String, source: String) throws {
        _ = try existingCase(session, caseId)
        var participant = try existingParticipant(session, caseId: caseId, organizationId: organizationId)
        participant.response = response
        if participant.firstResponseAt == nil, response != .none { participant.firstResponseAt = date }
        participant.respondedAt = date
        if let statement { participant.statement = statement }
        try session.execute("""
            UPDATE participant SET response = ?, firstResponseAt = ?, respondedAt = ?, statement = ?
            WHERE caseId = ? AND organizationId = ?
            """, participant.response.rawValue, participant.firstResponseAt, participant.respondedAt, participant.statement,
            caseId, organizationId)
        if response != .none {
            try clearUnreachable(session, caseId: caseId, organizationId: organizationId, at: date, actor: actor)
        }
        try EventLog.append(session, actor: actor, action: "participant.response", objectType: "participant",
                            objectId: "\(caseId)|\(organizationId)", data: [
                                "caseId": .string(caseId), "organizationId": .string(organizationId),
                                "response": .string(response.rawValue), "statement": .optional(statement),
                                "at": .string(EventTimestamp.string(date)), "source": .string(source),
                            ])
    }

    func publish(caseId: String, at date: Date, actor: String, dates: WorkspaceDates,
                 tlp: TrafficLightProtocol?, advisoryURL: String?) throws {
        try engine.write { session in
            var record = try Self.existingCase(session, caseId)
            try Self.refuseWithdrawn(record)
            if let published = record.publishedAt {
                throw StoreError.alreadyPublished(caseId, at: "\(dates.timeText(published)) "
                                                  + "(\(ZoneLabel.abbreviation(dates.timeZone, at: published)))")
            }
            let previousLevel = record.tlp
            record.publishedAt = date
            if let tlp { record.tlp = tlp }
            if let advisoryURL { record.advisoryURL = advisoryURL }
            try session.execute(#"UPDATE "case" SET publishedAt = ?, tlp = ?, advisoryURL = ? WHERE id = ?"#,
                                record.publishedAt, record.tlp?.rawValue, record.advisoryURL, caseId)
            try EventLog.append(session, actor: actor, action: "case.published", objectType: "case", objectId: caseId, data: [
                "origin": .string(record.origin), "publishedAt": .string(EventTimestamp.string(date)),
            ].merging(advisoryURL.map { ["url": EventValue.string($0)] } ?? [:]) { first, _ in first })
            if let tlp, tlp != previousLevel {
                try EventLog.append(session, actor: actor, action: "case.tlp-changed", objectType: "case", objectId: caseId,
                                    data: ["from": .optional(previousLevel?.rawValue), "to": .string(tlp.rawValue),
                                           "reason": .string("published")], at: date)
            }
        }
    }

    func list(openOnly: Bool) throws -> [CaseSummary] {
        try engine.read { session in
            // Counted per case in a subquery, so the case's own columns need no grouping.
            let rows = try session.rows("""
                SELECT c.*, COALESCE(s.participants, 0) AS participants, COALESCE(s.notified, 0) AS notified,
                       COALESCE(s.responded, 0) AS responded, COALESCE(s.acknowledged, 0) AS acknowledged,
                       COALESCE(s.stated, 0) AS stated, COALESCE(s.undeliverable, 0) AS undeliverable,
                       COALESCE(s.noAnswer, 0) AS noAnswer
                FROM "case" c LEFT JOIN (
                    SELECT caseId, COUNT(*) AS participants,
                           SUM(CASE WHEN delivery = 'notified' THEN 1 ELSE 0 END) AS notified,
                           SUM(CASE WHEN response != 'none' THEN 1 ELSE 0 END) AS responded,
                           SUM(CASE WHEN response = 'acknowledged' THEN 1 ELSE 0 END) AS acknowledged,
                           SUM(CASE WHEN response IN ('investigating', 'affected', 'not-affected', 'fixed') THEN 1 ELSE 0 END) AS stated,
                           SUM(CASE WHEN delivery = 'undeliverable' THEN 1 ELSE 0 END) AS undeliverable,
                           SUM(CASE WHEN delivery = 'notified' AND response = 'none' THEN 1 ELSE 0 END) AS noAnswer
                    FROM participant GROUP BY caseId) s ON s.caseId = c.id
                \(openOnly ? "WHERE c.publishedAt IS NULL AND c.withdrawnAt IS NULL" : "")
                ORDER BY c.openedAt DESC, c.id
                """)
            return try rows.map { row in
                var summary = CaseSummary(record: try row.decode(CaseRecord.self), participants: try row["participants"],
                                          notified: try row["notified"], responded: try row["responded"])
                summary.acknowledged = try row["acknowledged"]
                summary.stated = try row["stated"]
                summary.undeliverable = try row["undeliverable"]
                summary.noAnswer = try row["noAnswer"]
                return summary
            }
        }
    }

    func history(organizationId: String) throws -> [ParticipationHistory] {
        try engine.read { session in
            // The source of each current response: its latest `participant.response` event, and the signature of
            // the reply it names (`reply <Message-ID>`).
            var sources: [String: String] = [:]
            try session.forEachRow("""
                SELECT objectId, data FROM event
                WHERE id IN (SELECT max(id) FROM event WHERE action = 'participant.response' AND objectType = 'participant'
                             AND objectId IN (SELECT caseId || '|' || organizationId FROM participant WHERE organizationId = ?)
                             GROUP BY objectId)
                """, [.text(organizationId)]) { row in
                let text: String = try row[1]
                if case .object(let data) = try JSONDecoder().decode(EventValue.self, from: Data(text.utf8)),
                   case .string(let source)? = data["source"] {
                    sources[try row[0]] = source
                }
                return true
            }
            let replies = Set(sources.values.filter { $0.hasPrefix("reply ") }.map { String($0.dropFirst(6)) }).sorted()
            var signatures: [String: InboundSignature] = [:]
            if !replies.isEmpty {
                let marks = Array(repeating: "?", count: replies.count).joined(separator: ", ")
                for row in try session.rows("SELECT messageId, signature FROM inboundMessage WHERE messageId IN (\(marks))",
                                            replies.map { SQLValue.text($0) }) {
                    signatures[try row[0]] = InboundSignature(rawValue: try row[1])
                }
            }
            return try session.rows("""
                SELECT c.id, c.title, c.openedAt, c.publishedAt, c.withdrawnAt, p.delivery, p.response, p.firstNotifiedAt,
                       p.firstResponseAt, p.respondedAt, p.statement
                FROM participant p JOIN "case" c ON c.id = p.caseId
                WHERE p.organizationId = ? ORDER BY c.openedAt DESC, c.id
                """, organizationId).map { row in
                let notified: Date? = try row["firstNotifiedAt"], responded: Date? = try row["firstResponseAt"]
                let response = Response(rawValue: try row["response"]) ?? .none
                var item = ParticipationHistory(
                    caseId: try row["id"], title: try row["title"], openedAt: try row["openedAt"], publishedAt: try row["publishedAt"],
                    withdrawnAt: try row["withdrawnAt"], delivery: Delivery(rawValue: try row["delivery"]) ?? .pending,
                    response: response, firstNotifiedAt: notified, firstResponseAt: responded,
                    daysToRespond: notified.flatMap { n in responded.map { max(0, Int($0.timeIntervalSince(n) / 86_400)) } })
                item.respondedAt = response == .none ? nil : try row["respondedAt"]
                item.statement = try row["statement"]
                if response != .none, let source = sources["\(item.caseId)|\(organizationId)"] {
                    item.responseSource = source
                    let reply = source.hasPrefix("reply ") ? signatures[String(source.dropFirst(6))] : nil
                    item.responseSourceKind = ProductStatement.Source.of(recorded: source, replySignature: reply)
                }
                return item
            }
        }
    }

    func dueForReminder(caseId: String, cutoff: Date, today: CalendarDate) throws -> [String] {
        try engine.read { session in
            let record = try Self.existingCase(session, caseId)
            if record.publishedAt != nil { throw StoreError.invalidArgument("case \(caseId) is published; reminders are for open cases") }
            try Self.refuseWithdrawn(record)
            // An acknowledgement alone does not end the request for a status while the due day has not passed.
            let acknowledgedWaits = record.due.map { today <= $0 } ?? true
            return try session.values("""
                SELECT organizationId FROM participant
                WHERE caseId = ? AND delivery = 'notified' AND firstNotifiedAt <= ?
                  AND (response = 'none' OR (response = 'acknowledged' AND ? = 1))
                  AND (lastRemindedAt IS NULL OR lastRemindedAt <= ?)
                ORDER BY firstNotifiedAt, organizationId
                """, caseId, cutoff, acknowledgedWaits, cutoff, as: String.self)
        }
    }
}

extension CaseStore {
    func show(caseId: String, now: Date) throws -> CaseDetail {
        try engine.read { session in try Self.detail(session, caseId: caseId, now: now) }
    }

    /// The columns of `participant` in the order `ParticipantRecord(participantRow:)` reads them.
    static let participantColumns = """
        p.caseId, p.organizationId, p.addedAt, p.delivery, p.firstNotifiedAt, p.response, p.firstResponseAt,
        p.respondedAt, p.statement, p.lastRemindedAt, p.reminderCount, p.escalatedAt, p.unreachableAt
        """

    /// `show` inside a read: one query per kind of fact, each grouped by organisation (none per participant), so a
    /// case of thousands of participants costs a handful of statements.
    static func detail(_ session: any SQLSession, caseId: String, now: Date) throws -> CaseDetail {
        let record = try existingCase(session, caseId)
        let facts = try ParticipantFacts.read(session, caseId: caseId, lastState: true)
        var participants: [ParticipantStatus] = []
        // Columns by position, each row handed on as it is read.
        try session.forEachRow("""
            SELECT \(participantColumns), o.name
            FROM participant p JOIN organization o ON o.id = p.organizationId
            WHERE p.caseId = ? ORDER BY p.organizationId
            """, [.text(caseId)]) { row in
            let p = try ParticipantRecord(participantRow: row)
            var waiting: Int?
            if let notified = p.firstNotifiedAt {
                let end = p.firstResponseAt ?? now
                waiting = max(0, Int(end.timeIntervalSince(notified) / 86_400))
            }
            let problems = facts.ourProblems[p.organizationId]
            let products = facts.products[p.organizationId]
            var status = ParticipantStatus(record: p, organizationName: try row[13],
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
            return true
        }
        return CaseDetail(record: record, participants: participants)
    }
}
