import Foundation
import TestSupport

/// A workspace for the gateway commands, as a coordinator sets one up: the repository's templates, a signing
/// key generated for the test in its own GnuPG home (`gnupg.home`, `sender.signing_key`), and `smtp.url` pointing
/// at an SMTP sink the test started (`tls: none`, loopback). `remove()` stops the sink and the gpg-agent.
/// On `.postgresql` its registry is a fresh database of the test server (`store:` in liaison.yaml, the password in
/// the environment of every command it runs).
final class GatewayWorkspace {
    let temp: TemporaryWorkspace
    let gnupg: GnuPGHome
    let signingKey: String
    let sink: SMTPSink
    let engine: RegistryEngine
    /// What every command of this workspace gets in its environment: the store's password on PostgreSQL.
    let storeEnvironment: [String: String]

    var root: URL { temp.root }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Our own entry and a national CSIRT of Korea, for incident notices by country.
    static let baseOrganizations: [String: String] = [
        "test-csirt": TemporaryWorkspace.organizationYAML(id: "test-csirt", name: "Test Coordination Center (TestCC)",
                                                          kind: "national-csirt", technologies: [], email: "vuls@csirt.example"),
        "krcert-cc": """
            id: krcert-cc
            name: KrCERT/CC
            kind: national-csirt
            country: KR
            languages: [en]
            contacts:
              - { email: cert@krcert.example, name: Incident Response, role: to, language: en }

            """,
    ]

