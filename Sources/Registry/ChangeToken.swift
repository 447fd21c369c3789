import Foundation
import GRDB

extension RegistryStore {
    /// A text that changes whenever a write to the registry is committed — by this process or by any other one
    /// (`liaison run` sending, a `case set` on the command line, a second desk) — and stays the same while nothing
    /// is committed. What was computed from the store under one token is still right while the token is unchanged:
    /// read the token first, then the data, and keep the result under the token read first. Only equality means
    /// something (tokens are not ordered); tokens of different stores mean nothing to each other.
    ///
    /// The engine says how (`StoreEngine.changeToken()`): on SQLite `PRAGMA data_version`
    /// (sqlite.org/pragma.html#pragma_data_version) read on a connection of its own that never writes; on
    /// PostgreSQL the server's current snapshot (`pg_current_snapshot()`), which changes with every transaction
    /// that writes anywhere on the server. A token may also change without a change to the registry: a cache then
    /// misses once, it is never stale. Costs one statement (microseconds on SQLite, a round trip on PostgreSQL).
    ///
    /// Throws the database error when the token cannot be read; a caller then computes afresh.
    ///
    /// ```swift
    /// let token = try store.changeToken()
    /// if let page = cache[caseId], page.token == token { return page }   // nothing committed since
    /// ```
    public func changeToken() throws -> String {
        try engine.changeToken()
    }
}

extension PostgresEngine {
    /// The server's current snapshot as text (`xmin:xmax:xip_list`, PostgreSQL 13 and later), read outside any
    /// transaction. It names exactly which transactions are visible: a transaction that commits anywhere on the
    /// server either started after it (xmax moves) or was in progress in it (leaves the list), so a commit can
    /// never leave it unchanged; read-only transactions take no transaction id and do not move it. (The WAL
    /// position would move on every commit too, but a commit's WAL record is written before the commit becomes
    /// visible, so a token read in between could hide it.)
    func changeToken() throws -> String {
        try withConnection { session in
            guard let token = try session.value("SELECT pg_current_snapshot()::text", as: String.self) else {
                throw RegistryError.database("The registry database \(location.shownURL) gave no snapshot.")
            }
            return token
        }
    }
}

/// The connection behind the SQLite engine's `changeToken()`, opened on first use (commands that never ask open
/// none).
final class ChangeWatch: @unchecked Sendable {
    // `@unchecked`: `connection` is only read and written with `lock` held; the DatabaseQueue itself is Sendable.
    private let lock = NSLock()
    private var connection: DatabaseQueue?
    private let source: Source

    enum Source {
        /// A database file written through a pool: a dedicated read-only connection to it, whose every commit is
        /// another connection's.
        case file(path: String)
        /// A database with one connection (a read-only store, an in-memory one): its `data_version` counts the
        /// other connections' commits (another process's), `total_changes()` the rows it changed itself.
        case connection(any DatabaseWriter)
    }

    /// The source for a GRDB writer: its own connection when it has only one (a `DatabaseQueue`), else the file.
    init(writer: any DatabaseWriter) {
        source = writer is DatabaseQueue ? .connection(writer) : .file(path: writer.path)
    }

    func token() throws -> String {
        switch source {
        case .connection(let writer):
            return try writer.unsafeReentrantRead { db in
                let version = try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
                let changes = try Int64.fetchOne(db, sql: "SELECT total_changes()") ?? 0
                return "\(version).\(changes)"
            }
        case .file(let path):
            let queue = try watcher(path: path)
            // Outside any transaction: the pragma takes its own read lock and sees the latest commit.
            return try queue.inDatabase { db in String(try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0) }
        }
    }

    private func watcher(path: String) throws -> DatabaseQueue {
        lock.lock()
        defer { lock.unlock() }
        if let connection { return connection }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "liaison.change-token"
        // A read waits out another process's WAL recovery rather than failing.
        configuration.busyMode = .timeout(5)
        let opened = try DatabaseQueue(path: path, configuration: configuration)
        connection = opened
        return opened
    }
}
