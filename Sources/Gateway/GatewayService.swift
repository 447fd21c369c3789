import Foundation
import IMAP
import Logging
import Registry
import ServiceLifecycle
import SMTP

/// The service that keeps a workspace's queue moving, in rounds until stopped: send what is due, read new mail,
/// and every quarter of an hour apply the `reminders:` policy of liaison.yaml. `liaison run` runs it on its own;
/// `liaison serve --run` runs it beside the desk.
///
/// Each round:
/// - **send**: every message that is due (first attempts and retries whose backoff has passed), a few per
///   connection at a time so that a stop is seen between two of them, on `Settings.connections` connections. A
///   problem of the relay or of the SMTP settings (unreachable, no greeting, refused login…) ends that round's
///   sending, is logged once, changes nothing, and is tried again next round.
/// - **ingest**: new mail of the Maildir, or of the IMAP mailbox (then the wait between rounds is IMAP IDLE where
///   the server offers it, so that new mail wakes the service at once). One message that cannot be read or
///   stored never stops the others.
/// - **remind**: the reminder ladder (reminders, escalation, unreachable) for every open case, at most every
///   15 minutes. A signing key that cannot sign for a reason of our settings (a wrong passphrase, an expired or
///   revoked key) ends the service: `run` throws that `GatewayProblems`, nothing queued.
///
/// Between rounds it waits `Settings.interval` seconds, or less when a stop is requested. A stop aborts the SMTP
/// transfer in progress within about a second: that message was not confirmed by the relay, is not counted as an
/// attempt and stays queued. One log line per action (info), errors as errors. Hold a `WorkspaceLock` while it
/// runs: one service per workspace.
///
/// ```swift
/// let lock = try WorkspaceLock(stateDirectory: services.workspace.stateURL)
/// let service = try GatewayService(services: services, settings: .init(interval: 60), logger: logger)
/// try service.run(until: stop)                       // blocking, until stop.request("SIGTERM")
/// // or in a ServiceGroup beside a server: graceful shutdown stops it
/// ```
public struct GatewayService: Sendable {
    /// Where new mail is read from.
    public enum Mailbox: Sendable {
        /// No mail is read.
        case none
        /// The Maildir at this path (its `new/` and `cur/` messages; those already stored are recognised).
        case maildir(String)
        /// The IMAP mailbox, and what to do with a message on the server once it is stored.
        case imap(IMAPConfiguration, after: IMAPAfterStoring)
    }

    /// How the service runs.
    public struct Settings: Sendable {
        /// Seconds between two rounds, 1 to 86,400.
        public var interval: Int
        public var mailbox: Mailbox
        /// Whether the reminder policy of liaison.yaml is applied.
        public var reminders: Bool
        /// SMTP connections used at once to send, 1 to 16; nil: `smtp.max_connections` of liaison.yaml.
        public var connections: Int?

        public init(interval: Int = 60, mailbox: Mailbox = .none, reminders: Bool = true, connections: Int? = nil) {
            self.interval = interval; self.mailbox = mailbox; self.reminders = reminders; self.connections = connections
        }
    }

    /// The workspace's services; events name their actor.
    public let services: WorkspaceServices
    public let settings: Settings
    public let logger: Logger
    /// SMTP connections used at once to send.
    public let connections: Int
    /// The relay's settings; nil when liaison.yaml sets no smtp.url (nothing is sent).
    fileprivate let smtp: SMTPConfiguration?
    fileprivate let ingester: ReplyIngester

