import Foundation
import GRDB
@testable import Registry
import TestSupport
import Testing

/// The engine-neutral session the stores run their SQL on, on both engines: values come back as they went in, a
/// failed write changes nothing, timestamps keep the text the event log hashes, writers never interleave, and the
/// SQLite functions the shared SQL uses give the same answers on PostgreSQL.
@Suite struct StoreEngineTests {
    /// A registry on `kind`, with the whole schema: in memory for SQLite, a fresh database of the test server for
    /// PostgreSQL.
    static func store(_ kind: StoreEngineKind) throws -> RegistryStore {
        try PostgresFixture.store(kind)
    }

    /// A table that reads the same on both engines (`BYTEA` is a blob column to SQLite too).
    static let sampleTable = "CREATE TABLE sample (i BIGINT, b BIGINT, r DOUBLE PRECISION, t TEXT, d BYTEA, at TEXT, n TEXT)"

    /// Statements sent without waiting (`executeLater`, `rowsLater`) run in order; one that fails fails the
    /// transaction, which commits none of them, and the connection serves the next transaction.
    @Test(arguments: StoreEngineKind.allCases)
    func aStatementSentWithoutWaitingThatFailsCommitsNothing(_ kind: StoreEngineKind) throws {
        let engine = try Self.store(kind).engine
        try engine.write { session in try session.execute(Self.sampleTable) }
        #expect(throws: (any Error).self) {
            try engine.write { session in
                try session.executeLater("INSERT INTO sample (i) VALUES (1)", [])
                try session.executeLater("INSERT INTO no_such_table (i) VALUES (2)", [])
                try session.executeLater("INSERT INTO sample (i) VALUES (3)", [])
            }
        }
        #expect(try engine.read { try $0.value("SELECT count(*) FROM sample", as: Int.self) } == 0)
        let pending = try engine.write { session -> SQLPendingRows in
            try session.executeLater("INSERT INTO sample (i) VALUES (4)", [])
            try session.executeLater("INSERT INTO sample (i) VALUES (5)", [])
            return try session.rowsLater("SELECT i FROM sample ORDER BY i", [])
        }
        #expect(try pending.rows().map { try $0[0] as Int } == [4, 5], "read after the commit, in the order sent")
        #expect(try engine.read { try $0.value("SELECT count(*) FROM sample", as: Int.self) } == 2)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func valuesComeBackAsTheyWentIn(_ kind: StoreEngineKind) throws {
        let engine = try Self.store(kind).engine
        #expect(engine.kind == kind)
        let at = Date(timeIntervalSince1970: 1_780_000_000.123)
        let bytes = Data([0, 1, 2, 255])
        let row = try engine.write { session -> SQLRow? in
            try session.execute(Self.sampleTable)
            try session.execute("INSERT INTO sample VALUES (?, ?, ?, ?, ?, ?, ?)",
                                Int64.max, true, 2.5, "日本語 'quoted'", bytes, at, String?.none)
            return try session.row("SELECT i, b, r, t, d, at, n FROM sample")
        }
        let found = try #require(row)
        #expect(try found[0] as Int64 == Int64.max)
        #expect(try found[1] as Bool == true)
        #expect(try found[2] as Double == 2.5)
        #expect(try found["t"] as String == "日本語 'quoted'")
        #expect(try found[4] as Data == bytes)
        #expect(try found[5] as String == "2026-05-28 20:26:40.123")
        #expect(try found[5] as Date == at)
        #expect(try found[6] as String? == nil)
        #expect(found.values[4] == .blob(bytes))
    }

    /// A text holding U+0000 is refused before the statement on both engines, with the same sentence naming it:
    /// PostgreSQL's text cannot hold it, and SQLite would store the text cut short at it. Nothing is stored.
    @Test(arguments: StoreEngineKind.allCases)
    func aTextHoldingNULIsRefusedAlikeAndNothingIsStored(_ kind: StoreEngineKind) throws {
        let engine = try Self.store(kind).engine
        try engine.write { session in try session.execute(Self.sampleTable) }
        for text in ["Aozora\u{0} Systems", "\u{0}", "before\u{0}after\u{0}"] {
            do {
                try engine.write { session in
                    try session.execute("INSERT INTO sample (i) VALUES (1)")
                    try session.execute("INSERT INTO sample (t) VALUES (?)", text)
                }
                Issue.record("\(kind): \(text.debugDescription) was stored")
            } catch let error as StoreError {
                let shown = text.replacingOccurrences(of: "\u{0}", with: "\\u{0}")
                #expect("\(error)".contains("the text \"\(shown)\" holds the control character U+0000"), "\(kind): \(error)")
                #expect(!"\(error)".utf8.contains(0))
            }
            #expect(try engine.read { try $0.value("SELECT count(*) FROM sample", as: Int.self) } == 0, "\(kind): nothing stored")
        }
        // A blob holds any byte, and a text without U+0000 is stored whole.
        try engine.write { session in try session.execute("INSERT INTO sample (t, d) VALUES (?, ?)", "a\u{1}b", Data([0, 0])) }
        let row = try #require(try engine.read { try $0.row("SELECT t, d FROM sample") })
        #expect(try row[0] as String == "a\u{1}b" && row[1] as Data == Data([0, 0]))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func manyRowsInsertedTogetherAreEveryOneStoredInOrder(_ kind: StoreEngineKind) throws {
        let engine = try Self.store(kind).engine
        // Across full statements and the power-of-two pieces of the rest: 256 + 256 + 64 + 32 + 8 + 1.
        let count = 2 * SQLBatch.maxRowsPerInsert + 105
        let returned = try engine.write { session -> [SQLRow] in
            try session.execute("CREATE TABLE sample (id BIGINT PRIMARY KEY, t TEXT, d BYTEA)")
            return try session.insertRows(into: "sample", columns: ["id", "t", "d"], (1...count).map {
                [.integer(Int64($0)), .text("row \($0)"), .blob(Data([UInt8($0 % 256)]))]
            }, returning: ["id", "t"])
        }
        #expect(Set(try returned.map { try $0[0] as Int64 }) == Set(1...Int64(count)))
        #expect(try returned.allSatisfy { try $0[1] as String == "row \(try $0[0] as Int64)" })
        let stored = try engine.read { try $0.rows("SELECT id, t, d FROM sample ORDER BY id") }
        #expect(try stored.map { try $0[1] as String } == (1...count).map { "row \($0)" })
        #expect(try stored.map { try $0[2] as Data } == (1...count).map { Data([UInt8($0 % 256)]) })
        #expect(SQLBatch.shapedChunks(Array(1...count), of: SQLBatch.maxRowsPerInsert).map(\.count) == [256, 256, 64, 32, 8, 1])
        #expect(throws: StoreError.self) {
            try engine.write { try $0.insertRows(into: "sample", columns: ["id", "t"], [[.integer(0)]]) }
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aWriteThatThrowsChangesNothing(_ kind: StoreEngineKind) throws {
        let engine = try Self.store(kind).engine
        try engine.write { try $0.execute("CREATE TABLE sample (t TEXT)") }
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try engine.write { session in
                try session.execute("INSERT INTO sample VALUES (?)", "kept?")
                throw Refused()
            }
        }
        #expect(try engine.read { try $0.value("SELECT count(*) FROM sample", as: Int.self) } == 0)
        // The connection that rolled back serves the next transaction.
        try engine.write { try $0.execute("INSERT INTO sample VALUES (?)", "kept") }
        #expect(try engine.read { try $0.values("SELECT t FROM sample", as: String.self) } == ["kept"])
    }

    @Test func storedTimestampsReadBackInEveryStoredForm() {
        let forms = ["2026-12-06 09:30:00.250": 1_796_549_400.25, "2026-12-06T09:30:00Z": 1_796_549_400,
                     "2026-12-06 09:30": 1_796_549_400, "2026-12-06": 1_796_515_200, "1969-12-31 23:59:59.999": -0.001]
        for (text, seconds) in forms {
            let parsed = SQLTimestamp.parse(text)?.timeIntervalSince1970
            #expect(parsed.map { abs($0 - seconds) < 1e-6 } == true, "\(text): \(String(describing: parsed))")
        }
        for bad in ["2026-13-01", "2026-12-06 9:30", "yesterday", "2026-12-06 09:30:00.250 junk"] {
            #expect(SQLTimestamp.parse(bad) == nil, "\(bad)")
        }
        let date = Date(timeIntervalSince1970: 1_796_549_400.987)
        #expect(SQLTimestamp.parse(EventLog.timestamp(date)) == date)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aValueOfTheWrongKindIsNamed(_ kind: StoreEngineKind) throws {
        let engine = try Self.store(kind).engine
        #expect(throws: StoreError.invalidArgument) {
            _ = try engine.read { try $0.value("SELECT 'not a number'", as: Int64.self) }
        }
    }

    /// `?` inside quoted text, quoted names and comments is text, not a placeholder.
    @Test(arguments: StoreEngineKind.allCases)
    func placeholdersInsideQuotesAndCommentsAreLeftAlone(_ kind: StoreEngineKind) throws {
        let engine = try Self.store(kind).engine
        let row = try engine.read { session in
            try session.row("""
                SELECT 'is it? it''s ?' AS "why?", ? AS first, -- a comment? yes
                       /* another? */ ? || '?' AS second
                """, "one", "two")
        }
        let found = try #require(row)
        #expect(try found["why?"] as String == "is it? it's ?")
        #expect(try found["first"] as String == "one")
        #expect(try found["second"] as String == "two?")
        #expect(PostgresPlaceholders.numbered("SELECT ?, '?', \"?\", E'\\'?', $$?$$, $tag$ ? $tag$, ? -- ?\n, ?")
                == "SELECT $1, '?', \"?\", E'\\'?', $$?$$, $tag$ ? $tag$, $2 -- ?\n, $3")
    }

    /// Names written as the shared SQL writes them (`caseId`) find their column on both engines (PostgreSQL folds
    /// them to lower case); `RETURNING` gives the new row's identity.
    @Test(arguments: StoreEngineKind.allCases)
    func theSchemaAnswersToItsNamesAsWritten(_ kind: StoreEngineKind) throws {
        let engine = try Self.store(kind).engine
        let (id, row) = try engine.write { session -> (Int64?, SQLRow?) in
            try session.execute("""
                INSERT INTO organization (id, name, kind, country, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)
                """, "vendor-a", "Vendor A", "vendor", "JP", Date(), Date())
            let id = try session.value("""
                INSERT INTO contact (organizationId, email, active) VALUES (?, ?, ?) RETURNING id
                """, "vendor-a", "PSIRT@Vendor-A.example", true, as: Int64.self)
            return (id, try session.row("SELECT organizationId, bounceCount, active FROM contact WHERE email = ?", "psirt@vendor-a.example"))
        }
        #expect(id == 1)
        let found = try #require(row, "email compares without case, as SQLite's NOCASE")
        #expect(try found["organizationId"] as String == "vendor-a")
        #expect(try found["bounceCount"] as Int == 0)
        #expect(try found["active"] as Bool == true)
        // The same address in other case is the same contact (UNIQUE … NOCASE).
        #expect(throws: (any Error).self) {
            try engine.write { session in
                try session.execute("INSERT INTO contact (organizationId, email) VALUES (?, ?)", "vendor-a", "psirt@VENDOR-A.example")
            }
        }
    }

    /// The SQLite functions the stores' SQL uses answer the same on PostgreSQL.
    @Test(arguments: StoreEngineKind.allCases)
    func sqliteFunctionsAnswerTheSameOnBoth(_ kind: StoreEngineKind) throws {
        let engine = try Self.store(kind).engine
        let row = try #require(try engine.read { session in
            try session.row("""
                SELECT julianday('2026-01-01 12:00:00.000'), julianday(?) - julianday('2026-01-01'),
                       json_extract('{"source": "reply <a@b>", "n": {"k": "v"}}', '$.source'),
                       json_extract('{"n": {"k": "v"}}', '$.n.k'),
                       instr(upper('jvnvu#123'), upper('VU#1')), ifnull(NULL, 'fallback'),
                       max(0, julianday('2026-01-01') - julianday('2026-01-03')), min(2, 5),
                       (SELECT count(*) FROM json_each('["linux", "bsd"]') t WHERE t.value = 'bsd'),
                       (SELECT group_concat(t.value, '|') FROM json_each('["a", "b", "c"]') t)
                """, "2026-01-02 06:00:00.000")
        })
        #expect(try row[0] as Double == 2_461_042.0)
        #expect(try row[1] as Double == 1.25)
        #expect(try row[2] as String == "reply <a@b>")
        #expect(try row[3] as String == "v")
        #expect(try row[4] as Int == 4)
        #expect(try row[5] as String == "fallback")
        #expect(try row[6] as Double == 0)
        #expect(try row[7] as Int == 2)
        #expect(try row[8] as Int == 1)
        #expect(try row[9] as String == "a|b|c")
        if kind == .postgresql {
            #expect(try engine.read { try $0.value("SHOW TimeZone", as: String.self) } == "UTC")
        }
    }

    /// Text columns compare and sort byte by byte on both engines (SQLite's BINARY, PostgreSQL's "C"), whatever
    /// the database's locale: upper case before lower case.
    @Test(arguments: StoreEngineKind.allCases)
    func textColumnsSortByteByByte(_ kind: StoreEngineKind) throws {
        let engine = try Self.store(kind).engine
        let names = try engine.write { session -> [String] in
            for (id, name) in [("v1", "apple"), ("v2", "Banana"), ("v3", "_under"), ("v4", "Zebra"), ("v5", "éclair")] {
                try session.execute("""
                    INSERT INTO organization (id, name, kind, country, createdAt, updatedAt) VALUES (?, ?, 'vendor', 'JP', ?, ?)
                    """, id, name, Date(), Date())
            }
            return try session.values("SELECT name FROM organization ORDER BY name", as: String.self)
        }
        #expect(names == ["Banana", "Zebra", "_under", "apple", "éclair"])
    }

    /// Two threads adding one to a counter in read-then-write transactions: writers never interleave, so no
    /// addition is lost.
    @Test(arguments: StoreEngineKind.allCases)
    func concurrentWritesSerialize(_ kind: StoreEngineKind) throws {
        let store = try Self.store(kind)
        let engine = store.engine
        try engine.write { session in
            try session.execute("CREATE TABLE counter (n BIGINT NOT NULL)")
            try session.execute("INSERT INTO counter VALUES (0)")
        }
        let rounds = 40
        let failures = ErrorList()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for _ in 0..<rounds {
                do {
                    try engine.write { session in
                        let n = try session.value("SELECT n FROM counter", as: Int64.self) ?? -1
                        try session.execute("UPDATE counter SET n = ?", n + 1)
                    }
                } catch {
                    failures.append(error)
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(try engine.read { try $0.value("SELECT n FROM counter", as: Int.self) } == 2 * rounds)
    }
}

/// Errors collected from several threads.
final class ErrorList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []
    func append(_ error: any Error) { lock.lock(); errors.append(error); lock.unlock() }
    var all: [any Error] { lock.lock(); defer { lock.unlock() }; return errors }
}

