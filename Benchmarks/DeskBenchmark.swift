import Foundation
import Gateway
import Registry
import TestSupport

/// `liaison-bench desk [--no-callgrind]`: the case page of a case with 2,000 vendors, served by the real
/// `liaison serve`, with a logged-in session. Prints:
///
/// - **steady state**: `wrk -t4 -c16 -d10s --latency` while nothing changes (the desk serves the page's content it
///   keeps while the store does not change): p50, p99, requests per second, and whether p99 meets the target of
///   100 ms — the target is judged on this figure;
/// - **cold**: 100 sequential requests, each after a write committed by this (other) process — a response set, as
///   `liaison case set` does — so that each one reads the store and makes the page afresh: p50 and p99;
/// - **callgrind**: instructions per request of the server for both (the same server run under
///   `valgrind --tool=callgrind`, counters zeroed and dumped around the requests with `callgrind_control`): unlike
///   the times, these counts do not depend on what else the machine is doing. Skipped with `--no-callgrind` or when
///   valgrind is not installed.
///
/// The times depend on the machine's load: the 1-minute load average is printed beside them.
enum DeskBenchmark {
    static let vendors = 2_000
    static let target = 0.100
    static let coldRequests = 100
    static let callgrindSteadyRequests = 20
    static let callgrindColdRequests = 10
    static let caseId = "JVNVU#90000001"
    static let path = "/cases/JVNVU%2390000001"
    static let password = "a password for the benchmark"

