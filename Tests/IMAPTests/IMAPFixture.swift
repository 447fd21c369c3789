import Foundation
import Gateway
import IMAP
@testable import Registry
import TestSupport

/// A Dovecot on loopback with a test CA, and a registry in a temporary folder, for one test.
final class IMAPFixture {
    let root: URL
    let certificate: SMTPSinkCertificate
    let dovecot: DovecotServer
    let store: RegistryStore

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-imap-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("certs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("gnupg"), withIntermediateDirectories: true)
        chmod(root.path, 0o755)
        do {
            certificate = try SMTPSinkCertificate.make(in: root.appendingPathComponent("certs"))
            dovecot = try DovecotServer(directory: root.appendingPathComponent("dovecot"),
                                        maildir: root.appendingPathComponent("Maildir"),
                                        certificate: certificate.certificateFile, key: certificate.keyFile)
        } catch {
            try? FileManager.default.removeItem(at: root)
            throw error
        }
        do {
            store = try RegistryStore(path: root.appendingPathComponent("registry.sqlite").path)
        } catch {
            dovecot.stop()
            try? FileManager.default.removeItem(at: root)
            throw error
        }
    }

    deinit {
        dovecot.stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// imaps:// to the test Dovecot, trusting the test CA.
    func configuration(mailbox: String = "INBOX", password: String? = nil) -> IMAPConfiguration {
        IMAPConfiguration(url: "imaps://\(dovecot.user)@127.0.0.1:\(dovecot.imapsPort)/\(mailbox)",
                          password: password ?? dovecot.password, caFile: certificate.caFile)
    }

    func session(_ configuration: IMAPConfiguration? = nil) throws -> IMAPSession {
        try IMAPSession(configuration: configuration ?? self.configuration())
    }

    func reader(after: IMAPAfterStoring = .leave) -> IMAPIngester {
        IMAPIngester(ingester: ReplyIngester(store: store, gnupgHome: root.appendingPathComponent("gnupg").path,
                                             actor: "test"),
                     states: store.mailboxStates, after: after, scratchDirectory: root)
    }

    /// The bytes stored for an inbound message.
    func storedBytes(messageId: String) throws -> Data? {
        // Through the store: a large message's bytes are kept apart from its row.
        try store.inbound.read { tx in try tx.entry(messageId).flatMap { try tx.bytes(id: $0.id) } }
    }

    func inboundCount() throws -> Int {
        try store.engine.read { try $0.value("SELECT COUNT(*) FROM inboundMessage", as: Int.self) } ?? 0
    }

    /// A plain message from a vendor, CRLF line ends.
    static func message(_ number: Int, body: String = "Thank you for the notice.") -> Data {
        Data(("From: PSIRT <psirt@vendor.example>\r\nTo: vuls@csirt.example\r\nSubject: Question \(number)\r\n"
              + "Date: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <q\(number)@vendor.example>\r\n"
              + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n").utf8)
    }
}

/// A real mailbox that breaks on purpose: the fetches numbered in `failOnFetch` (1: the first) throw a lost
/// connection.
final class FailingMailbox: IMAPMailbox {
    let inner: IMAPSession
    let failOnFetch: Set<Int>
    private var fetches = 0

    init(_ inner: IMAPSession, failOnFetch: Set<Int>) {
        self.inner = inner
        self.failOnFetch = failOnFetch
    }

    var mailboxURL: String { inner.mailboxURL }
    func examine() throws(IMAPError) -> MailboxStatus { try inner.examine() }
    func searchUIDs(after uid: UInt32) throws(IMAPError) -> [UInt32] { try inner.searchUIDs(after: uid) }
    func fetch(uid: UInt32, to file: URL) throws(IMAPError) -> Int {
        fetches += 1
        if failOnFetch.contains(fetches) { throw IMAPError.connectionLost }
        return try inner.fetch(uid: uid, to: file)
    }
    func move(uid: UInt32, to folder: String) throws(IMAPError) { try inner.move(uid: uid, to: folder) }
    func addFlag(_ flag: String, uid: UInt32) throws(IMAPError) { try inner.addFlag(flag, uid: uid) }
}
