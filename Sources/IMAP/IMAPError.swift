import TransportSecurity

/// Why an IMAP mailbox could not be read.
///
/// Match on the static members; the details (server, mailbox, the server's reply) ride along for the user but
/// take no part in equality:
/// ```swift
/// do { try session.examine() } catch .authenticationFailed { … } catch { … }
/// ```
public struct IMAPError: Error, CustomStringConvertible, Equatable, Sendable {
    private enum Code: String, Equatable, Sendable {
        case plainToNonLoopback, unsupportedURL, invalidConfiguration, caFileUnreadable
        case connectionFailed, connectionLost, timeout, startTLSNotOffered, tlsHandshake, certificate
        case authenticationFailed, noSuchMailbox, commandRefused, messageMissing, fetchRefused, storageFailed, transferFailed
    }

    private let code: Code
    /// One sentence for a user, naming the server, mailbox, file or field concerned.
    public let description: String
    /// True when reading again later may succeed without anyone changing anything.
    public let isTransient: Bool

    private init(_ code: Code, _ description: String, transient: Bool) {
        self.code = code
        self.description = description
        self.isTransient = transient
    }

    /// Errors of the same kind are equal, whatever their details.
    public static func == (lhs: IMAPError, rhs: IMAPError) -> Bool { lhs.code == rhs.code }

    /// imap:// without TLS (`tls: none`) to a host that is not a loopback address.
    public static let plainToNonLoopback = IMAPError(
        .plainToNonLoopback, "Plain IMAP (without TLS) is allowed only to a loopback address.", transient: false)
    /// The URL is not imap://[user@]host[:port]/MAILBOX or imaps://….
    public static let unsupportedURL = IMAPError(.unsupportedURL, "The IMAP URL is not supported.", transient: false)
    /// A configuration field is invalid (missing password, control characters, bad interval…).
    public static let invalidConfiguration = IMAPError(
        .invalidConfiguration, "The IMAP configuration is invalid.", transient: false)
    /// The configured CA file cannot be read or holds no certificate.
    public static let caFileUnreadable = IMAPError(.caFileUnreadable, "The CA file cannot be read.", transient: false)
    /// The TCP connection could not be made (refused, unreachable, name not resolved).
    public static let connectionFailed = IMAPError(
        .connectionFailed, "Could not connect to the IMAP server.", transient: true)
    /// The connection broke in the middle of a command.
    public static let connectionLost = IMAPError(
        .connectionLost, "The connection to the IMAP server was lost.", transient: true)
    /// The server did not answer within the timeout.
    public static let timeout = IMAPError(.timeout, "The IMAP server did not answer in time.", transient: true)
    /// imap:// requires STARTTLS and the server did not offer it.
    public static let startTLSNotOffered = IMAPError(
        .startTLSNotOffered, "The IMAP server did not offer STARTTLS and TLS is required.", transient: false)
    /// The TLS handshake failed for a reason other than the certificate.
    public static let tlsHandshake = IMAPError(.tlsHandshake, "The TLS handshake failed.", transient: true)
    /// The server's certificate is not trusted or does not name the host.
    public static let certificate = IMAPError(
        .certificate, "The IMAP server's certificate could not be verified.", transient: false)
    /// The server refused the login.
    public static let authenticationFailed = IMAPError(
        .authenticationFailed, "The IMAP server refused the login.", transient: false)
    /// The mailbox named in the URL does not exist (or cannot be opened).
    public static let noSuchMailbox = IMAPError(.noSuchMailbox, "The mailbox does not exist.", transient: false)
    /// The server answered NO or BAD to a command.
    public static let commandRefused = IMAPError(
        .commandRefused, "The IMAP server refused a command.", transient: false)
    /// A message found by UID SEARCH was gone when fetched (expunged meanwhile).
    public static let messageMissing = IMAPError(
        .messageMissing, "The message is no longer in the mailbox.", transient: false)
    /// The server answered a UID FETCH with NO (other than `[EXPUNGEISSUED]`): the message is there but could not
    /// be served now (`[UNAVAILABLE]`, `[SERVERBUG]`, …); it is read again on the next pass.
    public static let fetchRefused = IMAPError(
        .fetchRefused, "The IMAP server could not serve a message now.", transient: true)
    /// The fetched bytes could not be written to local storage.
    public static let storageFailed = IMAPError(
        .storageFailed, "The message could not be stored locally.", transient: false)
    /// Any other libcurl failure.
    public static let transferFailed = IMAPError(.transferFailed, "Reading the mailbox failed.", transient: true)

