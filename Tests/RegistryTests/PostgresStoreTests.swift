import Foundation
@testable import Registry
import TestSupport
import Testing

/// The registry on PostgreSQL: where liaison.yaml says it is, how it refuses what it cannot use (one line each),
/// its schema beside SQLite's, and what only PostgreSQL does (writers waiting on the writers' lock while row
/// claims go side by side).
@Suite struct PostgresStoreTests {
    // MARK: store: in liaison.yaml

    @Test func theStoreIsSQLiteUnlessLiaisonYamlNamesAPostgreSQLDatabase() throws {
        #expect(try WorkspaceConfiguration.parse("timezone: UTC\n").store.kind == .sqlite)
        #expect(try WorkspaceConfiguration.parse("store: sqlite\n").store.kind == .sqlite)
        let short = try WorkspaceConfiguration.parse("store: postgresql://liaison@db.example.org/registry\n").store
        #expect(short == .init(url: "postgresql://liaison@db.example.org/registry"))
        let full = try WorkspaceConfiguration.parse("""
            store:
              url: postgres://liaison@127.0.0.1:5433/registry
              password_env: LIAISON_STORE_PASSWORD
              tls: none
            """).store
        #expect(full == .init(url: "postgres://liaison@127.0.0.1:5433/registry", passwordEnv: "LIAISON_STORE_PASSWORD", tls: "none"))
        let location = try full.postgresLocation(environment: ["LIAISON_STORE_PASSWORD": "s3cret"])
        #expect(location.host == "127.0.0.1" && location.port == 5433 && location.user == "liaison")
        #expect(location.database == "registry" && location.password == "s3cret" && !location.requiresTLS)
        #expect(try short.postgresLocation(environment: [:]).requiresTLS)
    }

    @Test(arguments: [
        ("store: postgresql://liaison:hunter2@db.example.org/registry", "password_env"),
        ("store: mysql://liaison@db.example.org/registry", "postgresql://"),
        ("store: postgresql://db.example.org/registry", "no user"),
        ("store: postgresql://liaison@db.example.org/", "no database"),
        ("store: postgresql://liaison@db.example.org/registry?sslmode=disable", "store.tls"),
        ("store:\n  url: postgresql://liaison@db.example.org/registry\n  tls: none", "this machine"),
        ("store:\n  url: postgresql://liaison@db.example.org/registry\n  tls: maybe", "store.tls must be required or none"),
        ("store:\n  url: postgresql://liaison@db.example.org/registry\n  password_env: my password", "store.password_env must name"),
        ("store:\n  url: postgresql://liaison@db.example.org/registry\n  port: 5432", "port"),
        ("store:\n  password_env: PW", "PostgreSQL store only"),
    ])
    func aWrongStoreSettingIsOneLineNamingTheField(_ yaml: String, _ expected: String) throws {
        for parse in [{ try WorkspaceConfiguration.parse(yaml + "\n") }, { var c = WorkspaceConfiguration(); c.store = try WorkspaceConfiguration.parseStore(yaml + "\n"); return c }] {
            do {
                _ = try parse()
                Issue.record("\(yaml) was accepted")
            } catch {
                let text = String(describing: error)
                #expect(!text.contains("\n"), "one line: \(text)")
                #expect(text.contains("liaison.yaml:") && text.contains("store"), "\(text)")
                #expect(text.contains(expected), "\(text)")
                #expect(!text.contains("hunter2"), "the password is never shown: \(text)")
            }
        }
    }

