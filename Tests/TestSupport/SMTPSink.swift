import Foundation

/// A real SMTP server for tests, benchmarks and demos: aiosmtpd (Debian's python3-aiosmtpd, run by
/// /usr/bin/python3) on 127.0.0.1 with a free port, in its own temporary folder.
///
/// It can offer STARTTLS or implicit TLS (with a certificate for 127.0.0.1 and localhost signed by a throwaway CA
/// whose PEM is `caFile`), require AUTH PLAIN/LOGIN, and answer RCPT TO or the end of DATA with scripted replies.
/// Every accepted message is kept with its exact bytes, its envelope and the connection it came on.
///
/// ```swift
/// var options = SMTPSink.Options()
/// options.starttls = true
/// options.rcptReplies = ["gone@example.org": ["550 5.1.1 No such user"]]
/// let sink = try SMTPSink.start(options)
/// defer { sink.stop() }
/// // … send to sink.url, trusting sink.caFile …
/// let received = try sink.waitForMessages(count: 1)
/// #expect(received[0].bytes == sentBytes)
/// ```
///
/// The server stops with `stop()` or when the sink is released, and also exits by itself when the process that
/// started it ends (its standard input closes), so a crashed test leaves nothing running.
public final class SMTPSink: @unchecked Sendable {
    // @unchecked: every stored property is immutable after start except `process`, which only `stop()` touches,
    // under `lock`.

    /// How the sink behaves.
    public struct Options: Sendable {
        /// Offer STARTTLS (smtp:// URL).
        public var starttls = false
        /// Speak TLS from the first byte (smtps:// URL).
        public var implicitTLS = false
        /// With `starttls`, refuse every command but EHLO, NOOP, QUIT and STARTTLS until TLS is on.
        public var requireTLS = false
        /// Offer AUTH PLAIN and LOGIN (after STARTTLS when `starttls`), and require it before MAIL FROM.
        public var auth: (user: String, password: String)? = nil
        /// Per recipient address (case-insensitive): replies to give to its RCPT TO, in turn; once used up the
        /// recipient is accepted. A reply may have several lines joined by "\r\n" ("550-a\r\n550 b").
        public var rcptReplies: [String: [String]] = [:]
        /// Replies to give to MAIL FROM, in turn; once used up, MAIL FROM is accepted.
        public var mailReplies: [String] = []
        /// Replies to give at the end of DATA, in turn; a 2xx reply still saves the message. Then "250 …".
        public var dataReplies: [String] = []
        /// Seconds to wait before each end-of-DATA reply, after an accepted message is saved (0: answer at once).
        /// A client killed during the wait has delivered the message without learning it: the in-flight case.
        public var dataReplyDelay: Double = 0
        /// Seconds to wait before answering the DATA command (with 354), once recipients were accepted: a slow
        /// relay that has taken nothing of the message yet (0: answer at once).
        public var dataCommandDelay: Double = 0
        /// Seconds an idle connection stays open.
        public var idleTimeout: Double = 300

        /// Plain SMTP, no AUTH, everyone accepted.
        public init() {}
    }

    /// One message the sink accepted.
    public struct ReceivedMessage: Sendable, Equatable {
        /// 1 for the first message accepted, and so on.
        public let number: Int
        /// The message exactly as received, after undoing the dot-stuffing.
        public let bytes: Data
        /// The envelope sender (MAIL FROM), "" for `<>`.
        public let mailFrom: String
        /// MAIL FROM parameters such as "SIZE=1234" or "SMTPUTF8".
        public let mailOptions: [String]
        /// The accepted envelope recipients (RCPT TO), in order.
        public let recipients: [String]
        /// The name the client gave in EHLO or HELO.
        public let helo: String?
        /// Which connection carried it: 1 for the sink's first connection, and so on.
        public let connectionNumber: Int
        /// Whether the connection was encrypted (STARTTLS or implicit TLS).
        public let tls: Bool
        /// The user that logged in, if any.
        public let user: String?
    }

    /// The port on 127.0.0.1.
    public let port: Int
    /// "smtp://127.0.0.1:PORT", or "smtps://…" with `implicitTLS`.
    public let url: String
    /// The CA certificate (PEM) that signed the server's certificate, when TLS is on.
    public let caFile: String?
    /// The sink's folder: the script, its options, the certificates, the received messages, `sink.log`.
    public let directory: URL
    /// The options the sink was started with.
    public let options: Options

