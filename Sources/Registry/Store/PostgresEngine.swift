import Foundation
import Logging
import PostgresNIO
import URLMasking

/// Where a PostgreSQL registry is and how to reach it: `store.url` of `liaison.yaml` taken apart, with the password
/// read from the environment variable `store.password_env`.
struct PostgresLocation: Sendable, Equatable {
    /// The server's host name or address; for a Unix socket, the socket's folder (an absolute path).
    var host: String
    var port: Int
    /// Whether the server is reached through its Unix socket in the folder `host` (`.s.PGSQL.PORT`), as libpq
    /// does for a host that begins with `/`: on this machine, never TLS (which PostgreSQL does not offer there).
    var isUnixSocket = false
    var user: String
    var database: String
    /// Nil: connect without one (trust or peer authentication on the server).
    var password: String?
    /// TLS required (the default), or plain text, only to a loopback host.
    var requiresTLS: Bool
    /// The URL as shown in messages: never a password.
    var shownURL: String
    /// The names of the settings this came from, for messages.
    var names: WorkspaceConfiguration.Store.SettingNames = .liaisonYAML

    /// The socket file of a Unix-socket location: `HOST/.s.PGSQL.PORT`, as libpq names it; nil for TCP.
    var socketPath: String? {
        isUnixSocket ? (host.hasSuffix("/") ? host : host + "/") + ".s.PGSQL.\(port)" : nil
    }

    /// Reads `postgresql://USER@HOST[:PORT]/DATABASE` (or `postgres://`). A server on this machine may be named by
    /// its Unix socket's folder, as libpq takes it: `postgresql://USER@/DATABASE?host=/run/postgresql`, or the
    /// folder percent-encoded as the host (`postgresql://USER@%2Frun%2Fpostgresql/DATABASE`). Returns a sentence
    /// naming what is wrong.
    static func parse(_ url: String, names: WorkspaceConfiguration.Store.SettingNames = .liaisonYAML)
        -> Result<PostgresLocation, PostgresURLProblem> {
        let shown = SecretMasking.maskingPassword(inURL: url)
        guard let components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(), ["postgresql", "postgres"].contains(scheme) else {
            return .failure(.init("\"\(shown)\" is not a postgresql://USER@HOST[:PORT]/DATABASE URL"))
        }
        if SecretMasking.urlHasPassword(url) || components.password != nil {
            return .failure(.init("\"\(shown)\" holds a password; remove it from the URL and put it in the environment variable named by \(names.passwordEnv)"))
        }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            return .failure(.init("\"\(shown)\" names no user: write postgresql://USER@HOST[:PORT]/DATABASE"))
        }
        var host = components.percentEncodedHost?.removingPercentEncoding ?? ""
        // `?host=/folder`, libpq's way to name a Unix socket's folder; the only option a URL may carry.
        let options = components.queryItems ?? []
        if !options.isEmpty || components.query != nil {
            guard options.count == 1, let option = options.first, option.name == "host", host.isEmpty else {
                return .failure(.init("\"\(shown)\" has options after the database name; set TLS with \(names.tls) and the password with \(names.passwordEnv) (the one option a URL may carry is ?host=/FOLDER, a Unix socket's folder, with no host before the database)"))
            }
            host = option.value ?? ""
            guard host.hasPrefix("/") else {
                return .failure(.init("\"\(shown)\" gives host=\(host), which is not a folder: ?host= names the folder of the server's Unix socket, from / (such as /run/postgresql)"))
            }
        }
        guard !host.isEmpty else {
            return .failure(.init("\"\(shown)\" names no host: write postgresql://USER@HOST[:PORT]/DATABASE, or postgresql://USER@/DATABASE?host=/run/postgresql for the server's Unix socket"))
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.contains("/") && !host.hasPrefix("/") {
            return .failure(.init("\"\(shown)\" names the host \(host), which is neither a host name nor a folder from / (a Unix socket's folder, such as /run/postgresql)"))
        }
        let database = String(components.path.drop(while: { $0 == "/" })).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            return .failure(.init("\"\(shown)\" names no database: write postgresql://USER@HOST[:PORT]/DATABASE"))
        }
        guard components.fragment == nil else {
            return .failure(.init("\"\(shown)\" has a fragment (#…) after the database name"))
        }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { return .failure(.init("\"\(shown)\" has no valid port")) }
        let socket = host.hasPrefix("/")
        return .success(PostgresLocation(host: host, port: port, isUnixSocket: socket, user: user, database: database, password: nil,
                                         requiresTLS: !socket, shownURL: shown, names: names))
    }

    /// Whether `host` stays on this machine (127.0.0.0/8, ::1, localhost): only there may TLS be off.
    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 }
    }
}