    /// `developers` become product developers implementing tls, each with one Japanese `to` contact
    /// psirt@<id>.example. `timezone` is written as `timezone:`, or under its old name `report.timezone` when
    /// `oldTimezoneKey`. A `passphrase` protects the signing key, and the agent then never keeps it unlocked.
    init(developers: [String], sink options: SMTPSink.Options = SMTPSink.Options(), maxAttempts: Int = 3,
         timezone: String = "UTC", oldTimezoneKey: Bool = false, passphrase: String = "",
         engine: RegistryEngine = .sqlite) throws {
        temp = try TemporaryWorkspace()
        self.engine = engine
        var store = ""
        do {
            if engine == .postgresql {
                let server = try PostgresServer.shared()
                let database = try server.makeDatabase()
                store = "store:\n  url: \(database.url)\n  password_env: \(RegistryEngine.passwordVariable)\n  tls: none\n"
                storeEnvironment = [RegistryEngine.passwordVariable: server.password]
            } else {
                storeEnvironment = [:]
            }
            gnupg = try GnuPGHome.make()
            if !passphrase.isEmpty {
                // Every signature asks for the passphrase again; the lowest S2K count keeps unlocking quick.
                let agentConfiguration = gnupg.path + "/gpg-agent.conf"
                let configured = try String(contentsOfFile: agentConfiguration, encoding: .utf8)
                try (configured + "\ndefault-cache-ttl 0\nmax-cache-ttl 0\ns2k-count 65536\n")
                    .write(toFile: agentConfiguration, atomically: true, encoding: .utf8)
            }
            signingKey = try gnupg.generateKey(name: "Test CSIRT Vulnerability Coordination", email: "vuls@csirt.example",
                                               passphrase: passphrase)
            sink = try SMTPSink.start(options)
        } catch {
            temp.remove()
            throw error
        }
        try temp.write("liaison.yaml", """
            sender:
              from: "Test CSIRT Vulnerability Coordination <vuls@csirt.example>"
              organization: test-csirt
              signing_key: \(signingKey)
            smtp:
              url: \(sink.url)
              tls: none
              max_attempts: \(maxAttempts)
            gnupg:
              home: \(gnupg.path)
              encrypt: when-key
            \(oldTimezoneKey ? "report:\n  timezone: \(timezone)" : "timezone: \(timezone)")
            \(store)
            """)
        let templates = Self.repository.appendingPathComponent("Templates")
        for name in try FileManager.default.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
            try FileManager.default.copyItem(at: templates.appendingPathComponent(name),
                                             to: root.appendingPathComponent("Templates/\(name)"))
        }
        for (id, yaml) in Self.baseOrganizations { try temp.writeOrganization(id, yaml) }
        for id in developers { try temp.writeOrganization(id, TemporaryWorkspace.organizationYAML(id: id)) }
    }

    func remove() {
        sink.stop()
        gnupg.shutdown()
        temp.remove()
    }

    /// Runs `liaison ARGS` in this workspace to its end.
    @discardableResult
    func liaison(_ args: [String], input: Data? = nil, environment: [String: String] = [:],
                 timeout: TimeInterval = 120) throws -> LiaisonRun {
        try start(args, input: input, environment: environment).wait(timeout: timeout)
    }

    /// Starts `liaison ARGS` in this workspace and returns at once.
    func start(_ args: [String], input: Data? = nil, environment: [String: String] = [:]) throws -> LiaisonProcess {
        try LiaisonProcess(args, workspace: root, input: input, environment: storeEnvironment.merging(environment) { _, new in new })
    }

    /// Moves the first notification of every notified participant (of `caseId`, or of every case) `days` days back:
    /// the commands run in their own processes, whose clock a test cannot set.
    func moveFirstNotificationsBack(days: Int, caseId: String? = nil) throws {
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE participant SET firstNotifiedAt = strftime('%Y-%m-%d %H:%M:%f', 'now', ?) "
                       "WHERE firstNotifiedAt IS NOT NULL AND (? = '' OR caseId = ?)", (sys.argv[2], sys.argv[3], sys.argv[3]))
            db.commit()
            """
        let moved = try runProcess("/usr/bin/python3", ["-c", script, root.appendingPathComponent(".liaison/registry.sqlite").path,
                                                        "-\(days) days", caseId ?? ""])
        guard moved.status == 0 else { throw FixtureError("moving the first notifications back failed: \(moved.stderr)") }
    }

    /// `liaison outbox --format json --all`, or `--state S`, parsed.
    func outbox(state: String? = nil) throws -> [[String: Any]] {
        let result = try liaison(["outbox", "--format", "json"] + (state.map { ["--state", $0] } ?? ["--all"]))
        guard result.status == 0 else { throw LiaisonFailed(run: result) }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// `liaison case show CASE --format json`, parsed.
    func caseDetail(_ caseId: String) throws -> [String: Any] {
        let result = try liaison(["case", "show", caseId, "--format", "json"])
        guard result.status == 0 else { throw LiaisonFailed(run: result) }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// Each participant's record of `case show --format json`, by organisation id.
    func participants(_ caseId: String) throws -> [String: [String: Any]] {
        let list = try caseDetail(caseId)["participants"] as? [[String: Any]] ?? []
        var result: [String: [String: Any]] = [:]
        for item in list {
            if let record = item["record"] as? [String: Any], let id = record["organizationId"] as? String { result[id] = record }
        }
        return result
    }

    /// Sync the directory, open `caseId`, add every TLS developer, queue `vendor-initial`; throws on any failure.
    func openAndNotify(_ caseId: String) throws {
        for args in [["directory", "sync"], ["case", "open", caseId, "--title", "TLS certificate check", "--origin", "jvn-jp",
                                             "--due", "2030-01-15"],
                     ["case", "add", caseId, "--technology", "tls"], ["notify", caseId, "--template", "vendor-initial"]] {
            let result = try liaison(args)
            guard result.status == 0 else { throw LiaisonFailed(run: result) }
        }
    }
}

/// Where a test workspace keeps its registry: `.liaison/registry.sqlite`, or a database of the test PostgreSQL
/// server (`PostgresServer.shared()`).
enum RegistryEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgresql

    /// The variable `store.password_env` names in a PostgreSQL test workspace.
    static let passwordVariable = "LIAISON_TEST_PG"

    var description: String { rawValue }
}

/// A setup step of a test failed.
struct LiaisonFailed: Error, CustomStringConvertible {
    let run: LiaisonRun
    var description: String { "liaison \(run.arguments.joined(separator: " ")) exited \(run.status): \(run.stderr)" }
}
