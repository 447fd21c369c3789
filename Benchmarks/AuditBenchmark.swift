import Foundation
import GRDB
import Registry
import TestSupport

/// `liaison-bench audit [EVENTS]`: an event log of 100,000 events (or EVENTS) in a temporary workspace, sealed
/// with an Ed25519 key; prints the time of `audit seal`, the seal file's size, the time of `audit verify`
/// (chain recomputed, then the seal's signature and every sealed row checked), and the time to name the first
/// differing event after one event in the middle was edited.
enum AuditBenchmark {
    static func run(events: Int) throws {
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        let gnupg = try GnuPGHome.make()
        defer { gnupg.shutdown() }
        let key = try gnupg.generateKey(name: "Bench CSIRT", email: "vuls@csirt.example")
        let workspace = Workspace(root: temp.root)
        let store = try workspace.openStore(.init(creatingIfMissing: true))
        print("audit benchmark: \(events) events")

        try measure("append \(events) events") {
            try store.events.append((1...events).map { index in
                let caseId = "JVNVU#\(10_000_000 + index / 20)"
                return EventEntry(actor: "bench", action: "participant.response", objectType: "participant",
                                  objectId: "\(caseId)|org\(index % 500)",
                                  data: ["caseId": .string(caseId), "organizationId": .string("org\(index % 500)"),
                                         "response": .string("acknowledged"), "source": .string("reply <\(index)@org.example>")])
            })
        }
        let sealed = try measure("audit seal (chain verified first)") {
            try AuditSeals.sealIfIntact(store, workspace: workspace, signingKey: key, gnupgHome: gnupg.path).sealed
        }
        guard let (seal, text) = sealed else { throw AuditBenchmarkFailure(description: "the chain is not intact") }
        print(String(format: "  seal file: %d bytes (%.1f bytes an event)", text.utf8.count, Double(text.utf8.count) / Double(events)))

        let intact = try measure("audit verify (chain + seal)") { () -> Bool in
            let (chain, seals) = try AuditSeals.verify([seal.file!], store: store, signingKey: key, gnupgHome: gnupg.path,
                                                       relativeTo: workspace)
            return chain.isIntact && seals.problems.isEmpty
        }
        print("  intact and matching: \(intact)")
        _ = try measure("  of which the chain alone") { try store.events.verify() }

        // Someone edits the database file with a connection of their own, as an attacker would.
        try DatabaseQueue(path: workspace.databaseURL.path).write { db in
            try db.execute(sql: "UPDATE event SET actor = 'mallory' WHERE id = ?", arguments: [events / 2])
        }
        let check = try measure("seal check naming an edited event") {
            try AuditSeals.check([seal.file!], store: store, signingKey: key, gnupgHome: gnupg.path, relativeTo: workspace)
        }
        print("  \(check.problems.first ?? "no problem found")")
    }

    struct AuditBenchmarkFailure: Error, CustomStringConvertible { let description: String }

}
