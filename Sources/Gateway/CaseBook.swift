import Foundation
import GRDB
import Registry

/// Opening cases, choosing their participants, recording responses and publication. Every change is an event.
///
/// ```swift
/// let book = CaseBook(writer: store.writer, actor: "coordinator")
/// try book.open(id: "JVNVU#12345678", title: "TLS certificate check", origin: "jvn-jp", due: "2007-10-15")
/// let added = try book.addParticipants(caseId: "JVNVU#12345678", technologies: ["tls"])
/// ```
public struct CaseBook: Sendable {
    public let writer: any DatabaseWriter
    public let actor: String
    public var now: @Sendable () -> Date = { Date() }

    public init(writer: any DatabaseWriter, actor: String) {
        self.writer = writer
        self.actor = actor
    }

    /// Opens a case; its id is free text such as `JVNVU#12345678` or `VU#123456`.
    @discardableResult
    public func open(id: String, title: String, origin: String, due: String? = nil, openedAt: Date? = nil) throws -> CaseRecord {
        let id = id.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, !id.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            throw GatewayError.invalidArgument("a case id is one line of text, such as JVNVU#12345678")
        }
        guard !title.isEmpty, !title.contains(where: \.isNewline) else {
            throw GatewayError.invalidArgument("--title must be one non-empty line")
        }
        guard origin.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil else {
            throw GatewayError.invalidArgument("origin \(origin) is not a partner id such as jvn-jp, cert-cc or cpni")
        }
        if let due, CalendarDate(due) == nil {
            throw GatewayError.invalidArgument("the due date \"\(due)\" is not a date of the form YYYY-MM-DD")
        }
        let record = CaseRecord(id: id, title: title, origin: origin, openedAt: openedAt ?? now(), due: due)
        try writer.write { db in
            guard try CaseRecord.fetchOne(db, key: id) == nil else { throw GatewayError.caseExists(id) }
            try record.insert(db)
            try Events.append(db, actor: actor, action: "case.opened", objectType: "case", objectId: id, data: [
                "title": title, "origin": origin, "due": due, "openedAt": Timestamp.string(record.openedAt),
            ])
        }
        return record
    }

    /// Adds organisations by id, and every active organisation implementing all `technologies` (of `kind`,
    /// product developers by default when technologies are given). Returns the ids newly added.
    @discardableResult
    public func addParticipants(caseId: String, organizations: [String] = [], technologies: [String] = [],
                                kind: String? = nil) throws -> [String] {
        try writer.write { db in
            guard try CaseRecord.fetchOne(db, key: caseId) != nil else { throw GatewayError.unknownCase(caseId) }
            var ids: [String] = []
            var problems: [String] = []
            for org in organizations {
                switch try Organization.fetchOne(db, key: org)?.status {
                case nil: problems.append(GatewayError.unknownOrganization(org).description)
                case .retired: problems.append("organisation \(org) is retired")
                case .active: ids.append(org)
                }
            }
            if !problems.isEmpty { throw GatewayProblems(problems) }
            if !technologies.isEmpty || kind != nil {
                let wantedKind = kind ?? (technologies.isEmpty ? nil : "product-developer")
                var candidates = Organization.filter(Column("status") == OrganizationStatus.active.rawValue)
                if let wantedKind { candidates = candidates.filter(Column("kind") == wantedKind) }
                for organization in try candidates.order(Column("id")).fetchAll(db)
                where technologies.allSatisfy(organization.technologies.contains) {
                    ids.append(organization.id)
                }
                if ids.isEmpty {
                    throw GatewayError.invalidArgument("no active \(wantedKind ?? "organisation") implements \(technologies.joined(separator: " + "))")
                }
            }
            var added: [String] = []
            for org in ids where try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": org]) == nil {
                try ParticipantRecord(caseId: caseId, organizationId: org, addedAt: now()).insert(db)
                try Events.append(db, actor: actor, action: "participant.added", objectType: "participant",
                                  objectId: "\(caseId)|\(org)", data: ["caseId": caseId, "organizationId": org])
                added.append(org)
            }
            return added
        }
    }

    /// Records what an organisation said about the case.
    public func setResponse(caseId: String, organizationId: String, response: Response, statement: String? = nil,
                            at date: Date? = nil, source: String = "manual") throws {
        try writer.write { db in
            try Self.recordResponse(db, caseId: caseId, organizationId: organizationId, response: response,
                                    statement: statement, at: date ?? now(), actor: actor, source: source)
        }
    }

    /// Shared by `case set` and by `ingest`: first response time is kept, later ones move `respondedAt`.
    static func recordResponse(_ db: Database, caseId: String, organizationId: String, response: Response,
                               statement: String?, at date: Date, actor: String, source: String) throws {
        guard try CaseRecord.fetchOne(db, key: caseId) != nil else { throw GatewayError.unknownCase(caseId) }
        guard var participant = try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": organizationId]) else {
            throw GatewayError.invalidArgument("\(organizationId) is not a participant of \(caseId); add it with `liaison case add \(caseId) \(organizationId)`")
        }
        participant.response = response
        if participant.firstResponseAt == nil, response != .none { participant.firstResponseAt = date }
        participant.respondedAt = date
        if let statement { participant.statement = statement }
        try participant.update(db)
        try Events.append(db, actor: actor, action: "participant.response", objectType: "participant",
                          objectId: "\(caseId)|\(organizationId)", data: [
                              "caseId": caseId, "organizationId": organizationId, "response": response.rawValue,
                              "statement": statement, "at": Timestamp.string(date), "source": source,
                          ])
    }

    /// Marks the case published (the advisory is out); publication notices are sent with `notify --template publication`.
    public func publish(caseId: String, at date: Date? = nil) throws {
        try writer.write { db in
            guard var record = try CaseRecord.fetchOne(db, key: caseId) else { throw GatewayError.unknownCase(caseId) }
            if let published = record.publishedAt {
                throw GatewayError.invalidArgument("case \(caseId) was already published on \(Timestamp.string(published))")
            }
            record.publishedAt = date ?? now()
            try record.update(db)
            try Events.append(db, actor: actor, action: "case.published", objectType: "case", objectId: caseId, data: [
                "origin": record.origin, "publishedAt": Timestamp.string(record.publishedAt!),
            ])
        }
    }

    /// Cases, newest first; `openOnly` leaves out published ones.
    public func list(openOnly: Bool = false) throws -> [CaseSummary] {
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

    /// One case with each participant's state, longest waiting first among those without a response.
    public func show(caseId: String) throws -> CaseDetail {
        let now = now()
        return try writer.read { db in
            guard let record = try CaseRecord.fetchOne(db, key: caseId) else { throw GatewayError.unknownCase(caseId) }
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.*, o.name AS organizationName,
                       (SELECT n.state FROM notification n WHERE n.caseId = p.caseId AND n.organizationId = p.organizationId
                        ORDER BY n.id DESC LIMIT 1) AS lastState,
                       (SELECT COUNT(*) FROM inboundMessage m WHERE m.caseId = p.caseId AND m.organizationId = p.organizationId
                        AND m.signature = 'verified') AS verifiedReplies
                FROM participant p JOIN organization o ON o.id = p.organizationId
                WHERE p.caseId = ? ORDER BY p.organizationId
                """, arguments: [caseId])
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
                                         verifiedReply: (row["verifiedReplies"] as Int? ?? 0) > 0)
            }
            return CaseDetail(record: record, participants: participants)
        }
    }
}

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
}

/// A case and all its participants.
public struct CaseDetail: Sendable, Encodable {
    public let record: CaseRecord
    public let participants: [ParticipantStatus]
}
