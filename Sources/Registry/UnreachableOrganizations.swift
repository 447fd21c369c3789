import Foundation

/// One address tried for an unreachable organisation, and what became of it.
public struct TriedAddress: Sendable, Hashable, Encodable {
    /// Why the address did not reach the organisation.
    public enum Reason: String, Sendable, Hashable, Encodable {
        /// A delivery failure was reported, or SMTP refused it.
        case bounce
        /// Delivered, never answered.
        case noAnswer = "no answer"
    }

    public let email: String
    public let reason: Reason
    /// The SMTP reply of the failure, if there was one.
    public let detail: String?
}

/// One case in which an organisation could not be reached.
public struct UnreachableCase: Sendable, Hashable, Encodable {
    public let caseId: String
    public let caseTitle: String
    public let firstNotifiedAt: Date
    /// Messages sent to the organisation for the case (notification, reminders, escalation).
    public let attempts: Int
    public let lastAttemptAt: Date?
    public let unreachableSince: Date
    public let addresses: [TriedAddress]
}

/// An organisation unreachable in at least one case (連絡不能開発者).
public struct UnreachableOrganization: Sendable, Hashable, Encodable {
    public let organizationId: String
    public let name: String
    public let localName: String?
    public let cases: [UnreachableCase]
}

extension ReportStore {
    /// The read behind `liaison report unreachable`: participants currently marked unreachable, grouped by
    /// organisation.
    func unreachableOrganizations() throws -> [UnreachableOrganization] {
        try engine.read { session in
            let rows = try session.rows("""
                SELECT p.caseId, p.organizationId, p.firstNotifiedAt, p.unreachableAt, c.title, o.name, o.localName,
                       (SELECT COUNT(*) FROM notification n WHERE n.caseId = p.caseId AND n.organizationId = p.organizationId
                          AND n.state IN ('sent', 'failed')) AS attempts,
                       (SELECT MAX(COALESCE(n.sentAt, n.createdAt)) FROM notification n
                          WHERE n.caseId = p.caseId AND n.organizationId = p.organizationId AND n.state IN ('sent', 'failed')) AS lastAttempt
                FROM participant p JOIN "case" c ON c.id = p.caseId JOIN organization o ON o.id = p.organizationId
                WHERE p.unreachableAt IS NOT NULL
                ORDER BY p.organizationId, p.firstNotifiedAt, p.caseId
                """)
            var result: [UnreachableOrganization] = []
            for row in rows {
                let caseId: String = try row["caseId"], orgId: String = try row["organizationId"]
                let unreachable = UnreachableCase(caseId: caseId, caseTitle: try row["title"],
                                                  firstNotifiedAt: try row["firstNotifiedAt"], attempts: try row["attempts"],
                                                  lastAttemptAt: try row["lastAttempt"], unreachableSince: try row["unreachableAt"],
                                                  addresses: try Self.triedAddresses(session, caseId: caseId, organizationId: orgId))
                if result.last?.organizationId == orgId {
                    let last = result.removeLast()
                    result.append(UnreachableOrganization(organizationId: orgId, name: last.name, localName: last.localName,
                                                          cases: last.cases + [unreachable]))
                } else {
                    result.append(UnreachableOrganization(organizationId: orgId, name: try row["name"], localName: try row["localName"],
                                                          cases: [unreachable]))
                }
            }
            return result
        }
    }

    /// Every address the case's messages to the organisation went to, one per address compared without regard to
    /// ASCII case (as the column's `NOCASE`), in that order: `bounce` with the latest failure's SMTP reply when any
    /// message to it bounced or failed, else `no answer`.
    private static func triedAddresses(_ session: any SQLSession, caseId: String, organizationId: String) throws -> [TriedAddress] {
        struct Tried { var email: String; var failed: Bool; var detail: String?; var detailAt: String? }
        var byAddress: [String: Tried] = [:]
        try session.forEachRow("""
            SELECT r.email, r.status, r.smtpReply, r.updatedAt
            FROM notificationRecipient r JOIN notification n ON n.id = r.notificationId
            WHERE n.caseId = ? AND n.organizationId = ?
            """, [.text(caseId), .text(organizationId)]) { row in
            let email: String = try row[0], status: String = try row[1]
            let failed = status == "bounced" || status == "failed"
            let updatedAt: String? = try row[3]
            // NOCASE folds ASCII letters to lower case, and orders by the folded text.
            let key = String(decoding: email.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
            var tried = byAddress[key] ?? Tried(email: email, failed: false)
            tried.email = Swift.min(tried.email, email)
            if failed {
                // The latest failure's reply (by updatedAt); a failure without a time never beats one with.
                if !tried.failed || (updatedAt ?? "") > (tried.detailAt ?? "") {
                    tried.detail = try row[2]
                    tried.detailAt = updatedAt
                }
                tried.failed = true
            }
            byAddress[key] = tried
            return true
        }
        return byAddress.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { _, tried in
            TriedAddress(email: tried.email, reason: tried.failed ? .bounce : .noAnswer, detail: tried.failed ? tried.detail : nil)
        }
    }
}
