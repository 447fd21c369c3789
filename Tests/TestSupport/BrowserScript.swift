import Foundation

/// Python Selenium scripts of Tests/DeskTests/Browser/, run with `python3` from PATH against Debian's headless
/// Chromium (/usr/bin/chromium, /usr/bin/chromedriver). A script prints one JSON object on standard output.
///
/// ```swift
/// let run = try BrowserScript.steps(base: server.baseURL, [
///     ["login": ["name": "alice", "password": "correct horse battery"]],
///     ["open": "/cases"],
///     ["text": "h1"],
///     ["screenshot": BrowserScript.artefact("cases.png").path],
/// ])
/// #expect(run.error == nil)
/// #expect(run.results[2] as? String == "Open cases")
/// ```
public enum BrowserScript {
    /// Whether Chromium and its driver are installed (the browser tests run only then).
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
    }

    /// Tests/DeskTests/Browser/ in the repository.
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DeskTests/Browser", isDirectory: true)

    /// Where test artefacts (screenshots) are kept: `.build/test-artefacts/` of the repository.
    public static func artefact(_ name: String) -> URL {
        folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/test-artefacts", isDirectory: true).appendingPathComponent(name)
    }

    /// Runs `python3 <folder>/<script> arguments…` (stopped by its process id after `timeout` seconds) and
    /// returns the JSON object it printed. Throws `BrowserScriptFailed` with its stderr when it prints none.
    public static func run(script: String, arguments: [String], timeout: TimeInterval = 180) throws -> [String: Any] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-browser-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let outURL = work.appendingPathComponent("stdout"), errURL = work.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", folder.appendingPathComponent(script).path] + arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["HOME"] = work.path  // Chromium's and Selenium's caches stay in the throwaway folder
        environment["SE_AVOID_STATS"] = "true"
        environment["SE_OFFLINE"] = "true"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let stdout = (try? Data(contentsOf: outURL)) ?? Data()
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        guard let line = String(decoding: stdout, as: UTF8.self).split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw BrowserScriptFailed(status: process.terminationStatus, stderr: stderr)
        }
        return object
    }

    /// What `steps` saw: one result per step (language steps excluded), and the first failure.
    public struct StepsRun: @unchecked Sendable {
        // Results are JSON values (String, NSNumber, Bool, arrays), read once by the test.
        public let results: [Any]
        public let error: String?

        /// The result of step `index` as text.
        public func text(_ index: Int) -> String? { index < results.count ? results[index] as? String : nil }
        /// The result of step `index` as a number.
        public func int(_ index: Int) -> Int? { index < results.count ? (results[index] as? NSNumber)?.intValue : nil }
        /// The result of step `index` as a flag.
        public func bool(_ index: Int) -> Bool? { index < results.count ? (results[index] as? NSNumber)?.boolValue : nil }
    }

    /// Runs steps.py: `steps` as described there (login, open, fill, submit, text, count, alert, screenshot…).
    public static func steps(base: URL, _ steps: [[String: Any]]) throws -> StepsRun {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-steps-\(UUID().uuidString.prefix(8)).json")
        try JSONSerialization.data(withJSONObject: steps).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let base = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        let object = try run(script: "steps.py", arguments: [base, file.path])
        return StepsRun(results: object["results"] as? [Any] ?? [], error: object["error"] as? String)
    }
}

/// A browser script printed no JSON.
public struct BrowserScriptFailed: Error, CustomStringConvertible {
    public let status: Int32
    public let stderr: String
    public var description: String { "the browser script failed (exit \(status)): \(stderr.suffix(2000))" }
}
