import Foundation
import GRDB
import TestSupport

/// `liaison-bench postgres-send [VENDORS [PROCESSES [CONNECTIONS]]]` (default 3,000, 2, 2): `liaison send` as a team
/// runs it on PostgreSQL — two processes at once, two SMTP connections each (four workers sharing one outbox with
/// `FOR UPDATE SKIP LOCKED`) —
/// beside one `liaison send` process with its default connections on SQLite, for the same messages, to Postfix's
/// smtp-sink on loopback.
///
/// Each engine gets a workspace of its own made with the built `liaison` (directory sync of VENDORS product
/// developers, case open, case add, notify: Ed25519-signed, not timed). PostgreSQL is a server of the benchmark's
/// own (`initdb` in a temporary folder), durable as SQLite is: `fsync` and `synchronous_commit` on, so each commit
/// is on disk before it returns. The time runs from the start of the first `send` process to the end of the last.
/// Then what went out is checked: every queued Message-ID received by the sink exactly once (its dump, `-D`),
/// every message `sent` in the outbox, one `notification.sent` event each. Prints both rates and their ratio, and
/// the processor time spent meanwhile: by the `send` processes, and by the whole machine (the server, smtp-sink and
/// the senders share its cores).
enum PostgresSendBenchmark {
    static let caseId = "JVNVU#00000001"
    static let passwordVariable = "LIAISON_BENCH_PG_PASSWORD"

    static func run(vendors: Int, processes: Int = 2, connections: Int = 2) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-bench-pgsend-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        chmod(root.path, 0o755)    // smtp-sink writes its dump as nobody when the benchmark runs as root
        defer { try? FileManager.default.removeItem(at: root) }
        let gnupg = try GnuPGHome.make()
        defer { gnupg.shutdown() }
        let signingKey = try gnupg.generateKey(name: "JPCERT/CC Vulnerability Coordination", email: "vuls@jpcert.example")
        let server = try PostgresServer.startDedicated(durable: true)
        defer { server.stop() }
        let database = try server.makeDatabase()
        print("postgres-send: \(vendors) vendors, Ed25519, Postfix smtp-sink on loopback, PostgreSQL "
              + "\(try server.sql("SHOW server_version").trimmingCharacters(in: .whitespacesAndNewlines)) "
              + "(fsync on, synchronous_commit on), \(ProcessInfo.processInfo.activeProcessorCount) cores")

