import GRDB

/// Migration `v10-product-statements`: the table of product statements, one row per statement read (a later
/// statement about the same product is a new row; which stand is `ProductStatement.current(of:)`).
enum ProductStatementSchema {
    static let migrationName = "v10-product-statements"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE productStatement (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                caseId TEXT NOT NULL,
                organizationId TEXT NOT NULL,
                product TEXT NOT NULL,
                productId TEXT,
                status TEXT NOT NULL,                       -- affected | not-affected | fixed | investigating
                justification TEXT,
                detail TEXT,
                source TEXT NOT NULL,
                statedAt DATETIME NOT NULL,
                recordedAt DATETIME NOT NULL,
                FOREIGN KEY (caseId, organizationId) REFERENCES participant(caseId, organizationId)
            );
            CREATE INDEX productStatement_participant ON productStatement(caseId, organizationId);
            """)
    }
}
