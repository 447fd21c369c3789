import Foundation
import GRDB

/// The registry's SQLite database: a GRDB pool in WAL mode, its schema brought up to date on open.
///
/// Other modules run their own SQL through `writer` (in a transaction: `try store.writer.write { db in … }`).
public final class RegistryStore: Sendable {
    /// The database, for reads and writes.
    public let writer: any DatabaseWriter

    /// Opens (creating if needed) the database file at `path`, in WAL mode, and runs the migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        // Another liaison process (a long `send`) may hold the write lock for a moment.
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
        writer = pool
    }

    private init(writer: any DatabaseWriter) throws {
        try Schema.migrator.migrate(writer)
        self.writer = writer
    }

    /// A private in-memory database, for tests.
    public static func inMemory() throws -> RegistryStore {
        try RegistryStore(writer: DatabaseQueue())
    }

    /// Read-only queries over this store.
    public var queries: RegistryQueries { RegistryQueries(writer) }
}
