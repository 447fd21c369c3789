import ArgumentParser
import Foundation
import Gateway
import Logging

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
            counted as an attempt, and stays queued for the next run. A second `liaison run` (or a `liaison serve --run`) on the same \
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
            let stop = StopSignal()
            let service = try GatewayService(
                services: env.services,
                settings: try Self.settings(env, maildir: maildir, interval: interval, reminders: !noReminders,
                                            concurrency: concurrency),
                logger: Self.logger(env))
            try service.run(until: stop.stop)
            withExtendedLifetime(lock) {}
        }
    }

    /// The service's settings: the Maildir given, else imap.url of liaison.yaml (with its imap.* settings), else
    /// no mail read.
    static func settings(_ env: GatewayEnvironment, maildir: String?, interval: Int, reminders: Bool,
                         concurrency: Int?) throws -> GatewayService.Settings {
        var mailbox = GatewayService.Mailbox.none
        if let maildir {
            mailbox = .maildir(maildir)
        } else if env.configuration.imap.url != nil {
            let imap = try IMAPSettings(env, url: nil, options: try IMAPIngestOptions.parse([]))
            mailbox = .imap(imap.configuration, after: imap.after)
        }
        return GatewayService.Settings(interval: interval, mailbox: mailbox, reminders: reminders, connections: concurrency)
    }

    /// `liaison.run`, at info unless LIAISON_LOG_LEVEL says otherwise: one line per action.
    static func logger(_ env: GatewayEnvironment) -> Logger {
        var logger = Logger(label: "liaison.run")
        if env.environment["LIAISON_LOG_LEVEL"] == nil { logger.logLevel = .info }
        return logger
    }
}
