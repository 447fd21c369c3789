import ArgumentParser
import Foundation
import Gateway
import IMAP
import Logging
import Registry

/// The options of `liaison ingest --imap URL`.
struct IMAPIngestOptions: ParsableArguments {
    @Flag(help: "Keep reading new mail (IDLE where the server offers it, else every imap.poll_interval seconds) until SIGINT or SIGTERM.")
    var watch = false
    @Option(name: .customLong("move-to"), help: ArgumentHelp("Move each message to this folder once stored (UID MOVE; nothing is deleted).", valueName: "FOLDER"))
    var moveTo: String?
    @Option(help: ArgumentHelp("Add this flag to each message once stored, e.g. $LiaisonProcessed.", valueName: "FLAG"))
    var flag: String?
    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Trust the CA certificates in this PEM file for the IMAP server.", valueName: "PEM"))
    var caFile: String?
    @Option(help: ArgumentHelp("required (imap:// must use STARTTLS) or none (plain, loopback only).", valueName: "TLS"))
    var tls: String?
    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("Seconds between two looks at the mailbox with --watch when the server offers no IDLE.", valueName: "SECONDS"))
    var pollInterval: Int?

    var anyGiven: Bool { watch || moveTo != nil || flag != nil || caFile != nil || tls != nil || pollInterval != nil }
}

/// The IMAP settings of a workspace, the command line winning over liaison.yaml.
struct IMAPSettings {
    var configuration: IMAPConfiguration
    var after: IMAPAfterStoring
    var pollInterval: Int

    init(_ env: GatewayEnvironment, url: String?, options: IMAPIngestOptions) throws {
        let section = env.configuration.imap
        guard let url = url ?? section.url else {
            throw ValidationError("no IMAP mailbox: pass --imap URL or set imap.url in liaison.yaml")
        }
        let tlsText = options.tls ?? section.tls ?? "required"
        guard let tls = IMAPConfiguration.TLSPolicy(rawValue: tlsText) else {
            throw ValidationError("--tls \(tlsText) is neither required nor none")
        }
        configuration = IMAPConfiguration(url: url, tls: tls, username: section.username,
                                          password: env.environment[section.passwordEnv],
                                          caFile: (options.caFile ?? section.caFile).map { GatewayEnvironment.resolve($0, against: env.workspace.root) })
        if options.moveTo != nil && options.flag != nil { throw ValidationError("give --move-to or --flag, not both") }
        if let folder = options.moveTo ?? (options.flag == nil ? section.moveTo : nil) {
            guard !folder.isEmpty, !folder.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                throw ValidationError("--move-to \(folder.debugDescription) is not a folder name")
            }
            after = .move(to: folder)
        } else if let flag = options.flag {
            after = .flag(flag)
        } else {
            after = .leave
        }
        pollInterval = options.pollInterval ?? section.pollInterval
        guard (1...86_400).contains(pollInterval) else { throw ValidationError("--poll-interval takes 1 to 86400 seconds") }
        try configuration.validate()
    }
}

