import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private Postfix (root needed) on 127.0.0.1 and a free port, everything in a folder of its own: the system's
/// /etc/postfix and /var/spool/postfix are only read (postfix-files, the binaries), never used.
///
/// Virtual domains deliver into Maildirs under `mail/<domain>/<user>/` as nobody (65534), so that an unprivileged
/// Dovecot can serve them. Any other address of a virtual domain is refused at RCPT (550 5.1.1); `recipientAccess`
/// lines (access(5)) answer at RCPT as given; a `bouncingDomains` address is accepted from an authenticated client
/// and relayed back to this same server, which refuses it as an unknown mailbox (550 5.1.1), so Postfix bounces it
/// with a real DSN to the envelope sender, as a vendor's server does for an address that no longer exists. Any other domain is refused at RCPT. Nothing ever leaves the
/// machine (no DNS, no route).
public final class PostfixServer: @unchecked Sendable {
    // @unchecked Sendable: every stored property is a constant set in init.
    public let directory: URL
    public let port: Int
    /// The master's process id, from `queue/pid/master.pid`.
    public let pid: Int32

    /// Whether Postfix can be started here (it must run as root).
    public static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/lib/postfix/sbin/master")
    }

    /// - Parameters:
    ///   - mailboxes: "user@domain" addresses delivered into `mail/<domain>/<user>/`.
    ///   - recipientAccess: access(5) lines checked at RCPT, e.g. "x@vendor.example 450 4.2.1 busy".
    ///   - saslSocket: Dovecot's auth socket; AUTH is then offered after STARTTLS and required to relay.
    public init(directory: URL, mailboxes: [String], recipientAccess: [String] = [], bouncingDomains: [String] = [],
                certificate: String,
                key: String, saslSocket: String?) throws {
        self.directory = directory
        let files = FileManager.default
        let dir = directory.path
        for folder in ["etc", "queue", "data", "mail"] {
            try files.createDirectory(atPath: "\(dir)/\(folder)", withIntermediateDirectories: true)
        }
        chmod(dir, 0o755); chmod("\(dir)/etc", 0o755); chmod("\(dir)/mail", 0o755)
        chown("\(dir)/mail", 65534, 65534)
        guard let postfixUser = getpwnam("postfix")?.pointee.pw_uid, let postdrop = getgrnam("postdrop")?.pointee.gr_gid else {
            throw FixtureError("the postfix user or the postdrop group is missing (install postfix)")
        }
        chown("\(dir)/data", postfixUser, gid_t.max); chmod("\(dir)/data", 0o700)
        let queue = "\(dir)/queue"
        try files.createDirectory(atPath: "\(queue)/pid", withIntermediateDirectories: true)
        chmod(queue, 0o755); chmod("\(queue)/pid", 0o755)
        for name in ["active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "private",
                     "saved", "trace"] {
            try files.createDirectory(atPath: "\(queue)/\(name)", withIntermediateDirectories: true)
            chown("\(queue)/\(name)", postfixUser, gid_t.max); chmod("\(queue)/\(name)", 0o700)
        }
        for (name, mode) in [("maildrop", 0o730), ("public", 0o710)] {
            try files.createDirectory(atPath: "\(queue)/\(name)", withIntermediateDirectories: true)
            chown("\(queue)/\(name)", postfixUser, postdrop); chmod("\(queue)/\(name)", mode_t(mode))
        }
        let domains = Set(mailboxes.compactMap { $0.split(separator: "@").last.map(String.init) }).sorted()
        try (domains.map { "\($0) OK\n" }.joined()).write(toFile: "\(dir)/etc/vdomains", atomically: true, encoding: .utf8)
        try (mailboxes.map { address in
            let parts = address.split(separator: "@")
            return "\(address) \(parts[1])/\(parts[0])/\n"
        }.joined()).write(toFile: "\(dir)/etc/vmailbox", atomically: true, encoding: .utf8)
        try (recipientAccess.map { $0 + "\n" }.joined()).write(toFile: "\(dir)/etc/recipient_access", atomically: true, encoding: .utf8)
        let port = try LoopbackProbe.freePort()
        self.port = port
        try (bouncingDomains.map { "\($0) smtp:[127.0.0.1]:\(port)\n" }.joined())
            .write(toFile: "\(dir)/etc/transport", atomically: true, encoding: .utf8)
        // The second hop (unauthenticated) refuses the address as the vendor's server would, not as a relay.
        try (bouncingDomains.map { "\($0) 550 5.1.1 Recipient address rejected: mailbox unavailable\n" }.joined())
            .write(toFile: "\(dir)/etc/bounce_access", atomically: true, encoding: .utf8)
        var main = """
            compatibility_level = 3.7
            queue_directory = \(queue)
            data_directory = \(dir)/data
            meta_directory = /etc/postfix
            maillog_file = \(dir)/maillog
            maillog_file_prefixes = \(dir)
            myhostname = mx.csirt.example
            mydomain = csirt.example
            myorigin = $myhostname
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            mydestination =
            relayhost =
            smtp_dns_support_level = disabled
            smtpd_peername_lookup = no
            default_transport = error:5.1.2 no route to this domain from the test instance
            relay_transport = $default_transport
            alias_maps =
            alias_database =
            local_recipient_maps =
            notify_classes =
            biff = no
            append_dot_mydomain = no
            recipient_delimiter = +
            virtual_mailbox_domains = texthash:\(dir)/etc/vdomains
            virtual_mailbox_maps = texthash:\(dir)/etc/vmailbox
            virtual_mailbox_base = \(dir)/mail
            virtual_uid_maps = static:65534
            virtual_gid_maps = static:65534
            virtual_minimum_uid = 1
            transport_maps = texthash:\(dir)/etc/transport
            smtpd_recipient_restrictions = check_recipient_access texthash:\(dir)/etc/recipient_access, \(saslSocket == nil ? "" : "permit_sasl_authenticated, ")reject_unauth_destination
            queue_run_delay = 2s
            minimal_backoff_time = 2s
            maximal_backoff_time = 4s
            smtpd_tls_security_level = may
            smtpd_tls_cert_file = \(certificate)
            smtpd_tls_key_file = \(key)
            smtpd_tls_received_header = yes

            """
        if let saslSocket {
            main += """
                smtpd_sasl_auth_enable = yes
                smtpd_sasl_type = dovecot
                smtpd_sasl_path = \(saslSocket)
                smtpd_tls_auth_only = yes
                smtpd_relay_restrictions = check_recipient_access texthash:\(dir)/etc/recipient_access, permit_sasl_authenticated, check_recipient_access texthash:\(dir)/etc/bounce_access, reject_unauth_destination

                """
        } else {
            main += "smtpd_relay_restrictions = check_recipient_access texthash:\(dir)/etc/recipient_access, check_recipient_access texthash:\(dir)/etc/bounce_access, reject_unauth_destination\n"
        }
        try main.write(toFile: "\(dir)/etc/main.cf", atomically: true, encoding: .utf8)
        let services = [
            "127.0.0.1:\(port) inet n - n - - smtpd", "pickup unix n - n 60 1 pickup", "cleanup unix n - n - 0 cleanup",
            "qmgr unix n - n 300 1 qmgr", "tlsmgr unix - - n 1000? 1 tlsmgr", "rewrite unix - - n - - trivial-rewrite",
            "bounce unix - - n - 0 bounce", "defer unix - - n - 0 bounce", "trace unix - - n - 0 bounce",
            "verify unix - - n - 1 verify", "flush unix n - n 1000? 0 flush", "proxymap unix - - n - - proxymap",
            "proxywrite unix - - n - 1 proxymap", "smtp unix - - n - - smtp", "relay unix - - n - - smtp",
            "showq unix n - n - - showq", "error unix - - n - - error", "retry unix - - n - - error",
            "discard unix - - n - - discard", "local unix - n n - - local", "virtual unix - n n - - virtual",
            "lmtp unix - - n - - lmtp", "anvil unix - - n - 1 anvil", "scache unix - - n - 1 scache",
            "postlog unix-dgram n - n - 1 postlogd",
        ]
        try (services.joined(separator: "\n") + "\n").write(toFile: "\(dir)/etc/master.cf", atomically: true, encoding: .utf8)
        // Postfix pauses on a configuration file modified less than ~2 s ago ("cool down"): age them.
        for name in try files.contentsOfDirectory(atPath: "\(dir)/etc") {
            try files.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: "\(dir)/etc/\(name)")
        }
        // master -w returns once the background master has initialised; it detaches (setsid).
        let start = try runProcess("/usr/lib/postfix/sbin/master", ["-w"], environment: ["MAIL_CONFIG": "\(dir)/etc"])
        guard start.status == 0 else {
            let log = (try? String(contentsOfFile: "\(dir)/maillog", encoding: .utf8)) ?? ""
            throw FixtureError("postfix master -w exited \(start.status): \(start.stderr) \(log)")
        }
        let pidText = (try? String(contentsOfFile: "\(queue)/pid/master.pid", encoding: .utf8)) ?? ""
        guard let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw FixtureError("postfix wrote no master.pid")
        }
        self.pid = pid
        guard LoopbackProbe.waitForBanner(port: port, prefix: "220") else {
            stop()
            throw FixtureError("postfix did not answer on 127.0.0.1:\(port)")
        }
    }

    /// The Maildir of `address` (user@domain).
    public func maildir(_ address: String) -> URL {
        let parts = address.split(separator: "@")
        return directory.appendingPathComponent("mail/\(parts[1])/\(parts[0])")
    }

    /// The messages delivered to `address` so far, as files in its Maildir's new/ and cur/.
    public func delivered(to address: String) -> [URL] {
        let box = maildir(address)
        return ["new", "cur"].flatMap { sub -> [URL] in
            let folder = box.appendingPathComponent(sub)
            return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
                .map { folder.appendingPathComponent($0) }
        }
    }

    /// Postfix's log, for failure messages.
    public var log: String { (try? String(contentsOfFile: directory.appendingPathComponent("maillog").path, encoding: .utf8)) ?? "" }

    /// Stops the master and its daemons (SIGKILL to the master's process group) and waits until it is gone.
    public func stop() {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while LoopbackProbe.isRunning(pid: pid) && Date() < deadline { usleep(10_000) }
    }
}
