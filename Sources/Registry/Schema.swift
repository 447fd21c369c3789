import GRDB

/// The registry's SQLite schema, as numbered migrations.
///
/// Conventions: timestamps are GRDB `Date` values (UTC text `YYYY-MM-DD HH:MM:SS.SSS`); calendar dates
/// (membership since/until, agreement signed/ended, case due) are `YYYY-MM-DD` text; lists are JSON arrays.
/// Later changes add migrations; a shipped migration is never edited.
public enum Schema {
    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-registry") { db in
            try db.execute(sql: """
                CREATE TABLE organization (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    localName TEXT,
                    kind TEXT NOT NULL,
                    country TEXT NOT NULL,
                    domains TEXT NOT NULL DEFAULT '[]',
                    languages TEXT NOT NULL DEFAULT '[]',
                    technologies TEXT NOT NULL DEFAULT '[]',
                    status TEXT NOT NULL DEFAULT 'active',      -- active | retired
                    statusDate TEXT,                            -- YYYY-MM-DD
                    notes TEXT,
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL
                );
                CREATE INDEX organization_kind ON organization(kind);
                CREATE INDEX organization_country ON organization(country);

                CREATE TABLE contact (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    organizationId TEXT NOT NULL REFERENCES organization(id),
                    email TEXT NOT NULL COLLATE NOCASE UNIQUE,
                    name TEXT,
                    role TEXT NOT NULL DEFAULT 'to',            -- to | cc
                    language TEXT,                              -- BCP 47
                    pgp TEXT,                                   -- fingerprint, upper-case hex
                    active BOOLEAN NOT NULL DEFAULT 1,
                    bounceCount INTEGER NOT NULL DEFAULT 0,
                    lastBounceAt DATETIME
                );
                CREATE INDEX contact_organization ON contact(organizationId);

                CREATE TABLE key (
                    fingerprint TEXT PRIMARY KEY NOT NULL,      -- upper-case hex
                    armored TEXT NOT NULL,
                    userIds TEXT NOT NULL DEFAULT '[]',
                    algorithm TEXT NOT NULL,
                    createdAt DATETIME,
                    expiresAt DATETIME,
                    revoked BOOLEAN NOT NULL DEFAULT 0
                );

                CREATE TABLE membership (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    organizationId TEXT NOT NULL REFERENCES organization(id),
                    body TEXT NOT NULL,                         -- APCERT | FIRST | ...
                    role TEXT NOT NULL,                         -- full | general | liaison | steering-committee | secretariat
                    since TEXT,
                    until TEXT
                );
                CREATE INDEX membership_organization ON membership(organizationId);

                CREATE TABLE agreement (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    organizationId TEXT NOT NULL REFERENCES organization(id),
                    kind TEXT NOT NULL,                         -- mou | developer-registration | ...
                    signed TEXT,
                    ended TEXT
                );
                CREATE INDEX agreement_organization ON agreement(organizationId);

                CREATE TABLE "case" (
                    id TEXT PRIMARY KEY NOT NULL,               -- JVNVU#12345678, VU#123456
                    title TEXT NOT NULL,
                    origin TEXT NOT NULL,                       -- jvn-jp | cert-cc | cpni | ...
                    openedAt DATETIME NOT NULL,
                    publishedAt DATETIME,
                    due TEXT
                );

                CREATE TABLE participant (
                    caseId TEXT NOT NULL REFERENCES "case"(id),
                    organizationId TEXT NOT NULL REFERENCES organization(id),
                    addedAt DATETIME NOT NULL,
                    delivery TEXT NOT NULL DEFAULT 'pending',   -- pending | notified | undeliverable
                    firstNotifiedAt DATETIME,
                    response TEXT NOT NULL DEFAULT 'none',      -- none | acknowledged | investigating | affected | not-affected | fixed
                    firstResponseAt DATETIME,
                    respondedAt DATETIME,
                    statement TEXT,
                    lastRemindedAt DATETIME,
                    PRIMARY KEY (caseId, organizationId)
                );

                -- The outbox: one row per message, holding the exact bytes that go on the wire.
                CREATE TABLE notification (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    caseId TEXT REFERENCES "case"(id),
                    organizationId TEXT NOT NULL REFERENCES organization(id),
                    purpose TEXT NOT NULL,                      -- case-notification | reminder | publication | incident
                    incidentCategory TEXT,                      -- scan | forged | intrusion | phishing | other
                    template TEXT NOT NULL,
                    language TEXT NOT NULL,
                    messageId TEXT NOT NULL UNIQUE,             -- without angle brackets
                    trackingRef TEXT NOT NULL UNIQUE,
                    subject TEXT NOT NULL,
                    mailFrom TEXT NOT NULL,                     -- envelope sender address
                    bytes BLOB NOT NULL,
                    signed BOOLEAN NOT NULL,
                    encrypted BOOLEAN NOT NULL,
                    state TEXT NOT NULL DEFAULT 'queued',       -- queued | sending | sent | deferred | failed
                    attempts INTEGER NOT NULL DEFAULT 0,
                    nextAttemptAt DATETIME,
                    leaseOwner TEXT,
                    leaseUntil DATETIME,
                    createdAt DATETIME NOT NULL,
                    sentAt DATETIME,
                    lastError TEXT
                );
                CREATE INDEX notification_state ON notification(state, nextAttemptAt);
                CREATE INDEX notification_case ON notification(caseId, organizationId);
                CREATE INDEX notification_created ON notification(createdAt);
                CREATE INDEX notification_sent ON notification(sentAt);

                CREATE TABLE notificationRecipient (
                    notificationId INTEGER NOT NULL REFERENCES notification(id),
                    email TEXT NOT NULL COLLATE NOCASE,
                    kind TEXT NOT NULL,                         -- to | cc
                    contactId INTEGER REFERENCES contact(id),
                    status TEXT NOT NULL DEFAULT 'pending',     -- pending | delivered | deferred | failed | bounced
                    smtpCode INTEGER,
                    smtpReply TEXT,
                    updatedAt DATETIME,
                    PRIMARY KEY (notificationId, email)
                );

                -- Replies, automatic replies and delivery reports read by `ingest`.
                CREATE TABLE inboundMessage (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    messageId TEXT NOT NULL UNIQUE,             -- Message-ID, or sha256 of the bytes when absent
                    receivedAt DATETIME NOT NULL,
                    fromAddress TEXT,
                    subject TEXT,
                    kind TEXT NOT NULL,                         -- reply | auto-reply | bounce | unmatched
                    notificationId INTEGER REFERENCES notification(id),
                    caseId TEXT REFERENCES "case"(id),
                    organizationId TEXT REFERENCES organization(id),
                    signature TEXT NOT NULL DEFAULT 'none',     -- none | verified | bad | unknown-key
                    encrypted BOOLEAN NOT NULL DEFAULT 0,
                    bytes BLOB NOT NULL
                );

                -- Append-only audit log; each row carries the hash of the previous one.
                CREATE TABLE event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at DATETIME NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,                       -- e.g. organization.added, case.opened, notification.sent
                    objectType TEXT NOT NULL,
                    objectId TEXT NOT NULL,
                    data TEXT NOT NULL DEFAULT '{}',            -- JSON, keys sorted
                    prevHash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX event_object ON event(objectType, objectId);
                CREATE INDEX event_at ON event(at);
                """)
        }
        migrator.registerMigration("v2-report-indexes") { db in
            for statement in reportIndexes { try db.execute(sql: statement) }
        }
        migrator.registerMigration(CaseLifecycleSchema.migrationName, migrate: CaseLifecycleSchema.migrate)
        migrator.registerMigration("v4-outbox-record") { db in
            try db.execute(sql: """
                -- A message the server accepted but whose delivery could not be recorded: never sent again until an
                -- operator releases it (`liaison outbox release`).
                ALTER TABLE notification ADD COLUMN heldReason TEXT;
                -- The whole message was refused by our own relay (5xx to DATA or at its end): no vendor's fault.
                ALTER TABLE notification ADD COLUMN relayRefused BOOLEAN NOT NULL DEFAULT 0;
                -- `liaison outbox` reads its columns from this index alone: the rows carry the signed message, and
                -- reading a column stored after it walks the message's overflow pages.
                CREATE INDEX notification_outbox ON notification(
                    id, state, caseId, organizationId, purpose, language, attempts, subject, messageId, trackingRef,
                    signed, encrypted, createdAt, sentAt, nextAttemptAt, lastError, heldReason);
                """)
        }
        migrator.registerMigration("v5-imap-mailbox-state") { db in
            // How far each IMAP mailbox was read: UIDs are only meaningful under their UIDVALIDITY.
            try db.execute(sql: """
                CREATE TABLE mailboxState (
                    mailboxURL TEXT PRIMARY KEY NOT NULL,       -- imaps://user@host:port/MAILBOX, no password
                    uidValidity INTEGER NOT NULL,
                    lastUID INTEGER NOT NULL,                   -- highest UID read and stored
                    updatedAt DATETIME NOT NULL
                )
                """)
        }
        migrator.registerMigration(InboundSchema.migrationName, migrate: InboundSchema.migrate)
        migrator.registerMigration(OutboxInFlightSchema.migrationName, migrate: OutboxInFlightSchema.migrate)
        migrator.registerMigration(CaseCorrectionSchema.migrationName, migrate: CaseCorrectionSchema.migrate)
        migrator.registerMigration(InboundTrustSchema.migrationName, migrate: InboundTrustSchema.migrate)
        migrator.registerMigration(ProductStatementSchema.migrationName, migrate: ProductStatementSchema.migrate)
        migrator.registerMigration(OutboxMessageSchema.migrationName, migrate: OutboxMessageSchema.migrate)
        migrator.registerMigration(InboundBodySchema.migrationName, migrate: InboundBodySchema.migrate)
        migrator.registerMigration(UserSchema.migrationName, migrate: UserSchema.migrate)
        migrator.registerMigration(AnswerLinkSchema.migrationName, migrate: AnswerLinkSchema.migrate)
        migrator.registerMigration(CaseMatrixSchema.migrationName, migrate: CaseMatrixSchema.migrate)
        migrator.registerMigration(EventChainSchema.migrationName, migrate: EventChainSchema.migrate)
        migrator.registerMigration(OutboxInFlightIndexSchema.migrationName, migrate: OutboxInFlightIndexSchema.migrate)
        return migrator
    }

    /// Indexes that keep the quarterly report fast on a large registry (1,000,000 notifications: 0.7 s → 0.47 s).
    public static let reportIndexes = [
        // Messages sent in a quarter, by purpose, category and recipient, and those sent only after a quarter's
        // end, read from the index alone (rows carry the signed message, so each row visited is costly).
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
}
