import Foundation
import GRDB

/// What a case's messages and statements say of each of its organisations, by organisation id: the state of the
/// latest message out, the latest reply that set a response, our own delivery problems, bounced addresses,
/// automatic replies and the product statements that stand. One grouped query per kind of fact (none per
/// participant), shared by `case show` and the desk's vendor matrix.
struct ParticipantFacts {
    /// The state of the latest message to each organisation (read only when asked: the matrix does not show it).
    var lastState: [String: String] = [:]
    /// The latest reply that set a response, and whether it was signed for the case by the organisation's key.
    var latestApplied: [String: (response: String, verified: Bool)] = [:]
    /// Delivery problems of our own: how many, and the latest as it was listed for review.
    var ourProblems: [String: (count: Int, latest: String?)] = [:]
    var bounced: [String: [AddressTrouble]] = [:]
    var own: [String: [AddressTrouble]] = [:]
    var automatic: [String: [AutomaticReplyNote]] = [:]
    /// The statements that stand (`ProductStatement.current`), the general one (empty product) included.
    var products: [String: [ProductStatement]] = [:]

    /// Whether the organisation's current `response` is the one its latest applied reply set, signed for the case.
    func verifiedReply(_ organizationId: String, response: Response) -> Bool {
        latestApplied[organizationId].map { $0.verified && $0.response == response.rawValue } ?? false
    }

    static func read(_ db: Database, caseId: String, lastState readLastState: Bool) throws -> ParticipantFacts {
        var facts = ParticipantFacts()
        if readLastState {
            // SQLite takes bare columns from the MAX row.
            let stateRows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT organizationId, state, MAX(id) FROM notification INDEXED BY notification_case
                WHERE caseId = ? GROUP BY organizationId
                """), arguments: [caseId])
            while let row = try stateRows.next() {
                facts.lastState[row[0]] = row[1]
            }
        }
        let appliedRows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT organizationId, appliedResponse, signature = 'verified' AND signedForCase, MAX(id) FROM inboundMessage
            WHERE caseId = ? AND organizationId IS NOT NULL AND appliedResponse IS NOT NULL GROUP BY organizationId
            """), arguments: [caseId])
        while let row = try appliedRows.next() {
            facts.latestApplied[row[0]] = (row[1], (row[2] as Bool?) ?? false)
        }
        let problemRows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT organizationId, COUNT(*), reviewReason, MAX(id) FROM inboundMessage
            WHERE caseId = ? AND organizationId IS NOT NULL AND kind = 'our-delivery-problem' GROUP BY organizationId
            """), arguments: [caseId])
        while let row = try problemRows.next() {
            facts.ourProblems[row[0]] = (row[1], row[2])
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT n.organizationId, r.email, r.status, r.smtpCode, r.smtpReply, r.updatedAt, n.state, n.relayRefused, n.voidReason
            FROM notification n JOIN notificationRecipient r ON r.notificationId = n.id
            WHERE n.caseId = ? AND (r.status IN ('bounced', 'failed') OR n.state = 'voided' OR n.relayRefused)
            ORDER BY n.id, r.email
            """, arguments: [caseId]) {
            let organization: String = row["organizationId"]
            let code: Int? = row["smtpCode"]
            let reply: String? = row["smtpReply"]
            let text = reply.map { text in code.map { text.hasPrefix(String($0)) ? text : "\($0) \(text)" } ?? text }
            if row["state"] as String == "voided" {
                let trouble = AddressTrouble(email: row["email"], status: "voided", reason: row["voidReason"], at: row["updatedAt"])
                if !(facts.own[organization]?.contains(trouble) ?? false) { facts.own[organization, default: []].append(trouble) }
            } else if row["relayRefused"] as Bool {
                facts.own[organization, default: []].append(AddressTrouble(email: row["email"], status: "refused by our relay", reason: text, at: row["updatedAt"]))
            } else if !(facts.bounced[organization]?.contains { $0.email.lowercased() == (row["email"] as String).lowercased() } ?? false) {
                facts.bounced[organization, default: []].append(AddressTrouble(email: row["email"], status: row["status"], reason: text, at: row["updatedAt"]))
            }
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT id, organizationId, fromAddress, subject, receivedAt FROM inboundMessage
            WHERE caseId = ? AND kind = 'auto-reply' AND organizationId IS NOT NULL ORDER BY receivedAt, id
            """, arguments: [caseId]) {
            facts.automatic[row["organizationId"], default: []].append(
                AutomaticReplyNote(inboundId: row["id"], from: row["fromAddress"], subject: row["subject"], receivedAt: row["receivedAt"]))
        }
        facts.products = Dictionary(grouping: try ProductStatementSchema.current(db, caseId: caseId), by: \.organizationId)
        return facts
    }
}
