import Foundation
import GRDB
@testable import Registry
import Testing

/// The engine-neutral session the stores run their SQL on: values come back as they went in, a failed write
/// changes nothing, and timestamps keep the text the event log hashes.
@Suite struct StoreEngineTests {
    private func engine() throws -> any StoreEngine {
        try RegistryStore.inMemory().engine
    }

    @Test func valuesComeBackAsTheyWentIn() throws {
        let engine = try engine()
        let at = Date(timeIntervalSince1970: 1_780_000_000.123)
        let bytes = Data([0, 1, 2, 255])
        let row = try engine.write { session -> SQLRow? in
            try session.execute("CREATE TEMP TABLE sample (i INTEGER, b INTEGER, r REAL, t TEXT, d BLOB, at TEXT, n TEXT)")
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
    }

    @Test func aWriteThatThrowsChangesNothing() throws {
        let engine = try engine()
        try engine.write { try $0.execute("CREATE TEMP TABLE sample (t TEXT)") }
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try engine.write { session in
                try session.execute("INSERT INTO sample VALUES (?)", "kept?")
                throw Refused()
            }
        }
        #expect(try engine.read { try $0.value("SELECT count(*) FROM sample", as: Int.self) } == 0)
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

    @Test func aValueOfTheWrongKindIsNamed() throws {
        let engine = try engine()
        #expect(throws: StoreError.invalidArgument) {
            _ = try engine.read { try $0.value("SELECT 'not a number'", as: Int64.self) }
        }
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

    private func storedRow(_ store: RegistryStore) throws -> [String: String] {
        try store.writer.read { db in
            let row = try GRDB.Row.fetchOne(db, sql: "SELECT * FROM organization WHERE id = 'vendor-a'")!
            var columns: [String: String] = [:]
            for (name, value) in row { columns[name] = value.description }
            return columns
        }
    }

    @Test func aRecordIsStoredAsGRDBStoresIt() throws {
        let viaGRDB = try RegistryStore.inMemory()
        try viaGRDB.writer.write { try sample().insert($0) }
        let viaSession = try RegistryStore.inMemory()
        try viaSession.engine.write { _ = try $0.insert(sample()) }
        #expect(try storedRow(viaSession) == storedRow(viaGRDB))
        let read = try viaGRDB.engine.read { try $0.record(Organization.self, "SELECT * FROM organization WHERE id = ?", "vendor-a") }
        #expect(read == sample())
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
        let grdb = try store.writer.read { try Contact.fetchOne($0, key: first) }
        #expect(grdb == contact)
    }
}
