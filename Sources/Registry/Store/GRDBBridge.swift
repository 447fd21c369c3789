import GRDB

extension SQLSession {
    /// The GRDB connection under a SQLite session, for what only SQLite does and only through its connection: a
    /// large received message written and read a window at a time (`BlobStreaming`). Throws on PostgreSQL, whose
    /// path does without it.
    func grdbDatabase() throws -> Database {
        guard let sqlite = self as? SQLiteSession else {
            throw StoreError.invalidArgument("SQLite's incremental blob I/O is not available on \(kind.rawValue)")
        }
        return sqlite.db
    }
}