/// Databases of the shared test server for the tests that open them themselves, by location.
extension PostgresFixture {
    /// The location of a fresh database of the shared test server, with its password.
    static func location() throws -> PostgresLocation {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        return PostgresLocation(host: "127.0.0.1", port: server.port, user: server.user, database: database.name,
                                password: server.password, requiresTLS: false, shownURL: database.url)
    }
}

/// Records written through `SQLSession` are stored exactly as GRDB stored them, and read back equal, so a
/// workspace's existing database reads the same after a store moves onto the session.
@Suite struct SQLRecordTests {
    private func sample() -> Organization {
        Organization(id: "vendor-a", name: "Vendor A / \"Quoted\"", localName: "ベンダーA", kind: .productDeveloper,
                     country: "JP", domains: ["a.example", "b.example/x"], languages: ["ja", "en"], technologies: ["tls"],
                     status: .retired, statusDate: CalendarDate("2026-03-31"), notes: nil,
                     createdAt: Date(timeIntervalSince1970: 1_780_000_000.5), updatedAt: Date(timeIntervalSince1970: 1_780_000_001))
    }

    /// The GRDB database under a SQLite registry.
    private func grdb(_ store: RegistryStore) -> any DatabaseWriter {
        (store.engine as! SQLiteEngine).writer
    }

