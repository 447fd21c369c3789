import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL server for the tests: `initdb` in a temporary folder, `postgres` on a free loopback port
/// and a Unix socket in its own folder (`socketFolder`), password (SCRAM) authentication for the superuser `liaison`.
///
/// One server per test process, started on first use (`PostgresServer.shared()`) and shared by every suite; each
/// test takes a fresh database of its own (`makeDatabase()`), so suites stay independent and run in parallel. The
/// server is stopped by its process id when the test process exits, and by a small watchdog process should the
/// test process die first; its folder is removed.
///
/// PostgreSQL refuses to run as root: when the tests run as root (CI), the server runs as `nobody` (65534) through
/// `setpriv`, and its folder is theirs. Binaries come from `/usr/lib/postgresql/<newest>/bin` (Debian), else PATH.
///
/// ```swift
/// let server = try PostgresServer.shared()
/// let database = try server.makeDatabase()
/// // postgresql://liaison@127.0.0.1:PORT/NAME, password server.password
/// ```
public final class PostgresServer: Sendable {
    /// The superuser's name and password.
    public let user = "liaison"
    public let password: String
    public let port: Int
    /// The folder holding the data directory and the server's log.
    public let folder: URL
    /// The folder of the server's Unix socket (`.s.PGSQL.PORT`), as libpq's `host=` names it.
    public var socketFolder: URL { folder.appendingPathComponent("socket", isDirectory: true) }
    /// The postmaster's process id.
    public let pid: Int32
    let binaries: URL

    /// A database of one test.
    public struct Database: Sendable {
        public let name: String
        /// `postgresql://liaison@127.0.0.1:PORT/NAME` (no password in it).
        public let url: String
    }

    /// The process's server, started on first call. Throws when PostgreSQL is not installed or does not start.
    public static func shared() throws -> PostgresServer {
        try sharedServer.get()
    }

    private static let sharedServer: Result<PostgresServer, any Error> = {
        let result = Result { try PostgresServer.start() }
        if case .success = result { atexit { PostgresServer.stopSharedAtExit() } }
        return result
    }()

    private static func stopSharedAtExit() {
        if case .success(let server) = sharedServer { server.stopByPID() }
    }

    private init(password: String, port: Int, folder: URL, pid: Int32, binaries: URL) {
        self.password = password
        self.port = port
        self.folder = folder
        self.pid = pid
        self.binaries = binaries
    }

