import Foundation
import GRDB
@testable import Registry
import Testing

/// The hash chain of the event log: intact when untouched, and each kind of tampering named with its row.
@Suite struct EventLogTests {
    private func storeWithEvents(_ count: Int) throws -> RegistryStore {
        let store = try RegistryStore.inMemory()
        try store.writer.write { db in
            for index in 1...count {
                try EventLog.append(db, actor: "alice", action: "case.opened", objectType: "case",
                                    objectId: "JVNVU#\(index)", data: ["title": .string("Case \(index)"), "n": .int(Int64(index))])
            }
        }
        return store
    }

    private func verify(_ store: RegistryStore) throws -> EventLogVerification {
        try store.writer.read { try EventLog.verify($0) }
    }

    @Test func anUntouchedLogIsIntact() throws {
        let store = try storeWithEvents(5)
        #expect(try verify(store) == .intact(count: 5))
        let first = try store.writer.read { try Event.fetchOne($0, sql: "SELECT * FROM event ORDER BY id LIMIT 1") }
        #expect(first?.prevHash == String(repeating: "0", count: 64))
        #expect(first?.data == "{\"n\":1,\"title\":\"Case 1\"}")
    }

    @Test func anEditedRowIsDetectedAndNamed() throws {
        let store = try storeWithEvents(5)
        try store.writer.write { try $0.execute(sql: "UPDATE event SET actor = 'mallory' WHERE id = 3") }
        guard case .broken(let id, let reason, let detail) = try verify(store) else {
            Issue.record("tampering not detected")
            return
        }
        #expect(id == 3)
        #expect(reason == .edited)
        #expect(detail.contains("event 3 was edited"))
    }

    @Test func anEditedRowWithARecomputedHashIsDetected() throws {
        let store = try storeWithEvents(5)
        // Someone who knows the algorithm edits row 2 and writes its matching hash: the link to row 3 breaks.
        try store.writer.write { db in
            try db.execute(sql: "UPDATE event SET actor = 'mallory' WHERE id = 2")
            let row = try #require(try Row.fetchOne(db, sql: "SELECT CAST(at AS TEXT) AS at, * FROM event WHERE id = 2"))
            let canonical = EventLog.canonicalRow(at: row["at"], actor: row["actor"], action: row["action"],
                                                  objectType: row["objectType"], objectId: row["objectId"], data: row["data"])
            try db.execute(sql: "UPDATE event SET hash = ? WHERE id = 2",
                           arguments: [EventLog.hashOf(prevHash: row["prevHash"], canonical: canonical)])
        }
        guard case .broken(let id, let reason, _) = try verify(store) else {
            Issue.record("tampering not detected")
            return
        }
        #expect(id == 2)
        #expect(reason == .edited)
    }

    @Test func aDeletedRowIsDetectedAndNamed() throws {
        let store = try storeWithEvents(5)
        try store.writer.write { try $0.execute(sql: "DELETE FROM event WHERE id = 3") }
        guard case .broken(let id, let reason, let detail) = try verify(store) else {
            Issue.record("deletion not detected")
            return
        }
        #expect(id == 3)
        #expect(reason == .deleted)
        #expect(detail.contains("event 3 was deleted"))
    }

    @Test func rowsDeletedFromTheEndAreDetected() throws {
        let store = try storeWithEvents(5)
        try store.writer.write { try $0.execute(sql: "DELETE FROM event WHERE id >= 4") }
        guard case .broken(let id, let reason, let detail) = try verify(store) else {
            Issue.record("deletion not detected")
            return
        }
        #expect(id == 4)
        #expect(reason == .deleted)
        #expect(detail.contains("events 4–5 were deleted"))
    }

    @Test func swappedRowsAreDetectedAsReordered() throws {
        let store = try storeWithEvents(5)
        try store.writer.write { db in
            try db.execute(sql: "UPDATE event SET id = 100 WHERE id = 2")
            try db.execute(sql: "UPDATE event SET id = 2 WHERE id = 3")
            try db.execute(sql: "UPDATE event SET id = 3 WHERE id = 100")
        }
        guard case .broken(let id, let reason, _) = try verify(store) else {
            Issue.record("reordering not detected")
            return
        }
        #expect(id == 2)
        #expect(reason == .reordered)
    }

    @Test func eventDataFromEncodableIsCanonical() throws {
        struct Payload: Encodable {
            var zeta = "last"
            var alpha = ["b", "a"]
            var name = "日本語 \"quoted\"\n"
        }
        let store = try RegistryStore.inMemory()
        try store.writer.write { db in
            try EventLog.append(db, actor: "bob", action: "inbound.recorded", objectType: "message", objectId: "<x@y>", encoding: Payload())
        }
        let event = try #require(try store.writer.read { try Event.fetchOne($0) })
        #expect(event.data == "{\"alpha\":[\"b\",\"a\"],\"name\":\"日本語 \\\"quoted\\\"\\n\",\"zeta\":\"last\"}")
        #expect(try verify(store) == .intact(count: 1))
    }

    @Test func theDefaultActorComesFromTheEnvironment() {
        #expect(!EventLog.defaultActor.isEmpty)
    }
}
