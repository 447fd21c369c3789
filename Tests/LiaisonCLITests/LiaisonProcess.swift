import Foundation
import TestSupport

/// What a finished `liaison` run left: its exit status (128 + N when signal N ended it) and its output.
struct LiaisonRun: Sendable {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String

    /// The lines written on standard error.
    var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
    /// The lines written on standard output.
    var outputLines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// The `liaison` executable started in the background, so a test can run two at once or kill one by its pid.
///
/// Standard output and error go to files (nothing to drain while it runs); standard input is `input`, else
/// /dev/null, so the command never sees a terminal.
final class LiaisonProcess {
    let arguments: [String]
    private let process = Process()
    private let folder: URL

    init(_ arguments: [String], workspace: URL, input: Data? = nil, environment extra: [String: String] = [:]) throws {
        self.arguments = arguments
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["stdout", "stderr", "stdin"] {
            try (name == "stdin" ? input ?? Data() : Data()).write(to: folder.appendingPathComponent(name))
        }
        process.executableURL = try LiaisonExecutable.url()
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LIAISON_WORKSPACE"] = workspace.path
        environment["LIAISON_ACTOR"] = "test"
        environment["LC_ALL"] = "C.UTF-8"
        environment.removeValue(forKey: "LIAISON_LOG_LEVEL")
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.currentDirectoryURL = workspace
        process.standardInput = input == nil ? FileHandle.nullDevice
            : try FileHandle(forReadingFrom: folder.appendingPathComponent("stdin"))
        process.standardOutput = try FileHandle(forWritingTo: folder.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("stderr"))
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    var pid: Int32 { process.processIdentifier }

    /// What the process has written on standard error so far.
    var stderrSoFar: String {
        String(decoding: (try? Data(contentsOf: folder.appendingPathComponent("stderr"))) ?? Data(), as: UTF8.self)
    }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` to this process (by its pid, nothing else).
    func send(signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the end of the process; past `timeout` it is killed and the wait throws.
    func wait(timeout: TimeInterval = 120) throws -> LiaisonRun {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw LiaisonTimedOut(arguments: arguments, timeout: timeout)
        }
        process.waitUntilExit()   // reaped: its pid is gone, so a lease it held can be taken over
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        let read = { (name: String) in
            String(decoding: (try? Data(contentsOf: self.folder.appendingPathComponent(name))) ?? Data(), as: UTF8.self)
        }
        return LiaisonRun(arguments: arguments, status: status, stdout: read("stdout"), stderr: read("stderr"))
    }
}

/// A `liaison` run did not end in time.
struct LiaisonTimedOut: Error, CustomStringConvertible {
    let arguments: [String]
    let timeout: TimeInterval
    var description: String { "liaison \(arguments.joined(separator: " ")) did not finish within \(timeout) s and was killed" }
}

/// Polls `condition` until it holds; false when `timeout` passes first.
func waitUntil(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return try condition()
}
