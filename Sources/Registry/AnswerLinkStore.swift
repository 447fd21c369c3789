import Foundation

/// One answer link issued to a participant: what its token is computed from.
public struct AnswerLinkRecord: Codable, Hashable, Sendable {
    public var id: Int64
    public var caseId: String
    public var organizationId: String
    /// 16 random bytes as lower-case hex.
    public var nonce: String
    public var issuedAt: Date
    /// The bound written into the token (see `AnswerLinks` for how it is chosen).
    public var expiresAt: Date
    public var revokedAt: Date?
}

/// A participant's new answer link, issued in the transaction that queues the first message carrying it
/// (`OutboxStoring.enqueue`), so that a notify that stores nothing issues nothing.
public struct NewAnswerLink: Sendable, Hashable {
    public var caseId: String
    public var organizationId: String
    /// 16 random bytes as lower-case hex.
    public var nonce: String
    public var expiresAt: Date
    public var issuedAt: Date
    public init(caseId: String, organizationId: String, nonce: String, expiresAt: Date, issuedAt: Date) {
        self.caseId = caseId; self.organizationId = organizationId; self.nonce = nonce
        self.expiresAt = expiresAt; self.issuedAt = issuedAt
    }
}

/// The latest answer a participant gave through its link, besides its product statements.
public struct AnswerLinkAnswer: Codable, Hashable, Sendable {
    public var caseId: String
    public var organizationId: String
    public var statement: String?
    public var contact: String?
    /// The VEX document the answer was read from (`CycloneDX vex.json`), when it was an upload.
    public var document: String?
    public var answeredAt: Date
}

/// What the answer form may show a vendor of its case: only what the notification itself said.
public struct AnswerLinkCase: Sendable, Hashable {
    public let caseId: String
    public let title: String
    public let titleJa: String?
    public let tlp: TrafficLightProtocol?
    public let due: CalendarDate?
    public let publishedAt: Date?
    public let withdrawn: Bool
    public let organizationName: String
}

/// The answer links' records: issuing, revoking and finding links, and recording an answer given through one.
/// Every change appends its event in the same transaction. Reached as `RegistryStore.answerLinks`.
///
/// ```swift
/// let link = try store.answerLinks.issue(caseId: "JVNVU#12345678", organizationId: "kagayaki", nonce: hex,
///                                        expiresAt: end, at: Date(), actor: "alice")
/// ```
public protocol AnswerLinkStoring: Sendable {
    /// The newest unrevoked link of a participant whose bound is after `now`, or nil.
    func current(caseId: String, organizationId: String, now: Date) throws -> AnswerLinkRecord?
    /// The link with this nonce, or nil.
    func link(nonce: String) throws -> AnswerLinkRecord?
    /// Records a new link of a participant with an event `answer-link.issued` (the nonce is not in the event: with
    /// the key it is the token). Throws `StoreError.notParticipant` / `.unknownCase`.
    @discardableResult
    func issue(caseId: String, organizationId: String, nonce: String, expiresAt: Date, at date: Date,
               actor: String) throws -> AnswerLinkRecord
    /// Revokes every unrevoked link of a participant, with an event `answer-link.revoked`; returns how many.
    /// Throws `StoreError.notParticipant` / `.unknownCase`.
    @discardableResult
    func revoke(caseId: String, organizationId: String, at date: Date, actor: String) throws -> Int
    /// What the form may show of the case, and the organisation's name; nil when either is gone.
    func caseFacts(caseId: String, organizationId: String) throws -> AnswerLinkCase?
    /// The participant's latest answer through its link (statement, contact) and the product statements of it that
    /// stand; nil when it never answered through a link.
    func latestAnswer(caseId: String, organizationId: String) throws -> (answer: AnswerLinkAnswer, products: [ProductStatement])?
    /// Records an answer given through the answer link, in one transaction: its product statements (which replace
    /// the participant's earlier link answer whole), its statement and contact, and the participant's response as
    /// its statements that now stand mean (`ProductStatement.derivedResponse`), each with its event by `actor`
    /// (`answer-link:<organisation>`). A withdrawn case is refused (`StoreError.invalidArgument`).
    ///
    /// - Returns: the participant's response after the answer.
    @discardableResult
    func recordAnswer(caseId: String, organizationId: String, products: [ProductStatement], statement: String?,
                      contact: String?, document: String?, at date: Date, actor: String) throws -> Response
}

/// `AnswerLinkStoring` over either engine.
struct AnswerLinkStore: AnswerLinkStoring {
    let engine: any StoreEngine

    func current(caseId: String, organizationId: String, now: Date) throws -> AnswerLinkRecord? {
        try engine.read { session in
            try session.record(AnswerLinkRecord.self, """
                SELECT * FROM answerLink WHERE caseId = ? AND organizationId = ? AND revokedAt IS NULL AND expiresAt > ?
                ORDER BY issuedAt DESC, id DESC LIMIT 1
                """, caseId, organizationId, now)
        }
    }

    func link(nonce: String) throws -> AnswerLinkRecord? {
        try engine.read { session in try session.record(AnswerLinkRecord.self, "SELECT * FROM answerLink WHERE nonce = ?", nonce) }
    }

