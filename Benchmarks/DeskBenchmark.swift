import Foundation
import Gateway
import Registry
import TestSupport

/// `liaison-bench desk`: the case page of a case with 2,000 vendors, served by the real `liaison serve`, under
/// `wrk -t4 -c16 -d10s --latency` with a logged-in session. Prints p50, p99 and requests per second, and whether
/// p99 meets the target of 100 ms.
enum DeskBenchmark {
    static let vendors = 2_000
    static let target = 0.100

    static func run() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            print("desk: wrk is not installed (apt-get install wrk)")
            return
        }
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let started = Date()
        let store = try RegistryStore(path: workspace.root.appendingPathComponent(".liaison/registry.sqlite").path)
        try BenchmarkVendors.insert(into: store, count: vendors, digits: 4)
        let caseId = "JVNVU#90000001"
        var book = CaseBook(store: store, actor: "bench")
        book.origins = WorkspaceConfiguration.Cases.shippedOrigins
        try book.open(id: caseId, title: "TLS certificate check bypass", origin: "jvn-jp", due: "2031-03-31")
        try book.addParticipants(caseId: caseId, technologies: ["tls"])
        // A case under way: a fifth of the vendors have answered, some with a statement.
        for i in stride(from: 0, to: vendors, by: 5) {
            try book.setResponse(caseId: caseId, organizationId: String(format: "vendor-%04d", i),
                                 response: i % 10 == 0 ? .fixed : .acknowledged, statement: i % 10 == 0 ? "fixed in 2.\(i)" : nil)
        }
        print(String(format: "desk: workspace with a case of %d vendors built in %.1f s", vendors, Date().timeIntervalSince(started)))
        try DeskServerProcess.addUser("bench", role: "coordinator", password: "a password for the benchmark", workspace: workspace.root)
        let server = try DeskServerProcess.start(workspace: workspace.root)
        defer { server.stop() }
        let client = DeskHTTPClient(base: server.baseURL)
        try client.login(name: "bench", password: "a password for the benchmark")
        let path = "/cases/JVNVU%2390000001"
        let page = try client.get(path)
        guard page.status == 200, page.body.contains("vendor-1999") else {
            print("desk: the case page did not render (HTTP \(page.status))")
            return
        }
        print("desk: case page \(page.body.utf8.count / 1024) KiB, \(vendors) rows")
        let cookie = "liaison_session=\(client.cookies["liaison_session"] ?? "")"
        let url = server.baseURL.absoluteString + path
        let wrk = Process()
        wrk.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        wrk.arguments = ["-t4", "-c16", "-d10s", "--latency", "-H", "Cookie: \(cookie)", url]
        let output = Pipe()
        wrk.standardOutput = output
        wrk.standardError = FileHandle.standardError
        try wrk.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        wrk.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        func latency(_ label: String) -> Double? {
            guard let line = text.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }),
                  let value = line.split(separator: " ").last else { return nil }
            return seconds(String(value))
        }
        let p50 = latency("50%"), p99 = latency("99%")
        let rate = text.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }.flatMap { Double($0.split(separator: " ").last ?? "") }
        let errors = text.split(separator: "\n").filter { $0.contains("Non-2xx") || $0.contains("Socket errors") }
        print(String(format: "desk: case page of %d vendors, wrk -t4 -c16 -d10s: p50 %.1f ms, p99 %.1f ms, %.1f requests/s",
                     vendors, (p50 ?? .nan) * 1000, (p99 ?? .nan) * 1000, rate ?? .nan))
        errors.forEach { print("desk: \($0.trimmingCharacters(in: .whitespaces))") }
        if let p99 {
            print(p99 < target ? "desk: p99 < 100 ms: target met" : String(format: "desk: p99 %.1f ms ≥ 100 ms: target missed", p99 * 1000))
        }
    }

    /// wrk's `12.34ms`, `1.20s`, `850.00us` in seconds.
    static func seconds(_ text: String) -> Double? {
        for (suffix, scale) in [("us", 1e-6), ("ms", 1e-3), ("s", 1.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }
}