/// `liaison ingest --imap URL [--watch]`: reading kept out of IngestCommand.
enum IMAPIngestion {
    /// Runs the IMAP ingest when the command line or liaison.yaml asks for it; false when another source was given.
    static func runIfAsked(url: String?, options: IMAPIngestOptions, otherSources: Int, workspace: WorkspaceOptions,
                           format: OutputFormat) throws -> Bool {
        if otherSources > 0 {
            if url != nil { throw ValidationError("give one of --mbox FILE, --maildir DIR, --imap URL or -") }
            if options.anyGiven { throw ValidationError("--watch, --move-to, --flag, --ca-file, --tls and --poll-interval go with --imap") }
            return false
        }
        let env = try GatewayEnvironment(workspace)
        if url == nil && env.configuration.imap.url == nil && !options.anyGiven { return false }
        let settings = try IMAPSettings(env, url: url, options: options)
        let reader = IMAPIngester(ingester: try env.replyIngester(),
                                  states: env.store.mailboxStates, after: settings.after)
        let session = try IMAPSession(configuration: settings.configuration)
        if !options.watch {
            let summary = try reader.readNew(from: session)
            warnAboutIgnoredUIDs(summary)
            // EX_TEMPFAIL, as with --maildir: the others were stored; the failed ones are read again next time.
            let failed = summary.failed > 0 ? ExitCode(75) : nil
            if format == .json {
                try CommandSupport.printJSON(summary.outcomes)
                if let failed { throw failed }
                return true
            }
            printOutcomes(summary.outcomes)
            for outcome in summary.outcomes where outcome.disposition == .failed {
                CommandSupport.printError("liaison: \(outcome.source ?? outcome.messageId): not stored (read again next time): \(outcome.effects.joined(separator: "; "))")
            }
            let unmatched = summary.outcomes.filter { $0.disposition == .unmatched }.count
            print("read \(CommandSupport.plural(summary.outcomes.count - summary.failed, "new message")) from \(summary.mailboxURL)"
                  + (summary.uidValidityChanged ? " (UIDVALIDITY changed: the mailbox was read again)" : "")
                  + (unmatched > 0 ? "; \(unmatched) matched nothing and \(unmatched == 1 ? "was" : "were") kept as unmatched for review" : "")
                  + (summary.failed > 0 ? "; \(summary.failed) failed" : ""))
            if let failed { throw failed }
            return true
        }
        let stop = StopSignal()
        let logger = Logger(label: "liaison.ingest")
        var total = 0
        while !stop.isStopped {
            do {
                let summary = try reader.readNew(from: session, shouldStop: { stop.isStopped }) { uid, outcome in
                    // Written at once, line by line, even when standard output is a pipe.
                    FileHandle.standardOutput.write(Data((CommandSupport.visible("UID \(uid): \(outcome.line)") + "\n").utf8))
                }
                total += summary.outcomes.count
                warnAboutIgnoredUIDs(summary)
                if stop.isStopped { break }
                try wait(session: session, seconds: settings.pollInterval, knownUIDNext: summary.uidNext, stop: stop)
            } catch let error as IMAPError where error.isTransient {
                logger.warning("\(error.description) Trying again in \(settings.pollInterval) s.")
                CommandSupport.printError("\(error.description) Trying again in \(settings.pollInterval) s.")
                if stop.sleep(TimeInterval(settings.pollInterval)) { break }
            }
        }
        print("stopped on \(stop.name) after reading \(CommandSupport.plural(total, "message"))")
        return true
    }

    /// Until new mail may be there: IDLE where offered (restarted every 25 minutes, RFC 2177), else a pause.
    static func wait(session: IMAPSession, seconds: Int, knownUIDNext: UInt32, stop: StopSignal) throws {
        if session.offersIdle {
            _ = try session.idle(upTo: min(TimeInterval(seconds), 25 * 60), knownUIDNext: knownUIDNext,
                                 shouldStop: { stop.isStopped })
        } else {
            _ = stop.sleep(TimeInterval(seconds))
        }
    }

    /// One line on standard error when the server named UIDs at or above its own UIDNEXT (a buggy or hostile
    /// server): they were not read and the kept UID did not move past them.
    static func warnAboutIgnoredUIDs(_ summary: IMAPReadSummary) {
        guard let line = summary.ignoredUIDsLine else { return }
        CommandSupport.printError("liaison: warning: \(line)")
    }

    static func printOutcomes(_ outcomes: [IngestOutcome]) {
        guard !outcomes.isEmpty else { return }
        CommandSupport.printTable(["kind", "from", "case", "organisation", "signature", "effect", "subject"],
                                  outcomes.map { [$0.disposition.rawValue, $0.from ?? "-", $0.caseId ?? "-", $0.organizationId ?? "-",
                                                  $0.signature.rawValue + ($0.encrypted ? ", encrypted" : ""),
                                                  $0.effects.isEmpty ? "-" : $0.effects.joined(separator: "; "), $0.subject ?? "-"] })
    }
}
