import Foundation

/// Runs the built `liaison` executable, as a user would, and returns its exit status and output.
///
/// The workspace is given through `LIAISON_WORKSPACE` and as the working directory; `environment` adds to (or
/// overrides) the test process's environment. `swift build --build-tests` builds the executable beside the
/// test bundle.
public func runLiaison(_ args: [String], workspace: URL?, environment: [String: String] = [:], input: Data? = nil) throws
    -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = try LiaisonExecutable.url()
    process.arguments = args
    var merged = ProcessInfo.processInfo.environment
    merged.removeValue(forKey: "LIAISON_WORKSPACE")
    merged["LIAISON_ACTOR"] = "test"
    merged["LC_ALL"] = "C.UTF-8"
    if let workspace {
        merged["LIAISON_WORKSPACE"] = workspace.path
        process.currentDirectoryURL = workspace
    }
    for (name, value) in environment { merged[name] = value }
    process.environment = merged
    let result = try CapturedProcess.run(process, input: input)
    return (result.status, result.stdout, result.stderr)
}

/// Where the `liaison` executable is: in the products folder that also holds the test bundle.
public enum LiaisonExecutable {
    public static func url() throws -> URL {
        let starts = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments.first ?? ".")]
            + Bundle.allBundles.map(\.bundleURL)
        for start in starts {
            var folder = start.standardizedFileURL
            for _ in 0..<6 {
                let candidate = folder.appendingPathComponent("liaison")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   FileManager.default.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                folder.deleteLastPathComponent()
            }
        }
        throw LiaisonExecutableMissing()
    }
}

/// The executable was not built: the tests need `swift build --build-tests` first.
public struct LiaisonExecutableMissing: Error, CustomStringConvertible {
    public var description: String {
        "The liaison executable was not found beside the test bundle; run `swift build --build-tests` before `swift test`."
    }
}

/// Runs a process to its end, draining stdout and stderr on their own threads.
enum CapturedProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ process: Process, input: Data? = nil) throws -> Result {
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            try stdin.fileHandleForWriting.write(contentsOf: input)
            try stdin.fileHandleForWriting.close()
        }
        let errorDone = DispatchSemaphore(value: 0)
        let errorData = LockedData()
        Thread(block: {
            errorData.set(stderr.fileHandleForReading.readDataToEndOfFile())
            errorDone.signal()
        }).start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        errorDone.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: errorData.get(), as: UTF8.self))
    }
}

/// Data handed from a reader thread to the waiting one.
private final class LockedData: @unchecked Sendable {
    // Every access holds the lock.
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
