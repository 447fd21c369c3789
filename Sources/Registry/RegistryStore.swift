import Foundation
import GRDB

/// The registry's database, its schema brought up to date on open: SQLite (a GRDB pool in WAL mode, the default)
/// or PostgreSQL (`store:` in liaison.yaml, see `PostgresEngine`).
///
/// The stores run their SQL on `engine`, the same on both; the database itself (GRDB's writer, postgres-nio's
/// connections) stays inside it. Callers reach the registry only through the typed, intent-named operations of
/// the per-workflow stores (`directory`, `cases`, `outbox`, `inbound`, `events`, `reports`, `users`…).
///
/// Every write transaction starts with `BEGIN IMMEDIATE` and waits, without a time limit, while another
/// process holds the write lock (a long `directory sync`, a big `notify`): a busy database never makes a
/// command fail. A database whose file or folder this user cannot write (an auditor's copy) is opened
/// read-only: reading works, and the first write fails with an error that `RegistryStore.explain(_:)` turns into
/// one line.
public final class RegistryStore: Sendable {
    /// The engine the stores run their SQL on (`SQLSession`), whatever database holds the registry.
    let engine: any StoreEngine
    /// Whether the database was opened read-only (its file or folder is not writable by this user).
    public let isReadOnly: Bool

    /// How to open a workspace's database.
    public struct Opening: Sendable {
        /// Create an empty database when the file is missing (only `init` and `directory sync` do).
        public var creatingIfMissing: Bool
        /// Called once, with one sentence, when a write has to wait for another process's write lock.
        public var waitNotice: (@Sendable (String) -> Void)?

        public init(creatingIfMissing: Bool = false, waitNotice: (@Sendable (String) -> Void)? = nil) {
            self.creatingIfMissing = creatingIfMissing
            self.waitNotice = waitNotice
        }
    }

    /// Opens (creating if needed) the database file at `path`, in WAL mode, and runs the migrations.
    public convenience init(path: String) throws {
        try self.init(path: path, opening: Opening(creatingIfMissing: true))
    }

    /// Opens the database at `path` as `opening` says.
    ///
    /// Throws `RegistryError.databaseMissing` when the file does not exist and `creatingIfMissing` is false,
    /// `RegistryError.database` when it cannot be opened or a read-only copy needs a migration it cannot run.
    public init(path: String, opening: Opening) throws {
        let manager = FileManager.default
        let exists = manager.fileExists(atPath: path)
        if !exists && !opening.creatingIfMissing {
            throw RegistryError.databaseMissing(path)
        }
        let folder = (path as NSString).deletingLastPathComponent
        let readOnly = exists && (access(path, W_OK) != 0 || access(folder.isEmpty ? "." : folder, W_OK) != 0)
        isReadOnly = readOnly
        if readOnly {
            let reader = try Self.openReadOnly(path: path)
            engine = SQLiteEngine(writer: reader)
            let completed = try reader.read { try Schema.migrator.hasCompletedMigrations($0) }
            if !completed {
                throw RegistryError.database("The registry database \(path) is read-only and was made by an older Liaison: it needs an upgrade that only a writable copy can get (run any command on the original).")
            }
            return
        }
        var configuration = Configuration()
        // Waits as long as another process holds the write lock, saying once who it is.
        let waiter = BusyWaiter(databasePath: path, notice: opening.waitNotice)
        configuration.busyMode = .callback { tries in waiter.shouldRetry(tries: tries) }
        // GRDB 7 begins write transactions IMMEDIATE: the write lock is taken at BEGIN, where the busy handler
        // runs (a deferred transaction upgrading from read to write could fail with SQLITE_BUSY_SNAPSHOT unheld).
        let opened: any DatabaseWriter
        if exists && Self.poolSetUpWouldWait(path: path) {
            // A pool first writes to an empty WAL; while another process holds the write lock that would hold
            // up even a reading command. One connection reads at once and waits only when it writes.
            opened = try DatabaseQueue(path: path, configuration: configuration)
        } else {
            opened = try DatabasePool(path: path, configuration: configuration)
        }
        try Self.syncEveryCommit(opened)
        if try !opened.read({ try Schema.migrator.hasCompletedMigrations($0) }) {
            try Schema.migrator.migrate(opened)
        }
        engine = SQLiteEngine(writer: opened)
    }

    /// Opens the PostgreSQL database at `location`: connects at once (so that a wrong URL, password or server is
    /// reported here, in one line) and brings the schema up to date under an advisory lock.
    ///
    /// Throws `RegistryError.database` when the server cannot be reached or refuses the login, and
    /// `RegistryError.databaseMissing`-like `.database` when the database holds no registry yet and
    /// `creatingIfMissing` is false.
    init(postgres location: PostgresLocation, opening: Opening) throws {
        let engine = PostgresEngine(location: location)
        try engine.checkConnection()
        if !opening.creatingIfMissing {
            let empty = try engine.withConnection { session in
                try PostgresSchema.pending(session).count == PostgresSchema.migrations.count
            }
            if empty {
                engine.close()
                throw RegistryError.database("The registry database \(location.shownURL) holds no registry yet; run `liaison directory sync` to make it from Directory/.")
            }
        }
        try PostgresSchema.migrate(engine)
        self.engine = engine
        isReadOnly = false
    }

