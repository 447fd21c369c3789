import GRDB

/// Columns of the coordination lifecycle: a case's TLP level, the TLP a notification carried, and where a
/// participant stands on the reminder ladder (reminders sent, escalated, unreachable).
enum CaseLifecycleSchema {
    static let migrationName = "v3-case-lifecycle"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE "case" ADD COLUMN tlp TEXT;                 -- CLEAR | GREEN | AMBER | AMBER+STRICT | RED
            ALTER TABLE notification ADD COLUMN tlp TEXT;           -- the label the message carried
            ALTER TABLE participant ADD COLUMN reminderCount INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE participant ADD COLUMN escalatedAt DATETIME;
            ALTER TABLE participant ADD COLUMN unreachableAt DATETIME; -- set by the reminder policy, cleared by a response
            CREATE INDEX participant_unreachable ON participant(unreachableAt) WHERE unreachableAt IS NOT NULL;
            """)
    }
}
