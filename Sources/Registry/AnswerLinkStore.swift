import Foundation
import GRDB

/// One answer link issued to a participant: what its token is computed from.
public struct AnswerLinkRecord: Codable, Hashable, Sendable, FetchableRecord {
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

/// The latest answer a participant gave through its link, besides its product statements.
public struct AnswerLinkAnswer: Codable, Hashable, Sendable, FetchableRecord {
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
    public let due: String?
    public let publishedAt: Date?
    public let withdrawn: Bool
    public let organizationName: String
}

/// The answer links' records: issuing, revoking and finding links, and recording an answer given through one.
/// Every change appends its event in the same transaction.
///
/// ```swift
/// let links = AnswerLinkStore(store)
/// let link = try links.issue(caseId: "JVNVU#12345678", organizationId: "kagayaki", nonce: hex, expiresAt: end, at: Date(), actor: "alice")
/// ```
public struct AnswerLinkStore: Sendable {
    let writer: any DatabaseWriter

    public init(_ store: RegistryStore) { writer = store.writer }

    /// The newest unrevoked link of a participant whose bound is after `now`, or nil.
    public func current(caseId: String, organizationId: String, now: Date) throws -> AnswerLinkRecord? {
        try writer.read { db in
            try AnswerLinkRecord.fetchOne(db, sql: """
                SELECT * FROM answerLink WHERE caseId = ? AND organizationId = ? AND revokedAt IS NULL AND expiresAt > ?
                ORDER BY issuedAt DESC, id DESC LIMIT 1
                """, arguments: [caseId, organizationId, now])
        }
    }

    /// The link with this nonce, or nil.
    public func link(nonce: String) throws -> AnswerLinkRecord? {
        try writer.read { db in try AnswerLinkRecord.fetchOne(db, sql: "SELECT * FROM answerLink WHERE nonce = ?", arguments: [nonce]) }
    }

    /// Records a new link of a participant with an event `answer-link.issued` (the nonce is not in the event: with
    /// the key it is the token). Throws `StoreError.notParticipant` / `.unknownCase`.
    @discardableResult
    public func issue(caseId: String, organizationId: String, nonce: String, expiresAt: Date, at date: Date,
                      actor: String) throws -> AnswerLinkRecord {
        try writer.write { db in
            _ = try CaseStore.existingCase(db, caseId)
            guard try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": organizationId]) != nil else {
                throw StoreError.notParticipant(caseId: caseId, organizationId: organizationId, participants: try String.fetchAll(
                    db, sql: "SELECT organizationId FROM participant WHERE caseId = ?", arguments: [caseId]))
            }
            try db.execute(sql: "INSERT INTO answerLink (caseId, organizationId, nonce, issuedAt, expiresAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [caseId, organizationId, nonce, date, expiresAt])
            let id = db.lastInsertedRowID
            try EventLog.append(db, actor: actor, action: "answer-link.issued", objectType: "participant",
                                objectId: "\(caseId)|\(organizationId)", data: [
                                    "caseId": .string(caseId), "organizationId": .string(organizationId),
                                    "link": .string(String(id)), "expiresAt": .string(EventTimestamp.string(expiresAt)),
                                ], at: date)
            return AnswerLinkRecord(id: id, caseId: caseId, organizationId: organizationId, nonce: nonce, issuedAt: date,
                                    expiresAt: expiresAt, revokedAt: nil)
        }
    }