    /// The folder of PostgreSQL's programs: the newest `/usr/lib/postgresql/N/bin`, else the folder of `initdb`
    /// on PATH.
    static func binaryFolder() throws -> URL {
        let debian = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: debian.path)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions {
            let bin = debian.appendingPathComponent("\(version)/bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let bin = URL(fileURLWithPath: String(folder))
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path)
                && FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("pg_ctl").path) {
                return bin
            }
        }
        throw PostgresServerError("PostgreSQL's initdb was found neither in /usr/lib/postgresql/*/bin nor on PATH: install the Debian package postgresql (scripts/setup)")
    }

    /// Whether the server runs as another user: root may not run PostgreSQL.
    static var runsAsNobody: Bool { getuid() == 0 }

    /// `arguments` run as the server's user (nobody when the tests run as root).
    static func asServerUser(_ program: URL, _ arguments: [String]) -> (String, [String]) {
        if runsAsNobody {
            return ("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", program.path] + arguments)
        }
        return (program.path, arguments)
    }

    /// A server of the caller's own, not the shared one; the caller stops it (`stop()`), and the watchdog does should
    /// the process die first. `durable` keeps PostgreSQL's defaults — `fsync`, `synchronous_commit` and
    /// `full_page_writes` on, so every commit is on disk before it returns, as SQLite's are — for benchmarks;
    /// otherwise the tests' settings (none of them: faster, and nothing survives a crash of the machine).
    public static func startDedicated(durable: Bool) throws -> PostgresServer {
        try start(durable: durable)
    }

    private static func start(durable: Bool = false) throws -> PostgresServer {
        let binaries = try binaryFolder()
        let folder = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("liaison-pg-\(UUID().uuidString.prefix(12))", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let socketFolder = folder.appendingPathComponent("socket")
        try FileManager.default.createDirectory(at: socketFolder, withIntermediateDirectories: true)
        let password = UUID().uuidString
        let passwordFile = folder.appendingPathComponent("password")
        try Data(password.utf8).write(to: passwordFile)
        if runsAsNobody {
            for path in [folder.path, socketFolder.path, passwordFile.path] { chown(path, 65534, 65534) }
        }
        chmod(folder.path, 0o700)
        chmod(passwordFile.path, 0o600)
        let data = folder.appendingPathComponent("data")
        let (initdb, initArguments) = asServerUser(binaries.appendingPathComponent("initdb"), [
            "-D", data.path, "-U", "liaison", "--pwfile", passwordFile.path, "--auth", "scram-sha-256",
            "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync",
        ])
        let initialized = try runProcess(initdb, initArguments)
        guard initialized.status == 0 else {
            try? FileManager.default.removeItem(at: folder)
            throw PostgresServerError("initdb failed (\(initialized.status)): \(initialized.stderr)")
        }
        // A port chosen free, then given to the server; tried again should another process take it meanwhile.
        var lastError = ""
        for _ in 0..<5 {
            let port = try LoopbackPort(listening: false).port
            let log = folder.appendingPathComponent("server.log")
            let options = "-p \(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories='\(socketFolder.path)' -c max_connections=400 "
                + (durable ? "" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB")
            let (pgctl, arguments) = asServerUser(binaries.appendingPathComponent("pg_ctl"),
                                                  ["start", "-D", data.path, "-l", log.path, "-w", "-t", "60", "-o", options])
            // Not through pipes: the server pg_ctl leaves running would hold them open, and reading them would
            // never end.
            let output = folder.appendingPathComponent("pg_ctl.out")
            let started = try runToFile(pgctl, arguments, output: output)
            if started == 0, let pid = postmasterPID(data: data) {
                let server = PostgresServer(password: password, port: port, folder: folder, pid: pid, binaries: binaries)
                server.startWatchdog()
                return server
            }
            lastError = ((try? String(contentsOf: output, encoding: .utf8)) ?? "") + ((try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        try? FileManager.default.removeItem(at: folder)
        throw PostgresServerError("PostgreSQL did not start: \(lastError)")
    }

    /// Runs `path` to its end with its output in the file `output`; returns its exit status. Spawned and waited
    /// for directly (posix_spawn, waitpid): `pg_ctl start` leaves the server running in the background with
    /// descriptors of its own, which must not hold up the wait. The child gets no other descriptor of the test
    /// process: the server lives as long as the tests, and a pipe it inherited from another test's child (gpg's
    /// output, opened on another thread at that moment) would never reach its end, and that test would wait for
    /// ever.
    static func runToFile(_ path: String, _ arguments: [String], output: URL) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o666)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard closeFrom(3, in: &actions) else {
            throw PostgresServerError("\(path) cannot be started without the test process's other descriptors: this C library has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later)")
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw PostgresServerError("\(path) could not be started: \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Adds "close every descriptor from `first` on" to `actions`: glibc's `posix_spawn_file_actions_addclosefrom_np`
    /// (2.34), looked up at run time since Swift's Glibc module does not declare it. False when it is missing.
    static func closeFrom(_ first: Int32, in actions: inout posix_spawn_file_actions_t) -> Bool {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return false }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, first) == 0
    }

    /// The first line of `postmaster.pid`.
    static func postmasterPID(data: URL) -> Int32? {
        guard let text = try? String(contentsOf: data.appendingPathComponent("postmaster.pid"), encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// A process that stops the server by its id and removes its folder once this test process is gone, however
    /// it ended (a crash skips `atexit`).
    private func startWatchdog() {
        let script = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            kill -INT \(pid) 2>/dev/null
            for i in $(seq 1 100); do kill -0 \(pid) 2>/dev/null || break; sleep 0.1; done
            kill -KILL \(pid) 2>/dev/null
            rm -rf '\(folder.path)'
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        watchdog.arguments = ["/bin/sh", "-c", script]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try? watchdog.run()
    }

    /// Stops the server: `pg_ctl stop` (fast) with its data folder, then its process id should it still run;
    /// removes its folder.
    public func stop() {
        let (pgctl, arguments) = Self.asServerUser(binaries.appendingPathComponent("pg_ctl"),
                                                   ["stop", "-D", folder.appendingPathComponent("data").path, "-m", "fast", "-w", "-t", "30"])
        _ = try? Self.runToFile(pgctl, arguments, output: folder.appendingPathComponent("pg_ctl.out"))
        stopByPID()
    }

    /// SIGINT (PostgreSQL's fast shutdown) to the postmaster, SIGKILL after 10 s, then the folder removed.
    func stopByPID() {
        if kill(pid, 0) == 0 {
            kill(pid, SIGINT)
            let deadline = Date().addingTimeInterval(10)
            while kill(pid, 0) == 0 && Date() < deadline { usleep(50_000) }
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// A new, empty database owned by `liaison`, for one test.
    public func makeDatabase() throws -> Database {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20).lowercased()
        try sql("CREATE DATABASE \(name)")
        return Database(name: name, url: "postgresql://\(user)@127.0.0.1:\(port)/\(name)")
    }

    /// Runs `statement` as the superuser with psql (in `database`, `postgres` by default); returns its output,
    /// unaligned, one row per line.
    @discardableResult
    public func sql(_ statement: String, database: String = "postgres") throws -> String {
        let result = try runProcess(binaries.appendingPathComponent("psql").path, [
            "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", database,
            "-c", statement,
        ], environment: ["PGPASSWORD": password, "PGCONNECT_TIMEOUT": "10"])
        guard result.status == 0 else {
            throw PostgresServerError("psql \(statement): \(result.stderr)")
        }
        return String(decoding: result.stdout, as: UTF8.self)
    }
}

/// The test server could not be found, started or used.
public struct PostgresServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
