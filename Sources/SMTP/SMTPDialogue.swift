import Logging

/// The SMTP commands and replies of one message, pieced together from libcurl's debug callback, because libcurl
/// reports no per-recipient results of its own. Also logs the dialogue at debug level, credentials left out.
///
/// libcurl sends one command at a time and waits for its reply (no PIPELINING), so each complete reply belongs to
/// the last command still waiting for one. Two replies come without a command of their own: the greeting of a new
/// connection and the reply to the end of the message data (after DATA's 354).
final class SMTPDialogue {
    /// What a command or reply was about.
    enum Step: Equatable {
        case greeting, ehlo, helo, startTLS, auth, authContinuation, mailFrom, rcptTo, data, endOfData, quit
        case other(String)
        /// A reply nobody asked for, such as a 421 before the server hangs up.
        case unsolicited
    }

    /// One command (or implicit step) and the reply to it, if one came.
    struct Exchange: Equatable {
        let step: Step
        var reply: SMTPReply?
    }

    /// The exchanges since the message started, or since the last new connection within it.
    private(set) var exchanges: [Exchange] = []
    /// Whether the current connection carried an AUTH command (for the warning when a server offers no AUTH).
    private(set) var authenticatedOnThisConnection = false
    /// Whether a new connection was opened since the message started (false when a kept one was reused, or when
    /// the TCP connection could not be made).
    private(set) var connectedForThisMessage = false
    /// Whether the current message's mail transaction began (MAIL FROM was sent): before it, nothing of the
    /// message was handed over and a failure is the relay's, not the message's.
    var mailTransactionStarted: Bool { exchanges.contains { $0.step == .mailFrom } }

    private var logger: Logger
    private var incoming: [UInt8] = []
    private var outgoing: [UInt8] = []
    private var replyLines: [String] = []
    private var inAuthentication = false

    init(logger: Logger) {
        self.logger = logger
    }

    /// Forgets the exchanges of the previous message; the connection state stays.
    func startMessage() {
        connectedForThisMessage = false
        exchanges.removeAll(keepingCapacity: true)
        incoming.removeAll(keepingCapacity: true)
        outgoing.removeAll(keepingCapacity: true)
        replyLines.removeAll()
    }

    /// libcurl's CURLINFO_HEADER_IN: reply bytes, normally one line at a time.
    func received(_ bytes: UnsafeRawBufferPointer) {
        incoming.append(contentsOf: bytes)
        while let line = Self.takeLine(from: &incoming) { receivedLine(line) }
    }

    /// libcurl's CURLINFO_HEADER_OUT: command bytes.
    func sent(_ bytes: UnsafeRawBufferPointer) {
        outgoing.append(contentsOf: bytes)
        while let line = Self.takeLine(from: &outgoing) { sentLine(line) }
    }

    /// libcurl's CURLINFO_TEXT: its own remarks; "Connected to" marks a new connection.
    func note(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self).trimmingSuffix(while: { $0 == "\n" || $0 == "\r" })
        if text.hasPrefix("Connected to ") {
            // A new connection within this message (the first, or a fresh one after a dead reused one): what was
            // said on an earlier connection no longer counts.
            exchanges.removeAll(keepingCapacity: true)
            incoming.removeAll(keepingCapacity: true)
            replyLines.removeAll()
            inAuthentication = false
            authenticatedOnThisConnection = false
            connectedForThisMessage = true
        }
        logger.trace("curl: \(text)")
    }

    private func sentLine(_ line: String) {
        let verb = line.prefix { $0 != " " && $0 != ":" }.uppercased()
        if inAuthentication {
            exchanges.append(Exchange(step: .authContinuation, reply: nil))
            logger.debug("C: [credentials not logged]")
            return
        }
        let step: Step
        switch verb {
        case "EHLO": step = .ehlo
        case "HELO": step = .helo
        case "STARTTLS": step = .startTLS
        case "AUTH":
            step = .auth
            inAuthentication = true
            authenticatedOnThisConnection = true
        case "MAIL": step = .mailFrom
        case "RCPT": step = .rcptTo
        case "DATA": step = .data
        case "QUIT": step = .quit
        default: step = .other(verb)
        }
        exchanges.append(Exchange(step: step, reply: nil))
        if step == .auth {
            // "AUTH PLAIN <base64 credentials>": keep only the mechanism.
            let mechanism = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            logger.debug("C: AUTH \(mechanism) [credentials not logged]")
        } else {
            logger.debug("C: \(line)")
        }
    }

    private func receivedLine(_ line: String) {
        logger.debug("S: \(line)")
        replyLines.append(line)
        guard SMTPReply.isFinalLine(line) else { return }
        let reply = SMTPReply(code: SMTPReply.code(of: replyLines[0]), lines: replyLines)
        replyLines.removeAll()
        if reply.code != 334 { inAuthentication = false }

        if let last = exchanges.indices.last, exchanges[last].reply == nil {
            exchanges[last].reply = reply
        } else if let last = exchanges.last, last.step == .data, last.reply?.code == 354 {
            exchanges.append(Exchange(step: .endOfData, reply: reply))
        } else if exchanges.isEmpty {
            exchanges.append(Exchange(step: .greeting, reply: reply))
        } else {
            exchanges.append(Exchange(step: .unsolicited, reply: reply))
        }
    }

    /// Removes and returns the first complete line (without CR LF), decoding invalid UTF-8 leniently.
    private static func takeLine(from buffer: inout [UInt8]) -> String? {
        guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var end = newline
        if end > buffer.startIndex && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = String(decoding: buffer[buffer.startIndex..<end], as: UTF8.self)
        buffer.removeSubrange(buffer.startIndex...newline)
        return line
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var result = Substring(self)
        while let last = result.last, predicate(last) { result = result.dropLast() }
        return String(result)
    }
}
