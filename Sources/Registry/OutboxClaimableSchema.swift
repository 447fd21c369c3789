/// Migration `v17-outbox-claimable`: on PostgreSQL, the partial index `notification_claimable` on the ids of the
/// messages not finished and not held (`queued`, `deferred`, `sending`), which a claim walks in id order.
///
/// A claim takes the first due rows by id (`FOR UPDATE SKIP LOCKED … LIMIT`). Without this index PostgreSQL either
/// walks the primary key from the first message ever queued, filtering out every sent one — a registry with a year
/// of history reads all of it for each batch of fifty — or reads every queued and leased row through
/// `notification_state` and sorts them, which a large campaign pays on every claim. The index holds only the
/// unfinished rows, in id order, so a claim reads the rows it takes and the few leased to other workers. A message
/// leaves the index when its answer is recorded; a claim adds one entry per message.
///
/// PostgreSQL's only (`PostgresSchema.ownMigrations`): SQLite's planner reads the unfinished rows through
/// `notification_state`, whatever the history, and a SQLite registry records no such migration, so that a
/// read-only copy made before it still opens.
enum OutboxClaimableSchema {
    static let migrationName = "v17-outbox-claimable"

    static let indexName = "notification_claimable"

    /// The PostgreSQL statements of the migration.
    static let postgresStatements = ["""
        CREATE INDEX \(indexName) ON notification(id)
        WHERE heldReason IS NULL AND state IN ('queued', 'deferred', 'sending')
        """]
}