/// Why a store URL cannot be used, as a sentence for a configuration error.
struct PostgresURLProblem: Error, Sendable {
    let sentence: String
    init(_ sentence: String) { self.sentence = sentence }
}

/// A statement PostgreSQL refused (a constraint, a syntax error, a serialization failure): its SQLSTATE for the store
/// that handles some of them (`23505` unique violation), and one line for a person.
struct PostgresStatementError: Error, CustomStringConvertible, Sendable {
    /// The five-character SQLSTATE, as PostgreSQL's manual lists them (Appendix A).
    let sqlState: String
    let message: String
    var description: String { "The registry database refused a statement: \(message) (SQLSTATE \(sqlState))." }

    /// A unique or primary key constraint was violated.
    var isUniqueViolation: Bool { sqlState == "23505" }
}

/// The PostgreSQL engine: the registry's SQL run through postgres-nio on a small pool of connections.
///
/// The store's API is synchronous. Each statement is sent on one of the engine's own event-loop threads and the
/// calling thread waits for its answer (`EventLoopFuture.wait()`): the I/O never needs a thread of Swift's
/// cooperative pool, so a caller on that pool (a web handler) cannot starve it into a deadlock, however small it is.
///
/// - `write`: `BEGIN` (READ COMMITTED) then `pg_advisory_xact_lock(writerLockKey)`: writers run one at a time, as
///   SQLite's single writer, so a store may read, decide and write in one transaction; the lock ends with the
///   transaction.
/// - `writeLockingRows`: READ COMMITTED without that lock, for `SELECT … FOR UPDATE SKIP LOCKED` claims.
/// - `writeAlongside`: READ COMMITTED with that lock shared (`pg_advisory_xact_lock_shared`): beside each other,
///   never beside a `write`.
/// - `read`: `REPEATABLE READ READ ONLY`, one snapshot.
///
/// Connections are opened on demand, up to `maximumConnections`, and reused; one that failed is closed and not
/// reused. Errors: `RegistryError.database` with one line naming the URL (never a password) when the server cannot
/// be reached or refuses the login; `PostgresStatementError` when a statement is refused.
final class PostgresEngine: StoreEngine, @unchecked Sendable {
    /// The advisory lock every `write` transaction takes ("LiaisonW"): one writer at a time.
    static let writerLockKey: Int64 = 0x4C69_6169_736F_6E57
    /// The advisory lock held while migrating ("LiaisonM"): two processes opening a new database do not race.
    static let migrationLockKey: Int64 = 0x4C69_6169_736F_6E4D
    /// Connections held at most at once by one process.
    static let maximumConnections = 8

    let location: PostgresLocation
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    // Guards `idle`, `open`, `closed`; waited on when every connection is in use.
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var closed = false
    private var nextID = 0

    var kind: StoreEngineKind { .postgresql }

    /// An engine for `location`; connects on first use (see `checkConnection()` to connect now).
    init(location: PostgresLocation) {
        self.location = location
        // The engine's own threads: a caller blocked waiting on one of them never holds a thread they need.
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var logger = Logger(label: "liaison.registry.postgresql")
        logger.logLevel = .critical
        self.logger = logger
    }

    deinit {
        close()
    }

    /// Closes every connection and stops the engine's threads; later transactions fail.
    func close() {
        condition.lock()
        guard !closed else { condition.unlock(); return }
        closed = true
        let connections = idle
        idle = []
        condition.broadcast()
        condition.unlock()
        for connection in connections { try? (connection.close() as EventLoopFuture<Void>).wait() }
        group.shutdownGracefully { _ in }
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL READ COMMITTED", writers: .alone, body)
    }

