import Foundation
@testable import Registry
import Testing

/// The hash chain of the event log: intact when untouched, and each kind of tampering named with its row.
@Suite struct EventLogTests {
    private func storeWithEvents(_ count: Int) throws -> RegistryStore {
        let store = try RegistryStore.inMemory()
        try store.engine.write { session in
            for index in 1...count {
                try EventLog.append(session, actor: "alice", action: "case.opened", objectType: "case",
                                    objectId: "JVNVU#\(index)", data: ["title": .string("Case \(index)"), "n": .int(Int64(index))])
            }
        }
        return store
    }

    private func verify(_ store: RegistryStore) throws -> EventLogVerification {
        try store.events.verify()
    }

    @Test func anUntouchedLogIsIntact() throws {
        let store = try storeWithEvents(5)
        #expect(try verify(store) == .intact(count: 5))
        let first = try store.events.events(objectType: "case", objectId: nil).first
        #expect(first?.prevHash == String(repeating: "0", count: 64))
        #expect(first?.data == "{\"n\":1,\"title\":\"Case 1\"}")
    }

    @Test func anEditedRowIsDetectedAndNamed() throws {
        let store = try storeWithEvents(5)
        _ = try store.engine.write { try $0.execute("UPDATE event SET actor = 'mallory' WHERE id = 3") }
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
        try store.engine.write { session in
            try session.execute("UPDATE event SET actor = 'mallory' WHERE id = 2")
            let row = try #require(try session.row("SELECT CAST(at AS TEXT) AS at, actor, action, objectType, objectId, data, prevHash FROM event WHERE id = 2"))
            let canonical = EventLog.canonicalRow(at: try row["at"], actor: try row["actor"], action: try row["action"],
                                                  objectType: try row["objectType"], objectId: try row["objectId"], data: try row["data"])
            try session.execute("UPDATE event SET hash = ? WHERE id = 2", EventLog.hashOf(prevHash: try row["prevHash"], canonical: canonical))
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
        _ = try store.engine.write { try $0.execute("DELETE FROM event WHERE id = 3") }
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
        _ = try store.engine.write { try $0.execute("DELETE FROM event WHERE id >= 4") }
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
        try store.engine.write { session in
            try session.execute("UPDATE event SET id = 100 WHERE id = 2")
            try session.execute("UPDATE event SET id = 2 WHERE id = 3")
            try session.execute("UPDATE event SET id = 3 WHERE id = 100")
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
        try store.engine.write { session in
            try EventLog.append(session, actor: "bob", action: "inbound.recorded", objectType: "message", objectId: "<x@y>", encoding: Payload())
        }
        let event = try #require(try store.events.latest(limit: 1).first)
        #expect(event.data == "{\"alpha\":[\"b\",\"a\"],\"name\":\"日本語 \\\"quoted\\\"\\n\",\"zeta\":\"last\"}")
        #expect(try verify(store) == .intact(count: 1))
    }

    @Test func theDefaultActorComesFromTheEnvironment() {
        #expect(!EventLog.defaultActor.isEmpty)
    }
}