    /// Revokes every unrevoked link of a participant, with an event `answer-link.revoked`; returns how many.
    @discardableResult
    public func revoke(caseId: String, organizationId: String, at date: Date, actor: String) throws -> Int {
        try writer.write { db in
            _ = try CaseStore.existingCase(db, caseId)
            guard try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": organizationId]) != nil else {
                throw StoreError.notParticipant(caseId: caseId, organizationId: organizationId, participants: try String.fetchAll(
                    db, sql: "SELECT organizationId FROM participant WHERE caseId = ?", arguments: [caseId]))
            }
            try db.execute(sql: "UPDATE answerLink SET revokedAt = ? WHERE caseId = ? AND organizationId = ? AND revokedAt IS NULL",
                           arguments: [date, caseId, organizationId])
            let count = db.changesCount
            if count > 0 {
                try EventLog.append(db, actor: actor, action: "answer-link.revoked", objectType: "participant",
                                    objectId: "\(caseId)|\(organizationId)", data: [
                                        "caseId": .string(caseId), "organizationId": .string(organizationId),
                                        "links": .string(String(count)),
                                    ], at: date)
            }
            return count
        }
    }

    /// What the form may show of the case, and the organisation's name; nil when either is gone.
    public func caseFacts(caseId: String, organizationId: String) throws -> AnswerLinkCase? {
        try writer.read { db in
            guard let record = try CaseRecord.fetchOne(db, key: caseId),
                  let name = try String.fetchOne(db, sql: """
                      SELECT o.name FROM participant p JOIN organization o ON o.id = p.organizationId
                      WHERE p.caseId = ? AND p.organizationId = ?
                      """, arguments: [caseId, organizationId]) else { return nil }
            return AnswerLinkCase(caseId: record.id, title: record.title, titleJa: record.titleJa, tlp: record.tlp, due: record.due,
                                  publishedAt: record.publishedAt, withdrawn: record.withdrawnAt != nil, organizationName: name)
        }
    }

    /// The participant's latest answer through its link (statement, contact) and the product statements of it that
    /// stand; nil when it never answered through a link.
    public func latestAnswer(caseId: String, organizationId: String) throws -> (answer: AnswerLinkAnswer, products: [ProductStatement])? {
        try writer.read { db in
            guard let answer = try AnswerLinkAnswer.fetchOne(db, sql: "SELECT * FROM answerLinkAnswer WHERE caseId = ? AND organizationId = ?",
                                                             arguments: [caseId, organizationId]) else { return nil }
            let products = try ProductStatementSchema.current(db, caseId: caseId, organizationId: organizationId)
                .filter { $0.source == .answerLink }
            return (answer, products)
        }
    }

    /// Records an answer given through the answer link, in one transaction: its product statements (which replace
    /// the participant's earlier link answer whole), its statement and contact, and the participant's response as
    /// its statements that now stand mean (`ProductStatement.derivedResponse`), each with its event by `actor`
    /// (`answer-link:<organisation>`). A withdrawn case is refused (`RegistryError.invalidArgument`).
    ///
    /// - Returns: the participant's response after the answer.
    @discardableResult
    public func recordAnswer(caseId: String, organizationId: String, products: [ProductStatement], statement: String?,
                             contact: String?, document: String?, at date: Date, actor: String) throws -> Response {
        try writer.write { db in
            let record = try CaseStore.existingCase(db, caseId)
            try CaseLifecycleStore.refuseWithdrawn(record)
            guard let participant = try ParticipantRecord.fetchOne(db, key: ["caseId": caseId, "organizationId": organizationId]) else {
                throw StoreError.notParticipant(caseId: caseId, organizationId: organizationId)
            }
            let derived = try ProductStatementSchema.record(db, products, actor: actor)
            try db.execute(sql: """
                INSERT INTO answerLinkAnswer (caseId, organizationId, statement, contact, document, answeredAt) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (caseId, organizationId) DO UPDATE SET statement = excluded.statement, contact = excluded.contact,
                    document = excluded.document, answeredAt = excluded.answeredAt
                """, arguments: [caseId, organizationId, statement, contact, document, date])
            let response = derived ?? participant.response
            try CaseStore.recordResponse(db, caseId: caseId, organizationId: organizationId, response: response,
                                         statement: statement, at: date, actor: actor, source: ProductStatement.Source.answerLink.rawValue)
            return response
        }
    }
}
