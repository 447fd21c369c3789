import GRDB

/// Migration `v13-answer-links`: product statements say their source as one of `ProductStatement.Source` (the
/// free text becomes `reference`) and may carry a fixed version; the vendors' answer links and the latest answer
/// given through one.
enum AnswerLinkSchema {
    static let migrationName = "v13-answer-links"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE productStatement RENAME COLUMN source TO reference;
            -- Rows before this migration were all read from VEX documents attached to replies.
            ALTER TABLE productStatement ADD COLUMN source TEXT NOT NULL DEFAULT 'VEX file';
            ALTER TABLE productStatement ADD COLUMN fixedVersion TEXT;

            -- One row per answer link issued: the token is recomputed from the nonce and expiry with the workspace's
            -- key (the database never holds a usable token).
            CREATE TABLE answerLink (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                caseId TEXT NOT NULL,
                organizationId TEXT NOT NULL,
                nonce TEXT NOT NULL UNIQUE,                 -- hex, 16 random bytes
                issuedAt DATETIME NOT NULL,
                expiresAt DATETIME NOT NULL,                -- the bound written into the token
                revokedAt DATETIME,
                FOREIGN KEY (caseId, organizationId) REFERENCES participant(caseId, organizationId)
            );
            CREATE INDEX answerLink_participant ON answerLink(caseId, organizationId);

            -- The latest answer a participant gave through its link: its statement and contact for follow-up.
            CREATE TABLE answerLinkAnswer (
                caseId TEXT NOT NULL,
                organizationId TEXT NOT NULL,
                statement TEXT,
                contact TEXT,
                document TEXT,                              -- `CycloneDX vex.json` when the answer was a VEX upload
                answeredAt DATETIME NOT NULL,
                PRIMARY KEY (caseId, organizationId),
                FOREIGN KEY (caseId, organizationId) REFERENCES participant(caseId, organizationId)
            );
            """)
    }
}
