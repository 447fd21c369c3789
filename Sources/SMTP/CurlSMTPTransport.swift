import CCurl
import Foundation
import Logging
import TransportSecurity

/// Sends messages over SMTP with libcurl: smtp:// with STARTTLS (required unless `tls: none` to loopback),
/// smtps:// with implicit TLS, AUTH when a username is configured, certificates always verified.
///
/// One libcurl easy handle serves the whole life of the transport, so a batch goes over one connection (libcurl
/// reconnects by itself after a failure closed it). Not Sendable: use one transport per task or thread.
///
/// ```swift
/// let transport = try CurlSMTPTransport(configuration: configuration, logger: logger)
/// for report in transport.send(messages) where !report.allAccepted { … }
/// ```
public final class CurlSMTPTransport: MailTransport {
    private let handle: UnsafeMutableRawPointer
    private let configuration: SMTPConfiguration
    /// "scheme://host:port", for messages and logs.
    private let server: String
    private let logger: Logger
    private let dialogue: SMTPDialogue
    /// libcurl's CURLOPT_ERRORBUFFER: the detailed reason of the last failure.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Asked by libcurl's progress callback, at least once a second, whether to abort the transfer in progress.
    private let stopCheck: StopCheck?

    /// A transport for `configuration`, checked first with `validate()`; connects on the first message.
    /// With `shouldStop`, a transfer in progress is aborted within about a second once it returns true (a
    /// service asked to stop): that message's report then has `SMTPError.stopped`, and it was not sent.
    public init(configuration: SMTPConfiguration,
                logger: Logger = Logger(label: "liaison.smtp"),
                shouldStop: (@Sendable () -> Bool)? = nil) throws(SMTPError)
    {
        guard case .smtp(let implicitTLS, _, let server, let curlURL) = try configuration.endpoint() else {
            throw .unsupportedURL(configuration.url, reason: "CurlSMTPTransport sends only to smtp:// and smtps://")
        }
        guard Curl.initialization == CURLE_OK, let handle = curl_easy_init() else {
            throw .transferFailed(server: server, reason: "libcurl could not be initialised")
        }
        var logger = logger
        logger[metadataKey: "smtp.server"] = "\(server)"
        self.handle = handle
        self.configuration = configuration
        self.server = server
        self.logger = logger
        self.dialogue = SMTPDialogue(logger: logger)
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        self.stopCheck = shouldStop.map(StopCheck.init)
        do {
            try setConnectionOptions(curlURL: curlURL, implicitTLS: implicitTLS)
        } catch {
            throw .transferFailed(server: server, reason: error.description)
        }
        logger.debug("SMTP transport ready: \(configuration)")
    }

    deinit {
        // Sends QUIT on an open connection; the dialogue object is still alive here for its log lines.
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Sends each message in order over the shared connection and reports on each; never throws.
    public func send(_ messages: [OutgoingMessage]) -> [DeliveryReport] {
        messages.map(deliver)
    }

    /// Options that stay the same for every message.
    private func setConnectionOptions(curlURL: String, implicitTLS: Bool) throws(CurlOptionError) {
        let milliseconds = { (seconds: TimeInterval) -> Int in Int((seconds * 1000).rounded(.up)) }
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_URL, curlURL)
        // STARTTLS or nothing; smtps:// is TLS from the first byte anyway. No login without both user and password.
        try Curl.setMailSession(handle, protocols: "smtp,smtps", useTLS: configuration.tls == .required || implicitTLS,
                                caFile: configuration.caFile,
                                username: configuration.password == nil ? nil : configuration.username,
                                password: configuration.password, connectTimeout: configuration.connectTimeout,
                                lowSpeedLimit: configuration.lowSpeedLimit, lowSpeedTime: configuration.lowSpeedTime)
        try set(CURLOPT_TIMEOUT_MS, milliseconds(configuration.timeout))
        try set(CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1)
        try set(CURLOPT_VERBOSE, 1)  // the debug callback only runs in verbose mode
        let debug = liaison_curl_setopt_debug_callback(handle, CURLOPT_DEBUGFUNCTION, recordDialogue)
        try check(debug, CURLOPT_DEBUGFUNCTION)
        // The dialogue lives as long as the handle (deinit cleans the handle up first), so no retain is needed.
        try set(CURLOPT_DEBUGDATA, pointer: Unmanaged.passUnretained(dialogue).toOpaque())
        if let stopCheck {
            // libcurl calls it while data moves and about once a second while it waits for the server.
            try set(CURLOPT_NOPROGRESS, 0)
            try check(liaison_curl_setopt_xferinfo_callback(handle, CURLOPT_XFERINFOFUNCTION, abortWhenStopping),
                      CURLOPT_XFERINFOFUNCTION)
            // Like the dialogue, the check lives as long as the handle.
            try set(CURLOPT_XFERINFODATA, pointer: Unmanaged.passUnretained(stopCheck).toOpaque())
        }
    }

