import GRDB

/// Migration `v13-desk-users`: the desk's users.
enum UserSchema {
    static let migrationName = "v13-desk-users"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE deskUser (
                name TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
                role TEXT NOT NULL,                         -- coordinator | lead | auditor
                passwordHash TEXT NOT NULL,                 -- bcrypt, $2b$…
                disabled BOOLEAN NOT NULL DEFAULT 0,
                createdAt DATETIME NOT NULL
            )
            """)
    }
}
