import Foundation

/// Runs `gpg` with arguments and standard input, collecting its output. Internal to the GnuPG-backed
/// inspector and importer.
struct GnuPGCommand: Sendable {
    var executable: String

    struct Output {
        var status: Int32
        var standardOutput: Data
        var standardError: String
    }

    func run(_ arguments: [String], input: Data = Data()) throws(RegistryError) -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        environment.removeValue(forKey: "GPG_AGENT_INFO")
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw .gnupg("GnuPG (\(executable)) cannot be started: \(error.localizedDescription)")
        }
        // Pipes are drained on their own threads so that a large output never blocks gpg while we write.
        let collected = PipeCollector(stdout.fileHandleForReading, stderr.fileHandleForReading)
        let writer = Thread(block: {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        })
        writer.start()
        process.waitUntilExit()
        let (out, err) = collected.wait()
        return Output(status: process.terminationStatus, standardOutput: out,
                      standardError: String(decoding: err, as: UTF8.self))
    }

    /// The last meaningful line of gpg's diagnostics, for an error message.
    static func reason(_ standardError: String) -> String {
        let lines: [String] = standardError.split(separator: "\n").map { String($0).replacingOccurrences(of: "gpg: ", with: "") }
        let useful = lines.filter { !$0.contains("no gpg-agent running") && !$0.contains("trustdb") && !$0.contains("keybox") }
        return useful.last ?? lines.last ?? "no message"
    }
}

/// Reads two pipes to their end on background threads.
private final class PipeCollector: Sendable {
    private let outDone = DispatchSemaphore(value: 0)
    private let errDone = DispatchSemaphore(value: 0)
    // Written once by each reader thread before its semaphore is signalled, read only after waiting on it,
    // so the semaphores order every access.
    private nonisolated(unsafe) var out = Data()
    private nonisolated(unsafe) var err = Data()

    init(_ outHandle: FileHandle, _ errHandle: FileHandle) {
        Thread(block: { [self] in
            out = outHandle.readDataToEndOfFile()
            outDone.signal()
        }).start()
        Thread(block: { [self] in
            err = errHandle.readDataToEndOfFile()
            errDone.signal()
        }).start()
    }

    func wait() -> (Data, Data) {
        outDone.wait()
        errDone.wait()
        return (out, err)
    }
}

/// A temporary, empty GnuPG home, removed when done: `show-only` still wants one, and the user's must not be
/// touched.
struct ScratchGnuPGHome {
    let path: String

    init() throws(RegistryError) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-gpg-\(UUID().uuidString.prefix(12))")
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .gnupg("A temporary GnuPG home cannot be created in \(url.deletingLastPathComponent().path): \(error.localizedDescription)")
        }
        path = url.path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
