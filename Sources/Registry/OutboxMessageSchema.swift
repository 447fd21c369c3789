import GRDB

/// Migration `v11-outbox-message-apart`: a message's bytes in `notificationMessage`, apart from its state.
///
/// The bytes (a signed message, about 3.5 KB) are written once by `notify` and never change, while the state of
/// the `notification` row changes at least twice per message sent (claimed in flight, then its result). In the same
/// row, each change rewrote the message's pages; apart, a change rewrites a small row that shares its page with
/// dozens of others. With small rows, `liaison outbox` and the report read the table itself, so the wide covering
/// indexes that kept them off the message bytes go: `notification_outbox` (18 columns, rewritten at every state
/// change) and `notification_sent`, whose one column begins `notification_report`.
enum OutboxMessageSchema {
    static let migrationName = "v11-outbox-message-apart"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            -- Written once by `notify`, never updated: the exact bytes that go on the wire.
            CREATE TABLE notificationMessage (
                notificationId INTEGER PRIMARY KEY NOT NULL REFERENCES notification(id),
                bytes BLOB NOT NULL
            );
            INSERT INTO notificationMessage (notificationId, bytes) SELECT id, bytes FROM notification ORDER BY id;
            DROP INDEX notification_outbox;
            DROP INDEX notification_sent;
            ALTER TABLE notification DROP COLUMN bytes;
            """)
    }
}
