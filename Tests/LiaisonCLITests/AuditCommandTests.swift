import Foundation
import Testing
import TestSupport

/// `audit seal` and `audit verify` from the terminal, against an attacker who holds the database but not the
/// workspace's signing key.
@Suite struct AuditCommandTests {
    static let caseId = "JVNVU#31415926"

    /// A sealed workspace, its seal copied outside it as a CSIRT would keep it.
    private func sealedWorkspace() throws -> (GatewayWorkspace, URL) {
        let ws = try GatewayWorkspace(developers: ["aozora", "hikari"])
        try ws.openAndNotify(Self.caseId)
        let copy = ws.root.deletingLastPathComponent().appendingPathComponent("liaison-seal-\(UUID().uuidString.prefix(8)).asc")
        let seal = try ws.liaison(["audit", "seal", "--output", copy.path])
        #expect(seal.status == 0, "\(seal.stderr)")
        #expect(seal.stdout.hasPrefix("Sealed "))
        #expect(seal.stdout.contains(".liaison/seals/seal-"))
        return (ws, copy)
    }

    /// Runs python3's sqlite3 on the workspace's database: what someone with the file can do.
    private func tamper(_ ws: GatewayWorkspace, _ python: String) throws {
        let script = """
            import hashlib, json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            def s(x): return json.dumps(x, ensure_ascii=False)
            def rehash():
                previous = "0" * 64
                for (id, at, actor, action, otype, oid, data) in db.execute(
                        "SELECT id, CAST(at AS TEXT), actor, action, objectType, objectId, data FROM event ORDER BY id").fetchall():
                    canonical = '{"action":' + s(action) + ',"actor":' + s(actor) + ',"at":' + s(at) + ',"data":' + data + ',"objectId":' + s(oid) + ',"objectType":' + s(otype) + '}'
                    digest = hashlib.sha256((previous + canonical).encode()).hexdigest()
                    db.execute("UPDATE event SET prevHash = ?, hash = ? WHERE id = ?", (previous, digest, id))
                    previous = digest
            \(python)
            db.commit()

            """
        let result = try runProcess("/usr/bin/python3", ["-c", script, ws.root.appendingPathComponent(".liaison/registry.sqlite").path])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func aRewrittenChainIsDetectedByTheSealKeptOutside() throws {
        let (ws, copy) = try sealedWorkspace()
        defer { ws.remove(); try? FileManager.default.removeItem(at: copy) }
        let intact = try ws.liaison(["audit", "verify", "--seal", copy.path])
        #expect(intact.status == 0, "\(intact.stderr)")
        #expect(intact.stdout.contains("It matches 2 seals"))
        // The quarterly report prints the latest seal.
        let report = try ws.liaison(["report", "quarter", CommandLineQuarter.current])
        #expect(report.stdout.contains("latest audit seal: "), "\(report.stdout)")

        // Edit an early event, recompute every hash after it, and remove the workspace's own seals.
        try tamper(ws, """
            db.execute("UPDATE event SET actor = 'mallory' WHERE id = 2")
            rehash()
            """)
        try FileManager.default.removeItem(at: ws.root.appendingPathComponent(".liaison/seals"))
        let unsealed = try ws.liaison(["audit", "verify"])
        #expect(unsealed.status == 0, "without a seal the rewrite cannot be seen: \(unsealed.stdout)")
        #expect(unsealed.stdout.contains("No seal was checked"))

        let verify = try ws.liaison(["audit", "verify", "--seal", copy.path])
        #expect(verify.status == 1)
        #expect(verify.errorLines.count == 1, "\(verify.stderr)")
        #expect(verify.stderr.contains("no longer matches the log: event 2 ("), "names the edited event: \(verify.stderr)")
        #expect(verify.stderr.contains("was edited after the seal"), "\(verify.stderr)")
        #expect(verify.stderr.contains(copy.lastPathComponent))
    }

    @Test func eventsDeletedWithTheSequenceResetAreDetected() throws {
        let (ws, copy) = try sealedWorkspace()
        defer { ws.remove(); try? FileManager.default.removeItem(at: copy) }
        try tamper(ws, """
            db.execute("DELETE FROM event")
            db.execute("UPDATE sqlite_sequence SET seq = 0 WHERE name = 'event'")
            """)
        let verify = try ws.liaison(["audit", "verify", "--seal", copy.path])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("but the log holds 0"), "\(verify.stderr)")
    }

    @Test func theLastEventsDeletedWithTheSequenceResetAreNamed() throws {
        let (ws, copy) = try sealedWorkspace()
        defer { ws.remove(); try? FileManager.default.removeItem(at: copy) }
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            n = db.execute("SELECT MAX(id) FROM event").fetchone()[0]
            db.execute("DELETE FROM event WHERE id > ?", (n - 3,))
            db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'event'", (n - 3,))
            db.commit()
            print(n)
            """
        let deleted = try runProcess("/usr/bin/python3", ["-c", script, ws.root.appendingPathComponent(".liaison/registry.sqlite").path])
        let last = try #require(Int(String(decoding: deleted.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)), "\(deleted.stderr)")
        try FileManager.default.removeItem(at: ws.root.appendingPathComponent(".liaison/seals"))
        #expect(try ws.liaison(["audit", "verify"]).status == 0, "the chain alone cannot see it")
        let verify = try ws.liaison(["audit", "verify", "--seal", copy.path])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("sealed events \(last - 2)–\(last) are missing: deleted after the seal (the log ends with event \(last - 3) ("),
                "\(verify.stderr)")

        // A chain that no longer holds is never sealed.
        try tamper(ws, "db.execute(\"UPDATE event SET actor = 'mallory' WHERE id = 1\")")
        let refused = try ws.liaison(["audit", "seal"])
        #expect(refused.status == 1)
        #expect(refused.errorLines.count == 1 && refused.stderr.contains("event 1 was edited") && refused.stderr.contains("Nothing was sealed."),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ws.root.appendingPathComponent(".liaison/seals").path))
    }

    @Test func aSealWithABadSignatureFails() throws {
        let (ws, copy) = try sealedWorkspace()
        defer { ws.remove(); try? FileManager.default.removeItem(at: copy) }
        let text = try String(contentsOf: copy, encoding: .utf8)
        let forged = text.replacingOccurrences(of: "events: ", with: "events: 1")
        try Data(forged.utf8).write(to: copy)
        let verify = try ws.liaison(["audit", "verify", "--seal", copy.path])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("bad signature"), "\(verify.stderr)")
    }

    @Test func aMessageIDWithNulAndControlCharactersKeepsTheLogVerifiable() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let reply = "From: Mallory <m@attacker.example>\r\nTo: vuls@csirt.example\r\nSubject: Re: \u{1B}[2Jhello\r\n"
            + "Message-ID: <evil\u{0}\u{1B}id@attacker.example>\r\nDate: Mon, 03 Sep 2007 10:00:00 +0900\r\n\r\nBody\r\n"
        let ingest = try ws.liaison(["ingest", "-"], input: Data(reply.utf8))
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(!ingest.stdout.contains("\u{1B}"))
        let verify = try ws.liaison(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let seal = try ws.liaison(["audit", "seal"])
        #expect(seal.status == 0, "\(seal.stderr)")
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }
}
