import Foundation
import GRDB

extension RegistryStore {
    /// A number that moves whenever a write to the registry is committed — by this process or by any other one
    /// (`liaison run` sending, a `case set` on the command line, a second desk) — and stays the same while nothing
    /// is committed. What was computed from the store under one token is still right while the token is unchanged:
    /// read the token first, then the data, and keep the result under the token read first.
    ///
    /// SQLite's `PRAGMA data_version` (sqlite.org/pragma.html#pragma_data_version), read on a connection of its own
    /// that never writes, so that every commit is another connection's. A database opened read-only reads it on its
    /// only connection (which never writes either); an in-memory database, which no other connection can reach,
    /// counts the rows its one connection changed (`total_changes()`). A token may also move without a change
    /// (after a checkpoint): a cache then misses once, it is never stale. Tokens of different stores mean nothing
    /// to each other. Costs one statement on that connection (microseconds).
    ///
    /// Throws the database error when the connection cannot be opened or read; a caller then computes afresh.
    ///
    /// ```swift
    /// let token = try store.changeToken()
    /// if let page = cache[caseId], page.token == token { return page }   // nothing committed since
    /// ```
    public func changeToken() throws -> Int64 {
        try changeWatch.token()
    }
}

/// The connection behind `RegistryStore.changeToken()`, opened on first use (commands that never ask open none).
final class ChangeWatch: @unchecked Sendable {
    // `@unchecked`: `connection` is only read and written with `lock` held; the DatabaseQueue itself is Sendable.
    private let lock = NSLock()
    private var connection: DatabaseQueue?
    private let source: Source

    enum Source {
        /// A database file: a dedicated read-only connection to it.
        case file(path: String)
        /// A connection that never writes (a read-only store's only connection): its own `data_version`.
        case readOnly(any DatabaseReader)
        /// An in-memory database with one connection: the rows it changed.
        case inMemory(any DatabaseWriter)
    }

    init(_ source: Source) { self.source = source }

    func token() throws -> Int64 {
        switch source {
        case .readOnly(let reader):
            return try reader.unsafeReentrantRead { try Int64.fetchOne($0, sql: "PRAGMA data_version") ?? 0 }
        case .inMemory(let writer):
            return try writer.unsafeReentrantRead { try Int64.fetchOne($0, sql: "SELECT total_changes()") ?? 0 }
        case .file(let path):
            let queue = try watcher(path: path)
            // Outside any transaction: the pragma takes its own read lock and sees the latest commit.
            return try queue.inDatabase { try Int64.fetchOne($0, sql: "PRAGMA data_version") ?? 0 }
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
