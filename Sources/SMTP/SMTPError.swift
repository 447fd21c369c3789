/// Why a configuration was refused or a message could not be delivered.
///
/// Match on the static members; the details (server, file, the server's reply) ride along for the user but take
/// no part in equality:
/// ```swift
/// if report.error == .startTLSNotOffered { … }
/// switch error { case .connectionFailed, .timeout: retryLater(); default: giveUp() }
/// ```
public struct SMTPError: Error, CustomStringConvertible, Equatable, Sendable {
    private enum Code: String, Equatable, Sendable {
        case startTLSNotOffered, plainToNonLoopback, connectionFailed, connectionLost, timeout
        case authenticationFailed, tlsHandshake, certificate, caFileUnreadable, unsupportedURL
        case invalidConfiguration, invalidAddress, noRecipients, serverRejected, fileWriteFailed, transferFailed
        case notSMTP, stopped, relayRefused
    }

    private let code: Code
    /// One sentence for a user, naming the server, file, field or address concerned.
    public let description: String
    /// True when trying the same message again later may succeed without anyone changing anything.
    public let isTransient: Bool
    /// The SMTP reply code behind this error, when the server gave one.
    public let replyCode: Int?
    /// The server's reply behind this error, when it gave one (lines joined with "\n").
    public let reply: String?
    /// True when our own settings or relay are at fault, not the message or its recipients: the relay cannot be
    /// reached at all (connection refused, host not resolved, no route), it accepted the connection but stalled
    /// or hung up before the mail transaction (no greeting, no answer to EHLO, STARTTLS or AUTH within the
    /// connect timeout) or refused the session in its greeting or to EHLO (421 too busy, 554 no service), a
    /// refused login (5xx to AUTH), an untrusted certificate, no STARTTLS, a failed TLS
    /// handshake or a server that does not speak SMTP (a wrong port), our envelope sender refused (4xx or 5xx to
    /// MAIL FROM, but for the message's size), a bad URL or CA file. Nothing of the message was handed over and every message would fail the same
    /// way, so a sender should stop and change nothing.
    public var isConfigurationProblem: Bool {
        if beforeMailTransaction { return true }
        switch code {
        case .startTLSNotOffered, .plainToNonLoopback, .certificate, .tlsHandshake, .caFileUnreadable, .unsupportedURL,
             .invalidConfiguration, .notSMTP, .connectionFailed, .relayRefused:
            return true
        case .authenticationFailed:
            return !isTransient
        case .serverRejected:
            // Refused before the mail transaction (a 421 or 554 greeting, EHLO refused), or our sender refused,
            // for now or for good (451 rate limit, 452 insufficient storage, 553 sender rejected): the relay's answer
            // to us, the same for every message.
            return refusedStep == .session || refusedStep == .sender
        default:
            return false
        }
    }
    /// True when our relay refused the message as a whole after accepting its recipients (a 5xx to DATA or at
    /// the end of the data): the message fails, but the recipients' addresses are not to blame.
    public var isWholeMessageRefusal: Bool {
        code == .serverRejected && refusedStep == .message && replyCode.map { $0 / 100 == 5 } == true
    }

    /// Which part of the session a `serverRejected` refused: the session itself (greeting, EHLO), our sender
    /// (MAIL FROM), the message (DATA, end of data) or something else.
    enum RefusedStep: Sendable { case session, sender, message, other }
    private let refusedStep: RefusedStep?
    /// A `.timeout` or `.connectionLost` met while the session was being set up, before MAIL FROM: the relay's
    /// fault, with nothing of the message handed over.
    private let beforeMailTransaction: Bool

    private init(_ code: Code, _ description: String, transient: Bool, replyCode: Int? = nil, reply: String? = nil,
                 refusedStep: RefusedStep? = nil, beforeMailTransaction: Bool = false) {
        self.code = code
        self.description = description
        self.isTransient = transient
        self.replyCode = replyCode
        self.reply = reply
        self.refusedStep = refusedStep
        self.beforeMailTransaction = beforeMailTransaction
    }

    /// Errors of the same kind are equal, whatever their details.
    public static func == (lhs: SMTPError, rhs: SMTPError) -> Bool { lhs.code == rhs.code }