    func issue(caseId: String, organizationId: String, nonce: String, expiresAt: Date, at date: Date,
               actor: String) throws -> AnswerLinkRecord {
        try engine.write { session in
            try Self.issue(session, NewAnswerLink(caseId: caseId, organizationId: organizationId, nonce: nonce,
                                                  expiresAt: expiresAt, issuedAt: date), actor: actor)
        }
    }

    /// Records `link` with its `answer-link.issued` event, inside the caller's transaction.
    @discardableResult
    static func issue(_ session: any SQLSession, _ link: NewAnswerLink, actor: String) throws -> AnswerLinkRecord {
        let (caseId, organizationId) = (link.caseId, link.organizationId)
        _ = try CaseStore.existingCase(session, caseId)
        _ = try CaseStore.existingParticipant(session, caseId: caseId, organizationId: organizationId)
        guard let id = try session.value("""
            INSERT INTO answerLink (caseId, organizationId, nonce, issuedAt, expiresAt) VALUES (?, ?, ?, ?, ?) RETURNING id
            """, caseId, organizationId, link.nonce, link.issuedAt, link.expiresAt, as: Int64.self) else {
            throw StoreError.invalidArgument("the answer link of \(organizationId) in \(caseId) was not stored")
        }
        try EventLog.append(session, actor: actor, action: "answer-link.issued", objectType: "participant",
                            objectId: "\(caseId)|\(organizationId)", data: [
                                "caseId": .string(caseId), "organizationId": .string(organizationId),
                                "link": .string(String(id)), "expiresAt": .string(EventTimestamp.string(link.expiresAt)),
                            ], at: link.issuedAt)
        return AnswerLinkRecord(id: id, caseId: caseId, organizationId: organizationId, nonce: link.nonce,
                                issuedAt: link.issuedAt, expiresAt: link.expiresAt, revokedAt: nil)
    }

    func revoke(caseId: String, organizationId: String, at date: Date, actor: String) throws -> Int {
        try engine.write { session in
            _ = try CaseStore.existingCase(session, caseId)
            _ = try CaseStore.existingParticipant(session, caseId: caseId, organizationId: organizationId)
            let count = try session.execute("""
                UPDATE answerLink SET revokedAt = ? WHERE caseId = ? AND organizationId = ? AND revokedAt IS NULL
                """, date, caseId, organizationId)
            if count > 0 {
                try EventLog.append(session, actor: actor, action: "answer-link.revoked", objectType: "participant",
                                    objectId: "\(caseId)|\(organizationId)", data: [
                                        "caseId": .string(caseId), "organizationId": .string(organizationId),
                                        "links": .string(String(count)),
                                    ], at: date)
            }
            return count
        }
    }

    func caseFacts(caseId: String, organizationId: String) throws -> AnswerLinkCase? {
        try engine.read { session in
            guard let record = try CaseStore.caseRecord(session, caseId),
                  let name = try session.value("""
                      SELECT o.name FROM participant p JOIN organization o ON o.id = p.organizationId
                      WHERE p.caseId = ? AND p.organizationId = ?
                      """, caseId, organizationId, as: String.self) else { return nil }
            return AnswerLinkCase(caseId: record.id, title: record.title, titleJa: record.titleJa, tlp: record.tlp,
                                  due: record.due, publishedAt: record.publishedAt,
                                  withdrawn: record.withdrawnAt != nil, organizationName: name)
        }
    }

    func latestAnswer(caseId: String, organizationId: String) throws -> (answer: AnswerLinkAnswer, products: [ProductStatement])? {
        try engine.read { session in
            guard let answer = try session.record(AnswerLinkAnswer.self, """
                SELECT * FROM answerLinkAnswer WHERE caseId = ? AND organizationId = ?
                """, caseId, organizationId) else { return nil }
            let products = try ProductStatement.standing(session, caseId: caseId, organizationId: organizationId)
                .filter { $0.source == .answerLink }
            return (answer, products)
        }
    }

    func recordAnswer(caseId: String, organizationId: String, products: [ProductStatement], statement: String?,
                      contact: String?, document: String?, at date: Date, actor: String) throws -> Response {
        try engine.write { session in
            let record = try CaseStore.existingCase(session, caseId)
            try CaseStore.refuseWithdrawn(record)
            guard let participant = try CaseStore.participant(session, caseId: caseId, organizationId: organizationId) else {
                throw StoreError.notParticipant(caseId: caseId, organizationId: organizationId)
            }
            let derived = try ProductStatement.record(session, products, actor: actor)
            try session.execute("""
                INSERT INTO answerLinkAnswer (caseId, organizationId, statement, contact, document, answeredAt) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (caseId, organizationId) DO UPDATE SET statement = excluded.statement, contact = excluded.contact,
                    document = excluded.document, answeredAt = excluded.answeredAt
                """, caseId, organizationId, statement, contact, document, date)
            let response = derived ?? participant.response
            try CaseStore.recordResponse(session, caseId: caseId, organizationId: organizationId, response: response,
                                         statement: statement, at: date, actor: actor, source: ProductStatement.Source.answerLink.rawValue)
            return response
        }
    }
}
