import ArgumentParser
import Foundation
import Gateway
import IMAP
import Logging
import Mail
import Registry
import SMTP

/// `liaison run`: the service that keeps the queue moving.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Keep the queue moving: send what is due, read new mail, queue reminders; until SIGTERM.",
        discussion: """
            One long-running process for a workstation or a server (scripts/systemd/liaison.service). Each round \
            sends every message that is due (first attempts and retries whose backoff has passed) over smtp.url, \
            on smtp.max_connections connections (default 4; --concurrency overrides it), reads new mail from imap.url (or --maildir DIR), and every quarter of an hour applies the \
            `reminders:` policy of liaison.yaml to every open case (reminders, escalation, unreachable; as \
            `liaison remind --all`). Between rounds it waits --interval seconds, or less when the IMAP server (IDLE) \
            announces new mail.

            A problem of the relay or the SMTP settings (as for `liaison send`: unreachable, no greeting, refused \
            login…) stops that round's sending, is logged once, changes nothing, and is tried again next round. A \
            signing key that cannot sign (a wrong passphrase, an expired or revoked key) stops the service: one line \
            naming the liaison.yaml setting, nothing queued, exit status 1.

            One log line per action on standard error (swift-log; LIAISON_LOG_LEVEL=debug for more). SIGTERM or \
            SIGINT stops it within about a second: a message the relay has not yet confirmed is abandoned, not \
            counted as an attempt, and stays queued for the next run. A second `liaison run` on the same \
            workspace refuses to start (lock file .liaison/run.lock).
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: ArgumentHelp("Read new mail from this Maildir instead of imap.url.", valueName: "DIR")) var maildir: String?
    @Option(help: ArgumentHelp("Seconds between two rounds.", valueName: "SECONDS")) var interval: Int = 60
    @Option(help: ArgumentHelp("SMTP connections in parallel, 1 to 16 (default: smtp.max_connections of liaison.yaml, 4 unless set).",
                               valueName: "N")) var concurrency: Int?
    @Flag(name: .customLong("no-reminders"), help: "Do not apply the reminder policy.") var noReminders = false

    func run() throws {
        try CommandSupport.reportingErrors {
            guard (1...86_400).contains(interval) else { throw ValidationError("--interval takes 1 to 86400 seconds") }
            if let concurrency, !(1...16).contains(concurrency) { throw ValidationError("--concurrency takes 1 to 16") }
            let env = try GatewayEnvironment(workspace)
            let lock = try WorkspaceLock(stateDirectory: env.workspace.stateURL)
            var service = try Service(env: env, maildir: maildir, interval: interval, reminders: !noReminders,
                                      connections: concurrency ?? env.configuration.smtp.maxConnections)
            try service.run()
            withExtendedLifetime(lock) {}
        }
    }
}

/// The rounds of `liaison run`.
private struct Service {
    let env: GatewayEnvironment
    let logger: Logger
    let stop = StopSignal()
    let interval: Int
    let reminders: Bool
    /// SMTP connections used at once to send.
    let connections: Int
    /// When the reminder policy was last applied.
    var lastReminders: Date?
    let maildir: String?
    let dispatcher: OutboxDispatcher?
    let reader: IMAPIngester
    let ingester: ReplyIngester
    var session: IMAPSession?
    /// UIDNEXT when the mailbox was last read: IDLE returns at once if mail came in since.
    var knownUIDNext: UInt32 = 0

    init(env: GatewayEnvironment, maildir: String?, interval: Int, reminders: Bool, connections: Int) throws {
        self.connections = connections
        var logger = Logger(label: "liaison.run")
        if env.environment["LIAISON_LOG_LEVEL"] == nil { logger.logLevel = .info }
        self.env = env; self.logger = logger; self.interval = interval; self.reminders = reminders; self.maildir = maildir
        if env.configuration.smtp.url != nil {
            let smtp = try env.smtp()
            let sendLogger = logger
            let stop = self.stop
            // SIGTERM aborts the transfer in progress (within a second), which stays queued: systemd's stop timeout
            // never kills the process in the middle of a message.
            dispatcher = OutboxDispatcher(store: env.store, maxAttempts: env.configuration.smtp.maxAttempts,
                                          leaseDuration: OutboxDispatcher.leaseDuration(for: smtp), actor: env.actor,
                                          logger: sendLogger) {
                try makeTransport(smtp, logger: sendLogger, shouldStop: { stop.isStopped })
            }
        } else {
            dispatcher = nil
            logger.warning("smtp.url is not set in liaison.yaml: nothing will be sent")
        }
        ingester = try env.replyIngester()
        var after = IMAPAfterStoring.leave
        if maildir == nil, env.configuration.imap.url != nil {
            let settings = try IMAPSettings(env, url: nil, options: try IMAPIngestOptions.parse([]))
            after = settings.after
            session = try IMAPSession(configuration: settings.configuration)
        }
        reader = IMAPIngester(ingester: ingester, states: env.store.mailboxStates, after: after,
                              logger: logger)
        if maildir == nil && session == nil {
            logger.warning("imap.url is not set in liaison.yaml and no --maildir was given: no mail will be read")
        }
    }

    mutating func run() throws {
        logger.info("liaison run started on \(env.workspace.root.path) (process \(getpid()))")
        while !stop.isStopped {
            send()
            if stop.isStopped { break }
            ingest()
            if stop.isStopped { break }
            try remind()
            if stop.isStopped { break }
            waitForNextRound()
        }
        logger.info("stopping on \(stop.name)")
    }

    /// Sends due messages a few per connection at a time, so that a stop request is seen between two of them.
    private func send() {
        guard let dispatcher else { return }
        do {
            while !stop.isStopped {
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
        if let maildir {
            do {
                for message in try MailboxReader.maildir(URL(fileURLWithPath: maildir)) {
                    if stop.isStopped { return }
                    // One message that cannot be read or stored never stops the others.
                    do {
                        let outcome = try ingester.ingest(file: message.file)
                        if outcome.disposition != .duplicate { log(outcome, source: "\(maildir)/\(message.name)") }
                    } catch {
                        logger.error("ingest \(maildir)/\(message.name): \(error)")
                    }
                }
            } catch {
                logger.error("ingest \(maildir): \(error)")
            }
            return
        }
        guard let session else { return }
        do {
            let summary = try reader.readNew(from: session, shouldStop: { stop.isStopped }) { uid, outcome in
                // A failed one was logged by the reader.
                if outcome.disposition != .failed { log(outcome, source: "UID \(uid)") }
            }
            knownUIDNext = summary.uidNext
            if let line = IMAPIngestion.ignoredUIDsLine(summary) { logger.warning("ingest: \(line)") }
        } catch let error as IMAPError {
            logger.error("ingest: \(error.description)")
        } catch {
            logger.error("ingest: \(error)")
        }
    }

    private func log(_ outcome: IngestOutcome, source: String) {
        // The subject is the sender's text: the log handler escapes its control characters.
        let subject = outcome.subject.map { " (subject: \($0))" } ?? ""
        logger.info("ingest: \(source): \(IMAPIngestion.line(uid: 0, outcome).dropFirst("UID 0: ".count))\(subject)")
    }

    /// The reminder ladder of liaison.yaml, at most every 15 minutes (its steps are days apart). Throws, ending the
    /// service, when the signing key cannot sign for a reason of our settings (a wrong passphrase, an expired key).
    private mutating func remind() throws {
        guard reminders else { return }
        if let lastReminders, Date().timeIntervalSince(lastReminders) < 900 { return }
        lastReminders = Date()
        do {
            let composer = NotificationComposer(store: env.store, settings: try env.settings())
            let logger = self.logger
            let actions = try ReminderLadder(composer: composer, policy: env.configuration.reminders).apply { dropped in
                logger.info("remind: \(dropped.step.rawValue) for \(dropped.caseId) to \(dropped.organizationId) not taken: another remind took it, or an answer came, meanwhile")
            }
            for action in actions {
                logger.info("remind: \(action.step.rawValue) for \(action.caseId) to \(action.organizationId) after \(action.daysWaiting) days, \(CommandSupport.plural(action.messages.count, "message")) queued")
            }
        } catch let error as GatewayProblems where !error.fields.isEmpty && error.problems.allSatisfy({ error.fields[$0] != nil }) {
            // Our own settings are wrong (the signing key cannot sign): every round would fail the same way.
            throw error
        } catch {
            logger.error("remind: \(error)")
        }
    }

    private func waitForNextRound() {
        if let session, session.offersIdle {
            do {
                if try session.idle(upTo: TimeInterval(interval), knownUIDNext: knownUIDNext, shouldStop: { stop.isStopped }) {
                    logger.debug("new mail announced")
                }
                return
            } catch {
                logger.warning("IDLE: \(error)")
            }
        }
        _ = stop.sleep(TimeInterval(interval))
    }
}