        // For profiling: settings given in LIAISON_BENCH_PG_SETTINGS ("log_min_duration_statement = 0; …") are
        // applied to the server, and its log is kept as liaison-bench-postgres.log in the temporary folder.
        let settings = ProcessInfo.processInfo.environment["LIAISON_BENCH_PG_SETTINGS"]
        if let settings {
            // Each applied before the next is set: a library's settings are known once it is loaded.
            for setting in settings.split(separator: ";") {
                try server.sql("ALTER SYSTEM SET \(setting)")
                try server.sql("SELECT pg_reload_conf()")
            }
        }
        defer {
            if settings != nil {
                let kept = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-bench-postgres.log")
                try? FileManager.default.removeItem(at: kept)
                try? FileManager.default.copyItem(at: server.folder.appendingPathComponent("server.log"), to: kept)
                print("PostgreSQL's log: \(kept.path)")
            }
        }
        let postgres = try measure(engine: "PostgreSQL", processes: processes, connections: connections, vendors: vendors, root: root,
                                   gnupg: gnupg, signingKey: signingKey, server: server, database: database)
        let sqlite = try measure(engine: "SQLite", processes: 1, connections: nil, vendors: vendors, root: root,
                                 gnupg: gnupg, signingKey: signingKey, server: server, database: nil)
        print(String(format: "postgres-send: PostgreSQL \(processes) processes × \(connections) connections %.1f msg/s, SQLite 1 process %.1f msg/s: "
                     + "PostgreSQL at %.2f× SQLite's rate; %@", postgres.rate, sqlite.rate, postgres.rate / sqlite.rate,
                     postgres.exact && sqlite.exact ? "every message sent exactly once on both" : "NOT exactly once (see above)"))
    }

    struct Figures {
        var rate: Double
        /// Every queued message received once, recorded `sent` with one `notification.sent` event.
        var exact: Bool
    }

    /// Prepares a workspace on one engine, runs `processes` `liaison send` at once (`--concurrency connections`, or
    /// the default), prints the rate and the checks.
    static func measure(engine: String, processes: Int, connections: Int?, vendors: Int, root: URL, gnupg: GnuPGHome,
                        signingKey: String, server: PostgresServer, database: PostgresServer.Database?) throws -> Figures {
        let store = database.map { "store:\n  url: \($0.url)\n  password_env: \(passwordVariable)\n  tls: none\n" }
        let folder = root.appendingPathComponent(engine.lowercased())
        // smtp-sink creates and removes a temporary file for every message it dumps. On a disk file system
        // that costs it as much processor time as a sender spends per message, and it varies with the file
        // system's history; in memory (/dev/shm) it is small and the same for both engines.
        let memory = URL(fileURLWithPath: "/dev/shm")
        let sinkFolder = (access(memory.path, W_OK) == 0 ? memory : folder)
            .appendingPathComponent("liaison-bench-sink-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: sinkFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: sinkFolder) }
        chmod(folder.path, 0o755)
        chmod(sinkFolder.path, 0o777)
        let dump = sinkFolder.appendingPathComponent("received")
        let sink = try SMTPSinkProcess.start(options: ["-D", dump.path, "-S", messageMark])
        defer { sink.stop() }
        let workspace = folder.appendingPathComponent("workspace")
        try makeWorkspace(workspace, vendors: vendors, gnupg: gnupg, signingKey: signingKey, smtpPort: sink.port, store: store)
        let environment = [passwordVariable: server.password]
        // Each step's time: what a coordinator waits for on this engine before anything is sent.
        var steps: [String] = []
        for (label, args) in [("directory sync", ["directory", "sync"]),
                              ("case open", ["case", "open", caseId, "--title", "Benchmark", "--origin", "jvn-jp", "--due", "2030-01-15"]),
                              ("case add", ["case", "add", caseId, "--technology", "tls"]),
                              ("notify", ["notify", caseId, "--template", "vendor-initial"])] {
            let stepStart = Date()
            let result = try runLiaison(args, workspace: workspace, environment: environment)
            guard result.status == 0 else {
                throw SigningBenchmark.Failure(description: "\(engine): liaison \(args.joined(separator: " ")) exited \(result.status): \(result.stderr)")
            }
            steps.append(String(format: "%@ %.2f s", label, Date().timeIntervalSince(stepStart)))
        }
        let queued = Set(try outbox(workspace, environment: environment).compactMap { $0["messageId"] as? String })
        print(String(format: "  %@: %d messages queued (%@)", engine, queued.count, steps.joined(separator: ", ")))

        let concurrency = connections.map { ["--concurrency", String($0)] } ?? []
        // PostgreSQL's write volume: the WAL the sends wrote (the server's whole WAL: nothing else writes meanwhile).
        let walBefore = try database.map { _ in try server.sql("SELECT pg_current_wal_lsn()").trimmingCharacters(in: .whitespacesAndNewlines) }
        let busyBefore = SpawnedProcess.machineBusySeconds()
        let start = Date()
        let senders = try (0..<processes).map { index in
            try SpawnedProcess(try LiaisonExecutable.url().path, ["send"] + concurrency, workspace: workspace,
                               environment: environment, output: folder.appendingPathComponent("send-\(index)"))
        }
        let statuses = senders.map { $0.wait() }
        let seconds = Date().timeIntervalSince(start)
        let busy = SpawnedProcess.machineBusySeconds() - busyBefore
        let senderCPU = senders.map(\.cpuSeconds).reduce(0, +)
        let walBytes = try walBefore.map { before in
            Int(try server.sql("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '\(before)')::bigint")
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        var sent = 0
        for (sender, status) in zip(senders, statuses) {
            let line = sender.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if status != 0 || !sender.stderr.isEmpty {
                print("  \(engine): a send exited \(status): \(line) \(sender.stderr)")
            }
            if let match = line.firstMatch(of: /^sent (\d+),/) { sent += Int(match.1) ?? 0 }
        }
        // Every message accepted by the sink has been dumped by the time its DATA was answered.
        let received = receivedMessageIDs(dump)
        let counts = Dictionary(received.map { ($0, 1) }, uniquingKeysWith: +)
        let lost = queued.subtracting(counts.keys).count
        let doubled = counts.values.reduce(0) { $0 + max(0, $1 - 1) }
        let unknown = Set(counts.keys).subtracting(queued).count
        let rows = try outbox(workspace, environment: environment)
        let notSent = rows.filter { $0["state"] as? String != "sent" }.count
        let events = try sentEvents(workspace: workspace, database: database, server: server)
        let wire = sent == queued.count && lost == 0 && doubled == 0 && unknown == 0
        let recorded = notSent == 0 && events.count == queued.count && events.messages == queued.count
        let exact = wire && recorded
        let label = connections.map { "\(processes) processes × \($0) connections" } ?? "\(processes) process, default connections"
        print(String(format: "  %@, %@: %6d messages in %6.2f s = %7.1f msg/s", engine, label, sent, seconds, Double(sent) / seconds)
              + (walBytes.map { String(format: "; %.0f bytes of WAL per message", Double($0) / Double(max(1, sent))) } ?? ""))
        print(String(format: "  %@: processor time %.2f s in the send processes, %.2f s on the whole machine (%.0f µs a message)",
                     engine, senderCPU, busy, busy * 1_000_000 / Double(max(1, sent))))
        print("  \(engine): received \(received.count), lost \(lost), doubled \(doubled), unknown \(unknown); "
              + "outbox not sent \(notSent); notification.sent events \(events.count) for \(events.messages) messages"
              + (exact ? " — exactly once" : " — NOT exactly once"))
        return Figures(rate: Double(sent) / seconds, exact: exact)
    }

    /// The line smtp-sink writes before each message it dumps (`-S`).
    static let messageMark = "==liaison-bench message==\\n"

    /// The Message-ID of each message in smtp-sink's dump, in the order received (the first Message-ID header of
    /// each: the message's own, before its body).
    static func receivedMessageIDs(_ dump: URL) -> [String] {
        guard let text = try? String(contentsOf: dump, encoding: .utf8) else { return [] }
        return text.components(separatedBy: "==liaison-bench message==\n").dropFirst().map { message in
            for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.isEmpty || line == "\r" { break }    // the end of the headers
                guard let colon = line.firstIndex(of: ":"),
                      line[..<colon].caseInsensitiveCompare("Message-ID") == .orderedSame else { continue }
                return line[line.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " \t\r<>"))
            }
            return ""
        }
    }

    /// `notification.sent` events in the registry, and how many messages they name.
    static func sentEvents(workspace: URL, database: PostgresServer.Database?, server: PostgresServer) throws
        -> (count: Int, messages: Int) {
        let query = "SELECT count(*), count(DISTINCT objectId) FROM event WHERE action = 'notification.sent'"
        if let database {
            let fields = try server.sql(query, database: database.name).trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "|").compactMap { Int($0) }
            return (fields.first ?? -1, fields.last ?? -1)
        }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: workspace.appendingPathComponent(".liaison/registry.sqlite").path, configuration: configuration)
        return try queue.read { db in
            let row = try Row.fetchOne(db, sql: query)
            return (row?[0] ?? -1, row?[1] ?? -1)
        }
    }

    /// `liaison outbox --format json --all`, parsed.
    static func outbox(_ workspace: URL, environment: [String: String]) throws -> [[String: Any]] {
        let result = try runLiaison(["outbox", "--format", "json", "--all"], workspace: workspace, environment: environment)
        guard result.status == 0 else { throw SigningBenchmark.Failure(description: "liaison outbox: \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// liaison.yaml (sender, smtp-sink, GnuPG home, `store` when given), the repository's templates, our own
    /// organisation and `vendors` TLS product developers `vendor-NNNNN`, each with one `to` contact.
    static func makeWorkspace(_ root: URL, vendors: Int, gnupg: GnuPGHome, signingKey: String, smtpPort: Int,
                              store: String?) throws {
        let organizations = root.appendingPathComponent("Directory/organizations")
        for folder in [organizations, root.appendingPathComponent("Directory/keys"), root.appendingPathComponent("Templates"),
                       root.appendingPathComponent(".liaison")] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try Data("""
            sender:
              from: "JPCERT/CC Vulnerability Coordination <vuls@jpcert.example>"
              organization: jpcert-cc
              signing_key: \(signingKey)
            smtp:
              url: smtp://127.0.0.1:\(smtpPort)
              tls: none
            gnupg:
              home: \(gnupg.path)
            timezone: UTC
            \(store ?? "")
            """.utf8).write(to: root.appendingPathComponent("liaison.yaml"))
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Templates")
        for name in try FileManager.default.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
            try FileManager.default.copyItem(at: templates.appendingPathComponent(name), to: root.appendingPathComponent("Templates/\(name)"))
        }
        try Data(TemporaryWorkspace.organizationYAML(id: "jpcert-cc", name: "JPCERT/CC", kind: "national-csirt", technologies: [],
                                                     email: "vuls@jpcert.example").utf8)
            .write(to: organizations.appendingPathComponent("jpcert-cc.yaml"))
        for i in 0..<vendors {
            let id = String(format: "vendor-%05d", i)
            try Data(TemporaryWorkspace.organizationYAML(id: id).utf8).write(to: organizations.appendingPathComponent("\(id).yaml"))
        }
    }
}

/// A process started with posix_spawn, its output in files, waited for with waitpid: the moment it ends is
/// known at once (Foundation's `Process` notices it on a timer).
final class SpawnedProcess {
    let pid: pid_t
    let stdoutFile: URL
    let stderrFile: URL

    init(_ path: String, _ arguments: [String], workspace: URL, environment: [String: String], output: URL) throws {
        stdoutFile = output.appendingPathExtension("out")
        stderrFile = output.appendingPathExtension("err")
        var merged = ProcessInfo.processInfo.environment
        merged["LIAISON_WORKSPACE"] = workspace.path
        merged["LIAISON_ACTOR"] = "bench"
        merged["LC_ALL"] = "C.UTF-8"
        for (name, value) in environment { merged[name] = value }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw SigningBenchmark.Failure(description: "\(path) could not be started: \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
    }

    /// The processor time the process used (user and system, seconds), known once `wait()` returned.
    private(set) var cpuSeconds: Double = 0

    /// Waits for the end; returns the exit status (128 + the signal when killed).
    func wait() -> Int32 {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        cpuSeconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// The machine's busy processor time so far (seconds, every core, every process: /proc/stat's first line,
    /// user, nice, system, irq and softirq; not idle, iowait or time stolen by the hypervisor).
    static func machineBusySeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return 0 }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 5 else { return 0 }
        let busy = ticks.enumerated().filter { $0.offset != 3 && $0.offset != 4 && $0.offset < 7 }.map(\.element).reduce(0, +)
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }
}