    /// Checks the settings: the interval and connections in range, the SMTP settings (when smtp.url is set), the
    /// IMAP mailbox URL, the key's passphrase for encrypted replies.
    ///
    /// Throws `GatewayError` (`invalidArgument`, `configuration`) with one sentence, `SMTPConfiguration`'s and
    /// `IMAPError`'s errors for inconsistent settings, `RegistryError` when the passphrase cannot be read.
    public init(services: WorkspaceServices, settings: Settings, logger: Logger = Logger(label: "liaison.run")) throws {
        guard (1...86_400).contains(settings.interval) else {
            throw GatewayError.invalidArgument("the interval between two rounds takes 1 to 86400 seconds, not \(settings.interval)")
        }
        let connections = settings.connections ?? services.configuration.smtp.maxConnections
        guard (1...16).contains(connections) else {
            throw GatewayError.invalidArgument("the service sends on 1 to 16 SMTP connections, not \(connections)")
        }
        self.services = services; self.settings = settings; self.logger = logger; self.connections = connections
        smtp = services.configuration.smtp.url == nil ? nil : try services.smtp()
        ingester = try services.replyIngester()
        if case .imap(let configuration, _) = settings.mailbox { _ = try configuration.endpoint() }
    }

    /// Runs rounds on the calling thread until `stop` is requested; returns after logging `stopping on REASON`.
    ///
    /// Throws `GatewayProblems` when the signing key cannot sign for a reason of liaison.yaml (every round would
    /// fail the same way), `IMAPError` when no IMAP session can be set up. Every other problem is logged and
    /// tried again next round.
    public func run(until stop: ServiceStop) throws {
        var rounds = try Rounds(service: self, stop: stop)
        try rounds.run()
    }

    /// Runs rounds on a thread of their own (they block on SMTP, IMAP and gpg) until the task is cancelled or, in
    /// a `ServiceGroup`, shut down gracefully; throws as `run(until:)`.
    public func run() async throws {
        let stop = ServiceStop()
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let thread = Thread { continuation.resume(with: Result { try self.run(until: stop) }) }
                thread.name = "liaison.run"
                thread.stackSize = 8 << 20
                thread.start()
            }
        } onCancelOrGracefulShutdown: {
            stop.request("graceful shutdown")
        }
    }
}

extension GatewayService: Service {}

/// One run of the service: what lives from its start to its stop (the dispatcher bound to the stop request, the
/// IMAP session, the UIDNEXT seen, when reminders were last applied). Confined to the thread that runs it.
private struct Rounds {
    let service: GatewayService
    let stop: ServiceStop
    var logger: Logger { service.logger }
    let dispatcher: OutboxDispatcher?
    let reader: IMAPIngester
    let session: IMAPSession?
    /// When the reminder policy was last applied.
    var lastReminders: Date?
    /// UIDNEXT when the mailbox was last read: IDLE returns at once if mail came in since.
    var knownUIDNext: UInt32 = 0

    init(service: GatewayService, stop: ServiceStop) throws {
        self.service = service
        self.stop = stop
        let services = service.services
        var after = IMAPAfterStoring.leave
        if case .imap(let configuration, let then) = service.settings.mailbox {
            after = then
            session = try IMAPSession(configuration: configuration)
        } else {
            session = nil
        }
        reader = IMAPIngester(ingester: service.ingester, states: services.store.mailboxStates, after: after,
                              logger: service.logger)
        if let smtp = service.smtp {
            let sendLogger = service.logger
            // A stop aborts the transfer in progress (within a second), which stays queued: systemd's stop timeout
            // never kills the process in the middle of a message.
            dispatcher = OutboxDispatcher(store: services.store, maxAttempts: services.configuration.smtp.maxAttempts,
                                          leaseDuration: OutboxDispatcher.leaseDuration(for: smtp), actor: services.actor,
                                          logger: sendLogger) {
                try makeTransport(smtp, logger: sendLogger, shouldStop: { stop.isRequested })
            }
        } else {
            dispatcher = nil
        }
    }

    mutating func run() throws {
        if dispatcher == nil { logger.warning("smtp.url is not set in liaison.yaml: nothing will be sent") }
        if case .none = service.settings.mailbox {
            logger.warning("imap.url is not set in liaison.yaml and no --maildir was given: no mail will be read")
        }
        logger.info("liaison run started on \(service.services.workspace.root.path) (process \(getpid()))")
        while !stop.isRequested {
            send()
            if stop.isRequested { break }
            ingest()
            if stop.isRequested { break }
            try remind()
            if stop.isRequested { break }
            waitForNextRound()
        }
        logger.info("stopping on \(stop.reason ?? "request")")
    }

