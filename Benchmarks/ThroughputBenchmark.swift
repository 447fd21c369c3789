import Foundation
import Gateway
import GRDB
import Mail
import Registry
import SMTP
import TestSupport

/// `liaison-bench throughput [VENDORS [CONNECTIONS]]`: `notify` of one case to 10,000 vendors (render + sign +
/// store, Ed25519, one transaction), the process's peak memory, then `send` of them all to Postfix's smtp-sink on
/// loopback over 2 connections; prints messages per second for notify, send, and both end to end; then sends
/// 5,000 of them again over 1, 2 and 4 connections. Run it alone: the peak memory is the
/// process's.
enum ThroughputBenchmark {
    /// `connections` send the notified messages; then `resend` of them are queued again and sent over 1, 2 and
    /// 4 connections.
    static func run(vendors: Int, connections: Int = 2, resend: Int = 5_000) throws {
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Templates")
        let gnupg = try GnuPGHome.make()
        defer { gnupg.shutdown() }
        let signingKey = try gnupg.generateKey(name: "JPCERT/CC Vulnerability Coordination", email: "vuls@jpcert.example")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-throughput-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try RegistryStore(path: folder.appendingPathComponent("registry.sqlite").path)
        try BenchmarkVendors.insert(into: store, count: vendors, digits: 5)
        let settings = GatewaySettings(sender: try EmailAddress(parsing: "JPCERT/CC <vuls@jpcert.example>"), signingKey: signingKey,
                                       gnupgHome: gnupg.path, templatesDirectory: templates, actor: "bench")
        let book = CaseBook(store: store, actor: "bench")
        try book.open(id: "JVNVU#00000001", title: "Benchmark", origin: "jvn-jp", due: "2007-10-15", force: true)
        try book.addParticipants(caseId: "JVNVU#00000001", technologies: ["tls"])
        print("throughput: \(vendors) vendors, Ed25519, Postfix smtp-sink on loopback "
              + "(\(ProcessInfo.processInfo.activeProcessorCount) cores)")

        let composeStart = Date()
        let queued = try NotificationComposer(store: store, settings: settings)
            .queue(NotificationRequest(caseId: "JVNVU#00000001", template: "vendor-initial", purpose: .caseNotification))
        let composeTime = Date().timeIntervalSince(composeStart)
        let peak = peakResidentMegabytes()
        let sizes = try store.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT AVG(LENGTH(bytes)) FROM notificationMessage") ?? 0
        }
        print(String(format: "  notify (render + sign + store):   %6d messages in %6.2f s = %7.1f msg/s (average %d bytes)",
                     queued.count, composeTime, Double(queued.count) / composeTime, sizes))
        print(String(format: "  peak memory after notify:          %.0f MB (process maximum resident set)", peak))

        let sink = try SMTPSinkProcess.start()
        defer { sink.stop() }
        var configuration = SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)")
        configuration.tls = .none
        let smtp = configuration
        let dispatcher = OutboxDispatcher(store: store, actor: "bench") { try makeTransport(smtp, logger: .init(label: "bench")) }
        let sendStart = Date()
        let summary = try dispatcher.run(concurrency: connections)
        let sendTime = Date().timeIntervalSince(sendStart)
        print(String(format: "  send, %d connections:               %6d messages in %6.2f s = %7.1f msg/s",
                     connections, summary.sent, sendTime, Double(summary.sent) / sendTime))
        print(String(format: "  notify + send, end to end:         %6d messages in %6.2f s = %7.1f msg/s",
                     summary.sent, composeTime + sendTime, Double(summary.sent) / (composeTime + sendTime)))

        // The same messages again, queued anew, over 1, 2 and 4 connections.
        for count in [1, 2, 4] {
            try store.writer.write { db in
                try db.execute(sql: """
                    UPDATE notification SET state = 'queued', attempts = 0, sentAt = NULL, nextAttemptAt = NULL,
                           lastError = NULL, leaseOwner = NULL, leaseUntil = NULL
                    """)
                try db.execute(sql: "UPDATE notificationRecipient SET status = 'pending', smtpCode = NULL, smtpReply = NULL")
            }
            let start = Date()
            let again = try dispatcher.run(limit: resend, concurrency: count)
            let time = Date().timeIntervalSince(start)
            print(String(format: "  send again, %d connection%@:         %6d messages in %6.2f s = %7.1f msg/s",
                         count, count == 1 ? " " : "s", again.sent, time, Double(again.sent) / time))
        }
    }

    /// The process's peak resident set size in MB (Linux reports ru_maxrss in KB).
    static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

/// Postfix's smtp-sink on a loopback port, stopped by its process id.
struct SMTPSinkProcess {
    let process: Process
    let port: Int

    static func start() throws -> SMTPSinkProcess {
        for _ in 0..<20 {
            let port = Int.random(in: 20_000..<60_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/smtp-sink")
            // As root, smtp-sink must drop privileges after binding.
            process.arguments = (getuid() == 0 ? ["-u", "nobody"] : []) + ["127.0.0.1:\(port)", "1024"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Ready when it accepts a connection; gone when the port was taken.
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline {
                if canConnect(port: port) { return SMTPSinkProcess(process: process, port: port) }
                usleep(10_000)
            }
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
        }
        throw SigningBenchmark.Failure(description: "smtp-sink did not start")
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