    /// TLS is required but the server did not offer STARTTLS, so nothing was sent (transient, like Postfix's 4.7.4).
    public static let startTLSNotOffered = SMTPError(
        .startTLSNotOffered, "The SMTP server did not offer STARTTLS and TLS is required, so nothing was sent.",
        transient: true)
    /// `tls: none` was configured for a host that is not a loopback address.
    public static let plainToNonLoopback = SMTPError(
        .plainToNonLoopback, "Plain SMTP (tls: none) is allowed only to a loopback address.", transient: false)
    /// The TCP connection to the server could not be made (refused, unreachable, name not resolved, no answer
    /// within the connect timeout): a configuration problem, nothing was sent.
    public static let connectionFailed = SMTPError(
        .connectionFailed, "Could not connect to the SMTP server.", transient: true)
    /// The connection broke or the server answered nonsense; a configuration problem when it happened before
    /// MAIL FROM (nothing handed over), else a transient failure of the message (which may have been delivered
    /// when the data had started).
    public static let connectionLost = SMTPError(
        .connectionLost, "The connection to the SMTP server was lost.", transient: true)
    /// The server did not answer within the connect or transfer timeout; a configuration problem when it
    /// stalled before MAIL FROM (no greeting, no answer to EHLO…), else a transient failure of the message.
    public static let timeout = SMTPError(.timeout, "The SMTP server did not answer in time.", transient: true)
    /// The server refused the login (permanent for 5xx replies such as 535, transient for 4xx such as 454).
    public static let authenticationFailed = SMTPError(
        .authenticationFailed, "The SMTP server refused the login.", transient: false)
    /// The TLS handshake failed for a reason other than the certificate.
    public static let tlsHandshake = SMTPError(.tlsHandshake, "The TLS handshake failed.", transient: true)
    /// The server's certificate could not be verified against the trusted CAs or does not name the host.
    public static let certificate = SMTPError(
        .certificate, "The SMTP server's certificate could not be verified.", transient: true)
    /// The configured CA file cannot be read or holds no usable certificate.
    public static let caFileUnreadable = SMTPError(.caFileUnreadable, "The CA file cannot be read.", transient: false)
    /// The URL is not smtp://host[:port], smtps://host[:port] or file:///directory.
    public static let unsupportedURL = SMTPError(.unsupportedURL, "The SMTP URL is not supported.", transient: false)
    /// A configuration field is invalid (missing password, non-positive timeout, control characters…).
    public static let invalidConfiguration = SMTPError(
        .invalidConfiguration, "The SMTP configuration is invalid.", transient: false)
    /// An envelope address could let a command be injected or is empty; nothing was sent for that message.
    public static let invalidAddress = SMTPError(.invalidAddress, "An envelope address is invalid.", transient: false)
    /// The message has no envelope recipients.
    public static let noRecipients = SMTPError(.noRecipients, "The message has no recipients.", transient: false)
    /// The server refused the message as a whole (greeting, MAIL FROM, DATA or end of data); transient for 4xx.
    public static let serverRejected = SMTPError(
        .serverRejected, "The SMTP server refused the message.", transient: false)
    /// The file transport could not write the message file.
    public static let fileWriteFailed = SMTPError(
        .fileWriteFailed, "Could not write the message file.", transient: true)
    /// The server answered something that is not SMTP before any reply (a wrong port, TLS spoken to plain SMTP).
    public static let notSMTP = SMTPError(.notSMTP, "The server does not speak SMTP.", transient: false)
    /// Our relay refused every recipient of a message because it will not relay for us or will not take our
    /// envelope sender (`554 5.7.1 Relay access denied`, `553 5.7.1 Sender address rejected: not owned by user`):
    /// a configuration problem, whatever the recipients.
    public static let relayRefused = SMTPError(
        .relayRefused, "The SMTP server refused to relay for us.", transient: false)
    /// Any other libcurl failure.
    public static let transferFailed = SMTPError(.transferFailed, "Sending the message failed.", transient: true)
    /// The sender itself stopped the transfer (the process is stopping) before the server confirmed the message:
    /// not sent, nobody's fault; the message stays queued.
    public static let stopped = SMTPError(.stopped, "Sending was stopped before the server confirmed the message.", transient: true)

    static func stopped(server: String) -> SMTPError {
        SMTPError(.stopped, "Sending to the SMTP server at \(server) was stopped before the server confirmed the message (this process is stopping); it stays queued.",
                  transient: true)
    }

    // Builders with details, used inside the module.

    static func startTLSNotOffered(server: String, reply: SMTPReply? = nil) -> SMTPError {
        let said = reply.map { ": it answered \($0.singleLine)" } ?? ""
        return SMTPError(.startTLSNotOffered,
                         "The SMTP server at \(server) did not offer STARTTLS\(said), and TLS is required, "
                         + "so nothing was sent.", transient: true)
    }

    static func plainToNonLoopback(host: String) -> SMTPError {
        SMTPError(.plainToNonLoopback,
                  "Plain SMTP (tls: none) is allowed only to a loopback address (127.0.0.0/8, ::1, localhost), "
                  + "not to \(host); use tls: required.", transient: false)
    }

    static func connectionFailed(server: String, reason: String) -> SMTPError {
        SMTPError(.connectionFailed, "Could not connect to the SMTP server at \(server) (\(reason)), so nothing was "
                  + "sent; check the host and port of the URL and that the relay is running.", transient: true)
    }

    static func connectionLost(server: String, reason: String) -> SMTPError {
        SMTPError(.connectionLost, "The connection to the SMTP server at \(server) was lost (\(reason)).",
                  transient: true)
    }

