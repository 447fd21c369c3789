import Foundation

/// Runs `path` with `args` to completion, feeding `input` to its standard input and collecting both outputs.
///
/// stdin is written and stdout/stderr are read on separate threads, so a child that fills one pipe while we
/// wait on another never deadlocks. `environment` entries are added to (and override) the inherited
/// environment. SIGPIPE is ignored in the test process so a child that exits without reading its input
/// cannot kill it. The status is the exit code, or 128 + the signal number when a signal ended the process;
/// stderr is decoded as UTF-8 with invalid bytes replaced.
///
/// ```swift
/// let result = try runProcess("/usr/bin/gpg", ["--version"])
/// #expect(result.status == 0)
/// ```
@discardableResult
public func runProcess(_ path: String, _ args: [String], input: Data? = nil,
                       environment: [String: String] = [:]) throws -> (status: Int32, stdout: Data, stderr: String) {
    _ = ignoreSIGPIPE
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = args
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    let stdinPipe = Pipe(), stdoutPipe = Pipe(), stderrPipe = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : stdinPipe
    process.standardOutput = stdoutPipe
    process.standardError = stderrPipe
    try process.run()

    let group = DispatchGroup()
    let stdout = PipeContents(), stderr = PipeContents()
    if let input {
        let writer = stdinPipe.fileHandleForWriting
        DispatchQueue.global().async(group: group) {
            // A child may exit without reading all of it; EPIPE is then expected and harmless.
            try? writer.write(contentsOf: input)
            try? writer.close()
        }
    }
    let stdoutReader = stdoutPipe.fileHandleForReading
    DispatchQueue.global().async(group: group) { stdout.data = stdoutReader.readDataToEndOfFile() }
    stderr.data = stderrPipe.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()

    let status = process.terminationReason == .uncaughtSignal
        ? 128 + process.terminationStatus : process.terminationStatus
    return (status, stdout.data, String(decoding: stderr.data, as: UTF8.self))
}

/// Set once per test process; a `static let`-style global is initialised exactly once, atomically.
private let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

/// The bytes read from one pipe by one reader thread.
///
/// `@unchecked Sendable` is safe: `data` is written by exactly one reader closure, and read only after
/// `DispatchGroup.wait()` returns, which orders that write before the read.
private final class PipeContents: @unchecked Sendable {
    var data = Data()
}
