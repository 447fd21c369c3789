import Foundation

/// What a case's messages and statements say of each of its organisations, by organisation id: the state of the
/// latest message out, the latest reply that set a response, our own delivery problems, bounced addresses,
/// automatic replies and the product statements that stand. One grouped query per kind of fact (none per
/// participant), shared by `case show` and the desk's vendor matrix.
struct ParticipantFacts {
    /// The state of the latest message to each organisation (read only when asked: the matrix does not show it).
    var lastState: [String: NotificationState] = [:]
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

    static func read(_ session: any SQLSession, caseId: String, lastState readLastState: Bool) throws -> ParticipantFacts {
        var facts = ParticipantFacts()
        if readLastState {
            try session.forEachRow("""
                SELECT organizationId, state FROM notification
                WHERE id IN (SELECT MAX(id) FROM notification WHERE caseId = ? GROUP BY organizationId)
                """, [.text(caseId)]) { row in
                facts.lastState[try row[0]] = NotificationState(rawValue: try row[1])
                return true
            }
        }
        try session.forEachRow("""
            SELECT organizationId, appliedResponse, signature, signedForCase FROM inboundMessage
            WHERE id IN (SELECT MAX(id) FROM inboundMessage
                         WHERE caseId = ? AND organizationId IS NOT NULL AND appliedResponse IS NOT NULL GROUP BY organizationId)
            """, [.text(caseId)]) { row in
            let signature: String? = try row[2]
            let signedForCase: Bool? = try row[3]
            facts.latestApplied[try row[0]] = (try row[1], signature == InboundSignature.verified.rawValue && signedForCase == true)
            return true
        }
        try session.forEachRow("""
            SELECT m.organizationId, g.problems, m.reviewReason FROM inboundMessage m JOIN (
                SELECT MAX(id) AS latest, COUNT(*) AS problems FROM inboundMessage
                WHERE caseId = ? AND organizationId IS NOT NULL AND kind = 'our-delivery-problem' GROUP BY organizationId) g
            ON m.id = g.latest
            """, [.text(caseId)]) { row in
            facts.ourProblems[try row[0]] = (try row[1], try row[2])
            return true
        }
        try session.forEachRow("""
            SELECT n.organizationId, r.email, r.status, r.smtpCode, r.smtpReply, r.updatedAt, n.state, n.relayRefused, n.voidReason
            FROM notification n JOIN notificationRecipient r ON r.notificationId = n.id
            WHERE n.caseId = ? AND (r.status IN ('bounced', 'failed') OR n.state = 'voided' OR n.relayRefused = 1)
            ORDER BY n.id, r.email
            """, [.text(caseId)]) { row in
            let organization: String = try row[0]
            let email: String = try row[1]
            let code: Int? = try row[3]
            let reply: String? = try row[4]
            let updatedAt: Date? = try row[5]
            let text = reply.map { text in code.map { text.hasPrefix(String($0)) ? text : "\($0) \(text)" } ?? text }
            if try row[6] as String == NotificationState.voided.rawValue {
                let trouble = AddressTrouble(email: email, status: "voided", reason: try row[8], at: updatedAt)
                if !(facts.own[organization]?.contains(trouble) ?? false) { facts.own[organization, default: []].append(trouble) }
            } else if try row[7] as Bool {
                facts.own[organization, default: []].append(AddressTrouble(email: email, status: "refused by our relay", reason: text, at: updatedAt))
            } else if !(facts.bounced[organization]?.contains { $0.email.lowercased() == email.lowercased() } ?? false) {
                facts.bounced[organization, default: []].append(AddressTrouble(email: email, status: try row[2], reason: text, at: updatedAt))
            }
            return true
        }
        try session.forEachRow("""
            SELECT id, organizationId, fromAddress, subject, receivedAt FROM inboundMessage
            WHERE caseId = ? AND kind = 'auto-reply' AND organizationId IS NOT NULL ORDER BY receivedAt, id
            """, [.text(caseId)]) { row in
            facts.automatic[try row[1], default: []].append(
                AutomaticReplyNote(inboundId: try row[0], from: try row[2], subject: try row[3], receivedAt: try row[4]))
            return true
        }
        facts.products = Dictionary(grouping: try ProductStatement.standing(session, caseId: caseId), by: \.organizationId)
        return facts
    }
}