    /// The server hung up while the session was being set up: `after` is "greeting" or the last command
    /// ("EHLO", "STARTTLS"…), nil when it closed without a word.
    static func closedBeforeMailTransaction(server: String, after: String?, reason: String) -> SMTPError {
        let when = after.map { "after its \($0 == "greeting" ? "greeting" : "answer to \($0)")" } ?? "without a greeting"
        return SMTPError(.connectionLost,
                         "The SMTP server at \(server) closed the connection \(when), before any message was handed "
                         + "over (\(reason)), so nothing was sent.", transient: true, beforeMailTransaction: true)
    }

    /// Where a relay stalled while the session was being set up.
    enum Stall: Sendable {
        /// It accepted the TCP connection and never greeted.
        case noGreeting
        /// It left this command unanswered ("EHLO", "AUTH"…).
        case noAnswer(String)
        /// It answered this command and then said nothing more (a TLS handshake that never ends after STARTTLS).
        case silentAfter(String)
    }

    static func stalledBeforeMailTransaction(server: String, stall: Stall, seconds: Double) -> SMTPError {
        let limit = "within \(SMTPConfiguration.seconds(seconds))"
        let what: String
        switch stall {
        case .noGreeting: what = "accepted the connection but did not greet \(limit)"
        case .noAnswer(let command): what = "greeted, then did not answer \(command) \(limit)"
        case .silentAfter(let command): what = "greeted, then stopped answering after \(command) \(limit)"
        }
        return SMTPError(.timeout, "The SMTP server at \(server) \(what), so nothing was sent.", transient: true,
                         beforeMailTransaction: true)
    }

    static func timeout(server: String, reason: String) -> SMTPError {
        SMTPError(.timeout, "The SMTP server at \(server) did not answer in time (\(reason)).", transient: true)
    }

    static func authenticationFailed(server: String, username: String, reply: SMTPReply?, reason: String)
        -> SMTPError
    {
        let said = reply.map { "it answered \($0.singleLine)" } ?? reason
        return SMTPError(.authenticationFailed,
                         "The SMTP server at \(server) refused the login of user \"\(username)\": \(said).",
                         transient: reply.map { $0.code / 100 == 4 } ?? false,
                         replyCode: reply?.code, reply: reply?.text)
    }

    static func tlsHandshake(server: String, reason: String) -> SMTPError {
        SMTPError(.tlsHandshake, "The TLS handshake with the SMTP server at \(server) failed (\(reason)).",
                  transient: true)
    }

    static func certificate(server: String, reason: String) -> SMTPError {
        SMTPError(.certificate,
                  "The certificate of the SMTP server at \(server) could not be verified (\(reason)); "
                  + "set caFile to trust a private CA.", transient: true)
    }

    static func caFileUnreadable(path: String, reason: String) -> SMTPError {
        SMTPError(.caFileUnreadable, "The CA file \(path) cannot be read (\(reason)).", transient: false)
    }

    static func unsupportedURL(_ url: String, reason: String) -> SMTPError {
        SMTPError(.unsupportedURL,
                  "The SMTP URL \"\(SMTPConfiguration.maskingPassword(in: url))\" is not supported (\(reason)); use smtp://host:port, smtps://host:port "
                  + "or file:///directory.", transient: false)
    }

    static func invalidConfiguration(_ problem: String) -> SMTPError {
        SMTPError(.invalidConfiguration, "The SMTP configuration is invalid: \(problem).", transient: false)
    }

    static func invalidAddress(_ address: String, role: String, messageID: String) -> SMTPError {
        SMTPError(.invalidAddress,
                  "The \(role) address \(address.debugDescription) of message \(messageID) is empty or holds "
                  + "control characters or angle brackets, so the message was not sent.", transient: false)
    }

    static func noRecipients(messageID: String) -> SMTPError {
        SMTPError(.noRecipients, "Message \(messageID) has no recipients, so it was not sent.", transient: false)
    }

    static func serverRejected(server: String, step: String, reply: SMTPReply, refused: RefusedStep = .other) -> SMTPError {
        SMTPError(.serverRejected, "The SMTP server at \(server) refused \(step): \(reply.singleLine).",
                  transient: reply.code / 100 != 5, replyCode: reply.code, reply: reply.text, refusedStep: refused)
    }

    static func relayRefused(server: String, reply: SMTPReply) -> SMTPError {
        SMTPError(.relayRefused, "The SMTP server at \(server) refused to relay our mail (\(reply.singleLine)): check "
                  + "that it lets this host or login relay and owns our envelope sender; nothing was sent.",
                  transient: false, replyCode: reply.code, reply: reply.text)
    }

    static func notSMTP(server: String, reason: String) -> SMTPError {
        SMTPError(.notSMTP, "The server at \(server) does not answer as an SMTP server (\(reason)); check the port "
                  + "and the scheme of smtp.url (smtp:// with STARTTLS, usually port 587; smtps://, usually 465).",
                  transient: false)
    }

    static func fileWriteFailed(path: String, reason: String) -> SMTPError {
        SMTPError(.fileWriteFailed, "Could not write the message file \(path) (\(reason)).", transient: true)
    }

    static func transferFailed(server: String, reason: String) -> SMTPError {
        SMTPError(.transferFailed, "Sending to the SMTP server at \(server) failed (\(reason)).", transient: true)
    }
}