    private func storedRow(_ store: RegistryStore) throws -> [String: String] {
        try grdb(store).read { db in
            let row = try GRDB.Row.fetchOne(db, sql: "SELECT * FROM organization WHERE id = 'vendor-a'")!
            var columns: [String: String] = [:]
            for (name, value) in row { columns[name] = value.description }
            return columns
        }
    }

    @Test func aRecordIsStoredAsGRDBStoresIt() throws {
        let viaGRDB = try RegistryStore.inMemory()
        try grdb(viaGRDB).write { try sample().insert($0) }
        let viaSession = try RegistryStore.inMemory()
        try viaSession.engine.write { _ = try $0.insert(sample()) }
        #expect(try storedRow(viaSession) == storedRow(viaGRDB))
        let read = try viaGRDB.engine.read { try $0.record(Organization.self, "SELECT * FROM organization WHERE id = ?", "vendor-a") }
        #expect(read == sample())
    }

    @Test func anEmptyListIsStoredAsGRDBStoresIt() throws {
        var empty = sample()
        empty.domains = []
        empty.technologies = []
        let viaGRDB = try RegistryStore.inMemory()
        try grdb(viaGRDB).write { try empty.insert($0) }
        let viaSession = try RegistryStore.inMemory()
        try viaSession.engine.write { _ = try $0.insert(empty) }
        #expect(try storedRow(viaSession) == storedRow(viaGRDB))
        #expect(try storedRow(viaSession)["domains"] == "\"[]\"", "an empty list is the JSON text [], not NULL")
    }

