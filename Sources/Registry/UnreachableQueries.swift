import Foundation
import GRDB

/// One address tried for an unreachable organisation, and what became of it.
public struct TriedAddress: Sendable, Hashable, Encodable {
    public let email: String
    /// `bounce` (a delivery failure was reported or SMTP refused it) or `no answer` (delivered, never answered).
    public let reason: String
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

/// The read behind `liaison report unreachable`: participants currently marked unreachable (a response clears
/// the mark; the event log keeps it), grouped by organisation, ordered by id.
public struct UnreachableQueries: Sendable {
    public let reader: any DatabaseReader

    public init(_ reader: any DatabaseReader) { self.reader = reader }

    public func organizations() throws -> [UnreachableOrganization] {
        try reader.read { db in
            let rows = try Row.fetchAll(db, sql: """
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
                let caseId: String = row["caseId"], orgId: String = row["organizationId"]
                let addresses = try Row.fetchAll(db, sql: """
                    SELECT r.email,
                           MAX(r.status IN ('bounced', 'failed')) AS failed,
                           (SELECT r2.smtpReply FROM notificationRecipient r2 JOIN notification n2 ON n2.id = r2.notificationId
                             WHERE n2.caseId = n.caseId AND n2.organizationId = n.organizationId AND r2.email = r.email
                               AND r2.status IN ('bounced', 'failed') ORDER BY r2.updatedAt DESC LIMIT 1) AS detail
                    FROM notificationRecipient r JOIN notification n ON n.id = r.notificationId
                    WHERE n.caseId = ? AND n.organizationId = ?
                    GROUP BY r.email COLLATE NOCASE ORDER BY r.email
                    """, arguments: [caseId, orgId]).map { address in
                    let failed = (address["failed"] as Int? ?? 0) > 0
                    return TriedAddress(email: address["email"], reason: failed ? "bounce" : "no answer",
                                        detail: failed ? address["detail"] : nil)
                }
                let unreachable = UnreachableCase(caseId: caseId, caseTitle: row["title"], firstNotifiedAt: row["firstNotifiedAt"],
                                                  attempts: row["attempts"], lastAttemptAt: row["lastAttempt"],
                                                  unreachableSince: row["unreachableAt"], addresses: addresses)
                if result.last?.organizationId == orgId {
                    let last = result.removeLast()
                    result.append(UnreachableOrganization(organizationId: orgId, name: last.name, localName: last.localName,
                                                          cases: last.cases + [unreachable]))
                } else {
                    result.append(UnreachableOrganization(organizationId: orgId, name: row["name"], localName: row["localName"],
                                                          cases: [unreachable]))
                }
            }
            return result
        }
    }
}