    func writeLockingRows<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL READ COMMITTED", writers: nil, body)
    }

    func writeAlongside<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL READ COMMITTED", writers: .shared, body)
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", writers: nil, body)
    }

    /// Runs `body` on one connection outside any transaction (each statement commits by itself): for the schema's
    /// migrations, which take their own advisory lock and transaction.
    func withConnection<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let connection = try take()
        var healthy = false
        defer { give(connection, healthy: healthy) }
        let result = try body(PostgresSession(connection: connection, logger: logger, location: location))
        healthy = true
        return result
    }

    /// How a transaction holds the writers' lock (`writerLockKey`): alone (`write`) or shared (`writeAlongside`).
    private enum WriterLock {
        case alone, shared

        var function: String { self == .alone ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared" }
    }

    private func transaction<T>(_ begin: String, writers: WriterLock?, _ body: (any SQLSession) throws -> T) throws -> T {
        let connection = try take()
        var healthy = false
        defer { give(connection, healthy: healthy) }
        let session = PostgresSession(connection: connection, logger: logger, location: location)
        // BEGIN (and the writers' lock) go out with the body's first statement: one wait, not three.
        try session.executeLater(begin, [])
        let result: T
        do {
            if let writers {
                try session.executeLater("SELECT \(writers.function)(\(Self.writerLockKey))", [])
            }
            result = try body(session)
            try session.commit()
        } catch {
            // A connection that cannot even roll back is dropped (`healthy` stays false).
            if (try? session.rollback()) != nil { healthy = !connection.isClosed }
            throw error
        }
        healthy = true
        return result
    }

    // MARK: The pool

    /// Opens a connection now and runs `SELECT 1`, so that a wrong URL, password or server is reported at open.
    func checkConnection() throws {
        try withConnection { session in _ = try session.rows("SELECT 1", []) }
    }

    private func take() throws -> PostgresConnection {
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw RegistryError.database("The registry database \(location.shownURL) was closed.")
            }
            if let connection = idle.popLast() {
                if connection.isClosed {
                    open -= 1
                    continue
                }
                condition.unlock()
                return connection
            }
            if open < Self.maximumConnections { break }
            condition.wait()
        }
        open += 1
        nextID += 1
        let id = nextID
        condition.unlock()
        do {
            return try connect(id: id)
        } catch {
            condition.lock()
            open -= 1
            condition.signal()
            condition.unlock()
            throw error
        }
    }

    private func give(_ connection: PostgresConnection, healthy: Bool) {
        condition.lock()
        let kept = healthy && !closed && !connection.isClosed
        if kept { idle.append(connection) }
        condition.unlock()
        if !kept {
            // A connection dropped is closed before it is let go (postgres-nio requires it), outside the pool's
            // lock, and before its place is given to another: the server's slot is free by then.
            try? (connection.close() as EventLoopFuture<Void>).wait()
            condition.lock()
            open -= 1
            condition.unlock()
        }
        condition.lock()
        condition.signal()
        condition.unlock()
    }

    private func connect(id: Int) throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS
        if location.requiresTLS && !location.isUnixSocket {
            do {
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            } catch {
                throw RegistryError.database("TLS to the registry database \(location.shownURL) cannot be set up: \(error).")
            }
        } else {
            tls = .disable
        }
        var configuration = location.socketPath.map {
            PostgresConnection.Configuration(unixSocketPath: $0, username: location.user, password: location.password,
                                             database: location.database)
        } ?? PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        // UTC, as the stored timestamps: whatever the server's default, `now()` and casts read the same.
        configuration.options.additionalStartupParameters = [("TimeZone", "UTC")]
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id,
                                                        logger: logger).wait()
        } catch {
            throw Self.connectionFailure(error, location: location)
        }
        do {
            _ = try connection.query(PostgresQuery(unsafeSQL: Self.plannerSettings), logger: logger).wait()
        } catch {
            try? (connection.close() as EventLoopFuture<Void>).wait()
            throw Self.connectionFailure(error, location: location)
        }
        return connection
    }

    /// Run on each new connection: where the server's administrator left `random_page_cost` at PostgreSQL's
    /// default (4, a spinning disk's cost of a random read against a sequential one), this connection plans with
    /// 1.1, the value PostgreSQL's manual gives for solid-state storage and data cached in memory. At 4 the planner
    /// reads a whole small table (a new registry's recipients or participants) rather than look up the few rows a
    /// group commit changes by their keys, at several times the cost. A value the administrator set anywhere (the
    /// server's configuration, `ALTER DATABASE` or `ALTER ROLE … SET`) is kept.
    static let plannerSettings = """
        SELECT set_config('random_page_cost', '1.1', false) FROM pg_settings
        WHERE name = 'random_page_cost' AND source = 'default'
        """

    /// One line for a connection that could not be made: refused, unreachable, login refused, no such database.
    static func connectionFailure(_ error: any Error, location: PostgresLocation) -> RegistryError {
        let url = location.shownURL
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                let state = info[.sqlState] ?? ""
                let message = info[.message] ?? "no reason given"
                switch state {
                case "28P01", "28000":
                    // Peer authentication (a Unix socket) takes the operating-system user for the database user.
                    let peer = message.lowercased().contains("peer")
                    return .database("The registry database \(url) refused the login of \(location.user) (\(message)); "
                                     + (peer ? "with peer authentication the operating-system user (\(ProcessInfo.processInfo.userName)) must be the database user \(location.user): run Liaison as that user, or ask the administrator for password authentication and set \(location.names.passwordEnv)."
                                             : "check the user and the password in the environment variable named by \(location.names.passwordEnv)."))
                case "3D000":
                    return .database("The registry database \(url) does not exist on the server (\(message)); ask its administrator to create it (docs/store.md).")
                case "53300":
                    return .database("The registry database \(url) has no free connection (\(message)).")
                default:
                    return .database("The registry database \(url) refused the connection: \(message) (SQLSTATE \(state)).")
                }
            }
            switch error.code {
            case .authMechanismRequiresPassword:
                return .database("The registry database \(url) asks for a password; set the environment variable named by \(location.names.passwordEnv).")
            case .sslUnsupported:
                return .database("The registry database \(url) does not offer TLS; enable it on the server, or set \(location.names.noTLS) for a server on this machine.")
            case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
                return .database("TLS to the registry database \(url) failed.")
            case .connectionError where location.isUnixSocket:
                let socket = location.socketPath ?? location.host
                let reason = (error.underlying as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "no reason given"
                return .database("The registry database \(url) cannot be reached through the socket \(socket) (\(reason)); check that the server is running and that \(location.names.url) names the folder of its socket (unix_socket_directories) and its port.")
            case .connectionError:
                let reason = error.underlying.map { SecretMasking.maskingURLPasswords(in: String(describing: $0)) } ?? "no reason given"
                return .database("The registry database \(url) cannot be reached (\(reason)); check that the server is running and \(location.names.url) names it.")
            default:
                break
            }
            if let underlying = error.underlying {
                return .database("The registry database \(url) cannot be reached (\(SecretMasking.maskingURLPasswords(in: String(describing: underlying)))).")
            }
            return .database("The registry database \(url) cannot be reached (\(error.code)).")
        }
        return .database("The registry database \(url) cannot be reached (\(SecretMasking.maskingURLPasswords(in: String(describing: error)))).")
    }
}

