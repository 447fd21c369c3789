import Foundation
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

        /// The workspace's registry is SQLite, or a database of the test PostgreSQL server for `.postgresql`.
        init(events count: Int, _ kind: StoreEngineKind = .sqlite) throws {
            temp = try TemporaryWorkspace()
            gnupg = try GnuPGHome.make()
            key = try gnupg.generateKey(name: "Test CSIRT", email: "vuls@csirt.example")
            store = kind == .sqlite ? try Workspace(root: temp.root).openStore(.init(creatingIfMissing: true)) : try PostgresFixture.store()
            try append(count, from: 1)
        }

        func append(_ count: Int, from first: Int, actor: String = "alice") throws {
            guard count > 0 else { return }
            try store.engine.write { session in
                for index in first..<(first + count) {
                    try EventLog.append(session, actor: actor, action: "case.opened", objectType: "case",
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

        func verify() throws -> EventLogVerification { try store.events.verify() }

        /// What an attacker with the database (but not the key) does: edit `id`, then recompute every hash from
        /// there on so the chain itself is whole again.
        func rewrite(from id: Int64, actor: String) throws {
            try store.engine.write { session in
                try session.execute("UPDATE event SET actor = ? WHERE id = ?", actor, id)
                try Self.rehash(session)
            }
        }

        static func rehash(_ session: any SQLSession) throws {
            var previous = EventLog.genesisHash
            for row in try session.rows("SELECT id, CAST(at AS TEXT) AS at, actor, action, objectType, objectId, data FROM event ORDER BY id", []) {
                let canonical = EventLog.canonicalRow(at: try row["at"], actor: try row["actor"], action: try row["action"],
                                                      objectType: try row["objectType"], objectId: try row["objectId"], data: try row["data"])
                let hash = EventLog.hashOf(prevHash: previous, canonical: canonical)
                try session.execute("UPDATE event SET prevHash = ?, hash = ? WHERE id = ?", previous, hash, try row["id"] as Int64)
                previous = hash
            }
        }

        /// Seals the log in the first seal format: count, head and time, no rows.
        func sealHeadOnly(at date: Date = Date()) throws -> AuditSeal {
            let head = try store.events.head()
            let seal = AuditSeal(eventCount: head.count, headHash: head.hash,
                                 sealedAt: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)),
                                 signer: key, rows: nil, file: nil)
            return try AuditSeals.write(seal, workspace: workspace, gnupgHome: gnupg.path).seal
        }

        /// The only problem of checking every seal of the workspace.
        func problem() throws -> String {
            let problems = try check().problems
            #expect(problems.count == 1, "\(problems)")
            return try #require(problems.first)
        }

        deinit {
            gnupg.shutdown()
            temp.remove()
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aFreshSealMatchesAndLaterEventsStillMatch(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 4, kind)
        let seal = try sealed.seal()
        #expect(seal.eventCount == 4)
        #expect(seal.signer == sealed.key)
        try sealed.append(3, from: 5)
        let check = try sealed.check()
        #expect(check.problems.isEmpty)
        #expect(check.matched.map(\.eventCount) == [4])
        #expect(AuditSeals.latest(of: sealed.workspace)?.eventCount == 4)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aChainRewrittenAfterASealNamesTheEditedEvent(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 3, kind)
        _ = try sealed.seal()
        try sealed.append(5, from: 4)
        _ = try sealed.seal()
        try sealed.append(2, from: 9)
        try sealed.rewrite(from: 6, actor: "mallory")
        #expect(try sealed.verify().isIntact, "the chain alone cannot see a rewrite with recomputed hashes")
        let check = try sealed.check()
        #expect(check.matched.map(\.eventCount) == [3])
        let problem = try sealed.problem()
        #expect(problem.contains("(sealed "), "\(problem)")
        #expect(problem.contains("8 events) no longer matches the log: event 6 ("), "\(problem)")
        #expect(problem.contains(" UTC, case.opened) was edited after the seal"), "\(problem)")

        // `audit verify` reads the log once for the chain and the seals, and finds the same.
        let combined = try AuditSeals.verify(AuditSeals.files(of: sealed.workspace), store: sealed.store, signingKey: sealed.key,
                                             gnupgHome: sealed.gnupg.path, relativeTo: sealed.workspace)
        #expect(combined.chain == .intact(count: 10))
        #expect(combined.seals == check)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aSealOfTheFirstFormatStillPlacesARewriteBetweenSeals(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 3, kind)
        _ = try sealed.sealHeadOnly()
        try sealed.append(3, from: 4)
        _ = try sealed.sealHeadOnly(at: Date().addingTimeInterval(1))
        #expect(try sealed.check().problems.isEmpty)
        try sealed.rewrite(from: 5, actor: "mallory")
        let check = try sealed.check()
        #expect(check.matched.map(\.eventCount) == [3])
        let problem = try sealed.problem()
        #expect(problem.contains("events 4–6"), "placed after the last seal that holds: \(problem)")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func eventsDeletedFromTheEndWithTheSequenceResetNameTheFirstMissingEvent(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 10, kind)
        _ = try sealed.seal()
        try sealed.store.engine.write { session in
            try session.execute("DELETE FROM event WHERE id > 7")
            // SQLite remembers the highest id handed out; PostgreSQL has no such number to reset.
            if kind == .sqlite { try session.execute("UPDATE sqlite_sequence SET seq = 7 WHERE name = 'event'") }
        }
        #expect(try sealed.verify().isIntact)
        let problem = try sealed.problem()
        #expect(problem.contains("sealed events 8–10 are missing: deleted after the seal (the log ends with event 7 ("), "\(problem)")
        #expect(problem.contains("the seal counts 10 events but the log holds 7"), "\(problem)")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func eventsDeletedWithTheSequenceResetAreDetected(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 5, kind)
        _ = try sealed.seal()
        try sealed.store.engine.write { session in
            try session.execute("DELETE FROM event")
            if kind == .sqlite { try session.execute("UPDATE sqlite_sequence SET seq = 0 WHERE name = 'event'") }
        }
        #expect(try sealed.verify().isIntact)
        let emptied = try sealed.problem()
        #expect(emptied.contains("sealed events 1–5 are missing: deleted after the seal (the log is empty)"), "\(emptied)")

        // Refilled past the sealed count, the first event already gives it away.
        try sealed.append(6, from: 1, actor: "mallory")
        #expect(try sealed.verify().isIntact)
        let refilled = try sealed.problem()
        #expect(refilled.contains("no longer matches the log: event 1 ("), "\(refilled)")
        #expect(refilled.contains("was edited after the seal"), "\(refilled)")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aForgedEventInsertedInTheMiddleIsNamed(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 6, kind)
        _ = try sealed.seal()
        // Make room at id 4 (moving 4…6 up by one), write a forged event there, and recompute the chain.
        try sealed.store.engine.write { session in
            try session.execute("UPDATE event SET id = -id WHERE id >= 4")
            try session.execute("UPDATE event SET id = 1 - id WHERE id < 0")
            try session.execute("""
                INSERT INTO event (id, at, actor, action, objectType, objectId, data, prevHash, hash)
                SELECT 4, at, 'alice', 'participant.response', 'participant', 'JVNVU#3|vendor', '{"response":"fixed"}', '', ''
                FROM event WHERE id = 3
                """)
            try Sealed.rehash(session)
        }
        #expect(try sealed.verify().isIntact)
        let problem = try sealed.problem()
        #expect(problem.contains("event 4 ("), "\(problem)")
        #expect(problem.contains("participant.response) is not in the seal: it was inserted after the seal, before the sealed event 4 (now event 5)"), "\(problem)")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func anEventDeletedFromTheMiddleIsNamed(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 6, kind)
        _ = try sealed.seal()
        try sealed.store.engine.write { session in
            try session.execute("DELETE FROM event WHERE id = 3")
            try Sealed.rehash(session)
        }
        let problem = try sealed.problem()
        #expect(problem.contains("sealed event 3 is missing: deleted after the seal (event 4 ("), "\(problem)")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aSealListsEveryEventCompactlyAndReadsBackTheSame(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 4, kind)
        try sealed.store.engine.write { session in
            try session.execute("DELETE FROM event WHERE id = 2")
            try Sealed.rehash(session)
        }
        let seal = try sealed.seal()
        let text = try String(contentsOf: try #require(seal.file), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[5] == "rows: 3")
        // The id is written only where it does not follow the previous one.
        #expect(lines[6].count == 16 && lines[7].hasPrefix("3 ") && lines[8].count == 16, "\(lines.prefix(10))")
        let parsed = try #require(AuditSeals.parse(text))
        #expect(parsed.seal.rows?.map(\.id) == [1, 3, 4])
        #expect(parsed.seal.rows == seal.rows)
        #expect(try sealed.check().problems.isEmpty)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func sealingVerifiesTheChainFirstAndSealsNothingWhenItIsBroken(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 4, kind)
        let made = try AuditSeals.sealIfIntact(sealed.store, workspace: sealed.workspace, signingKey: sealed.key,
                                               gnupgHome: sealed.gnupg.path)
        #expect(made.chain == .intact(count: 4))
        let seal = try #require(made.sealed?.seal)
        #expect(seal.rows?.map(\.id) == [1, 2, 3, 4])
        #expect(seal.rows == (try sealed.store.events.sealRows()), "the same rows as a seal reads on its own")

        _ = try sealed.store.engine.write { session in try session.execute("UPDATE event SET actor = 'mallory' WHERE id = 2") }
        let refused = try AuditSeals.sealIfIntact(sealed.store, workspace: sealed.workspace, signingKey: sealed.key,
                                                  gnupgHome: sealed.gnupg.path, at: Date().addingTimeInterval(5))
        #expect(!refused.chain.isIntact && refused.sealed == nil)
        #expect(AuditSeals.files(of: sealed.workspace).count == 1, "nothing was sealed")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aSealWithABadSignatureFails(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 2, kind)
        let seal = try sealed.seal()
        let url = try #require(seal.file)
        // Move the seal's count forward, as someone deleting events would need to.
        let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "events: 2\n", with: "events: 1\n")
        try Data(text.utf8).write(to: url)
        let problem = try #require(try sealed.check().problems.first)
        #expect(problem.contains("bad signature"), "\(problem)")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aSealWhoseRowsOrSignatureWereAlteredIsRefused(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 3, kind)
        let seal = try sealed.seal()
        let url = try #require(seal.file)
        let original = try String(contentsOf: url, encoding: .utf8)
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        // A row's digest changed to match an edited event.
        var rows = lines
        rows[7] = String(rows[7].reversed())
        try Data(rows.joined(separator: "\n").utf8).write(to: url)
        #expect(try sealed.problem().contains("bad signature"))

        // The signature itself changed: one character of its body.
        var signature = lines
        let body = try #require(signature.firstIndex { $0.hasPrefix("-----BEGIN PGP SIGNATURE") }) + 2
        var characters = Array(signature[body])
        characters[10] = characters[10] == "A" ? "B" : "A"
        signature[body] = String(characters)
        try Data(signature.joined(separator: "\n").utf8).write(to: url)
        let problem = try sealed.problem()
        #expect(problem.contains("signature"), "\(problem)")
        #expect(try sealed.check().matched.isEmpty)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aSealSignedByAnotherKeyFails(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 2, kind)
        let other = try sealed.gnupg.generateKey(name: "Mallory", email: "mallory@attacker.example")
        let forged = try AuditSeals.seal(sealed.store, workspace: sealed.workspace, signingKey: other,
                                         gnupgHome: sealed.gnupg.path).seal
        let forgedFile = try #require(forged.file)
        let problem = try #require(try sealed.check([forgedFile]).problems.first)
        #expect(problem.contains("not by the workspace's key \(sealed.key)"), "\(problem)")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func textWithNulAndControlCharactersKeepsTheLogVerifiable(_ kind: StoreEngineKind) throws {
        let sealed = try Sealed(events: 1, kind)
        try sealed.store.engine.write { session in
            try EventLog.append(session, actor: "ingest\u{1B}[31m", action: "inbound.received", objectType: "inbound",
                                objectId: "<evil\u{0}id\r\n@attacker.example>",
                                data: ["subject": .string("Re:\u{0}\u{7}\u{1B}[2J\u{202E}"), "from": "a\tb\u{7F}"])
        }
        #expect(try sealed.verify() == .intact(count: 2))
        _ = try sealed.seal()
        #expect(try sealed.check().problems.isEmpty)
        let stored = try sealed.store.events.events(objectType: "inbound", objectId: "<evil\u{0}id\r\n@attacker.example>")
        #expect(stored.count == 1)
        #expect(stored.first?.objectId == "<evil\\u0000id\r\n@attacker.example>")
    }
}
