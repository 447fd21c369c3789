import Foundation

/// Which database engine holds a workspace's registry.
public enum StoreEngineKind: String, Sendable, CaseIterable {
    /// SQLite through GRDB, in `.liaison/registry.sqlite`: the embedded default.
    case sqlite
    /// PostgreSQL through postgres-nio, named by `store: postgresql://…` in `liaison.yaml`.
    case postgresql
}

/// One transaction's view of the database, the same on both engines. Only Registry's stores use it.
///
/// SQL is written once, in the dialect both engines share: `?` placeholders (PostgreSQL's session numbers them),
/// `INSERT … ON CONFLICT … DO NOTHING / DO UPDATE`, `RETURNING`, integer booleans compared with `= 1`, timestamps
/// as text. Where the engines really differ (claiming rows others may hold, ordering the event chain) the store
/// asks `kind` and says why.
protocol SQLSession {
    /// The engine behind this session.
    var kind: StoreEngineKind { get }

    /// Runs one statement; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int

    /// Runs one query and returns all its rows.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]

    /// Runs one query and hands its rows to `body` one at a time, without holding them all; `body` returns false
    /// to stop early.
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws

    /// Sends one statement without waiting for its answer: it runs, in order, before any later statement of the
    /// transaction, and its error (if any) is thrown by the next statement that waits, or by the commit. On
    /// PostgreSQL statements sent so go out back to back, so a transaction waits once for several of them instead
    /// of once per round trip; on SQLite it runs at once.
    func executeLater(_ sql: String, _ arguments: [SQLValue]) throws

    /// Sends one query without waiting for its rows, as `executeLater` does; `SQLPendingRows.rows()` waits for
    /// them (and for every statement sent before it).
    func rowsLater(_ sql: String, _ arguments: [SQLValue]) throws -> SQLPendingRows
}

/// The rows of a query sent with `SQLSession.rowsLater`, read when they are needed.
struct SQLPendingRows {
    private let read: () throws -> [SQLRow]

    init(_ read: @escaping () throws -> [SQLRow]) { self.read = read }

    /// The query's rows; waits for them, and throws the first error of the statements sent up to it.
    func rows() throws -> [SQLRow] { try read() }
}

extension SQLSession {
    // One statement at a time where there is no round trip to save (SQLite, in process).
    func executeLater(_ sql: String, _ arguments: [SQLValue]) throws {
        try execute(sql, arguments)
    }

    func rowsLater(_ sql: String, _ arguments: [SQLValue]) throws -> SQLPendingRows {
        let rows = try rows(sql, arguments)
        return SQLPendingRows { rows }
    }
}

extension SQLSession {
    @discardableResult
    func execute(_ sql: String, _ arguments: any SQLBindable...) throws -> Int {
        try execute(sql, arguments.map(\.sqlValue))
    }

    /// `executeLater(_:_:)` with the values listed.
    func executeLater(_ sql: String, _ arguments: any SQLBindable...) throws {
        try executeLater(sql, arguments.map(\.sqlValue))
    }

    func rows(_ sql: String, _ arguments: any SQLBindable...) throws -> [SQLRow] {
        try rows(sql, arguments.map(\.sqlValue))
    }

    /// The first row, or nil.
    func row(_ sql: String, _ arguments: any SQLBindable...) throws -> SQLRow? {
        var first: SQLRow?
        try forEachRow(sql, arguments.map(\.sqlValue)) { first = $0; return false }
        return first
    }

    /// The first column of the first row, or nil when there is no row or it holds NULL.
    func value<T: SQLReadable>(_ sql: String, _ arguments: any SQLBindable..., as type: T.Type = T.self) throws -> T? {
        var result: T?
        try forEachRow(sql, arguments.map(\.sqlValue)) { row in
            if !row.values[0].isNull { result = try T(sqlValue: row.values[0]) }
            return false
        }
        return result
    }

    /// The first column of every row (NULLs skipped).
    func values<T: SQLReadable>(_ sql: String, _ arguments: any SQLBindable..., as type: T.Type = T.self) throws -> [T] {
        var result: [T] = []
        try forEachRow(sql, arguments.map(\.sqlValue)) { row in
            if !row.values[0].isNull { result.append(try T(sqlValue: row.values[0])) }
            return true
        }
        return result
    }
}

/// A registry database: transactions over one engine.
///
/// `write` runs `body` in one transaction that commits when it returns and rolls back when it throws; writers
/// never interleave (SQLite's single writer; on PostgreSQL a transaction-scoped advisory lock taken at the start
/// gives the same guarantee), so a store may read, decide and write in one transaction as on SQLite.
/// `writeLockingRows` is for the few operations built to run side by side on PostgreSQL — claiming outbox rows
/// with `FOR UPDATE SKIP LOCKED`, renewing a lease — which lock only the rows they touch (on SQLite it is `write`).
/// `writeAlongside` is for writes built to run beside each other (the outbox's group commits, which lock the rows
/// they change in one order, and take the event chain's lock last): on PostgreSQL they share the writers' lock, so
/// they run side by side but never beside a `write`, and a `write` never waits on a row one of them holds while
/// holding what it waits for (on SQLite it is `write`). `read` sees one consistent snapshot. `changeToken` is a
/// text equal between two calls only when no write was committed in between, by any process
/// (`RegistryStore.changeToken()`).
protocol StoreEngine: Sendable {
    var kind: StoreEngineKind { get }
    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T
    func writeLockingRows<T>(_ body: (any SQLSession) throws -> T) throws -> T
    func writeAlongside<T>(_ body: (any SQLSession) throws -> T) throws -> T
    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T
    func changeToken() throws -> String
}