/// One PostgreSQL connection inside a transaction, as a `SQLSession`: `?` placeholders numbered `$1…`, values
/// bound as int8, float8, text, bytea or NULL, and cells read back into `SQLValue`.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger
    let location: PostgresLocation
    /// The statements sent and not yet waited for (`executeLater`, `rowsLater`), in order.
    private let pending = PendingStatements()

    init(connection: PostgresConnection, logger: Logger, location: PostgresLocation) {
        self.connection = connection; self.logger = logger; self.location = location
    }

    var kind: StoreEngineKind { .postgresql }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        let result = try run(sql, arguments)
        return result.metadata.rows ?? 0
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        try Self.rows(of: try run(sql, arguments))
    }

    /// The rows are received whole before `body` sees the first (postgres-nio's future-based queries collect
    /// them); stores that may read many rows keep their queries bounded (`LIMIT`) or page by key.
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: (SQLRow) throws -> Bool) throws {
        let result = try run(sql, arguments)
        guard let first = result.rows.first else { return }
        let columns = SQLRow.Columns(first.map(\.columnName))
        for row in result.rows {
            if try !body(Self.row(row, columns: columns)) { break }
        }
    }

    func executeLater(_ sql: String, _ arguments: [SQLValue]) throws {
        pending.append(try send(sql, arguments))
    }

    func rowsLater(_ sql: String, _ arguments: [SQLValue]) throws -> SQLPendingRows {
        let answer = try send(sql, arguments)
        pending.append(answer)
        return SQLPendingRows { [self] in
            try settle()
            return try Self.rows(of: try wait(answer))
        }
    }

    /// Sends COMMIT after every statement sent, and waits: an error of any of them means the transaction rolled
    /// back (PostgreSQL answers COMMIT of a failed transaction with ROLLBACK), and is thrown.
    func commit() throws {
        let answer = try send("COMMIT", [])
        try settle()
        let result = try wait(answer)
        if result.metadata.command.uppercased().hasPrefix("ROLLBACK") {
            throw RegistryError.database("The registry database \(location.shownURL) rolled the transaction back instead of committing it.")
        }
    }

    /// Waits for the statements sent (their errors are the transaction's, already thrown or moot) and rolls back.
    func rollback() throws {
        for answer in pending.takeAll() { _ = try? wait(answer) }
        try execute("ROLLBACK", [])
    }

    private static func rows(of result: PostgresQueryResult) throws -> [SQLRow] {
        guard let first = result.rows.first else { return [] }
        let columns = SQLRow.Columns(first.map(\.columnName))
        return try result.rows.map { try Self.row($0, columns: columns) }
    }

    /// Sends the statement, waits for it and for every statement sent before it.
    private func run(_ sql: String, _ arguments: [SQLValue]) throws -> PostgresQueryResult {
        let answer = try send(sql, arguments)
        try settle()
        return try wait(answer)
    }

    /// Waits for every statement sent and not yet waited for; throws the first one's error, after all have answered
    /// (none is left running on the connection).
    private func settle() throws {
        var first: (any Error)?
        for answer in pending.takeAll() {
            do { _ = try wait(answer) } catch { if first == nil { first = error } }
        }
        if let first { throw first }
    }

    private func send(_ sql: String, _ arguments: [SQLValue]) throws -> EventLoopFuture<PostgresQueryResult> {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value):
                if let problem = SQLValue.nulProblem(value) { throw StoreError.invalidArgument(problem) }
                bindings.append(value)
            case .blob(let value): bindings.append(ByteBuffer(bytes: value))
            }
        }
        let query = PostgresQuery(unsafeSQL: PostgresPlaceholders.numbered(sql), binds: bindings)
        return connection.query(query, logger: logger)
    }

    private func wait(_ answer: EventLoopFuture<PostgresQueryResult>) throws -> PostgresQueryResult {
        do {
            return try answer.wait()
        } catch let error as PSQLError {
            if let info = error.serverInfo {
                throw PostgresStatementError(sqlState: info[.sqlState] ?? "", message: info[.message] ?? "no reason given")
            }
            throw PostgresEngine.connectionFailure(error, location: location)
        }
    }


    /// A row's cells as `SQLValue`s: integers of any width, booleans as 0/1, numeric as an integer when whole
    /// (PostgreSQL's `sum` of integers) else a real, text-like types as text, bytea as a blob.
    static func row(_ row: PostgresRow, columns: SQLRow.Columns) throws -> SQLRow {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.names.count)
        for cell in row { values.append(try value(cell)) }
        return SQLRow(columns: columns, values: values)
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int8: return .integer(try cell.decode(Int64.self))
        case .int4: return .integer(Int64(try cell.decode(Int32.self)))
        case .int2: return .integer(Int64(try cell.decode(Int16.self)))
        case .oid: return .integer(Int64(bytes.readInteger(as: UInt32.self) ?? 0))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .float8: return .real(try cell.decode(Double.self))
        case .float4: return .real(Double(try cell.decode(Float.self)))
        case .numeric:
            let decimal = try cell.decode(Decimal.self)
            var rounded = Decimal()
            var copy = decimal
            NSDecimalRound(&rounded, &copy, 0, .plain)
            if rounded == decimal, decimal.magnitude <= Decimal(Int64.max) {
                return .integer(NSDecimalNumber(decimal: decimal).int64Value)
            }
            return .real(NSDecimalNumber(decimal: decimal).doubleValue)
        case .text, .varchar, .bpchar, .name, .json, .unknown:
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        case .jsonb:
            _ = bytes.readInteger(as: UInt8.self)   // the format version, 1
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        case .bytea:
            return .blob(Data(bytes.readableBytesView))
        default:
            throw StoreError.invalidArgument("the column \(cell.columnName) has the PostgreSQL type \(cell.dataType), which the registry does not read; cast it to text, bigint or double precision")
        }
    }
}

