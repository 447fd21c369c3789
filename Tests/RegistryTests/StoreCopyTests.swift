import Foundation
@testable import Registry
import Testing
import TestSupport

/// `liaison store copy`: a registry moved from SQLite into PostgreSQL and back keeps every row and its event
/// chain; a destination that holds rows, or a source whose log is broken, is refused and nothing is written.
@Suite struct StoreCopyTests {
    /// A small history: two organisations with a contact each, a case, responses (events), a message with bytes.
    private func history(in store: RegistryStore) throws {
        try store.engine.write { session in
            for id in ["vendor-a", "vendor-b"] {
                _ = try session.insert(Organization(id: id, name: "Vendor \(id)", localName: "ベンダー", kind: .productDeveloper,
                                                    country: "JP", domains: ["\(id).example"], languages: ["ja"], technologies: ["tls"]))
                _ = try session.insert(Contact(organizationId: id, email: "psirt@\(id).example", language: "ja"))
            }
        }
        try store.cases.open(CaseRecord(id: "JVNVU#90000001", title: "TLS check bypass", origin: "jvn-jp",
                                        openedAt: Date(timeIntervalSince1970: 1_790_000_000)), actor: "alice")
        _ = try store.cases.addParticipants(caseId: "JVNVU#90000001", organizations: ["vendor-a", "vendor-b"], technologies: [],
                                            kind: nil, actor: "alice", at: Date(timeIntervalSince1970: 1_790_000_100))
        try store.cases.setResponse(caseId: "JVNVU#90000001", organizationId: "vendor-a", response: .fixed,
                                    statement: "修正版 2.1 で対応", at: Date(timeIntervalSince1970: 1_790_000_200), actor: "bob", source: "manual")
    }

    /// Every table's rows, as text, in key order: what must come out of a round trip unchanged.
    private func dump(_ store: RegistryStore) throws -> [String: [String]] {
        try store.engine.read { session in
            var tables: [String: [String]] = [:]
            for table in StoreCopy.tables {
                tables[table] = try session.rows("SELECT * FROM \(SQLIdentifier.quoted(table)) ORDER BY 1", []).map { row in
                    row.values.map { "\($0)" }.joined(separator: "|")
                }
            }
            return tables
        }
    }

    private func temporarySQLitePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("liaison-copy-\(UUID().uuidString).sqlite").path
    }

    @Test func aRegistryGoesIntoPostgreSQLAndBackUnchanged() throws {
        let original = try RegistryStore.inMemory()
        try history(in: original)
        let postgres = try PostgresFixture.store()
        let there = try StoreCopy.copy(from: original, to: postgres)
        #expect(there.events > 0)
        #expect(there.rows.first { $0.table == "participant" }?.count == 2)
        #expect(try postgres.events.verify() == .intact(count: there.events))
        // The copy works as a registry: a new event extends the chain, with an id after the copied ones.
        try postgres.cases.setResponse(caseId: "JVNVU#90000001", organizationId: "vendor-b", response: .notAffected,
                                       statement: nil, at: Date(timeIntervalSince1970: 1_790_000_300), actor: "carol", source: "manual")
        guard case .intact(let extended) = try postgres.events.verify() else {
            Issue.record("the chain extended on PostgreSQL does not verify")
            return
        }
        #expect(extended > there.events)

        let path = temporarySQLitePath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let back = try RegistryStore(path: path)
        let again = try StoreCopy.copy(from: postgres, to: back)
        #expect(again.events == extended)
        var expected = try dump(original)
        var returned = try dump(back)
        // The response set on PostgreSQL aside, every row came back as it left.
        expected["event"] = nil; returned["event"] = nil
        for table in ["participant", "productStatement"] { expected[table] = nil; returned[table] = nil }
        #expect(returned == expected)
        #expect(try dump(back)["event"]?.prefix(there.events) == dump(original)["event"]?.prefix(there.events))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aDestinationThatHoldsRowsIsRefusedAndKeepsThem(_ engine: StoreEngineKind) throws {
        let original = try RegistryStore.inMemory()
        try history(in: original)
        let destination = try PostgresFixture.store(engine)
        try destination.cases.open(CaseRecord(id: "VU#1", title: "Other", origin: "cert-cc", openedAt: Date()), actor: "alice")
        #expect(throws: StoreError.invalidArgument) { try StoreCopy.copy(from: original, to: destination) }
        #expect(try destination.cases.list(openOnly: false).map(\.record.id) == ["VU#1"])
    }

    @Test func aBrokenEventLogIsNotCopied() throws {
        let original = try RegistryStore.inMemory()
        try history(in: original)
        try original.engine.write { try $0.execute("UPDATE event SET actor = 'mallory' WHERE id = 2", []) }
        let postgres = try PostgresFixture.store()
        #expect(throws: StoreError.invalidArgument) { try StoreCopy.copy(from: original, to: postgres) }
        #expect(try postgres.engine.read { try $0.value("SELECT count(*) FROM event", as: Int.self) } == 0)
    }
}