    /// An empty list is JSON `[]`, as GRDB stores it, not NULL (the columns are NOT NULL), on both engines.
    @Test(arguments: StoreEngineKind.allCases)
    func anEmptyListIsStoredAsAnEmptyJSONList(_ kind: StoreEngineKind) throws {
        let store = try StoreEngineTests.store(kind)
        let bare = Organization(id: "bare", name: "Bare", kind: .productDeveloper, country: "JP",
                                createdAt: Date(timeIntervalSince1970: 1_780_000_000), updatedAt: Date(timeIntervalSince1970: 1_780_000_000))
        try store.engine.write { _ = try $0.insert(bare) }
        #expect(try store.engine.read { try $0.value("SELECT domains FROM organization WHERE id = 'bare'", as: String.self) } == "[]")
        #expect(try store.engine.read { try $0.record(Organization.self, "SELECT * FROM organization WHERE id = 'bare'") } == bare)
    }

    @Test func aGeneratedIdIsReturnedAndAnUpdateWritesEveryColumn() throws {
        let store = try RegistryStore.inMemory()
        let id = try store.engine.write { session -> Int64? in
            _ = try session.insert(sample())
            return try session.insert(Contact(organizationId: "vendor-a", email: "psirt@a.example", language: "ja"))
        }
        let first = try #require(id)
        var contact = try #require(try store.engine.read { try $0.record(Contact.self, "SELECT * FROM contact WHERE id = ?", first) })
        #expect(contact.email == "psirt@a.example" && contact.active && contact.lastBounceAt == nil)
        contact.bounceCount = 2
        contact.lastBounceAt = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(try store.engine.write { try $0.update(contact) })
        let viaGRDB = try grdb(store).read { try Contact.fetchOne($0, key: first) }
        #expect(viaGRDB == contact)
    }
}