    /// Makes every commit of `writer` durable before it returns: `PRAGMA synchronous = FULL`, so that SQLite syncs
    /// the WAL at each commit. GRDB sets a pool's writer to NORMAL, under which a commit survives the process
    /// being killed but may be rolled back by a power loss or an operating-system crash; a message's in-flight mark
    /// or its `sent` could then vanish after the relay took it, and the message would go out twice. PostgreSQL's
    /// default (`synchronous_commit = on`) gives the same guarantee.
    private static func syncEveryCommit(_ writer: any DatabaseWriter) throws {
        try writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
    }

    /// Whether opening a pool would have to wait: GRDB makes the WAL non-empty with a small write when it is
    /// missing or empty, and another process holds the write lock right now.
    private static func poolSetUpWouldWait(path: String) -> Bool {
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? nil
        guard walSize == nil || walSize == 0 else { return false }
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        guard let probe = try? DatabaseQueue(path: path, configuration: configuration) else { return false }
        do {
            try probe.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "ROLLBACK")
            }
            return false
        } catch let error as DatabaseError {
            return error.resultCode == .SQLITE_BUSY
        } catch {
            return false
        }
    }

    private init(writer: any DatabaseWriter) throws {
        try Schema.migrator.migrate(writer)
        engine = SQLiteEngine(writer: writer)
        isReadOnly = false
    }

    /// A private in-memory database, for tests.
    public static func inMemory() throws -> RegistryStore {
        try RegistryStore(writer: DatabaseQueue())
    }

    /// A store over a connection the caller opened and keeps (the benchmarks trace its statements); its schema is
    /// brought up to date.
    @_spi(Benchmarks) public static func opened(with writer: any DatabaseWriter) throws -> RegistryStore {
        try RegistryStore(writer: writer)
    }

    /// The directory: organisations, contacts, keys, memberships and agreements (`directory sync`, `org`, `key`).
    public var directory: any DirectoryStoring { DirectoryStore(engine: engine) }

    /// Received mail: storing, applying, the review list (`ingest`, `inbox`).
    public var inbound: any InboundStoring { InboundStore(engine: engine) }

    /// The reports' figures (`report quarter`, `report unreachable`).
    public var reports: any ReportStoring { ReportStore(engine: engine) }

    /// The outbox: queueing, claiming, recording, holding, listing and voiding messages.
    public var outbox: any OutboxStoring { OutboxStore(engine: engine) }

    /// The event log: reading, verifying, and what an audit seal signs.
    public var events: any EventStoring { EventStore(engine: engine) }

    /// The per-mailbox IMAP reading state (UIDVALIDITY and last UID read).
    public var mailboxStates: any MailboxStateStoring { MailboxStateStore(engine: engine) }

    /// The directory and case facts `notify` plans from.
    public var notificationPlanning: NotificationPlanningQueries { NotificationPlanningQueries(engine: engine) }

    /// The cases and their participants: opening, responses, publication, reminders, corrections, import, export.
    public var cases: any CaseStoring { CaseStore(engine: engine) }

    /// The vendors' answer links and the answers given through them.
    public var answerLinks: any AnswerLinkStoring { AnswerLinkStore(engine: engine) }

    /// The desk's users.
    public var users: any UserStoring { UserStore(engine: engine) }

    /// A read-only connection. A WAL database whose `-wal` file is gone (it was closed cleanly, or copied
    /// without it) is opened `immutable`: SQLite could not otherwise read it without creating `-shm` beside it.
    private static func openReadOnly(path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? nil
        if wal == nil || wal == 0 {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            var allowed = CharacterSet.urlPathAllowed
            allowed.remove(charactersIn: "?#%")
            let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
            return try DatabaseQueue(path: "file:\(encoded)?immutable=1", configuration: configuration)
        }
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// One line for a user when `error` is a database failure they can act on: a read-only database asked to
    /// change, a full disk, a file that cannot be opened. Nil for any other error.
    public static func explain(_ error: any Error) -> String? {
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_READONLY:
                return readOnlyLine
            case .SQLITE_FULL:
                return diskFullLine
            case .SQLITE_CANTOPEN:
                return "The registry database cannot be opened (\(error.message ?? "unknown reason")); check that its folder .liaison/ exists and can be read."
            default:
                return nil
            }
        }
        if let error = error as? PostgresStatementError {
            switch error.sqlState {
            case "25006", "42501": return readOnlyLine
            case "53100": return diskFullLine
            default: return nil
            }
        }
        // Errors that carry a database error only in their text (a workflow wrapping it).
        let text = String(describing: error)
        if text.contains("attempt to write a readonly database") { return readOnlyLine }
        if text.contains("database or disk is full") { return diskFullLine }
        return nil
    }

    /// True when `error` says the transaction lost to another one and changed nothing, so it can be tried again:
    /// on SQLite another process holding the write lock (SQLITE_BUSY, SQLITE_LOCKED); on PostgreSQL a deadlock
    /// broken by the server (40P01), a serialization failure (40001) or a lock not available (55P03).
    static func isBusy(_ error: any Error) -> Bool {
        if let error = error as? DatabaseError {
            return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
        }
        if let error = error as? PostgresStatementError {
            return ["40P01", "40001", "55P03"].contains(error.sqlState)
        }
        return false
    }

    /// The line a writing command prints when the database is read-only.
    public static let readOnlyLine = "The registry database is read-only (an auditor's copy, or files this user cannot write): this command changes the registry and was refused; nothing was changed."
    static let diskFullLine = "The disk holding the registry database is full: this command's changes were not recorded and nothing already recorded was lost; free some space and run it again."
}