    static func run(arguments: [String] = []) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            print("desk: wrk is not installed (apt-get install wrk)")
            return
        }
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        let started = Date()
        let store = try RegistryStore(path: workspace.root.appendingPathComponent(".liaison/registry.sqlite").path)
        try BenchmarkVendors.insert(into: store, count: vendors, digits: 4)
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
        try DeskServerProcess.addUser("bench", role: "coordinator", password: password, workspace: workspace.root)

        // A write by another process, as `liaison case set` makes: the desk must make the page afresh after it.
        var writes = 0
        func write() throws {
            writes += 1
            try book.setResponse(caseId: caseId, organizationId: "vendor-0001", response: writes % 2 == 0 ? .acknowledged : .investigating,
                                 statement: "write \(writes)")
        }

        do {
            let server = try DeskServerProcess.start(workspace: workspace.root)
            defer { server.stop() }
            let client = DeskHTTPClient(base: server.baseURL)
            try client.login(name: "bench", password: password)
            let page = try client.get(path)
            guard page.status == 200, page.body.contains("vendor-1999") else {
                print("desk: the case page did not render (HTTP \(page.status))")
                return
            }
            print("desk: case page \(page.body.utf8.count / 1024) KiB, \(vendors) rows")
            try steadyState(server: server, client: client)
            try cold(server: server, client: client, write: write)
        }
        if arguments.contains("--no-callgrind") { return }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/valgrind"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/callgrind_control"),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/objcopy") else {
            print("desk: callgrind: valgrind or objcopy is not installed (apt-get install valgrind binutils)")
            return
        }
        try callgrind(workspace: workspace.root, write: write)
    }

    /// wrk against the page while nothing changes.
    static func steadyState(server: DeskServerProcess, client: DeskHTTPClient) throws {
        let cookie = "liaison_session=\(client.cookies["liaison_session"] ?? "")"
        let url = server.baseURL.absoluteString + path
        let wrk = Process()
        wrk.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        wrk.arguments = ["-t4", "-c16", "-d10s", "--latency", "-H", "Cookie: \(cookie)", url]
        let output = Pipe()
        wrk.standardOutput = output
        wrk.standardError = FileHandle.standardError
        let load = loadAverage()
        let cpuBefore = cpuSeconds(pid: server.pid)
        try wrk.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        wrk.waitUntilExit()
        let cpu = cpuSeconds(pid: server.pid) - cpuBefore
        let text = String(decoding: data, as: UTF8.self)
        func latency(_ label: String) -> Double? {
            guard let line = text.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }),
                  let value = line.split(separator: " ").last else { return nil }
            return seconds(String(value))
        }
        let p50 = latency("50%"), p99 = latency("99%")
        let rate = text.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }.flatMap { Double($0.split(separator: " ").last ?? "") }
        let errors = text.split(separator: "\n").filter { $0.contains("Non-2xx") || $0.contains("Socket errors") }
        print(String(format: "desk: steady state, wrk -t4 -c16 -d10s: p50 %.1f ms, p99 %.1f ms, %.1f requests/s",
                     (p50 ?? .nan) * 1000, (p99 ?? .nan) * 1000, rate ?? .nan) + " (load average \(load) before, \(loadAverage()) after)")
        let requests = text.split(separator: "\n").first { $0.contains("requests in") }
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") }
        if let requests, requests > 0 {
            print(String(format: "desk: steady state, the server's CPU time (user and system): %.2f ms per request (%d requests)",
                         cpu * 1000 / Double(requests), requests))
        }
        errors.forEach { print("desk: \($0.trimmingCharacters(in: .whitespaces))") }
        if let p99 {
            print(p99 < target ? "desk: steady state p99 < 100 ms: target met"
                  : String(format: "desk: steady state p99 %.1f ms ≥ 100 ms: target missed", p99 * 1000))
        }
    }

    /// Sequential requests, each after a write by this process: the page made afresh every time.
    static func cold(server: DeskServerProcess, client: DeskHTTPClient, write: () throws -> Void) throws {
        let load = loadAverage()
        var times: [Double] = []
        var cpu = 0.0
        for _ in 0..<coldRequests {
            try write()
            let cpuBefore = cpuSeconds(pid: server.pid)
            let (page, seconds) = try timed { try client.get(path) }
            cpu += cpuSeconds(pid: server.pid) - cpuBefore
            guard page.status == 200 else {
                print("desk: cold: HTTP \(page.status)")
                return
            }
            times.append(seconds)
        }
        times.sort()
        func percentile(_ p: Double) -> Double { times[min(times.count - 1, Int((Double(times.count) * p).rounded(.up)) - 1)] }
        print(String(format: "desk: cold (a write by another process before each), %d sequential requests: p50 %.1f ms, p99 %.1f ms",
                     coldRequests, percentile(0.5) * 1000, percentile(0.99) * 1000) + " (load average \(load) before, \(loadAverage()) after)")
        print(String(format: "desk: cold, the server's CPU time (user and system): %.2f ms per request", cpu * 1000 / Double(coldRequests)))
    }

    /// The same server under callgrind: instructions per request, steady and cold.
    static func callgrind(workspace: URL, write: () throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-desk-callgrind-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Valgrind 3.19 cannot read the DWARF 5 of Swift's debug information: it runs a copy without it.
        let stripped = folder.appendingPathComponent("liaison")
        let strip = try runProcess("/usr/bin/objcopy", ["--strip-debug", try LiaisonExecutable.url().path, stripped.path])
        guard strip.status == 0 else { throw DeskBenchmarkFailure("objcopy --strip-debug: \(strip.stderr)") }
        let server = try DeskServerProcess.start(workspace: workspace, timeout: 600, launcher: [
            "/usr/bin/valgrind", "--tool=callgrind", "--callgrind-out-file=\(folder.path)/callgrind.out.%p",
        ], executable: stripped)
        defer { server.stop(timeout: 60) }
        let client = DeskHTTPClient(base: server.baseURL)
        try client.login(name: "bench", password: password)
        // Warm: the statements prepared, the page's content kept.
        for _ in 0..<2 { _ = try client.get(path) }
        let steady = try instructions(pid: server.pid, folder: folder) {
            for _ in 0..<callgrindSteadyRequests { _ = try client.get(path) }
        }
        let cold = try instructions(pid: server.pid, folder: folder) {
            for _ in 0..<callgrindColdRequests {
                try write()
                _ = try client.get(path)
            }
        }
        print(String(format: "desk: callgrind, instructions per request: steady state %.2f M (%d requests), cold %.2f M (%d requests)",
                     Double(steady) / Double(callgrindSteadyRequests) / 1e6, callgrindSteadyRequests,
                     Double(cold) / Double(callgrindColdRequests) / 1e6, callgrindColdRequests))
    }

    /// Instructions the server (process `pid`, under callgrind) ran during `body`: counters zeroed before, dumped
    /// after, and the dump's total read.
    static func instructions(pid: Int32, folder: URL, _ body: () throws -> Void) throws -> Int {
        try control("-z", pid: pid)
        try body()
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        try control("-d", pid: pid)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let dumps = Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).subtracting(before)
            for dump in dumps {
                let text = (try? String(contentsOf: folder.appendingPathComponent(dump), encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("totals:") }),
                   let count = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
                    return count
                }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw DeskBenchmarkFailure("callgrind wrote no dump for process \(pid)")
    }

    /// `callgrind_control OPTION PID`, waited for.
    static func control(_ option: String, pid: Int32) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/callgrind_control")
        process.arguments = [option, String(pid)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw DeskBenchmarkFailure("callgrind_control \(option) \(pid) failed") }
    }

    /// The CPU time process `pid` has used so far, user and system, in seconds (`/proc/PID/stat`, in clock ticks).
    static func cpuSeconds(pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = text.lastIndex(of: ")") else { return 0 }
        // After the command's `)`: state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The 1-minute load average (`/proc/loadavg`), or `?`.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").first.map(String.init) ?? "?"
    }

    /// wrk's `12.34ms`, `1.20s`, `850.00us` in seconds.
    static func seconds(_ text: String) -> Double? {
        for (suffix, scale) in [("us", 1e-6), ("ms", 1e-3), ("s", 1.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }
}

/// A step of the desk benchmark failed.
struct DeskBenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
