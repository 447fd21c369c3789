import Foundation
import Gateway
import IMAP
import Registry
import TestSupport

/// `liaison-bench imap`: 1,000 replies (about 3 KB each) read into a fresh registry, once from Dovecot over IMAPS
/// (on loopback, with a test CA: EXAMINE, UID SEARCH, one UID FETCH per message, the UID recorded after each) and
/// once from the same Maildir on disk; prints both times and the rate.
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
                _ = try ingester.ingest(message.data ?? Data())
                read += 1
            }
        }
        report("ingest --maildir (same messages)", maildirTime, count: read)
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
