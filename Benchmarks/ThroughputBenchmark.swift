import Foundation
import Gateway
import GRDB
import Mail
import Registry
import SMTP
import TestSupport

/// `liaison-bench throughput [VENDORS [CONNECTIONS]]`: end to end with default settings — the case opened and its
/// vendors added, `notify` of it to every vendor (render + sign + store, Ed25519, one transaction; the store step
/// timed apart), the process's peak memory, then `send` of them all to Postfix's smtp-sink on loopback over
/// `smtp.max_connections` (default) connections — then the Python peer (`Peer/notify_send.py`: gpgme + smtplib,
/// one signature and one submission per vendor over one connection) against the same sink, and the ratio; then
/// sends `resend` of the messages again over 1, 2 and 4 connections, and over 4 with 1 and 32 messages per commit.
/// Each send prints its write calls and bytes written per message (/proc/self/io). Run it alone: the peak memory
/// is the process's.
enum ThroughputBenchmark {
    /// `connections` send the notified messages; then `resend` of them are queued again and sent over 1, 2 and
    /// 4 connections.
    static func run(vendors: Int, connections: Int = WorkspaceConfiguration.SMTP.defaultMaxConnections, resend: Int = 5_000) throws {
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Templates")
        let gnupg = try GnuPGHome.make()
        defer { gnupg.shutdown() }
        let signingKey = try gnupg.generateKey(name: "JPCERT/CC Vulnerability Coordination", email: "vuls@jpcert.example")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-throughput-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let databasePath = folder.appendingPathComponent("registry.sqlite").path
        let store = try RegistryStore(path: databasePath)
        try BenchmarkVendors.insert(into: store, count: vendors, digits: 5)
        let settings = GatewaySettings(sender: try EmailAddress(parsing: "JPCERT/CC <vuls@jpcert.example>"), signingKey: signingKey,
                                       gnupgHome: gnupg.path, templatesDirectory: templates, actor: "bench")
        print("throughput: \(vendors) vendors, Ed25519, Postfix smtp-sink on loopback "
              + "(\(ProcessInfo.processInfo.activeProcessorCount) cores)")

        let caseStart = Date()
        let book = CaseBook(store: store, actor: "bench")
        try book.open(id: "JVNVU#00000001", title: "Benchmark", origin: "jvn-jp", due: "2007-10-15", force: true)
        try book.addParticipants(caseId: "JVNVU#00000001", technologies: ["tls"])
        let caseTime = Date().timeIntervalSince(caseStart)
        print(String(format: "  case add + vendors:                %6d vendors in %6.2f s", vendors, caseTime))

        // `queue` is `prepare` (plan, render, sign on every core) then `persist` (one transaction): timed apart.
        let composer = NotificationComposer(store: store, settings: settings)
        let composeStart = Date()
        let prepared = try composer.prepare(NotificationRequest(caseId: "JVNVU#00000001", template: "vendor-initial",
                                                                purpose: .caseNotification))
        let storeStart = Date()
        let queued = try composer.persist(prepared)
        let storeTime = Date().timeIntervalSince(storeStart)
        let composeTime = Date().timeIntervalSince(composeStart)
        let peak = peakResidentMegabytes()
        let sizes = try store.outbox.messageStorage().averageBytes
        print(String(format: "  notify (render + sign + store):   %6d messages in %6.2f s = %7.1f msg/s (average %d bytes)",
                     queued.count, composeTime, Double(queued.count) / composeTime, sizes))
        print(String(format: "    of which store (one transaction): %6.2f s = %7.1f msg/s", storeTime, Double(queued.count) / storeTime))
        print(String(format: "  peak memory after notify:          %.0f MB (process maximum resident set)", peak))

        let sink = try SMTPSinkProcess.start()
        defer { sink.stop() }
        var configuration = SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)")
        configuration.tls = .none
        let smtp = configuration
        let dispatcher = OutboxDispatcher(store: store, actor: "bench") { try makeTransport(smtp, logger: .init(label: "bench")) }
        let sendStart = Date()
        let writesBeforeSend = ProcessWrites.now()
        let summary = try dispatcher.run(concurrency: connections)
        let sendTime = Date().timeIntervalSince(sendStart)
        print(String(format: "  send, %d connections:               %6d messages in %6.2f s = %7.1f msg/s",
                     connections, summary.sent, sendTime, Double(summary.sent) / sendTime))
        print("  send's writes to the database:     " + ProcessWrites.perMessage(since: writesBeforeSend, messages: summary.sent))
        let endToEnd = caseTime + composeTime + sendTime
        print(String(format: "  case + notify + send, end to end:  %6d messages in %6.2f s = %7.1f msg/s",
                     summary.sent, endToEnd, Double(summary.sent) / endToEnd))
        let peer = try pythonPeer(gnupg: gnupg, signer: signingKey, port: sink.port, vendors: vendors)
        print(String(format: "  Python peer (gpgme + smtplib, 1 connection): %d messages in %6.2f s = %7.1f msg/s",
                     vendors, peer, Double(vendors) / peer))
        print(String(format: "  end to end against the peer:       %.2f× as fast", peer / endToEnd))

