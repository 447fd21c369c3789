import Foundation

/// The real `liaison serve` started on a free loopback port for a workspace, as a team would run it.
///
/// ```swift
/// let server = try DeskServerProcess.start(workspace: workspace.root)
/// defer { server.stop() }
/// try DeskServerProcess.addUser("alice", role: "coordinator", password: "correct horse battery", workspace: workspace.root)
/// let client = DeskHTTPClient(base: server.baseURL)
/// try client.login(name: "alice", password: "correct horse battery")
/// let page = try client.get("/cases")
/// ```
///
/// Standard output and error go to files (read while it runs); the `listening on http://…` line gives the real
/// port. `stop()` sends SIGTERM to its process id and waits; the deinit kills it if a test forgot.
public final class DeskServerProcess: @unchecked Sendable {
    // Mutable state (`process`) is only touched from the test's own thread.
    public let baseURL: URL
    public let port: Int
    private let process: Process
    private let folder: URL

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    private init(process: Process, folder: URL, baseURL: URL, port: Int) {
        self.process = process; self.folder = folder; self.baseURL = baseURL; self.port = port
    }

    /// Starts `liaison serve --listen 127.0.0.1:0` in `workspace` and waits (up to `timeout` seconds) for its
    /// `listening on` line. `LIAISON_ACTOR` is `test` unless `environment` says otherwise. `launcher` runs the
    /// server under another program (`["/usr/bin/valgrind", "--tool=callgrind"]`): its process id is then the
    /// launcher's. `executable` replaces the built `liaison` (a copy of it without debug information, for valgrind).
    public static func start(workspace: URL, arguments: [String] = [], environment: [String: String] = [:],
                             timeout: TimeInterval = 30, launcher: [String] = [], executable: URL? = nil) throws -> DeskServerProcess {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-serve-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        let executable = try executable ?? LiaisonExecutable.url()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = launcher.dropFirst() + [executable.path, "serve", "--listen", "127.0.0.1:0"] + arguments
        } else {
            process.executableURL = executable
            process.arguments = ["serve", "--listen", "127.0.0.1:0"] + arguments
        }
        var merged = ProcessInfo.processInfo.environment
        merged["LIAISON_WORKSPACE"] = workspace.path
        merged["LIAISON_ACTOR"] = "test"
        merged["LC_ALL"] = "C.UTF-8"
        merged.removeValue(forKey: "LIAISON_LOG_LEVEL")
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.currentDirectoryURL = workspace
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
               let url = URL(string: String(line.dropFirst("listening on ".count))), let port = url.port {
                return DeskServerProcess(process: process, folder: folder, baseURL: url, port: port)
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = reap(process)
        let errors = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        throw DeskServerDidNotStart(stderr: errors)
    }

    /// What the server wrote on standard error so far.
    public var stderr: String { (try? String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }
    /// What the server wrote on standard output so far.
    public var stdout: String { (try? String(contentsOf: folder.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }

    /// Sends `signal` (SIGTERM by default) to the server's process id and waits up to `timeout` seconds for it to
    /// exit (then kills it); returns the seconds it took and its exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 10) -> (seconds: TimeInterval, status: Int32) {
        guard process.isRunning else { return (0, process.terminationStatus) }
        let start = Date()
        kill(process.processIdentifier, signal)
        while process.isRunning, Date().timeIntervalSince(start) < timeout { Thread.sleep(forTimeInterval: 0.01) }
        let seconds = Date().timeIntervalSince(start)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let status = Self.reap(process)
        return (seconds, status)
    }

    /// Waits for a process that was killed, at most 10 s: Foundation may miss the exit of a child that died while
    /// many others did (a zombie it never reaps, `waitUntilExit` waiting for ever), so the child is also reaped
    /// here by its process id. Returns its exit status (or the signal that ended it, as 128 + N), -1 if unknown.
    static func reap(_ process: Process) -> Int32 {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !process.isRunning { return process.terminationStatus }
            var status: Int32 = 0
            let pid = waitpid(process.processIdentifier, &status, WNOHANG)
            if pid == process.processIdentifier {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return -1
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = Self.reap(process)
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// `liaison user add NAME --role ROLE` with `password` on standard input; throws with its stderr when it fails.
    public static func addUser(_ name: String, role: String, password: String, workspace: URL,
                               environment: [String: String] = [:]) throws {
        let result = try runLiaison(["user", "add", name, "--role", role], workspace: workspace, environment: environment,
                                    input: Data((password + "\n").utf8))
        guard result.status == 0 else { throw DeskUserNotAdded(name: name, stderr: result.stderr) }
    }
}

/// `liaison serve` exited or printed no `listening on` line in time.
public struct DeskServerDidNotStart: Error, CustomStringConvertible {
    public let stderr: String
    public init(stderr: String) { self.stderr = stderr }
    public var description: String { "liaison serve did not start: \(stderr)" }
}

/// `liaison user add` failed.
public struct DeskUserNotAdded: Error, CustomStringConvertible {
    public let name: String
    public let stderr: String
    public var description: String { "liaison user add \(name) failed: \(stderr)" }
}