    /// What a connection check found: the server answered EHLO, and these steps succeeded.
    public struct ConnectionCheck: Sendable, Equatable {
        /// STARTTLS was offered and the certificate verified (false for smtps://, TLS from the first byte, or `tls: none`).
        public let startedTLS: Bool
        /// The server accepted the login (false when no username is configured).
        public let loggedIn: Bool
    }

    /// Connects, says EHLO, starts TLS (verifying the certificate) and logs in, then sends nothing: what
    /// `liaison doctor` checks. Throws the error sending would have met (`.startTLSNotOffered`, `.certificate`,
    /// `.authenticationFailed`, `.connectionFailed`…).
    public func checkConnection() throws(SMTPError) -> ConnectionCheck {
        dialogue.startMessage()
        errorBuffer[0] = 0
        do { try set(CURLOPT_CONNECT_ONLY, 1) } catch { throw .transferFailed(server: server, reason: error.description) }
        defer { _ = liaison_curl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 0) }
        let result = curl_easy_perform(handle)
        if result != CURLE_OK { throw mapFailure(result) }
        if configuration.username != nil, !dialogue.authenticatedOnThisConnection {
            throw .authenticationFailed(server: server, username: configuration.username ?? "", reply: nil,
                                        reason: "the server offered no AUTH mechanism")
        }
        return ConnectionCheck(startedTLS: dialogue.exchanges.contains { $0.step == .startTLS },
                               loggedIn: dialogue.authenticatedOnThisConnection)
    }

    private func deliver(_ message: OutgoingMessage) -> DeliveryReport {
        if let problem = message.envelopeProblem() {
            logger.error("\(problem.description)")
            let outcome = RecipientOutcome.from(problem)
            return DeliveryReport(messageID: message.messageID,
                                  outcomes: message.recipients.map { ($0, outcome) }, error: problem)
        }
        dialogue.startMessage()

        var recipientList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(recipientList) }
        for recipient in message.recipients {
            guard let appended = curl_slist_append(recipientList, "<\(recipient)>") else {
                return failedBeforeSending(message, .transferFailed(server: server, reason: "out of memory"))
            }
            recipientList = appended
        }

        let body = Unmanaged.passRetained(MessageBody(message.bytes))
        defer {
            // libcurl must not keep pointers to what is freed here.
            _ = liaison_curl_setopt_pointer(handle, CURLOPT_READDATA, nil)
            _ = liaison_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, nil)
            body.release()
        }
        do {
            try set(CURLOPT_MAIL_FROM, "<\(message.sender)>")
            try check(liaison_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipientList), CURLOPT_MAIL_RCPT)
            try set(CURLOPT_UPLOAD, 1)
            try check(liaison_curl_setopt_read_callback(handle, CURLOPT_READFUNCTION, readMessageBody),
                      CURLOPT_READFUNCTION)
            try set(CURLOPT_READDATA, pointer: body.toOpaque())
            try check(liaison_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.bytes.count)),
                      CURLOPT_INFILESIZE_LARGE)
        } catch {
            return failedBeforeSending(message, .transferFailed(server: server, reason: error.description))
        }

        errorBuffer[0] = 0
        logger.debug("Sending \(message.messageID) (\(message.bytes.count) bytes) to \(message.recipients.count) recipient(s)")
        let result = curl_easy_perform(handle)
        var transferError = result == CURLE_OK ? nil : mapFailure(result)
        if transferError == .stopped, dialogue.exchanges.contains(where: { $0.step == .endOfData && $0.reply != nil }) {
            // Stopped after the server gave its verdict on the message: the verdict stands (the stop only cut the
            // end of the session), so an accepted message is recorded as sent, not given back and sent again.
            transferError = nil
        }
        let report = DeliveryReport(message: message, exchanges: dialogue.exchanges, transferError: transferError,
                                    server: server, username: configuration.username)

        let newConnection = info(CURLINFO_NUM_CONNECTS).map { $0 > 0 } ?? false
        if newConnection {
            logger.debug("Opened a new connection to \(infoString(CURLINFO_PRIMARY_IP) ?? "?")")
        }
        if newConnection, configuration.username != nil, !dialogue.authenticatedOnThisConnection,
           dialogue.exchanges.contains(where: { $0.step == .mailFrom })
        {
            logger.warning("The SMTP server at \(server) offered no AUTH; the message was sent without logging in")
        }
        log(report)
        return report
    }

    private func failedBeforeSending(_ message: OutgoingMessage, _ error: SMTPError) -> DeliveryReport {
        logger.error("\(error.description)")
        let outcome = RecipientOutcome.from(error)
        return DeliveryReport(messageID: message.messageID, outcomes: message.recipients.map { ($0, outcome) },
                              error: error)
    }

    private func log(_ report: DeliveryReport) {
        let accepted = report.outcomes.filter { $0.outcome.isAccepted }.count
        let metadata: Logger.Metadata = ["message-id": "\(report.messageID)"]
        if let error = report.error, error.isConfigurationProblem {
            // Nothing of the message was handed over, and the sender stops and says why once, for the whole run.
            logger.debug("\(report.messageID): not sent: \(error.description)", metadata: metadata)
            return
        }
        if let error = report.error {
            logger.warning("\(report.messageID): \(error.description)", metadata: metadata)
        }
        for (recipient, outcome) in report.outcomes where !outcome.isAccepted {
            let kind = outcome.isTransient ? "deferred" : "refused"
            logger.warning("\(report.messageID): \(recipient) \(kind): \(outcome.reply)", metadata: metadata)
        }
        logger.info("\(report.messageID): accepted for \(accepted) of \(report.outcomes.count) recipient(s)",
                    metadata: metadata)
    }

    /// Maps libcurl's failure code to the error a user can act on.
    private func mapFailure(_ code: CURLcode) -> SMTPError {
        let detail = Curl.detail(code, errorBuffer: errorBuffer)
        let beforeMailTransaction = !dialogue.mailTransactionStarted
        if code == CURLE_ABORTED_BY_CALLBACK { return .stopped(server: server) }
        // Not one SMTP reply on this connection: the port is another service's, or speaks TLS from the start.
        if code == CURLE_WEIRD_SERVER_REPLY && !dialogue.exchanges.contains(where: { $0.reply != nil }) {
            return .notSMTP(server: server, reason: detail)
        }
        switch TransportFailure(code) {
        case .connectionFailed:
            return .connectionFailed(server: server, reason: detail)
        case .timeout where beforeMailTransaction && !dialogue.connectedForThisMessage:
            return .connectionFailed(server: server, reason: detail)
        case .timeout where beforeMailTransaction:
            // libcurl counts the greeting, EHLO, STARTTLS and AUTH against the connect timeout.
            let stall: SMTPError.Stall
            if let last = dialogue.exchanges.last, dialogue.exchanges.contains(where: { $0.step == .greeting }) {
                stall = last.reply == nil ? .noAnswer(Self.command(last.step)) : .silentAfter(Self.command(last.step))
            } else {
                stall = .noGreeting
            }
            return .stalledBeforeMailTransaction(server: server, stall: stall,
                                                 seconds: min(configuration.connectTimeout, configuration.timeout))
        case .timeout:
            return .timeout(server: server, reason: detail)
        case .startTLSNotOffered:
            return .startTLSNotOffered(server: server)
        case .certificate:
            return .certificate(server: server, reason: detail)
        case .caFileUnreadable:
            return .caFileUnreadable(path: configuration.caFile ?? "(system default)", reason: detail)
        case .tlsHandshake:
            return .tlsHandshake(server: server, reason: detail)
        case .loginDenied:
            return .authenticationFailed(server: server, username: configuration.username ?? "", reply: nil,
                                         reason: detail)
        case .connectionLost where beforeMailTransaction && dialogue.connectedForThisMessage && code != CURLE_PARTIAL_FILE:
            let last = dialogue.exchanges.last { $0.reply != nil }.map { Self.command($0.step) }
            return .closedBeforeMailTransaction(server: server, after: last, reason: detail)
        case .connectionLost:
            return .connectionLost(server: server, reason: detail)
        case .unsupportedURL:
            return .unsupportedURL(configuration.url, reason: detail)
        case .refused, .tooLarge, .aborted, .other:
            return .transferFailed(server: server, reason: detail)
        }
    }

    /// How a step is named in messages: "EHLO", "STARTTLS", "AUTH", "greeting".
    private static func command(_ step: SMTPDialogue.Step) -> String {
        switch step {
        case .greeting: "greeting"
        case .ehlo: "EHLO"
        case .helo: "HELO"
        case .startTLS: "STARTTLS"
        case .auth, .authContinuation: "AUTH"
        case .mailFrom: "MAIL FROM"
        case .rcptTo: "RCPT TO"
        case .data, .endOfData: "DATA"
        case .quit: "QUIT"
        case .other(let verb): verb
        case .unsolicited: "the session"
        }
    }

    /// A CURLINFO_LONG value of the last transfer.
    private func info(_ item: CURLINFO) -> Int? {
        var value = 0
        return liaison_curl_getinfo_long(handle, item, &value) == CURLE_OK ? value : nil
    }

    /// A CURLINFO_STRING value of the last transfer, copied out of the handle.
    private func infoString(_ item: CURLINFO) -> String? {
        var value: UnsafePointer<CChar>? = nil
        guard liaison_curl_getinfo_string(handle, item, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    // Typed option setters over the C shim.

    private func set(_ option: CURLoption, _ value: Int) throws(CurlOptionError) {
        try Curl.set(handle, option, value)
    }

    private func set(_ option: CURLoption, _ value: String) throws(CurlOptionError) {
        try Curl.set(handle, option, value)
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(CurlOptionError) {
        try Curl.set(handle, option, pointer: pointer)
    }

    private func check(_ result: CURLcode, _ option: CURLoption) throws(CurlOptionError) {
        try Curl.check(result, option)
    }
}

@available(*, unavailable, message: "one CurlSMTPTransport per task or thread")
extension CurlSMTPTransport: Sendable {}

/// The message bytes handed to libcurl piece by piece through the read callback.
private final class MessageBody {
    private let bytes: Data
    private var offset = 0

    init(_ bytes: Data) {
        self.bytes = bytes
    }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// CURLOPT_READFUNCTION: copies the next bytes of the message; libcurl dot-stuffs them itself.
private let readMessageBody: curl_read_callback = { buffer, size, count, context in
    guard let buffer, let context else { return Int(CURL_READFUNC_ABORT) }
    let body = Unmanaged<MessageBody>.fromOpaque(context).takeUnretainedValue()
    return body.read(into: buffer, capacity: size * count)
}

/// The stop question of a transport, handed to libcurl's progress callback.
private final class StopCheck {
    let shouldStop: @Sendable () -> Bool
    init(_ shouldStop: @escaping @Sendable () -> Bool) { self.shouldStop = shouldStop }
}

/// CURLOPT_XFERINFOFUNCTION: a non-zero return aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
private let abortWhenStopping: curl_xferinfo_callback = { context, _, _, _, _ in
    guard let context else { return 0 }
    return Unmanaged<StopCheck>.fromOpaque(context).takeUnretainedValue().shouldStop() ? 1 : 0
}

/// CURLOPT_DEBUGFUNCTION: feeds commands, replies and libcurl's remarks to the dialogue; the data is ignored.
private let recordDialogue: curl_debug_callback = { _, type, data, size, context in
    guard let data, let context else { return 0 }
    let dialogue = Unmanaged<SMTPDialogue>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    switch type {
    case CURLINFO_HEADER_IN: dialogue.received(bytes)
    case CURLINFO_HEADER_OUT: dialogue.sent(bytes)
    case CURLINFO_TEXT: dialogue.note(bytes)
    default: break
    }
    return 0
}