/// The statements a session sent and has not waited for yet. One transaction's session is used by one thread at a
/// time; the lock only makes that safe to state.
final class PendingStatements: @unchecked Sendable {
    private var answers: [EventLoopFuture<PostgresQueryResult>] = []
    private let lock = NSLock()

    func append(_ answer: EventLoopFuture<PostgresQueryResult>) {
        lock.withLock { answers.append(answer) }
    }

    func takeAll() -> [EventLoopFuture<PostgresQueryResult>] {
        lock.withLock {
            defer { answers = [] }
            return answers
        }
    }
}

/// `?` placeholders numbered for PostgreSQL (`$1`, `$2`, …), outside quoted strings, quoted identifiers,
/// dollar-quoted bodies and comments.
enum PostgresPlaceholders {
    static func numbered(_ sql: String) -> String {
        let bytes = Array(sql.utf8)
        guard bytes.contains(UInt8(ascii: "?")) else { return sql }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var number = 0
        var index = 0
        func copy(until end: Int) {
            output.append(contentsOf: bytes[index..<min(end, bytes.count)])
            index = min(end, bytes.count)
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "?"):
                number += 1
                output.append(contentsOf: Array("$\(number)".utf8))
                index += 1
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                // 'it''s' and "a""b": a doubled quote stays inside; E'…' also escapes with a backslash.
                let escapes = byte == UInt8(ascii: "'") && index > 0
                    && (bytes[index - 1] == UInt8(ascii: "E") || bytes[index - 1] == UInt8(ascii: "e"))
                    && (index < 2 || !isIdentifier(bytes[index - 2]))
                var end = index + 1
                while end < bytes.count {
                    if escapes && bytes[end] == UInt8(ascii: "\\") { end += 2; continue }
                    if bytes[end] == byte {
                        if end + 1 < bytes.count && bytes[end + 1] == byte { end += 2; continue }
                        break
                    }
                    end += 1
                }
                copy(until: end + 1)
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                var end = index
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                copy(until: end)
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                var end = index + 2
                while end + 1 < bytes.count && !(bytes[end] == UInt8(ascii: "*") && bytes[end + 1] == UInt8(ascii: "/")) { end += 1 }
                copy(until: end + 2)
            case UInt8(ascii: "$") where index == 0 || !isIdentifier(bytes[index - 1]):
                // $tag$ … $tag$ (a function body); `$1` written by hand is left as it is.
                var tagEnd = index + 1
                while tagEnd < bytes.count && isIdentifier(bytes[tagEnd]) && !isDigit(bytes[index + 1]) { tagEnd += 1 }
                guard tagEnd < bytes.count, bytes[tagEnd] == UInt8(ascii: "$") else {
                    output.append(byte)
                    index += 1
                    continue
                }
                let tag = Array(bytes[index...tagEnd])
                var end = tagEnd + 1
                while end + tag.count <= bytes.count && Array(bytes[end..<(end + tag.count)]) != tag { end += 1 }
                copy(until: end + tag.count)
            default:
                output.append(byte)
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func isIdentifier(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95 || byte >= 128
    }
}
