import GRDB

/// Migration `v16-outbox-in-flight-by-state`: drops the partial index `notification_inFlight`, on both engines.
///
/// A message is in flight only while it is `sending`, and the few `sending` rows are found by `notification_state`
/// (`state = 'sending'`); since the message bytes left the row (`OutboxMessageSchema`), reading those rows is
/// cheap. Without the index, the group commit's mark of the next messages in flight changes no indexed column: on
/// PostgreSQL the row's new version can stay on its page without a new entry in each of the table's indexes
/// (a HOT update; the claim's mark and the answer that clears it change `state`, which is indexed), and SQLite
/// writes one index fewer twice per message sent.
///
/// On PostgreSQL the table's new pages are also filled only half (`fillfactor` 50): a message's row changes three
/// times while it is sent (leased, in flight, answered), and each new version then finds room on its own page.
/// The rows are small (the bytes are in `notificationMessage`). An upgraded table's rows keep their pages; a table
/// written anew (`liaison store copy`, `VACUUM FULL`) is about twice the size it would be full.
enum OutboxInFlightIndexSchema {
    static let migrationName = "v16-outbox-in-flight-by-state"

    static let statements = ["DROP INDEX notification_inFlight"]

    /// PostgreSQL's statements: `statements`, and the fill factor.
    static let postgresStatements = statements + ["ALTER TABLE notification SET (fillfactor = 50)"]

    static func migrate(_ db: Database) throws {
        for statement in statements { try db.execute(sql: statement) }
    }
}
