import Foundation
import Gateway
import IMAP
import Registry
import TestSupport

/// `liaison-bench imap`: 1,000 replies (about 3 KB each) read into a fresh registry, once from Dovecot over IMAPS
/// (on loopback, with a test CA: EXAMINE, UID SEARCH, one UID FETCH per message, the UID recorded after each) and
/// once from the same Maildir on disk; prints both times and the rate. Then the peak memory of `liaison ingest
/// --imap` reading one 53 MiB reply, in a process of its own.
enum IMAPBenchmark {
    static let messageCount = 1_000

    static func run() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-bench-imap-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("certs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("gnupg"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        chmod(root.path, 0o755)  // Dovecot runs as nobody when the benchmark runs as root
        let certificate = try SMTPSinkCertificate.make(in: root.appendingPathComponent("certs"))
        let maildir = root.appendingPathComponent("Maildir")
        let dovecot = try DovecotServer(directory: root.appendingPathComponent("dovecot"), maildir: maildir,
                                        certificate: certificate.certificateFile, key: certificate.keyFile)
        defer { dovecot.stop() }
        var bytes = 0
        for index in 0..<messageCount {
            let message = reply(index)
            bytes += message.count
            try dovecot.deliver(message)
        }
        print("imap benchmark: \(messageCount) messages, \(bytes / 1024) KiB in all")

        let imapStore = try RegistryStore(path: root.appendingPathComponent("imap.sqlite").path)
        let reader = IMAPIngester(ingester: ReplyIngester(store: imapStore, gnupgHome: root.appendingPathComponent("gnupg").path,
                                                          actor: "bench"),
                                  states: imapStore.mailboxStates, scratchDirectory: root)
        let configuration = IMAPConfiguration(url: "imaps://\(dovecot.user)@127.0.0.1:\(dovecot.imapsPort)/INBOX",
                                              password: dovecot.password, caFile: certificate.caFile)
        let session = try IMAPSession(configuration: configuration)
        var summary: IMAPReadSummary?
        let imapTime = try measure { summary = try reader.readNew(from: session) }
        report("ingest --imap (Dovecot, IMAPS)", imapTime, count: summary?.outcomes.count ?? 0)
        var again: IMAPReadSummary?
        let secondTime = try measure { again = try reader.readNew(from: session) }
        report("second pass (nothing new)", secondTime, count: again?.outcomes.count ?? 0)

        let maildirStore = try RegistryStore(path: root.appendingPathComponent("maildir.sqlite").path)
        let ingester = ReplyIngester(store: maildirStore, gnupgHome: root.appendingPathComponent("gnupg").path, actor: "bench")
        var read = 0
        let maildirTime = try measure {
            for message in try MailboxReader.maildir(maildir) {
                _ = try ingester.ingest(file: message.file)
                read += 1
            }
        }
        report("ingest --maildir (same messages)", maildirTime, count: read)
        try largeReplyPeakMemory(root: root, certificate: certificate)
    }

    /// A reply of this many MiB (a large attachment) for the peak-memory figure.
    static let largeReplyMiB = 53

    /// Peak resident memory of `liaison ingest --imap` reading one large reply from Dovecot into a fresh workspace,
    /// in a process of its own (`/usr/bin/time -f %M`), beside the reply's size.
    static func largeReplyPeakMemory(root: URL, certificate: SMTPSinkCertificate) throws {
        let dovecot = try DovecotServer(directory: root.appendingPathComponent("dovecot-large"),
                                        maildir: root.appendingPathComponent("Maildir-large"),
                                        certificate: certificate.certificateFile, key: certificate.keyFile)
        defer { dovecot.stop() }
        let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n"
        let message = Data(("From: PSIRT <psirt@vendor.example>\r\nTo: vuls@csirt.example\r\nSubject: Re: logs\r\n"
                            + "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <large@vendor.example>\r\n"
                            + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                            + String(repeating: line, count: largeReplyMiB * 1024 * 1024 / line.utf8.count)).utf8)
        try dovecot.deliver(message)
        let workspace = try TemporaryWorkspace()
        defer { workspace.remove() }
        _ = try runLiaison(["directory", "sync"], workspace: workspace.root)
        let liaison = try LiaisonExecutable.url().path
        let result = try runProcess("/usr/bin/time", ["-f", "peak-rss-kib %M", liaison, "ingest", "--imap",
                                                      "imaps://\(dovecot.user)@127.0.0.1:\(dovecot.imapsPort)/INBOX",
                                                      "--ca-file", certificate.caFile],
                                    environment: ["LIAISON_IMAP_PASSWORD": dovecot.password,
                                                  "LIAISON_WORKSPACE": workspace.root.path])
        let peak = result.stderr.split(separator: "\n").last { $0.hasPrefix("peak-rss-kib ") }
            .flatMap { Int($0.dropFirst("peak-rss-kib ".count)) }
        guard result.status == 0, let peak else {
            print("large reply: ingest failed (status \(result.status)): \(result.stderr)")
            return
        }
        print(String(format: "large reply (%.1f MB) over IMAPS: peak resident memory of ingest %.0f MB (%.1f× the reply)",
                     Double(message.count) / 1e6, Double(peak) * 1024 / 1e6, Double(peak) * 1024 / Double(message.count)))
    }

    static func reply(_ index: Int) -> Data {
        let paragraph = "Thank you for the notification about the TLS certificate check. We are investigating the "
            + "affected versions and will send our statement before the publication date.\r\n"
        return Data(("From: PSIRT \(index) <psirt@vendor\(index % 50).example>\r\nTo: vuls@csirt.example\r\n"
                     + "Subject: Re: [JVNVU#20261130] vulnerability notification \(index)\r\n"
                     + "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <bench-\(index)@vendor.example>\r\n"
                     + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                     + String(repeating: paragraph, count: 16)).utf8)
    }

    static func measure(_ body: () throws -> Void) throws -> Double {
        try timed(body).seconds
    }

    static func report(_ label: String, _ seconds: Double, count: Int) {
        print(label.padding(toLength: 36, withPad: " ", startingAt: 0)
              + String(format: "%8.3f s  %5d messages  %7.0f messages/s", seconds, count, seconds > 0 ? Double(count) / seconds : 0))
    }
}
