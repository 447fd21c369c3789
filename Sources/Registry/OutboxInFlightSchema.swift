import GRDB

/// Migration `v7-outbox-in-flight`: `notification.inFlight` marks a message handed to a transport whose result is
/// not recorded yet.
///
/// The claim sets it in the same transaction that leases the row (a worker claims a message just before it sends
/// it); recording the attempt, giving the row back untouched (`release(ids:owner:)`) or an operator's
/// `releaseHeld` clears it. A row still marked once its lease is over was being sent when its run stopped — killed,
/// or unable to record the result or even to hold the row — so the server may have delivered it: the next run holds
/// it (`holdAbandonedInFlight`) instead of sending it again, and only `liaison outbox release` lets it go.
/// The partial index made here was dropped later (`OutboxInFlightIndexSchema`).
enum OutboxInFlightSchema {
    static let migrationName = "v7-outbox-in-flight"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE notification ADD COLUMN inFlight BOOLEAN NOT NULL DEFAULT 0;
            -- Only the few rows in flight are in this index: finding them never reads the message rows.
            CREATE INDEX notification_inFlight ON notification(id) WHERE inFlight = 1;
            """)
    }
}