    private let messagesDirectory: URL
    private let lock = NSLock()
    private var process: Process?
    private let standardInput: Pipe

    /// Starts a sink and returns once it accepts connections (or throws within `startTimeout` seconds).
    public static func start(_ options: Options = Options(), startTimeout: TimeInterval = 20) throws -> SMTPSink {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("smtp-sink-\(UUID().uuidString)", isDirectory: true)
        let messages = directory.appendingPathComponent("messages", isDirectory: true)
        try FileManager.default.createDirectory(at: messages, withIntermediateDirectories: true)

        var certificate: SMTPSinkCertificate? = nil
        if options.starttls || options.implicitTLS {
            certificate = try SMTPSinkCertificate.make(in: directory)
        }
        let configuration: [String: Any] = [
            "directory": messages.path,
            "starttls": options.starttls,
            "implicit_tls": options.implicitTLS,
            "require_tls": options.requireTLS,
            "auth": options.auth.map { ["user": $0.user, "password": $0.password] } ?? NSNull(),
            "rcpt_replies": options.rcptReplies,
            "mail_replies": options.mailReplies,
            "data_replies": options.dataReplies,
            "data_reply_delay": options.dataReplyDelay,
            "data_command_delay": options.dataCommandDelay,
            "timeout": options.idleTimeout,
            "cert_file": certificate?.certificateFile ?? NSNull(),
            "key_file": certificate?.keyFile ?? NSNull(),
        ]
        let configurationFile = directory.appendingPathComponent("sink.json")
        try JSONSerialization.data(withJSONObject: configuration, options: [.sortedKeys]).write(to: configurationFile)
        let scriptFile = directory.appendingPathComponent("sink.py")
        try Data(script.utf8).write(to: scriptFile)
        let logFile = directory.appendingPathComponent("sink.log")
        try Data().write(to: logFile)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-u", scriptFile.path, configurationFile.path]
        process.currentDirectoryURL = directory
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()

        let port: Int
        do {
            port = try waitForReady(output.fileHandleForReading, process: process, timeout: startTimeout,
                                    logFile: logFile)
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw error
        }
        let scheme = options.implicitTLS ? "smtps" : "smtp"
        return SMTPSink(port: port, url: "\(scheme)://127.0.0.1:\(port)", caFile: certificate?.caFile,
                        directory: directory, options: options, messagesDirectory: messages,
                        process: process, standardInput: input)
    }

