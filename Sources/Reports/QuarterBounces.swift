import GRDB

/// The bounces of a quarter, read once for the delivery figure and for the directory's bouncing addresses.
struct QuarterBounces {
    /// Messages with a bounce in the quarter, each once, plus bounce reports matched to no message.
    let messages: Int
    /// Distinct addresses (lower-cased) that bounced, sorted, with the organisation they belong to.
    let addresses: [BouncedAddress]

    init(_ db: Database, _ window: ReportWindow) throws {
        var messageIds = Set<Int64>()
        var unmatchedReports = 0
        var organizationByAddress = [String: String?]()

        let recipients = try Row.fetchAll(db, sql: """
            SELECT r.notificationId, lower(r.email), n.organizationId
            FROM notificationRecipient r LEFT JOIN notification n ON n.id = r.notificationId
            WHERE r.status = 'bounced' AND r.updatedAt >= :start AND r.updatedAt < :end
            """, arguments: window.arguments)
        for row in recipients {
            messageIds.insert(row[0])
            Self.note(row[1], row[2], in: &organizationByAddress)
        }
        // A bounce is often recorded both on the recipient and as a delivery report naming the same message.
        for notificationId in try Int64?.fetchAll(db, sql: """
            SELECT notificationId FROM inboundMessage WHERE kind = 'bounce' AND receivedAt >= :start AND receivedAt < :end
            """, arguments: window.arguments) {
            if let notificationId { messageIds.insert(notificationId) } else { unmatchedReports += 1 }
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT lower(email), organizationId FROM contact WHERE lastBounceAt >= :start AND lastBounceAt < :end
            """, arguments: window.arguments) {
            Self.note(row[0], row[1], in: &organizationByAddress)
        }

        messages = messageIds.count + unmatchedReports
        addresses = organizationByAddress.keys.sorted().map {
            BouncedAddress(email: $0, organizationId: organizationByAddress[$0] ?? nil)
        }
    }

    /// Keeps the smallest organisation id seen for an address, so the result does not depend on row order.
    private static func note(_ email: String, _ organization: String?, in map: inout [String: String?]) {
        guard let known = map[email] else { map[email] = organization; return }
        if let organization, known.map({ organization < $0 }) ?? true { map[email] = organization }
    }
}