/// On SQLite a commit is on disk before it returns (`PRAGMA synchronous = FULL`, the WAL synced at each commit):
/// a power loss after the relay took a message cannot take back its in-flight mark or its `sent`, so it is never
/// sent twice. Both ways a registry file is opened for writing: a pool, and one connection when another process
/// holds the write lock as it opens.
@Suite struct SQLiteDurabilityTests {
    /// The setting of the connection that writes (each connection has its own).
    static func writerSynchronous(_ store: RegistryStore) throws -> Int? {
        let engine = try #require(store.engine as? SQLiteEngine)
        return try engine.writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
    }

    @Test func everyCommitIsSyncedToDiskBeforeItReturns() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-sync-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("registry.sqlite").path
        do {
            let store = try RegistryStore(path: path)
            #expect(try store.engine is SQLiteEngine && Self.writerSynchronous(store) == 2, "FULL on a pool's writer")
        }
        // Another process holds the write lock while the WAL is empty: the registry opens one connection.
        var holding = Configuration()
        holding.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: path, configuration: holding)
        try other.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
        defer { try? other.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") } }
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        try #require(walSize == 0, "the first store closed with an empty WAL")
        let waiting = try RegistryStore(path: path)
        let engine = try #require(waiting.engine as? SQLiteEngine)
        #expect(engine.writer is DatabaseQueue, "opened as one connection")
        #expect(try Self.writerSynchronous(waiting) == 2, "FULL on the one connection")
    }
}

// The GRDB conformances the registry's records had when GRDB stored them (records are now read and written through
// `SQLSession`): what `SQLRecordTests` compares the session's rows with.
extension Organization: FetchableRecord, PersistableRecord {}
extension Contact: FetchableRecord, TableRecord {}
extension OrganizationKind: DatabaseValueConvertible {}
extension OrganizationStatus: DatabaseValueConvertible {}
extension ContactRole: DatabaseValueConvertible {}
extension CalendarDate: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> CalendarDate? {
        String.fromDatabaseValue(dbValue).flatMap(CalendarDate.init)
    }
}