    @Test func aPasswordVariableThatIsNotSetIsNamed() throws {
        let workspace = try TemporaryWorkspace(configuration: "store:\n  url: postgresql://liaison@127.0.0.1:1/registry\n  password_env: LIAISON_TEST_UNSET\n  tls: none\n")
        defer { workspace.remove() }
        #expect {
            _ = try Workspace(root: workspace.root).openStore(environment: [:])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("store.password_env names LIAISON_TEST_UNSET, which is not set") && !text.contains("\n")
        }
        #expect {
            _ = try Workspace(root: workspace.root).openStore(environment: ["LIAISON_TEST_UNSET": ""])
        } throws: { error in
            String(describing: error).contains("store.password_env names LIAISON_TEST_UNSET, which is set but empty")
        }
    }

    // MARK: Connecting

    @Test func aWrongPasswordIsOneLineWithoutThePassword() throws {
        var location = try PostgresFixture.location()
        location.password = "not-the-password-\(UUID().uuidString.prefix(6))"
        let wrong = location.password!
        do {
            _ = try RegistryStore(postgres: location, opening: .init(creatingIfMissing: true))
            Issue.record("a wrong password was accepted")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("refused the login of liaison"), "\(text)")
            #expect(text.contains(location.shownURL))
            #expect(!text.contains(wrong) && !text.contains("\n"), "\(text)")
        }
    }

    @Test func anUnreachableServerIsOneLine() throws {
        let closed = try LoopbackPort(listening: false)
        let location = PostgresLocation(host: "127.0.0.1", port: closed.port, user: "liaison", database: "registry",
                                        password: "hunter2", requiresTLS: false,
                                        shownURL: "postgresql://liaison@127.0.0.1:\(closed.port)/registry")
        do {
            _ = try RegistryStore(postgres: location, opening: .init(creatingIfMissing: true))
            Issue.record("an unreachable server was reached")
        } catch {
            let text = String(describing: error)
            #expect(text.hasPrefix("The registry database postgresql://liaison@127.0.0.1:\(closed.port)/registry cannot be reached"), "\(text)")
            #expect(!text.contains("hunter2") && !text.contains("\n"), "\(text)")
        }
    }

    @Test func anUnknownDatabaseIsNamed() throws {
        var location = try PostgresFixture.location()
        location.database = "no_such_registry"
        location.shownURL = "postgresql://liaison@127.0.0.1:\(location.port)/no_such_registry"
        #expect {
            _ = try RegistryStore(postgres: location, opening: .init(creatingIfMissing: true))
        } throws: { error in
            let text = String(describing: error)
            return text.contains("postgresql://liaison@127.0.0.1:\(location.port)/no_such_registry does not exist") && !text.contains("\n")
        }
    }

    /// TLS required (the default) from a server that offers none: one line saying so.
    @Test func tlsRequiredFromAServerWithoutItIsOneLine() throws {
        var location = try PostgresFixture.location()
        location.requiresTLS = true
        #expect {
            _ = try RegistryStore(postgres: location, opening: .init(creatingIfMissing: true))
        } throws: { error in
            let text = String(describing: error)
            return text.contains("does not offer TLS") && !text.contains("\n")
        }
    }

    // MARK: Opening through the workspace

    /// `store:` in liaison.yaml opens the PostgreSQL database with the password from the environment; an empty
    /// database is a registry only for the commands that make one.
    @Test func theWorkspaceOpensTheDatabaseItNames() throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let workspace = try TemporaryWorkspace(configuration: TemporaryWorkspace.defaultConfiguration + """
            store:
              url: \(database.url)
              password_env: LIAISON_TEST_STORE_PASSWORD
              tls: none

            """)
        defer { workspace.remove() }
        let environment = ["LIAISON_TEST_STORE_PASSWORD": server.password]
        let folder = Workspace(root: workspace.root)
        #expect {
            _ = try folder.openStore(environment: environment)
        } throws: { error in
            String(describing: error).contains("holds no registry yet; run `liaison directory sync`")
        }
        let store = try folder.openStore(.init(creatingIfMissing: true), environment: environment)
        #expect(store.engine.kind == .postgresql)
        #expect(!FileManager.default.fileExists(atPath: folder.databaseURL.path), "no SQLite file is made")
        let reopened = try folder.openStore(environment: environment)
        #expect(try reopened.engine.read { try $0.value("SELECT count(*) FROM grdb_migrations", as: Int.self) }
                == PostgresSchema.migrations.count)
    }

    /// A server on this machine named by its Unix socket's folder, in both of libpq's ways: the URL parses to the
    /// socket, TLS does not apply (PostgreSQL offers none there), and the workspace opens and writes its registry
    /// through the test server's socket.
    @Test func aServerOnThisMachineIsReachedThroughItsUnixSocket() throws {
        let query = try WorkspaceConfiguration.parse("store: postgresql://liaison@/registry?host=/run/postgresql\n").store
        let location = try query.postgresLocation(environment: [:])
        #expect(location.isUnixSocket && location.host == "/run/postgresql" && location.port == 5432)
        #expect(location.socketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(!location.requiresTLS, "no TLS on a Unix socket")
        let encoded = try WorkspaceConfiguration.parse("store:\n  url: postgresql://liaison@%2Fvar%2Frun%2Fpostgresql:5433/registry\n  tls: none\n").store
        #expect(try encoded.postgresLocation(environment: [:]).socketPath == "/var/run/postgresql/.s.PGSQL.5433")
        #expect(try !WorkspaceConfiguration.parse("store: postgresql://liaison@localhost/registry\n").store
            .postgresLocation(environment: [:]).isUnixSocket)
        for (yaml, expected) in [("store: postgresql://liaison@/registry?host=run/postgresql", "not a folder"),
                                 ("store: postgresql://liaison@db.example.org/registry?host=/run/postgresql", "no host before the database"),
                                 ("store: postgresql://liaison@/registry?host=/run/postgresql&sslmode=disable", "?host=/FOLDER"),
                                 ("store: postgresql://liaison@/registry", "names no host"),
                                 ("store: postgresql://liaison@run%2Fpostgresql/registry", "neither a host name nor a folder")] {
            #expect {
                _ = try WorkspaceConfiguration.parse(yaml + "\n")
            } throws: { error in
                let text = String(describing: error)
                return !text.contains("\n") && text.contains("liaison.yaml:1: store") && text.contains(expected)
            }
        }

        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let workspace = try TemporaryWorkspace(configuration: TemporaryWorkspace.defaultConfiguration + """
            store:
              url: postgresql://liaison@:\(server.port)/\(database.name)?host=\(server.socketFolder.path)
              password_env: LIAISON_TEST_STORE_PASSWORD

            """)
        defer { workspace.remove() }
        let environment = ["LIAISON_TEST_STORE_PASSWORD": server.password]
        let store = try Workspace(root: workspace.root).openStore(.init(creatingIfMissing: true), environment: environment)
        #expect(store.engine.kind == .postgresql)
        // The server sees the connection come from its socket: no client address.
        #expect(try store.engine.read { try $0.value("SELECT count(*) FROM pg_stat_activity WHERE pid = pg_backend_pid() AND client_addr IS NULL", as: Int.self) } == 1)
        #expect(try store.engine.read { try $0.value("SELECT count(*) FROM grdb_migrations", as: Int.self) } == PostgresSchema.migrations.count)
    }

    // MARK: Schema

    /// Every table, column and index of the SQLite schema is on PostgreSQL under the same name (lower case), and
    /// PostgreSQL's own indexes and migrations are there too; text
    /// columns compare byte by byte ("C") or without case (nocase) as on SQLite, and the migrations carry the same names.
    @Test func theSchemaMatchesSQLitesTableForTable() throws {
        let sqlite = try RegistryStore.inMemory()
        let postgres = try PostgresFixture.store()
        let sqliteColumns = Set(try sqlite.engine.read { session in
            try session.values("""
                SELECT lower(t.name) || '.' || lower(c.name) FROM sqlite_master t JOIN pragma_table_info(t.name) c
                WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%'
                """, as: String.self)
        })
        let postgresColumns = Set(try postgres.engine.read { session in
            try session.values("""
                SELECT table_name || '.' || column_name FROM information_schema.columns
                WHERE table_schema = current_schema()
                """, as: String.self)
        })
        #expect(sqliteColumns == postgresColumns, "only on SQLite: \(sqliteColumns.subtracting(postgresColumns)); only on PostgreSQL: \(postgresColumns.subtracting(sqliteColumns))")

        let sqliteIndexes = Set(try sqlite.engine.read { session in
            try session.values("SELECT lower(name) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'", as: String.self)
        })
        let postgresIndexes = Set(try postgres.engine.read { session in
            try session.values("""
                SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
                WHERE n.nspname = current_schema() AND NOT x.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                """, as: String.self)
        })
        #expect(sqliteIndexes == postgresIndexes.subtracting(PostgresSchema.ownIndexes))
        #expect(PostgresSchema.ownIndexes.isSubset(of: postgresIndexes))

        let sqliteMigrations = try sqlite.engine.read { try $0.values("SELECT identifier FROM grdb_migrations ORDER BY identifier", as: String.self) }
        let postgresMigrations = try postgres.engine.read { try $0.values("SELECT identifier FROM grdb_migrations ORDER BY identifier", as: String.self) }
        #expect(sqliteMigrations == postgresMigrations.filter { !PostgresSchema.ownMigrations.contains($0) })
        #expect(PostgresSchema.ownMigrations.isSubset(of: postgresMigrations))

        let collations = try postgres.engine.read { session in
            try session.rows("""
                SELECT c.table_name || '.' || c.column_name, coalesce(c.collation_name, '') FROM information_schema.columns c
                WHERE c.table_schema = current_schema() AND c.data_type = 'text'
                """)
        }
        let nocase: Set<String> = ["contact.email", "notificationrecipient.email", "deskuser.name"]
        for row in collations {
            let column: String = try row[0]
            #expect(try row[1] as String == (nocase.contains(column) ? "nocase" : "C"), "\(column)")
        }
    }

    /// Two processes opening a new database at once: one migrates while the other waits on the advisory lock,
    /// then finds nothing left to do; each migration is recorded once.
    @Test func migrationsAtOpenFromTwoConnectionsAtOnce() throws {
        let location = try PostgresFixture.location()
        let failures = ErrorList()
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            do { _ = try RegistryStore(postgres: location, opening: .init(creatingIfMissing: true)) } catch { failures.append(error) }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let store = try RegistryStore(postgres: location, opening: .init())
        let names = try store.engine.read { try $0.values("SELECT identifier FROM grdb_migrations", as: String.self) }
        #expect(names.count == PostgresSchema.migrations.count && Set(names).count == names.count)
    }

    // MARK: Transactions

    /// A second writer waits on the writers' advisory lock until the first commits, then sees what it wrote.
    @Test func aSecondWriterWaitsForTheFirstAndSeesItsCommit() throws {
        let store = try PostgresFixture.store()
        let engine = store.engine
        try engine.write { session in
            try session.execute("CREATE TABLE counter (n BIGINT NOT NULL)")
            try session.execute("INSERT INTO counter VALUES (0)")
        }
        let seen = Locked<Int64?>(nil)
        let failures = ErrorList()
        let group = DispatchGroup()
        try engine.write { session in
            let n = try session.value("SELECT n FROM counter", as: Int64.self) ?? -1
            DispatchQueue.global().async(group: group) {
                do {
                    try engine.write { second in
                        let n = try second.value("SELECT n FROM counter", as: Int64.self) ?? -1
                        seen.set(n)
                        try second.execute("UPDATE counter SET n = ?", n + 1)
                    }
                } catch { failures.append(error) }
            }
            // Until the second writer is seen waiting on the lock (read from another connection).
            let waiting = try poll(deadline: 30) {
                try engine.read { try $0.value("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", as: Int.self) } == 1
            }
            #expect(waiting, "the second writer waits on the writers' lock")
            #expect(seen.get() == nil, "the second writer read nothing yet")
            try session.execute("UPDATE counter SET n = ?", n + 1)
        }
        group.wait()
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(seen.get() == 1, "the second writer read the first one's commit")
        #expect(try engine.read { try $0.value("SELECT n FROM counter", as: Int.self) } == 2)
    }

    /// Two workers claiming outbox-like rows with `FOR UPDATE SKIP LOCKED` in `writeLockingRows`: the second claims
    /// while the first still holds its row (no writers' lock), and no row is claimed twice.
    @Test func rowClaimsWithSkipLockedGoSideBySideAndNeverOverlap() throws {
        let store = try PostgresFixture.store()
        let engine = store.engine
        try engine.write { session in
            try session.execute("CREATE TABLE job (id BIGINT PRIMARY KEY, owner TEXT)")
            for id in 1...20 { try session.execute("INSERT INTO job (id) VALUES (?)", id) }
        }
        @Sendable func claim(_ session: any SQLSession, owner: String) throws -> Int64? {
            guard let id = try session.value("""
                SELECT id FROM job WHERE owner IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                """, as: Int64.self) else { return nil }
            try session.execute("UPDATE job SET owner = ? WHERE id = ?", owner, id)
            return id
        }
        // One claim held open while another worker claims.
        let second = Locked<Int64?>(nil)
        let failures = ErrorList()
        let group = DispatchGroup()
        let first = try engine.writeLockingRows { session -> Int64? in
            let id = try claim(session, owner: "a")
            DispatchQueue.global().async(group: group) {
                do { second.set(try engine.writeLockingRows { try claim($0, owner: "b") }) } catch { failures.append(error) }
            }
            #expect(try poll(deadline: 30) { second.get() != nil }, "the second worker claimed while the first held its row")
            return id
        }
        group.wait()
        #expect(first == 1 && second.get() == 2)
        // Then two workers take the rest, side by side.
        let claimed = Locked<[String: [Int64]]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            let owner = "w\(worker)"
            while true {
                do {
                    guard let id = try engine.writeLockingRows({ try claim($0, owner: owner) }) else { break }
                    claimed.update { $0[owner, default: []].append(id) }
                } catch { failures.append(error); break }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let all = claimed.get().values.flatMap { $0 }
        #expect(all.count == 18 && Set(all) == Set(3...20))
        #expect(try engine.read { try $0.value("SELECT count(*) FROM job WHERE owner IS NULL", as: Int.self) } == 0)
    }

    /// A claim reads the unfinished rows, not the history: with most messages long sent and the table's statistics
    /// up to date, the planner takes the first due rows in id order from `notification_claimable`, and reads no
    /// more rows than it takes; the claim then takes the oldest due messages.
    @Test func aClaimReadsTheUnfinishedRowsNotTheHistory() throws {
        let store = try OutboxStoreTests.outbox(.postgresql, organizations: 600)
        let start = OutboxStoreTests.start
        try store.engine.write { session in
            try session.execute("UPDATE notification SET state = 'sent', attempts = 1, sentAt = ? WHERE id <= 560", start)
            try session.execute("ANALYZE notification")
        }
        let plan = try store.engine.write { session in
            try session.values("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + OutboxStore.claimableRows
                               + OutboxRowLocks.claiming(session), start, start, 10, as: String.self)
        }.joined(separator: "\n")
        #expect(plan.contains("Index Scan using notification_claimable"), "\(plan)")
        #expect(!plan.contains("Rows Removed by Filter"), "no sent message read: \(plan)")
        let claimed = try store.outbox.claim(owner: "w1", lease: 600, limit: 10, at: start, dueBy: start)
        #expect(claimed.map(\.messageId) == (561...570).map { "m\($0)@csirt.example" })
    }

    /// A group commit on a new registry looks its rows up by key: with the server's `random_page_cost` left at
    /// PostgreSQL's default, the store's connections plan with 1.1, and the recipients a group of eight answers
    /// reads and changes are found through the table's key, not by reading the whole (small, freshly analysed) table.
    @Test func aGroupCommitOnANewRegistryFindsItsRowsByKey() throws {
        let store = try OutboxStoreTests.outbox(.postgresql, organizations: 3000)
        let ids: [SQLValue] = (1...8).map { .integer(Int64($0 * 300)) }
        let values = Array(repeating: "(CAST(? AS BIGINT), ?, ?)", count: 8).joined(separator: ", ")
        let rows: [SQLValue] = ids.flatMap { id -> [SQLValue] in
            guard case .integer(let index) = id else { return [] }
            return [id, .text("security@vendor\(index).example"), .text("sent")]
        }
        for (statement, arguments) in [("""
            EXPLAIN (COSTS OFF) UPDATE notificationRecipient SET status = v.column3 FROM (VALUES \(values)) AS v
            WHERE notificationRecipient.notificationId = v.column1 AND notificationRecipient.email = v.column2 COLLATE "C"
            """, rows), ("""
            EXPLAIN (COSTS OFF) SELECT notificationId, email, kind, status FROM notificationRecipient
            WHERE notificationId IN (\(SQLBatch.marks(8)))
            """, ids)] {
            let plan = try store.engine.write { try $0.rows(statement, arguments).map { try $0[0] as String } }.joined(separator: "\n")
            #expect(!plan.contains("Seq Scan"), "\(plan)")
        }
    }

    /// A `random_page_cost` the administrator set for the database is the one the store's connections plan with.
    @Test func anAdministratorsPlannerSettingIsKept() throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        try server.sql("ALTER DATABASE \(database.name) SET random_page_cost = 2")
        let settings = WorkspaceConfiguration.Store(url: database.url, passwordEnv: "LIAISON_TEST_STORE_PASSWORD", tls: "none")
        let store = try Workspace(root: FileManager.default.temporaryDirectory)
            .openStore(settings, sqlitePath: "", opening: .init(creatingIfMissing: true),
                       environment: ["LIAISON_TEST_STORE_PASSWORD": server.password])
        #expect(try store.engine.read { try $0.value("SHOW random_page_cost", as: String.self) } == "2")
    }

    /// A read sees one snapshot and cannot write; a statement PostgreSQL refuses says why, with its SQLSTATE.
    @Test func aReadIsOneSnapshotAndCannotWrite() throws {
        let store = try PostgresFixture.store()
        let engine = store.engine
        try engine.write { try $0.execute("CREATE TABLE sample (t TEXT)") }
        let counts = try engine.read { session -> (Int?, Int?) in
            let before = try session.value("SELECT count(*) FROM sample", as: Int.self)
            try engine.write { try $0.execute("INSERT INTO sample VALUES ('new')") }
            return (before, try session.value("SELECT count(*) FROM sample", as: Int.self))
        }
        #expect(counts.0 == 0 && counts.1 == 0)
        #expect {
            try engine.read { try $0.execute("INSERT INTO sample VALUES ('refused')") }
        } throws: { error in
            guard let error = error as? PostgresStatementError else { return false }
            return error.sqlState == "25006" && RegistryStore.explain(error) == RegistryStore.readOnlyLine
        }
        #expect {
            try engine.write { session in
                try session.execute("CREATE UNIQUE INDEX sample_t ON sample(t)")
                try session.execute("INSERT INTO sample VALUES ('new')")
            }
        } throws: { error in
            (error as? PostgresStatementError)?.isUniqueViolation == true
                && String(describing: error).contains("SQLSTATE 23505") && !String(describing: error).contains("\n")
        }
    }
}

/// Polls `condition` until it holds or `deadline` seconds pass; returns whether it held.
func poll(deadline seconds: Double, _ condition: () throws -> Bool) throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}

/// A value shared by threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ new: Value) { lock.lock(); value = new; lock.unlock() }
    func update(_ body: (inout Value) -> Void) { lock.lock(); body(&value); lock.unlock() }
}