    private init(port: Int, url: String, caFile: String?, directory: URL, options: Options, messagesDirectory: URL,
                 process: Process, standardInput: Pipe)
    {
        self.port = port
        self.url = url
        self.caFile = caFile
        self.directory = directory
        self.options = options
        self.messagesDirectory = messagesDirectory
        self.process = process
        self.standardInput = standardInput
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The URL with another host name for the same server, e.g. "localhost" (the certificate names it too).
    public func url(host: String) -> String {
        "\(options.implicitTLS ? "smtps" : "smtp")://\(host):\(port)"
    }

    /// The messages accepted so far, in the order they were accepted.
    public func messages() -> [ReceivedMessage] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: messagesDirectory.path)) ?? []
        let numbers = names.compactMap { name -> Int? in
            name.hasSuffix(".json") ? Int(name.dropLast(5)) : nil
        }.sorted()
        return numbers.compactMap(readMessage)
    }

    /// Waits until at least `count` messages were accepted; throws with what arrived when `timeout` passes first.
    @discardableResult
    public func waitForMessages(count: Int, timeout: TimeInterval = 10) throws -> [ReceivedMessage] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let received = messages()
            if received.count >= count { return received }
            if Date() >= deadline {
                throw SMTPSinkError("expected \(count) message(s) within \(timeout) s but received \(received.count); "
                                    + "server log: \(log())")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// The Message-ID of each accepted message, in order, without angle brackets ("" when it has none).
    public func messageIDs() -> [String] {
        messages().map { SMTPSink.messageID(of: $0.bytes) }
    }

    /// The Message-ID header of raw message bytes, without angle brackets; "" when there is none.
    public static func messageID(of bytes: Data) -> String {
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        let headerEnd = text.range(of: "\n\n")?.lowerBound ?? text.endIndex
        // Unfold continuation lines, then find the header by name, case-insensitively.
        let headers = text[..<headerEnd].replacingOccurrences(of: "\n ", with: " ")
            .replacingOccurrences(of: "\n\t", with: " ")
        for line in headers.components(separatedBy: "\n") {
            guard let colon = line.firstIndex(of: ":"),
                  line[..<colon].caseInsensitiveCompare("Message-ID") == .orderedSame else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " \t<>"))
        }
        return ""
    }

    /// How many connections the sink accepted so far.
    public var connectionCount: Int { counter("connections") }

    /// How many of those connections have ended (the client quit or dropped, or the idle timeout struck).
    public var closedConnectionCount: Int { counter("closed") }

    /// Waits until at least `count` connections have ended; throws when `timeout` passes first.
    public func waitForClosedConnections(count: Int, timeout: TimeInterval = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while closedConnectionCount < count {
            if Date() >= deadline {
                throw SMTPSinkError("expected \(count) closed connection(s) within \(timeout) s but saw "
                                    + "\(closedConnectionCount)")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    private func counter(_ name: String) -> Int {
        let file = messagesDirectory.appendingPathComponent(name)
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return 0 }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// What the server wrote to its standard error (aiosmtpd's log, Python errors).
    public func log() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("sink.log"), encoding: .utf8)) ?? ""
    }

    /// Stops the server (SIGTERM to its process id) and waits for it to exit; the received messages stay readable
    /// until the sink is released.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard let process else { return }
        self.process = nil
        try? standardInput.fileHandleForWriting.close()  // the script exits on end of input too
        if process.isRunning {
            process.terminate()
        }
        // Wait with a deadline, then insist: a stuck server must not hang the test run.
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    private func readMessage(number: Int) -> ReceivedMessage? {
        let json = messagesDirectory.appendingPathComponent("\(number).json")
        let eml = messagesDirectory.appendingPathComponent("\(number).eml")
        guard let data = try? Data(contentsOf: json), let bytes = try? Data(contentsOf: eml),
              let record = try? JSONDecoder().decode(Record.self, from: data) else { return nil }
        return ReceivedMessage(number: number, bytes: bytes, mailFrom: record.mail_from,
                               mailOptions: record.mail_options, recipients: record.rcpt_tos,
                               helo: record.helo, connectionNumber: record.connection, tls: record.tls, user: record.user)
    }

    /// The envelope file the script writes next to each message.
    private struct Record: Decodable {
        let mail_from: String
        let mail_options: [String]
        let rcpt_tos: [String]
        let helo: String?
        let connection: Int
        let tls: Bool
        let user: String?
    }

    /// Reads the script's standard output until "READY <port>", the script exits, or the deadline passes.
    private static func waitForReady(_ output: FileHandle, process: Process, timeout: TimeInterval,
                                     logFile: URL) throws -> Int
    {
        let received = LineCollector()
        let reader = Thread {
            while true {
                let chunk = output.availableData
                if chunk.isEmpty { break }
                received.append(chunk)
            }
        }
        reader.start()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let port = received.readyPort() { return port }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        if let port = received.readyPort() { return port }
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        let state = process.isRunning ? "did not print READY within \(timeout) s" : "exited (\(process.terminationStatus))"
        throw SMTPSinkError("the SMTP sink \(state); its log: \(log)")
    }

    /// The script's standard output, filled by the reader thread and polled by the starting thread.
    private final class LineCollector: @unchecked Sendable {
        // @unchecked: `text` is only touched under `lock`.
        private let lock = NSLock()
        private var text = ""

        func append(_ data: Data) {
            lock.lock()
            text += String(decoding: data, as: UTF8.self)
            lock.unlock()
        }

        func readyPort() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            for line in text.split(separator: "\n") where line.hasPrefix("READY ") {
                return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
            }
            return nil
        }
    }
}

/// The sink could not start or did not receive what was awaited.
public struct SMTPSinkError: Error, CustomStringConvertible {
    /// One sentence saying what went wrong.
    public let description: String

    /// An error with this sentence.
    public init(_ description: String) {
        self.description = description
    }
}
