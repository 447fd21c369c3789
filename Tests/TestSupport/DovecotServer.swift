import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private Dovecot (IMAP and IMAPS on 127.0.0.1, free ports) serving one Maildir to one user, everything in a
/// folder of its own; no file of /etc/dovecot is used. Run as the caller, or as nobody (65534) when the tests run
/// as root, so it can serve the Maildirs that Postfix's virtual(8) delivers as that user.
///
/// Optionally a SASL socket for Postfix (`smtpd_sasl_type = dovecot`), with the same user and password.
public final class DovecotServer: @unchecked Sendable {
    // @unchecked Sendable: every stored property is a constant set in init.
    public let directory: URL
    public let maildir: URL
    public let imapPort: Int
    public let imapsPort: Int
    public let user: String
    public let password: String
    public let uid: uid_t
    public let gid: gid_t
    /// The Dovecot master's process id (from `run/master.pid`).
    public let pid: Int32
    /// The SASL socket for Postfix, when asked for.
    public var authSocket: String { directory.appendingPathComponent("run/auth-postfix").path }

    /// Starts Dovecot in `directory` for `maildir` (created when missing) with the TLS certificate and key given;
    /// `offersIdle: false` leaves IDLE out of the capabilities it announces.
    /// The folders above `directory` and `maildir` must be searchable by everyone (mode 755), as Dovecot runs as
    /// nobody when the tests run as root.
    public init(directory: URL, maildir: URL, certificate: String, key: String, user: String = "vuls",
                password: String = "imap-test-secret", postfixAuth: Bool = false, offersIdle: Bool = true) throws {
        self.directory = directory
        self.maildir = maildir
        self.user = user
        self.password = password
        let root = getuid() == 0
        uid = root ? 65534 : getuid()
        gid = root ? 65534 : getgid()
        let files = FileManager.default
        for sub in ["new", "cur", "tmp"] {
            try files.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        for folder in ["run", "state", "index", "home"] {
            try files.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        imapPort = try LoopbackProbe.freePort()
        var second = try LoopbackProbe.freePort()
        while second == imapPort { second = try LoopbackProbe.freePort() }
        imapsPort = second
        let dir = directory.path
        try "\(user):{PLAIN}\(password)\n".write(toFile: "\(dir)/passwd", atomically: true, encoding: .utf8)
        try files.copyItem(atPath: certificate, toPath: "\(dir)/tls.pem")
        try files.copyItem(atPath: key, toPath: "\(dir)/tls.key")
        let userName = String(cString: getpwuid(uid).pointee.pw_name)
        let groupName = String(cString: getgrgid(gid).pointee.gr_name)
        var configuration = """
            base_dir = \(dir)/run
            state_dir = \(dir)/state
            log_path = \(dir)/dovecot.log
            info_log_path = \(dir)/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            default_internal_user = \(userName)
            default_internal_group = \(groupName)
            default_login_user = \(userName)
            first_valid_uid = \(uid)
            first_valid_gid = \(gid)
            auth_mechanisms = plain login
            auth_failure_delay = 0
            disable_plaintext_auth = no
            mail_location = maildir:\(maildir.path):INDEX=\(dir)/index:CONTROL=\(dir)/index
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u \(dir)/passwd
            }
            userdb {
              driver = static
              args = uid=\(uid) gid=\(gid) home=\(dir)/home
            }
            service imap-login {
              chroot =
              inet_listener imap {
                address = 127.0.0.1
                port = \(imapPort)
              }
              inet_listener imaps {
                address = 127.0.0.1
                port = \(imapsPort)
                ssl = yes
              }
            }
            service anvil {
              chroot =
            }
            ssl = yes
            ssl_cert = <\(dir)/tls.pem
            ssl_key = <\(dir)/tls.key

            """
        if !offersIdle {
            // A server without IDLE (RFC 2177), as some still are: clients must poll.
            configuration += "imap_capability = IMAP4rev1 SASL-IR LITERAL+ ENABLE UIDPLUS MOVE NAMESPACE\n"
        }
        if postfixAuth {
            configuration += "service auth {\n  unix_listener auth-postfix {\n    mode = 0666\n  }\n}\n"
        }
        try configuration.write(toFile: "\(dir)/dovecot.conf", atomically: true, encoding: .utf8)
        // Dovecot wants its base_dir world-readable; the parents (made by the caller) must let the unprivileged
        // user through.
        chmod(dir, 0o755)
        chmod("\(dir)/run", 0o755)
        chmod("\(dir)/passwd", 0o600)
        chmod("\(dir)/tls.key", 0o600)
        for path in [dir, maildir.path] { try Self.chownTree(path, uid: uid, gid: gid) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: root ? "/usr/bin/setpriv" : "/usr/bin/setsid")
        let dovecot = ["/usr/bin/setsid", "/usr/sbin/dovecot", "-F", "-c", "\(dir)/dovecot.conf"]
        process.arguments = root ? ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"] + dovecot
                                 : Array(dovecot.dropFirst())
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/dovecot.out").creatingEmpty())
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let started = process
        guard LoopbackProbe.waitForBanner(port: imapPort, prefix: "* OK", while: { started.isRunning }) else {
            kill(process.processIdentifier, SIGKILL)
            let text = ["out", "log"].compactMap { try? String(contentsOfFile: "\(dir)/dovecot.\($0)", encoding: .utf8) }.joined()
            throw FixtureError("dovecot did not answer on 127.0.0.1:\(imapPort): \(text)")
        }
        let pidText = (try? String(contentsOfFile: "\(dir)/run/master.pid", encoding: .utf8)) ?? ""
        pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? process.processIdentifier
    }

    /// Stops Dovecot (SIGKILL to the master's process group: it runs under setsid) and waits until it is gone.
    public func stop() {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while LoopbackProbe.isRunning(pid: pid) && Date() < deadline { usleep(10_000) }
    }

    /// Puts `bytes` into the Maildir's new/ as a message delivered now (owned by the user Dovecot runs as).
    @discardableResult
    public func deliver(_ bytes: Data) throws -> URL {
        let name = "\(Int(Date().timeIntervalSince1970)).\(UUID().uuidString.prefix(12)).test"
        let temporary = maildir.appendingPathComponent("tmp/\(name)")
        try bytes.write(to: temporary)
        chown(temporary.path, uid, gid)
        let final = maildir.appendingPathComponent("new/\(name)")
        try FileManager.default.moveItem(at: temporary, to: final)
        return final
    }

    /// The flags Dovecot gave the messages in the Maildir (the `:2,…` suffix of cur/ files), one per message.
    public func maildirFlags() throws -> [String] {
        let cur = try FileManager.default.contentsOfDirectory(atPath: maildir.appendingPathComponent("cur").path)
        let new = try FileManager.default.contentsOfDirectory(atPath: maildir.appendingPathComponent("new").path)
        return cur.map { $0.components(separatedBy: ":2,").dropFirst().first ?? "" } + new.map { _ in "" }
    }

    /// What Dovecot logged so far.
    public func log() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("dovecot.log"), encoding: .utf8)) ?? ""
    }

    /// The Maildir file (in new/ or cur/) whose bytes contain `text`, such as a Message-ID.
    public func maildirFile(containing text: String) -> URL? {
        for sub in ["cur", "new"] {
            let folder = maildir.appendingPathComponent(sub)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                let file = folder.appendingPathComponent(name)
                if let bytes = FileManager.default.contents(atPath: file.path), bytes.range(of: Data(text.utf8)) != nil {
                    return file
                }
            }
        }
        return nil
    }

    static func chownTree(_ path: String, uid: uid_t, gid: gid_t) throws {
        chown(path, uid, gid)
        guard let walker = FileManager.default.enumerator(atPath: path) else { return }
        for case let item as String in walker { chown("\(path)/\(item)", uid, gid) }
    }
}

/// A test fixture could not start.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension URL {
    /// Creates an empty file here (replacing any) and returns the URL.
    func creatingEmpty() -> URL {
        FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}
