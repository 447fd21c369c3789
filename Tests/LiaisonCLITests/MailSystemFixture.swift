import Foundation
import Mail
import Testing
import TestSupport

/// A coordination center's real mail system on loopback, for one test: Postfix (STARTTLS with a test CA, AUTH
/// through Dovecot's SASL) delivering into Maildirs, Dovecot serving the CSIRT's mailbox over IMAPS, and a
/// workspace whose liaison.yaml points at both. Postfix needs root; the tests run as root here and in CI.
///
/// Vendors: `aozora` accepts, `kumo` defers at RCPT (450), `sakura` refuses at RCPT (550, unknown user),
/// `gone` is accepted and then bounced by Postfix with a real DSN to the envelope sender.
final class MailSystemFixture {
    static let caseId = "JVNVU#20261130"
    static let csirtMailbox = "vuls@csirt.example"
    let folder: URL
    let ws: GatewayWorkspace
    let certificate: SMTPSinkCertificate
    let dovecot: DovecotServer
    let postfix: PostfixServer
    let password = "imap-test-secret"

    init(developers: [String] = ["aozora", "kumo", "sakura", "gone"], imapOffersIdle: Bool = true) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-mailsystem-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("certs"), withIntermediateDirectories: true)
        chmod(folder.path, 0o755)
        let postfixFolder: URL
        do {
            certificate = try SMTPSinkCertificate.make(in: folder.appendingPathComponent("certs"))
            for name in ["ca.pem", "server.pem", "server.key"] { chmod(folder.appendingPathComponent("certs/\(name)").path, 0o644) }
            chmod(folder.appendingPathComponent("certs").path, 0o755)
            postfixFolder = folder.appendingPathComponent("postfix")
            // Dovecot serves the CSIRT's Maildir, the one Postfix's virtual(8) delivers vuls@csirt.example into.
            dovecot = try DovecotServer(directory: folder.appendingPathComponent("dovecot"),
                                        maildir: postfixFolder.appendingPathComponent("mail/csirt.example/vuls"),
                                        certificate: certificate.certificateFile, key: certificate.keyFile,
                                        password: password, postfixAuth: true, offersIdle: imapOffersIdle)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        do {
            postfix = try PostfixServer(directory: postfixFolder,
                                        mailboxes: [Self.csirtMailbox] + developers.filter { $0 != "gone" && $0 != "sakura" }
                                            .map { "psirt@\($0).example" } + (developers.contains("sakura") ? ["other@sakura.example"] : []),
                                        recipientAccess: ["psirt@kumo.example 450 4.2.1 Mailbox busy, try later"],
                                        bouncingDomains: ["gone.example"],
                                        certificate: certificate.certificateFile, key: certificate.keyFile,
                                        saslSocket: dovecot.authSocket)
        } catch {
            dovecot.stop()
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        do {
            ws = try GatewayWorkspace(developers: developers)
        } catch {
            postfix.stop(); dovecot.stop()
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        try ws.temp.write("liaison.yaml", """
            sender:
              from: "Test CSIRT Vulnerability Coordination <vuls@csirt.example>"
              organization: test-csirt
              signing_key: \(ws.signingKey)
            smtp:
              url: smtp://127.0.0.1:\(postfix.port)
              tls: required
              ca_file: \(certificate.caFile)
              username: vuls
              max_attempts: 3
            imap:
              url: imaps://vuls@127.0.0.1:\(dovecot.imapsPort)/INBOX
              ca_file: \(certificate.caFile)
            gnupg:
              home: \(ws.gnupg.path)
              encrypt: never
            report:
              timezone: UTC

            """)
        let sync = try ws.liaison(["directory", "sync"])
        guard sync.status == 0 else {
            postfix.stop(); dovecot.stop(); ws.remove()
            try? FileManager.default.removeItem(at: folder)
            throw LiaisonFailed(run: sync)
        }
    }

    deinit {
        postfix.stop()
        dovecot.stop()
        ws.remove()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The passwords, as the service would get them from its environment.
    var environment: [String: String] { ["LIAISON_SMTP_PASSWORD": password, "LIAISON_IMAP_PASSWORD": password] }

    @discardableResult
    func liaison(_ args: [String], environment extra: [String: String] = [:]) throws -> LiaisonRun {
        try ws.liaison(args, environment: environment.merging(extra) { _, new in new })
    }

    /// The value of one SQL query on the workspace's database (through Python's sqlite3, read-only).
    func sql(_ query: String) throws -> String {
        let database = ws.root.appendingPathComponent(".liaison/registry.sqlite").path
        let script = "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); "
            + "print('\\n'.join('|'.join('' if v is None else str(v) for v in r) for r in c.execute(sys.argv[2])))"
        let result = try runProcess("/usr/bin/python3", ["-c", script, database, query])
        return String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The exact bytes the outbox holds for the notification to `organization`.
    func outboxBytes(organization: String) throws -> Data {
        let hex = try sql("SELECT hex(m.bytes) FROM notification n JOIN notificationMessage m ON m.notificationId = n.id WHERE n.organizationId = '\(organization)'")
        var bytes = Data()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// Checks a signature with gpg (good, by the workspace's key), sqv and RNP (each with only the public key).
    func expectVerifiesEverywhere(_ bytes: Data, sourceLocation: SourceLocation = #_sourceLocation) throws {
        // A Maildir stores lines ending in LF; RFC 3156 verifies the canonical CRLF form, as a mail reader does.
        let message = try ParsedMessage(bytes: Self.crlf(bytes))
        guard let parts = MailSendFixture.signedParts(of: message, sourceLocation: sourceLocation) else { return }
        let tag = UUID().uuidString.prefix(8)
        let content = folder.appendingPathComponent("signed-\(tag).eml")
        let signature = folder.appendingPathComponent("signature-\(tag).asc")
        let keyring = folder.appendingPathComponent("public-\(tag).asc")
        try parts.content.write(to: content)
        try parts.signature.write(to: signature)
        try ws.gnupg.exportPublic(ws.signingKey).write(to: keyring)
        let gpg = try ws.gnupg.gpg(["--status-fd", "1", "--verify", signature.path, content.path])
        #expect(String(decoding: gpg.stdout, as: UTF8.self).contains("[GNUPG:] VALIDSIG \(ws.signingKey)"),
                "gpg: \(gpg.stderr)", sourceLocation: sourceLocation)
        let sqv = try runProcess("/usr/bin/sqv", ["--keyring", keyring.path, signature.path, content.path])
        #expect(sqv.status == 0, "sqv: \(sqv.stderr)", sourceLocation: sourceLocation)
        let rnp = try runProcess("/usr/bin/rnp", ["--homedir", folder.appendingPathComponent("rnp-\(tag)").path,
                                                  "--keyfile", keyring.path, "--verify", signature.path,
                                                  "--source", content.path])
        #expect(rnp.status == 0 && rnp.stderr.contains("Signature(s) verified successfully"), "rnp: \(rnp.stderr)",
                sourceLocation: sourceLocation)
    }

    /// `bytes` with every bare LF made CRLF.
    static func crlf(_ bytes: Data) -> Data {
        var result = Data(capacity: bytes.count + bytes.count / 40)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D { result.append(0x0D) }
            result.append(byte)
            previous = byte
        }
        return result
    }

    /// A reply from the vendor to its notification, as it lands in the CSIRT's mailbox.
    func reply(from organization: String, text: String) throws -> Data {
        let messageId = try sql("SELECT messageId FROM notification WHERE organizationId = '\(organization)' AND purpose = 'case-notification'")
        return Data(("From: PSIRT <psirt@\(organization).example>\r\nTo: vuls@csirt.example\r\n"
                     + "Subject: Re: [\(Self.caseId)] notification\r\nDate: Mon, 30 Nov 2026 11:00:00 +0000\r\n"
                     + "Message-ID: <reply-\(UUID().uuidString)@\(organization).example>\r\nIn-Reply-To: <\(messageId)>\r\n"
                     + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\(text)\r\n").utf8)
    }
}
