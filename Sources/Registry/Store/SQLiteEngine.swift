import Foundation
import GRDB

/// The SQLite engine: the registry's SQL run through GRDB on a `DatabaseWriter` (a WAL pool, or one connection),
/// statements cached per connection.
struct SQLiteEngine: StoreEngine {
    let writer: any DatabaseWriter
    /// Where `changeToken()` reads `PRAGMA data_version`.
    let changeWatch: ChangeWatch

    init(writer: any DatabaseWriter) {
        self.writer = writer
        changeWatch = ChangeWatch(writer: writer)
    }

    var kind: StoreEngineKind { .sqlite }

    func changeToken() throws -> String {
        try changeWatch.token()
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try writer.write { db in try body(SQLiteSession(db)) }
    }

    func writeAlongside<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try write(body)
    }

    func writeLockingRows<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try write(body)
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try writer.read { db in try body(SQLiteSession(db)) }
    }
}

/// A GRDB connection inside a transaction, as a `SQLSession`. Stores not yet written over `SQLSession` wrap the
/// `Database` they hold to call those that are (`SQLiteSession(db)` is free).
struct SQLiteSession: SQLSession {
    let db: Database

    init(_ db: Database) { self.db = db }

    var kind: StoreEngineKind { .sqlite }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: try Self.arguments(arguments))
        return db.changesCount
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        var result: [SQLRow] = []
        try forEachRow(sql, arguments) { result.append($0); return true }
        return result
    }

    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLRow.Columns(statement.columnNames)
        let cursor = try Row.fetchCursor(statement, arguments: try Self.arguments(arguments))
        while let row = try cursor.next() {
            var values: [SQLValue] = []
            values.reserveCapacity(row.count)
            for index in 0..<row.count { values.append(Self.value(row[index] as DatabaseValue)) }
            if try !body(SQLRow(columns: columns, values: values)) { break }
        }
    }

    /// The values as GRDB binds them. Throws `StoreError.invalidArgument` for a text holding U+0000, which SQLite
    /// would cut short there (`SQLValue.nulProblem`, as on PostgreSQL).
    static func arguments(_ values: [SQLValue]) throws -> StatementArguments {
        StatementArguments(try values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null: return nil
            case .integer(let integer): return integer
            case .real(let real): return real
            case .text(let text):
                if let problem = SQLValue.nulProblem(text) { throw StoreError.invalidArgument(problem) }
                return text
            case .blob(let data): return data
            }
        })
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: return .null
        case .int64(let integer): return .integer(integer)
        case .double(let real): return .real(real)
        case .string(let text): return .text(text)
        case .blob(let data): return .blob(data)
        }
    }
}
