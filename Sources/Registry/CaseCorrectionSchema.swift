import GRDB

/// Columns for changing a case and undoing our own mistakes: a title per language, the advisory's address, a
/// case withdrawn (opened by mistake) with its reason, and outbox messages voided by us with theirs.
enum CaseCorrectionSchema {
    static let migrationName = "v8-case-corrections"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE "case" ADD COLUMN titleJa TEXT;             -- the Japanese title; title serves every other language
            ALTER TABLE "case" ADD COLUMN advisoryURL TEXT;         -- the published advisory, for the publication template
            ALTER TABLE "case" ADD COLUMN withdrawnAt DATETIME;     -- opened by mistake: left out of the report's counts
            ALTER TABLE "case" ADD COLUMN withdrawnReason TEXT;
            ALTER TABLE notification ADD COLUMN voidedAt DATETIME;  -- a failure of ours, voided: neither sent nor failed
            ALTER TABLE notification ADD COLUMN voidReason TEXT;
            -- `liaison outbox` still reads its columns from this index alone (see v4-outbox-record), the reason included.
            DROP INDEX notification_outbox;
            CREATE INDEX notification_outbox ON notification(
                id, state, caseId, organizationId, purpose, language, attempts, subject, messageId, trackingRef,
                signed, encrypted, createdAt, sentAt, nextAttemptAt, lastError, heldReason, voidReason);
            """)
    }
}