    /// Sends due messages a few per connection at a time, so that a stop request is seen between two of them.
    private func send() {
        guard let dispatcher else { return }
        let connections = service.connections
        do {
            while !stop.isRequested {
                let summary = try dispatcher.run(limit: 5 * connections, concurrency: connections)
                let handled = summary.sent + summary.deferred + summary.failed
                if handled == 0 { break }
                logger.info("send: sent \(summary.sent), deferred \(summary.deferred), failed \(summary.failed)")
            }
        } catch {
            // The line may quote the relay (its greeting, its reply): the log handler escapes control characters.
            logger.error("send: \(error)")
        }
    }

    private mutating func ingest() {
        switch service.settings.mailbox {
        case .none:
            return
        case .maildir(let maildir):
            do {
                for message in try MailboxReader.maildir(URL(fileURLWithPath: maildir)) {
                    if stop.isRequested { return }
                    // One message that cannot be read or stored never stops the others.
                    do {
                        let outcome = try reader.ingester.ingest(file: message.file)
                        if outcome.disposition != .duplicate { log(outcome, source: "\(maildir)/\(message.name)") }
                    } catch {
                        logger.error("ingest \(maildir)/\(message.name): \(error)")
                    }
                }
            } catch {
                logger.error("ingest \(maildir): \(error)")
            }
        case .imap:
            guard let session else { return }
            do {
                let stop = self.stop
                let summary = try reader.readNew(from: session, shouldStop: { stop.isRequested }) { uid, outcome in
                    // A failed one was logged by the reader.
                    if outcome.disposition != .failed { log(outcome, source: "UID \(uid)") }
                }
                knownUIDNext = summary.uidNext
                if let line = summary.ignoredUIDsLine { logger.warning("ingest: \(line)") }
            } catch let error as IMAPError {
                logger.error("ingest: \(error.description)")
            } catch {
                logger.error("ingest: \(error)")
            }
        }
    }

    private func log(_ outcome: IngestOutcome, source: String) {
        // The subject is the sender's text: the log handler escapes its control characters.
        let subject = outcome.subject.map { " (subject: \($0))" } ?? ""
        logger.info("ingest: \(source): \(outcome.line)\(subject)")
    }

    /// The reminder ladder of liaison.yaml, at most every 15 minutes (its steps are days apart). Throws, ending the
    /// service, when the signing key cannot sign for a reason of our settings (a wrong passphrase, an expired key).
    private mutating func remind() throws {
        guard service.settings.reminders else { return }
        if let lastReminders, Date().timeIntervalSince(lastReminders) < 900 { return }
        lastReminders = Date()
        let services = service.services
        do {
            let composer = NotificationComposer(store: services.store, settings: try services.settings())
            let logger = self.logger
            let actions = try ReminderLadder(composer: composer, policy: services.configuration.reminders).apply { dropped in
                logger.info("remind: \(dropped.step.rawValue) for \(dropped.caseId) to \(dropped.organizationId) not taken: another remind took it, or an answer came, meanwhile")
            }
            for action in actions {
                let messages = action.messages.count == 1 ? "1 message" : "\(action.messages.count) messages"
                logger.info("remind: \(action.step.rawValue) for \(action.caseId) to \(action.organizationId) after \(action.daysWaiting) days, \(messages) queued")
            }
        } catch let error as GatewayProblems where !error.fields.isEmpty && error.problems.allSatisfy({ error.fields[$0] != nil }) {
            // Our own settings are wrong (the signing key cannot sign): every round would fail the same way.
            throw error
        } catch {
            logger.error("remind: \(error)")
        }
    }

    private func waitForNextRound() {
        let interval = TimeInterval(service.settings.interval)
        if let session, session.offersIdle {
            do {
                let stop = self.stop
                if try session.idle(upTo: interval, knownUIDNext: knownUIDNext, shouldStop: { stop.isRequested }) {
                    logger.debug("new mail announced")
                }
                return
            } catch {
                logger.warning("IDLE: \(error)")
            }
        }
        _ = stop.wait(upTo: interval)
    }
}
