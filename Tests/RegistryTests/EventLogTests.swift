import Foundation
@testable import Registry
import Testing

/// The hash chain of the event log: intact when untouched, and each kind of tampering named with its row.
@Suite struct EventLogTests {
    private func storeWithEvents(_ count: Int, _ kind: StoreEngineKind) throws -> RegistryStore {
        let store = try StoreEngineTests.store(kind)
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

    @Test(arguments: StoreEngineKind.allCases)
    func anUntouchedLogIsIntact(_ kind: StoreEngineKind) throws {
        let store = try storeWithEvents(5, kind)
        #expect(try verify(store) == .intact(count: 5))
        let first = try store.events.events(objectType: "case", objectId: nil).first
        #expect(first?.prevHash == String(repeating: "0", count: 64))
        #expect(first?.data == "{\"n\":1,\"title\":\"Case 1\"}")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func anEditedRowIsDetectedAndNamed(_ kind: StoreEngineKind) throws {
        let store = try storeWithEvents(5, kind)
        _ = try store.engine.write { try $0.execute("UPDATE event SET actor = 'mallory' WHERE id = 3") }
        guard case .broken(let id, let reason, let detail) = try verify(store) else {
            Issue.record("tampering not detected")
            return
        }
        #expect(id == 3)
        #expect(reason == .edited)
        #expect(detail.contains("event 3 was edited"))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func anEditedRowWithARecomputedHashIsDetected(_ kind: StoreEngineKind) throws {
        let store = try storeWithEvents(5, kind)
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

    @Test(arguments: StoreEngineKind.allCases)
    func aDeletedRowIsDetectedAndNamed(_ kind: StoreEngineKind) throws {
        let store = try storeWithEvents(5, kind)
        _ = try store.engine.write { try $0.execute("DELETE FROM event WHERE id = 3") }
        guard case .broken(let id, let reason, let detail) = try verify(store) else {
            Issue.record("deletion not detected")
            return
        }
        #expect(id == 3)
        #expect(reason == .deleted)
        #expect(detail.contains("event 3 was deleted"))
    }

    /// SQLite remembers the highest id handed out (`sqlite_sequence`, rolled back with its transaction); PostgreSQL
    /// keeps no such number (a sequence is not rolled back), so there the seals catch rows deleted from the end.
    @Test func rowsDeletedFromTheEndAreDetected() throws {
        let store = try storeWithEvents(5, .sqlite)
        _ = try store.engine.write { try $0.execute("DELETE FROM event WHERE id >= 4") }
        guard case .broken(let id, let reason, let detail) = try verify(store) else {
            Issue.record("deletion not detected")
            return
        }
        #expect(id == 4)
        #expect(reason == .deleted)
        #expect(detail.contains("events 4–5 were deleted"))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func swappedRowsAreDetectedAsReordered(_ kind: StoreEngineKind) throws {
        let store = try storeWithEvents(5, kind)
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

    @Test(arguments: StoreEngineKind.allCases)
    func eventDataFromEncodableIsCanonical(_ kind: StoreEngineKind) throws {
        struct Payload: Encodable {
            var zeta = "last"
            var alpha = ["b", "a"]
            var name = "日本語 \"quoted\"\n"
        }
        let store = try StoreEngineTests.store(kind)
        try store.engine.write { session in
            try EventLog.append(session, actor: "bob", action: "inbound.recorded", objectType: "message", objectId: "<x@y>", encoding: Payload())
        }
        let event = try #require(try store.events.latest(limit: 1).first)
        #expect(event.data == "{\"alpha\":[\"b\",\"a\"],\"name\":\"日本語 \\\"quoted\\\"\\n\",\"zeta\":\"last\"}")
        #expect(try verify(store) == .intact(count: 1))
    }

    /// The same history gives the same rows, hashes, verification and seal rows on both engines.
    @Test func theSameHistoryReadsTheSameOnBothEngines() throws {
        let results = try StoreEngineKind.allCases.map { kind -> ((count: Int, hash: String), [AuditSealRow], EventLogVerification) in
            let store = try StoreEngineTests.store(kind)
            try store.events.append((1...20).map { index in
                EventEntry(actor: "alice", action: "case.opened", objectType: "case", objectId: "JVNVU#\(index)",
                           data: ["title": .string("ケース \(index)"), "n": .int(Int64(index))],
                           at: Date(timeIntervalSince1970: 1_780_000_000 + Double(index) * 0.125))
            })
            return (try store.events.head(), try store.events.sealRows(), try store.events.verify())
        }
        #expect(results[0].0 == results[1].0)
        #expect(results[0].1 == results[1].1)
        #expect(results[0].2 == .intact(count: 20) && results[1].2 == .intact(count: 20))
    }

    /// A change that appended an event and then failed leaves no trace: the next event takes its id, and the log
    /// is intact (a PostgreSQL sequence would have left a gap, and a false "deleted from the end").
    @Test(arguments: StoreEngineKind.allCases)
    func aRolledBackAppendLeavesNoGap(_ kind: StoreEngineKind) throws {
        let store = try storeWithEvents(2, kind)
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try store.engine.write { session in
                try EventLog.append(session, actor: "alice", action: "case.opened", objectType: "case", objectId: "JVNVU#3")
                throw Refused()
            }
        }
        #expect(try verify(store) == .intact(count: 2))
        try store.events.append([EventEntry(actor: "alice", action: "case.opened", objectType: "case", objectId: "JVNVU#4")])
        #expect(try store.events.latest(limit: 10).map(\.id) == [3, 2, 1])
        #expect(try verify(store) == .intact(count: 3))
    }

    /// Appends from serialized writers and from row-locking transactions, on several threads at once, form one
    /// chain in id order.
    @Test(arguments: StoreEngineKind.allCases)
    func concurrentAppendsFormOneChain(_ kind: StoreEngineKind) throws {
        let store = try StoreEngineTests.store(kind)
        let failures = ErrorList()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for index in 0..<15 {
                do {
                    let append = { (session: any SQLSession) in
                        try EventLog.append(session, actor: "worker \(worker)", action: "case.opened", objectType: "case",
                                            objectId: "JVNVU#\(worker)-\(index)")
                    }
                    if worker % 2 == 0 { try store.engine.write(append) } else { try store.engine.writeLockingRows(append) }
                } catch {
                    failures.append(error)
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(try verify(store) == .intact(count: 60))
        #expect(try store.events.latest(limit: 60).map(\.id) == Array((1...60).reversed()))
    }

    @Test func theDefaultActorComesFromTheEnvironment() {
        #expect(!EventLog.defaultActor.isEmpty)
    }

    /// The canonical form of a string, which every event's hash covers, is JSON's, and stays what it was when the
    /// chains already stored were hashed: checked character by character against a writer that follows the rule
    /// one Unicode scalar at a time, over every ASCII character and some that are not.
    @Test func aStringIsWrittenInTheCanonicalFormCharacterByCharacter() throws {
        func expected(_ text: String) -> String {
            var output = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                case "\n": output += "\\n"
                case "\r": output += "\\r"
                case "\t": output += "\\t"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                    output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                default: output.unicodeScalars.append(scalar)
                }
            }
            return output + "\""
        }
        let ascii = String(String.UnicodeScalarView((0...0x7F).compactMap(Unicode.Scalar.init)))
        for text in [ascii, "宛先不明 \"no such user\" \\ \t 📮", "é\u{2028}\u{0}x", "plain text", "", "\u{7F}\u{1F}"] {
            var written = ""
            EventValue.writeString(text, to: &written)
            #expect(Array(written.utf8) == Array(expected(text).utf8), "byte for byte, not only equivalent text")
            #expect(try JSONSerialization.jsonObject(with: Data(written.utf8), options: .fragmentsAllowed) as? String == text)
        }
        #expect(EventValue.object(["k": .string("a\"b")]).canonicalJSON == #"{"k":"a\"b"}"#)
    }
}
