import GRDB

/// Indexes that keep the quarterly report fast on a large registry.
///
/// The shared schema's v1 migration is never edited; these are proposed as a later migration. Until then
/// ``create(in:)`` adds them to an existing database (they are `IF NOT EXISTS`).
public enum ReportIndexes {
    /// `CREATE INDEX` statements, one per index.
    public static let statements = [
        // Messages sent in a quarter, by purpose, category and recipient, and those sent only after a quarter's
        // end, read from the index alone (real rows carry the signed message, so each row visited is costly).
        """
        CREATE INDEX IF NOT EXISTS notification_report
            ON notification(sentAt, state, createdAt, organizationId, purpose, incidentCategory)
        """,
        // Bounces in the quarter: recipients marked bounced, without scanning every recipient.
        "CREATE INDEX IF NOT EXISTS notificationRecipient_status ON notificationRecipient(status, updatedAt)",
        // Participants first notified, still waiting, or first answering in the quarter, read from the index alone.
        "CREATE INDEX IF NOT EXISTS participant_notified ON participant(firstNotifiedAt, firstResponseAt, organizationId)",
        "CREATE INDEX IF NOT EXISTS participant_responded ON participant(firstResponseAt, firstNotifiedAt)",
    ]

    /// The indexes' names.
    public static var names: [String] {
        statements.compactMap { $0.split(whereSeparator: \.isWhitespace).dropFirst(5).first.map(String.init) }
    }

    /// Adds the indexes to `writer`'s database.
    public static func create(in writer: any DatabaseWriter) throws {
        try writer.write { db in
            for statement in statements { try db.execute(sql: statement) }
        }
    }
}
