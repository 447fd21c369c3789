import Foundation
import TransportSecurity

/// Where and how to send mail: an SMTP server (STARTTLS or implicit TLS) or a folder for dry runs.
///
/// ```swift
/// var configuration = SMTPConfiguration(url: "smtp://mail.example.org:587")
/// configuration.username = "gateway"
/// configuration.password = ProcessInfo.processInfo.environment["LIAISON_SMTP_PASSWORD"]
/// try configuration.validate()
/// ```
public struct SMTPConfiguration: Sendable, CustomStringConvertible {
    /// Whether the connection must be encrypted: the policy IMAP shares.
    public typealias TLSPolicy = TransportSecurity.TLSPolicy

    /// smtp://host:port (STARTTLS), smtps://host:port (implicit TLS), or file:///dir (FileTransport).
    public var url: String
    /// Encryption policy; `.none` only to 127.0.0.0/8, ::1 or localhost.
    public var tls: TLSPolicy = .required
    /// Login name; when set, the transport authenticates (AUTH) with `password`.
    public var username: String?
    /// Login password; never logged nor printed.
    public var password: String?
    /// PEM file with the CA certificates to trust instead of the system ones (a private CA).
    public var caFile: String?
    /// Seconds allowed to set up the session before the first message: the TCP connection, the server's greeting,
    /// EHLO, STARTTLS with the TLS handshake, and AUTH. A relay that stalls in this time sent nothing and is
    /// reported as a configuration problem (`SMTPError.isConfigurationProblem`).
    public var connectTimeout: TimeInterval = 30
    /// Seconds allowed for one message, from connecting to the server's final reply.
    public var timeout: TimeInterval = 300
    /// Name sent in EHLO; libcurl sends the machine's host name when nil.
    public var heloName: String?
    /// A transfer slower than `lowSpeedLimit` bytes per second for `lowSpeedTime` seconds is aborted.
    public var lowSpeedLimit: Int = 1
    /// See `lowSpeedLimit`.
    public var lowSpeedTime: TimeInterval = 60

    /// A configuration with the defaults above.
    public init(url: String, tls: TLSPolicy = .required, username: String? = nil, password: String? = nil,
                caFile: String? = nil, connectTimeout: TimeInterval = 30, timeout: TimeInterval = 300,
                heloName: String? = nil)
    {
        self.url = url
        self.tls = tls
        self.username = username
        self.password = password
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.heloName = heloName
    }

    /// The configuration with the password hidden.
    public var description: String {
        var parts = ["url: \(Self.maskingPassword(in: url))", "tls: \(tls.rawValue)"]
        if let username { parts.append("username: \(username)") }
        if password != nil { parts.append("password: <hidden>") }
        if let caFile { parts.append("caFile: \(caFile)") }
        if let heloName { parts.append("heloName: \(heloName)") }
        return "SMTPConfiguration(" + parts.joined(separator: ", ") + ")"
    }

    /// `url` with the password of its user information, if any, replaced by `***`
    /// (`smtp://user:secret@host` → `smtp://user:***@host`), for messages and logs.
    public static func maskingPassword(in url: String) -> String {
        URLText.shown(url)
    }

    /// A number of seconds as messages print it: "1 s", "1.5 s", "30 s".
    static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() && abs(value) < 1e9 ? "\(Int(value)) s" : "\(value) s"
    }

    /// What `validate()` found the URL to mean.
    enum Endpoint: Equatable {
        /// smtp:// or smtps://; `server` is "scheme://host:port" for messages, `curlURL` what libcurl gets.
        case smtp(implicitTLS: Bool, host: String, server: String, curlURL: String)
        case directory(URL)
    }

    /// Checks everything that can be checked without connecting; throws the first problem found.
    public func validate() throws(SMTPError) {
        _ = try endpoint()
    }

    /// Parses and checks the configuration.
    func endpoint() throws(SMTPError) -> Endpoint {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw .unsupportedURL(url, reason: "it is not a URL")
        }
        if components.user != nil || components.password != nil {
            throw .unsupportedURL(url, reason: "credentials belong in username and password, not in the URL")
        }
        if components.query != nil || components.fragment != nil {
            throw .unsupportedURL(url, reason: "it has a query or fragment")
        }
        switch scheme {
        case "file":
            let path = components.path
            guard !path.isEmpty, path != "/" || components.host == nil else {
                throw .unsupportedURL(url, reason: "it names no directory")
            }
            if let host = components.host, !host.isEmpty, host.lowercased() != "localhost" {
                throw .unsupportedURL(url, reason: "a file URL cannot name another host")
            }
            return .directory(URL(fileURLWithPath: path, isDirectory: true))
        case "smtp", "smtps":
            break
        default:
            throw .unsupportedURL(url, reason: "the scheme \(scheme) is not smtp, smtps or file")
        }

        let implicitTLS = scheme == "smtps"
        let rawHost = components.percentEncodedHost ?? ""
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        guard !host.isEmpty else { throw .unsupportedURL(url, reason: "it names no host") }
        if host.contains(where: { $0.isWhitespace || $0 == "%" }) {
            throw .unsupportedURL(url, reason: "the host name \(host.debugDescription) is not valid")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .unsupportedURL(url, reason: "the port \(port) is out of range")
        }
        if !components.percentEncodedPath.isEmpty && components.percentEncodedPath != "/" {
            throw .unsupportedURL(url, reason: "it has a path; set heloName for the EHLO name instead")
        }
        if tls.refusesPlainText(to: host, implicitTLS: implicitTLS) {
            throw .plainToNonLoopback(host: host)
        }

        if username != nil && password == nil {
            throw .invalidConfiguration("username is set but password is missing")
        }
        if password != nil && username == nil {
            throw .invalidConfiguration("password is set but username is missing")
        }
        // A password is sent base64-encoded and may hold anything but NUL; the others go into commands as is.
        for (field, value) in [("username", username), ("heloName", heloName)] {
            if let value, value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw .invalidConfiguration("\(field) holds control characters")
            }
        }
        if let password, password.unicodeScalars.contains("\0") {
            throw .invalidConfiguration("password holds a NUL character")
        }
        if let heloName, heloName.isEmpty || heloName.contains(where: { $0.isWhitespace }) {
            throw .invalidConfiguration("heloName \(heloName.debugDescription) is not a host name")
        }
        for (field, value) in [("connectTimeout", connectTimeout), ("timeout", timeout), ("lowSpeedTime", lowSpeedTime)]
        where !(value > 0 && value.isFinite) {
            throw .invalidConfiguration("\(field) must be a positive number of seconds, not \(value)")
        }
        if lowSpeedLimit < 0 {
            throw .invalidConfiguration("lowSpeedLimit must not be negative")
        }
        if let caFile {
            try Self.checkReadable(caFile: caFile)
        }

        let bracketedHost = host.contains(":") ? "[\(host)]" : host
        let port = components.port ?? (implicitTLS ? 465 : 25)
        let server = "\(scheme)://\(bracketedHost):\(port)"
        // libcurl takes the EHLO name from the URL path.
        let helo = heloName.map {
            "/" + ($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? $0)
        } ?? ""
        return .smtp(implicitTLS: implicitTLS, host: host, server: server, curlURL: server + helo)
    }

    /// A CA file must exist, be readable and hold at least one PEM certificate.
    static func checkReadable(caFile path: String) throws(SMTPError) {
        if let reason = CAFile.problem(at: path) { throw .caFileUnreadable(path: path, reason: reason) }
    }
}
