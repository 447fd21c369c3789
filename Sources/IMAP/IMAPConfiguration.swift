import Foundation
import TransportSecurity

/// Which mailbox to read and how to reach it: `imaps://user@host[:port]/MAILBOX` (TLS from the first byte) or
/// `imap://user@host[:port]/MAILBOX` (STARTTLS required unless `tls` is `.none` to a loopback address).
///
/// ```swift
/// var configuration = IMAPConfiguration(url: "imaps://vuls@imap.csirt.example/INBOX")
/// configuration.password = ProcessInfo.processInfo.environment["LIAISON_IMAP_PASSWORD"]
/// try configuration.validate()
/// ```
public struct IMAPConfiguration: Sendable, CustomStringConvertible {
    /// Whether the connection must be encrypted: the policy SMTP shares.
    public typealias TLSPolicy = TransportSecurity.TLSPolicy

    /// imap[s]://[user@]host[:port]/MAILBOX (RFC 5092 form, mailbox percent-encoded; default INBOX).
    public var url: String
    public var tls: TLSPolicy
    /// Login name; the URL's user part when nil.
    public var username: String?
    /// Login password (from LIAISON_IMAP_PASSWORD); never logged nor printed.
    public var password: String?
    /// PEM file with the CA certificates to trust instead of the system ones.
    public var caFile: String?
    /// Seconds allowed for the TCP connection and TLS handshake.
    public var connectTimeout: TimeInterval = 30
    /// A transfer slower than 1 byte per second for this many seconds is aborted.
    public var lowSpeedTime: TimeInterval = 60

    public init(url: String, tls: TLSPolicy = .required, username: String? = nil, password: String? = nil,
                caFile: String? = nil) {
        self.url = url
        self.tls = tls
        self.username = username
        self.password = password
        self.caFile = caFile
    }

    /// The configuration with the password hidden (also one written into the URL).
    public var description: String {
        var parts = ["url: \(URLText.shown(url))", "tls: \(tls.rawValue)"]
        if let username { parts.append("username: \(username)") }
        if password != nil { parts.append("password: <hidden>") }
        if let caFile { parts.append("caFile: \(caFile)") }
        return "IMAPConfiguration(" + parts.joined(separator: ", ") + ")"
    }

    /// What the URL means once checked.
    public struct Endpoint: Sendable, Equatable {
        /// True for imaps://.
        public let implicitTLS: Bool
        public let host: String
        /// "imaps://host:port", for messages and logs.
        public let server: String
        /// The mailbox name, decoded ("INBOX", "Lists/CSIRT").
        public let mailbox: String
        /// The mailbox as it goes into a URL path (percent-encoded).
        let encodedMailbox: String
        /// The login name.
        public let username: String
        /// "imaps://user@host:port/MAILBOX": the key under which this mailbox's reading state is kept.
        public var mailboxURL: String {
            let scheme = implicitTLS ? "imaps" : "imap"
            let user = username.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? username
            return "\(scheme)://\(user)@\(server.split(separator: "/").last ?? "")/\(encodedMailbox)"
        }
    }

    /// Checks everything that can be checked without connecting; throws the first problem found.
    public func validate() throws(IMAPError) {
        _ = try endpoint()
    }

    /// Parses and checks the configuration.
    public func endpoint() throws(IMAPError) -> Endpoint {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw .unsupportedURL(url, reason: "it is not a URL")
        }
        guard scheme == "imap" || scheme == "imaps" else {
            throw .unsupportedURL(url, reason: "the scheme \(scheme) is not imap or imaps")
        }
        if components.password != nil {
            throw .unsupportedURL(url, reason: "the password belongs in LIAISON_IMAP_PASSWORD, never in the URL")
        }
        if components.query != nil || components.fragment != nil {
            throw .unsupportedURL(url, reason: "it has a query or fragment")
        }
        let implicitTLS = scheme == "imaps"
        let rawHost = components.percentEncodedHost ?? ""
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        guard !host.isEmpty else { throw .unsupportedURL(url, reason: "it names no host") }
        if host.contains(where: { $0.isWhitespace || $0 == "%" }) {
            throw .unsupportedURL(url, reason: "the host name \(host.debugDescription) is not valid")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .unsupportedURL(url, reason: "the port \(port) is out of range")
        }
        var encodedMailbox = String(components.percentEncodedPath.drop(while: { $0 == "/" }))
        if encodedMailbox.hasSuffix("/") { encodedMailbox.removeLast() }
        if encodedMailbox.contains(";") {
            throw .unsupportedURL(url, reason: "it names a message or search (;UID=, ;UIDVALIDITY=); give only the mailbox")
        }
        if encodedMailbox.isEmpty { encodedMailbox = "INBOX" }
        guard let mailbox = encodedMailbox.removingPercentEncoding,
              !mailbox.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .unsupportedURL(url, reason: "the mailbox name is not valid")
        }
        if tls.refusesPlainText(to: host, implicitTLS: implicitTLS) {
            throw .plainToNonLoopback(host: host)
        }
        guard let user = username ?? components.user, !user.isEmpty else {
            throw .invalidConfiguration("no username: give it in the URL (imaps://USER@host/INBOX) or as imap.username")
        }
        guard let password, !password.isEmpty else {
            throw .invalidConfiguration("no password for \(user): set LIAISON_IMAP_PASSWORD")
        }
        if user.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw .invalidConfiguration("the username holds control characters")
        }
        if password.unicodeScalars.contains("\0") {
            throw .invalidConfiguration("the password holds a NUL character")
        }
        for (field, value) in [("connectTimeout", connectTimeout), ("lowSpeedTime", lowSpeedTime)]
        where !(value > 0 && value.isFinite) {
            throw .invalidConfiguration("\(field) must be a positive number of seconds, not \(value)")
        }
        if let caFile { try Self.checkReadable(caFile: caFile) }
        let bracketedHost = host.contains(":") ? "[\(host)]" : host
        let port = components.port ?? (implicitTLS ? 993 : 143)
        return Endpoint(implicitTLS: implicitTLS, host: host, server: "\(scheme)://\(bracketedHost):\(port)",
                        mailbox: mailbox, encodedMailbox: encodedMailbox, username: user)
    }

    /// A CA file must exist, be readable and hold at least one PEM certificate.
    static func checkReadable(caFile path: String) throws(IMAPError) {
        if let reason = CAFile.problem(at: path) { throw .caFileUnreadable(path: path, reason: reason) }
    }
}