        // The same messages again, queued anew, over 1, 2 and 4 connections.
        // Over 1, 2 and 4 connections with the default messages per commit, then 4 connections recording each
        // answer alone (1) and in larger windows (32), to show what the group commit is worth.
        let runs = [(1, OutboxDispatcher.defaultMessagesPerCommit), (2, OutboxDispatcher.defaultMessagesPerCommit),
                    (4, OutboxDispatcher.defaultMessagesPerCommit), (4, 1), (4, 32)]
        // The benchmark puts the sent messages back in the queue with a connection of its own, behind the store's
        // back: no workflow sends a message twice, and these runs must send the very same bytes again.
        let database = try DatabaseQueue(path: databasePath)
        for (count, perCommit) in runs {
            try database.write { db in
                try db.execute(sql: """
                    UPDATE notification SET state = 'queued', attempts = 0, sentAt = NULL, nextAttemptAt = NULL,
                           lastError = NULL, leaseOwner = NULL, leaseUntil = NULL
                    """)
                try db.execute(sql: "UPDATE notificationRecipient SET status = 'pending', smtpCode = NULL, smtpReply = NULL")
            }
            let resender = OutboxDispatcher(outbox: store.outbox, actor: "bench", messagesPerCommit: perCommit) {
                try makeTransport(smtp, logger: .init(label: "bench"))
            }
            let start = Date()
            let writes = ProcessWrites.now()
            let again = try resender.run(limit: resend, concurrency: count)
            let time = Date().timeIntervalSince(start)
            print(String(format: "  send again, %d connection%@, %2d per commit: %6d messages in %6.2f s = %7.1f msg/s; ",
                         count, count == 1 ? " " : "s", perCommit, again.sent, time, Double(again.sent) / time)
                  + ProcessWrites.perMessage(since: writes, messages: again.sent))
        }
    }

    /// Runs `Peer/notify_send.py` with the system's Python (python3-gpg) and returns the seconds it reports.
    static func pythonPeer(gnupg: GnuPGHome, signer: String, port: Int, vendors: Int) throws -> Double {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peer/notify_send.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, gnupg.path, signer, String(port), String(vendors)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let seconds = Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw SigningBenchmark.Failure(description: "the Python peer failed (python3-gpg installed?)") }
        return seconds
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

    /// `options` go before the address (`-D FILE` dumps every message received).
    static func start(options: [String] = []) throws -> SMTPSinkProcess {
        for _ in 0..<20 {
            let port = Int.random(in: 20_000..<60_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/smtp-sink")
            // As root, smtp-sink must drop privileges after binding.
            process.arguments = (getuid() == 0 ? ["-u", "nobody"] : []) + options + ["127.0.0.1:\(port)", "1024"]
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