    // Builders with details.

    static func plainToNonLoopback(host: String) -> IMAPError {
        IMAPError(.plainToNonLoopback,
                  "Plain IMAP to \(host) is refused: use imaps://, or imap:// with STARTTLS (tls: required); "
                  + "plain text is allowed only to a loopback address.", transient: false)
    }
    static func unsupportedURL(_ url: String, reason: String) -> IMAPError {
        // The URL as given may hold a password (refused, but never printed).
        IMAPError(.unsupportedURL, "IMAP URL \(URLText.shown(url)): \(reason).", transient: false)
    }
    static func invalidConfiguration(_ reason: String) -> IMAPError {
        IMAPError(.invalidConfiguration, "IMAP configuration: \(reason).", transient: false)
    }
    static func caFileUnreadable(path: String, reason: String) -> IMAPError {
        IMAPError(.caFileUnreadable, "CA file \(path): \(reason).", transient: false)
    }
    static func connectionFailed(server: String, reason: String) -> IMAPError {
        IMAPError(.connectionFailed, "Could not connect to \(server): \(reason).", transient: true)
    }
    static func connectionLost(server: String, reason: String) -> IMAPError {
        IMAPError(.connectionLost, "The connection to \(server) was lost: \(reason).", transient: true)
    }
    static func timeout(server: String) -> IMAPError {
        IMAPError(.timeout, "\(server) did not answer in time.", transient: true)
    }
    static func startTLSNotOffered(server: String) -> IMAPError {
        IMAPError(.startTLSNotOffered, "\(server) did not offer STARTTLS and TLS is required; nothing was read.",
                  transient: false)
    }
    static func tlsHandshake(server: String, reason: String) -> IMAPError {
        IMAPError(.tlsHandshake, "TLS handshake with \(server) failed: \(reason).", transient: true)
    }
    static func certificate(server: String, reason: String) -> IMAPError {
        IMAPError(.certificate, "The certificate of \(server) is not trusted (\(reason)); give the CA with "
                  + "--ca-file or imap.ca_file.", transient: false)
    }
    static func authenticationFailed(server: String, username: String, reply: String?) -> IMAPError {
        let said = reply.map { " (the server said: \($0))" } ?? ""
        return IMAPError(.authenticationFailed, "\(server) refused the login of \(username)\(said); check "
                         + "the username and LIAISON_IMAP_PASSWORD.", transient: false)
    }
    static func noSuchMailbox(server: String, mailbox: String, reply: String?) -> IMAPError {
        let said = reply.map { " (the server said: \($0))" } ?? ""
        return IMAPError(.noSuchMailbox, "\(server) has no mailbox \"\(mailbox)\"\(said).", transient: false)
    }
    static func commandRefused(server: String, command: String, reply: String?) -> IMAPError {
        IMAPError(.commandRefused, "\(server) refused \(command): \(reply ?? "no reason given").", transient: false)
    }
    static func messageMissing(server: String, uid: UInt32) -> IMAPError {
        IMAPError(.messageMissing, "Message UID \(uid) on \(server) is no longer in the mailbox.", transient: false)
    }
    static func fetchRefused(server: String, uid: UInt32, reply: String?) -> IMAPError {
        IMAPError(.fetchRefused, "\(server) could not serve message UID \(uid) now (the server said: \(reply ?? "NO")).",
                  transient: true)
    }
    static func storageFailed(_ reason: String) -> IMAPError {
        IMAPError(.storageFailed, "The message could not be stored locally: \(reason).", transient: false)
    }
    static func transferFailed(server: String, reason: String) -> IMAPError {
        IMAPError(.transferFailed, "Reading \(server) failed: \(reason).", transient: true)
    }
}
