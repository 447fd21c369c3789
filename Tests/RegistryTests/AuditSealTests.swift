import Foundation
import GRDB
@testable import Registry
import Testing
import TestSupport

/// Seals anchor the event log outside the database: a log rewritten from some row on, or emptied and refilled,
/// still verifies as a chain but no longer matches its seal.
@Suite struct AuditSealTests {
    /// A workspace with a database of `count` events and a signing key in its own GnuPG home.
    private final class Sealed {
        let temp: TemporaryWorkspace
        let gnupg: GnuPGHome
        let key: String
        let store: RegistryStore
        var workspace: Workspace { Workspace(root: temp.root) }

        init(events count: Int) throws {
            temp = try TemporaryWorkspace()
            gnupg = try GnuPGHome.make()
            key = try gnupg.generateKey(name: "Test CSIRT", email: "vuls@csirt.example")
            store = try Workspace(root: temp.root).openStore(.init(creatingIfMissing: true))
            try append(count, from: 1)
        }

        func append(_ count: Int, from first: Int, actor: String = "alice") throws {
            guard count > 0 else { return }
            try store.writer.write { db in
                for index in first..<(first + count) {
                    try EventLog.append(db, actor: actor, action: "case.opened", objectType: "case",
                                        objectId: "JVNVU#\(index)", data: ["title": .string("Case \(index)")])
                }
            }
        }

        func seal() throws -> AuditSeal {
            try AuditSeals.seal(store, workspace: workspace, signingKey: key, gnupgHome: gnupg.path).seal
        }

        func check(_ urls: [URL]? = nil, key: String? = nil) throws -> SealCheck {
            try AuditSeals.check(urls ?? AuditSeals.files(of: workspace), store: store, signingKey: key ?? self.key,
                                 gnupgHome: gnupg.path, relativeTo: workspace)
        }

        func verify() throws -> EventLogVerification { try store.writer.read { try EventLog.verify($0) } }

        /// What an attacker with the database (but not the key) does: edit `id`, then recompute every hash from
        /// there on so the chain itself is whole again.
        func rewrite(from id: Int64, actor: String) throws {
            try store.writer.write { db in
                try db.execute(sql: "UPDATE event SET actor = ? WHERE id = ?", arguments: [actor, id])
                try Self.rehash(db)
            }
        }

        static func rehash(_ db: Database) throws {
            var previous = EventLog.genesisHash
            for row in try Row.fetchAll(db, sql: "SELECT id, CAST(at AS TEXT) AS at, actor, action, objectType, objectId, data FROM event ORDER BY id") {
                let canonical = EventLog.canonicalRow(at: row["at"], actor: row["actor"], action: row["action"],
                                                      objectType: row["objectType"], objectId: row["objectId"], data: row["data"])
                let hash = EventLog.hashOf(prevHash: previous, canonical: canonical)
                try db.execute(sql: "UPDATE event SET prevHash = ?, hash = ? WHERE id = ?", arguments: [previous, hash, row["id"] as Int64])
                previous = hash
            }
        }

        deinit {
            gnupg.shutdown()
            temp.remove()
        }
    }

    @Test func aFreshSealMatchesAndLaterEventsStillMatch() throws {
        let sealed = try Sealed(events: 4)
        let seal = try sealed.seal()
        #expect(seal.eventCount == 4)
        #expect(seal.signer == sealed.key)
        try sealed.append(3, from: 5)
        let check = try sealed.check()
        #expect(check.problems.isEmpty)
        #expect(check.matched.map(\.eventCount) == [4])
        #expect(AuditSeals.latest(of: sealed.workspace)?.eventCount == 4)
    }

    @Test func aChainRewrittenAfterASealIsDetectedNamingTheFirstRowThatMayDiffer() throws {
        let sealed = try Sealed(events: 3)
        _ = try sealed.seal()
        try sealed.append(3, from: 4)
        _ = try sealed.seal()
        try sealed.rewrite(from: 5, actor: "mallory")
        #expect(try sealed.verify().isIntact, "the chain alone cannot see a rewrite with recomputed hashes")
        let check = try sealed.check()
        #expect(check.matched.map(\.eventCount) == [3])
        #expect(check.problems.count == 1)
        let problem = try #require(check.problems.first)
        #expect(problem.contains("no longer matches the log"))
        #expect(problem.contains("events 4–6"), "placed after the last seal that holds: \(problem)")
    }

    @Test func eventsDeletedWithTheSequenceResetAreDetected() throws {
        let sealed = try Sealed(events: 5)
        _ = try sealed.seal()
        try sealed.store.writer.write { db in
            try db.execute(sql: "DELETE FROM event")
            try db.execute(sql: "UPDATE sqlite_sequence SET seq = 0 WHERE name = 'event'")
        }
        try sealed.append(2, from: 1, actor: "mallory")
        #expect(try sealed.verify().isIntact)
        let problem = try #require(try sealed.check().problems.first)
        #expect(problem.contains("counts 5 events but the log holds 2"), "\(problem)")

        // Refilled to the sealed count, the hash at that count still gives it away.
        try sealed.append(3, from: 3, actor: "mallory")
        let refilled = try #require(try sealed.check().problems.first)
        #expect(refilled.contains("no longer matches the log"), "\(refilled)")
    }

    @Test func aSealWithABadSignatureFails() throws {
        let sealed = try Sealed(events: 2)
        let seal = try sealed.seal()
        let url = try #require(seal.file)
        // Move the seal's count forward, as someone deleting events would need to.
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "events: 2\n", with: "events: 1\n")
        try Data(text.utf8).write(to: url)
        let problem = try #require(try sealed.check().problems.first)
        #expect(problem.contains("bad signature"), "\(problem)")
    }

    @Test func aSealSignedByAnotherKeyFails() throws {
        let sealed = try Sealed(events: 2)
        let other = try sealed.gnupg.generateKey(name: "Mallory", email: "mallory@attacker.example")
        let forged = try AuditSeals.seal(sealed.store, workspace: sealed.workspace, signingKey: other,
                                         gnupgHome: sealed.gnupg.path).seal
        let forgedFile = try #require(forged.file)
        let problem = try #require(try sealed.check([forgedFile]).problems.first)
        #expect(problem.contains("not by the workspace's key \(sealed.key)"), "\(problem)")
    }

    @Test func textWithNulAndControlCharactersKeepsTheLogVerifiable() throws {
        let sealed = try Sealed(events: 1)
        try sealed.store.writer.write { db in
            try EventLog.append(db, actor: "ingest\u{1B}[31m", action: "inbound.received", objectType: "inbound",
                                objectId: "<evil\u{0}id\r\n@attacker.example>",
                                data: ["subject": .string("Re:\u{0}\u{7}\u{1B}[2J\u{202E}"), "from": "a\tb\u{7F}"])
        }
        #expect(try sealed.verify() == .intact(count: 2))
        _ = try sealed.seal()
        #expect(try sealed.check().problems.isEmpty)
        let stored = try sealed.store.writer.read { try EventLog.events($0, objectType: "inbound", objectId: "<evil\u{0}id\r\n@attacker.example>") }
        #expect(stored.count == 1)
        #expect(stored.first?.objectId == "<evil\\u0000id\r\n@attacker.example>")
    }
}
