import Registry

/// The bounces of a quarter, read once for the delivery figure and for the directory's bouncing addresses.
struct QuarterBounces {
    /// Messages with a bounce in the quarter, each once, plus bounce reports matched to no message.
    let messages: Int
    /// Distinct addresses (lower-cased) that bounced, sorted, with the organisation they belong to.
    let addresses: [BouncedAddress]

    init(_ queries: any ReportQueries, _ window: ReportWindow) throws {
        var messageIds = Set<Int64>()
        var unmatchedReports = 0
        var organizationByAddress = [String: String?]()

        for recipient in try queries.bouncedRecipients(in: window.bounds) {
            messageIds.insert(recipient.notificationId)
            Self.note(recipient.email, recipient.organizationId, in: &organizationByAddress)
        }
        // A bounce is often recorded both on the recipient and as a delivery report naming the same message.
        for notificationId in try queries.bounceReports(in: window.bounds) {
            if let notificationId { messageIds.insert(notificationId) } else { unmatchedReports += 1 }
        }
        for contact in try queries.bouncedContacts(in: window.bounds) {
            Self.note(contact.email, contact.organizationId, in: &organizationByAddress)
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
