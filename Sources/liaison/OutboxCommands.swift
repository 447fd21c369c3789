import ArgumentParser
import Foundation
import Gateway
import Logging
import Registry
import SMTP

/// `liaison outbox`: what is queued, sent, deferred, failed or held; `outbox release` lets held messages go.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "List outbox messages; release held ones; void our own failures and queue them again.",
        subcommands: [List.self, Release.self, VoidMessages.self, Retry.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List outbox messages, oldest first, with each recipient's state: by default what is not yet sent.",
            discussion: """
                Without --state, --case, --held or --all, only what is not yet sent (queued, sending, held, deferred) \
                is listed, followed by how many messages of the other states are not shown. --all lists the whole \
                history; --limit N and --after ID page through it (the table says which --after gives the next page).

                A recipient not yet delivered is shown with the SMTP server's last reply, e.g. \
                `deferred (451 4.3.0 Try later)`. A message shown as `held` was handed to the server but its delivery \
                could not be recorded, or a run stopped while sending it: no `send` takes it again until `liaison \
                outbox release`. The table ends with how many are held and why.

                JSON: an array of messages (id, messageId, trackingRef, state, caseId, organizationId, purpose, \
                language, subject, signed, encrypted, attempts, createdAt, sentAt, nextAttemptAt, lastError, \
                heldReason, voidReason, recipients with email, kind, status, smtpCode, smtpReply).
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Option(help: ArgumentHelp("Only this state: queued, sending, sent, deferred, failed or voided.", valueName: "S")) var state: String?
        @Option(help: ArgumentHelp("Only this case (every state).", valueName: "CASE")) var `case`: String?
        @Flag(help: "Only held messages.") var held = false
        @Flag(help: "Every message, sent, failed and voided ones included.") var all = false
        @Option(help: ArgumentHelp("At most N messages (the table shows \(List.tablePage) at a time unless told).", valueName: "N")) var limit: Int?
        @Option(help: ArgumentHelp("Only messages after this outbox id (the next page).", valueName: "ID")) var after: Int64?
        @Option(help: "table or json.") var format: OutputFormat = .table

        /// Rows of one page of the table.
        static let tablePage = 200

        func run() throws {
            try CommandSupport.reportingErrors {
                if let state, NotificationState(rawValue: state) == nil {
                    throw ValidationError("--state \(state) is not one of \(NotificationState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if let limit, limit < 1 { throw ValidationError("--limit takes a number of messages from 1 up") }
                let env = try GatewayEnvironment(workspace)
                let outbox = Outbox(store: env.store)
                let unsentOnly = state == nil && `case` == nil && !held && !all
                // A table of thousands of rows is read by no one: it pages unless --limit says otherwise.
                let limit = self.limit ?? (format == .table ? List.tablePage : nil)
                let filter = OutboxFilter(states: state.flatMap(NotificationState.init).map { [$0] } ?? (unsentOnly ? OutboxFilter.unsentStates : nil),
                                          caseId: `case`, heldOnly: held, afterId: after, limit: limit.map { $0 + 1 })
                var rows = try outbox.list(filter)
                let more = limit.map { rows.count > $0 } ?? false
                if let limit, more { rows.removeLast(rows.count - limit) }
                if format == .json { try CommandSupport.printJSON(rows); return }
                CommandSupport.printTable(["id", "state", "case", "organisation", "purpose", "lang", "attempts", "recipients", "subject"],
                           rows.map { [String($0.id), $0.heldReason == nil ? $0.state.rawValue : "held", $0.caseId ?? "-", $0.organizationId,
                                       $0.purpose.rawValue, $0.language, String($0.attempts), $0.recipients.map(OutboxCommand.describe).joined(separator: ", "),
                                       $0.subject] })
                if more, let last = rows.last { print("more messages follow: --after \(last.id) shows the next page") }
                if unsentOnly {
                    let counts = try outbox.stateCounts()
                    let hidden = [NotificationState.sent, .failed, .voided].compactMap { state in
                        counts[state].map { "\($0) \(state.rawValue)" }
                    }
                    if !hidden.isEmpty { print("not shown: \(hidden.joined(separator: ", ")); `liaison outbox --all` lists every message") }
                }
                let held = rows.filter { $0.heldReason != nil }
                if !held.isEmpty {
                    print("\(CommandSupport.plural(held.count, "message")) held; no `send` takes \(held.count == 1 ? "it" : "them") until `liaison outbox release`:")
                    for row in held { print("  \(row.id): \(CommandSupport.visible(row.heldReason ?? ""))") }
                }
            }
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let `send` try held messages again.",
            discussion: """
                A held message was handed to the SMTP server, which may have delivered it, but its delivery could \
                not be recorded. Check with the recipient or the server's log first: releasing it may send it twice.
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: ArgumentHelp("Outbox ids, as `liaison outbox --held` lists them.", valueName: "ID")) var ids: [Int64] = []
        @Flag(help: "Release every held message.") var all = false

        func run() throws {
            try CommandSupport.reportingErrors {
                guard all != !ids.isEmpty else { throw ValidationError("give the ids of held messages, or --all") }
                let env = try GatewayEnvironment(workspace)
                var outbox = Outbox(store: env.store)
                outbox.actor = env.actor
                let released = try outbox.release(ids: all ? nil : ids)
                print("released \(CommandSupport.plural(released.count, "message")); the next `liaison send` tries them again")
            }
        }
    }

    struct VoidMessages: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "void",
            abstract: "Void failed or deferred messages that went wrong through a fault of ours.",
            discussion: """
                For a mistake of our own (a relay whose recipient table or routing we set up wrong, a wrong setting): the messages are counted \
                neither as sent nor as failed, the bounces they caused are taken back from the vendors' addresses, \
                their recipients wait again and the participants' delivery is worked out without them. Each is an \
                event (notification.voided) with the reason. `liaison outbox retry ID…` queues them again, same bytes.

                Examples:
                  liaison outbox void 41 42 --reason 'relay lost its routes after the move'
                  liaison outbox void --case 'JVNVU#12345678' --reason 'wrong relay'
                  liaison outbox void --failed-since 2007-10-01T09:00 --reason 'relay recipient table was empty'

                JSON: the messages voided, each with id, caseId, organizationId and previousState.
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: ArgumentHelp("Outbox ids, as `liaison outbox --all` lists them.", valueName: "ID")) var ids: [Int64] = []
        @Option(name: .customLong("case"), help: ArgumentHelp("Every failed or deferred message of this case.", valueName: "CASE")) var caseId: String?
        @Option(name: .customLong("failed-since"), help: ArgumentHelp("Every message failed or deferred at or after this time (YYYY-MM-DD or YYYY-MM-DDTHH:MM in the workspace's time zone, or ISO 8601).", valueName: "TIME"))
        var failedSince: String?
        @Option(help: "Why, in one line (kept in each message's event).") var reason: String
        @Option(help: "table or json.") var format: OutputFormat = .table

        func run() throws {
            try CommandSupport.reportingErrors {
                guard [!ids.isEmpty, caseId != nil, failedSince != nil].filter({ $0 }).count == 1 else {
                    throw ValidationError("give outbox ids, or --case CASE, or --failed-since TIME (one of them)")
                }
                let env = try GatewayEnvironment(workspace)
                let selection: OutboxVoidSelection
                if let caseId { selection = .caseId(caseId) }
                else if let failedSince {
                    selection = .failedSince(try CommandSupport.value(of: "--failed-since") { try env.dates.instant(parsing: failedSince) })
                } else { selection = .ids(ids) }
                var outbox = Outbox(store: env.store)
                outbox.actor = env.actor
                let voided = try outbox.void(selection, reason: reason)
                if format == .json { try CommandSupport.printJSON(voided); return }
                print("voided \(CommandSupport.plural(voided.count, "message")) (\(OutboxCommand.summary(voided))); "
                      + "`liaison outbox retry ID…` queues one again")
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue voided or failed messages again, with the same bytes and Message-ID.",
            discussion: "Example: liaison outbox retry 41 42   (then liaison send)")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: ArgumentHelp("Outbox ids of voided or failed messages.", valueName: "ID")) var ids: [Int64] = []

        func run() throws {
            try CommandSupport.reportingErrors {
                guard !ids.isEmpty else { throw ValidationError("give the outbox ids of the messages to queue again") }
                let env = try GatewayEnvironment(workspace)
                var outbox = Outbox(store: env.store)
                outbox.actor = env.actor
                let queued = try outbox.retry(ids: ids)
                print("queued \(CommandSupport.plural(queued.count, "message")) again; run `liaison send` to deliver")
            }
        }
    }

    /// "3 messages: 2 failed, 1 deferred", summarised so that 2,000 ids never fill a line.
    static func summary(_ corrections: [OutboxCorrection]) -> String {
        let byState = Dictionary(grouping: corrections, by: \.previousState).mapValues(\.count)
        let organisations = Set(corrections.map(\.organizationId)).count
        return byState.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            + ", to \(CommandSupport.plural(organisations, "organisation"))"
    }

    /// "addr delivered", or with the server's reply when it was not: "addr deferred (451 4.3.0 Try later)".
    static func describe(_ recipient: OutboxEntry.Recipient) -> String {
        guard recipient.status != .delivered, let reply = recipient.smtpReply, !reply.isEmpty else {
            return "\(recipient.email) \(recipient.status.rawValue)"
        }
        // The reply starts with its code ("451 4.3.0 …"); a refused connection has a sentence and no code.
        let quoted = OutboxDispatcher.reason(code: recipient.smtpCode, reply: reply)
        return "\(recipient.email) \(recipient.status.rawValue) (\(quoted.replacingOccurrences(of: "\n", with: " ")))"
    }
}

/// `liaison send`: dispatch the outbox.
struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send queued messages over SMTP, retrying transient failures with backoff.",
        discussion: """
            Each message goes out exactly as `liaison notify` stored it, over smtp.url of liaison.yaml, on \
            smtp.max_connections connections at once (default 4; --concurrency overrides it), each one used for \
            many messages. One run tries each message at most once. Set smtp.max_connections: 1 for a relay that \
            wants a single connection.

            Messages are claimed with a lease, so two `send` processes never send the same message; a `send` \
            that is killed loses nothing, and the next one finishes the job.

            A problem of our own relay or settings — the relay cannot be reached (connection refused, host not \
            resolved, no route), it accepts the connection but does not greet or answer EHLO, STARTTLS or AUTH \
            within smtp.connect_timeout (default 30 s) or turns it away (a 421 greeting), a refused login, an \
            untrusted certificate, no STARTTLS, a \
            wrong port, our sender address refused — stops `send` at the first message with one line and exit \
            status 1, and changes nothing: the messages stay queued and no attempt or bounce is counted.

            A 4xx reply, or a connection lost or timed out once a message was being handed over, defers the \
            message: a later `send` retries it after 1, 2, 4 … minutes, up to smtp.max_attempts. A 5xx reply fails \
            that recipient at once and counts a bounce on the contact. `liaison outbox --state deferred` (or failed) \
            shows each recipient's reply.

            Each connection records its answers every 8 messages, together with the other connections' (one \
            commit for several answers). A message that was being sent when a run stopped (killed, or unable to \
            record the result even as held) may have been delivered: the next `send` holds it instead of sending \
            it again, and says so — after a kill, up to 8 messages per connection, those handed over since their \
            last commit; `liaison outbox release ID` sends it again once the relay's log was checked.

            A progress bar is shown on a terminal; otherwise one summary line.

            Exit status: 0 when every message tried was sent (or nothing was due); 1 when a fault of our relay \
            or settings stopped the run, on any other error, or when a message failed for good or was held for a \
            person, even if others were deferred; 75 when messages were deferred for a retry and none failed or \
            was held.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: ArgumentHelp("Send at most N messages (default: all that are due).", valueName: "N")) var limit: Int?
    @Option(help: ArgumentHelp("SMTP connections in parallel, 1 to 16 (default: smtp.max_connections of liaison.yaml, 4 unless set).",
                               valueName: "N")) var concurrency: Int?

    func run() throws {
        try CommandSupport.reportingErrors {
            if let concurrency, !(1...16).contains(concurrency) { throw ValidationError("--concurrency takes 1 to 16") }
            if let limit, limit < 1 { throw ValidationError("--limit takes a number of messages, 1 or more") }
            let env = try GatewayEnvironment(workspace)
            let smtp = try env.smtp()
            let logger = Logger(label: "liaison.send")
            let dispatcher = OutboxDispatcher(store: env.store, maxAttempts: env.configuration.smtp.maxAttempts,
                                              leaseDuration: OutboxDispatcher.leaseDuration(for: smtp), actor: env.actor,
                                              logger: logger) { try makeTransport(smtp, logger: logger) }
            let total = try Outbox(store: env.store).due()
            let bar = ProgressBar(total: limit.map { min($0, total) } ?? total)
            let summary: DispatchSummary
            do {
                summary = try dispatcher.run(limit: limit, concurrency: concurrency ?? env.configuration.smtp.maxConnections) {
                    bar.update($0)
                }
            } catch let error as GatewayError where error == .recordingFailed {
                // Said as it is, not as a generic database failure: a message was handed over, and the line
                // says what became of it.
                bar.finish()
                CommandSupport.printError(error.description)
                throw ExitCode(1)
            }
            bar.finish()
            var line = "sent \(summary.sent), deferred \(summary.deferred), failed \(summary.failed)"
            if !summary.held.isEmpty { line += ", held \(summary.held.count)" }
            if summary.recipientsRefused > 0 { line += ", \(CommandSupport.plural(summary.recipientsRefused, "recipient")) refused" }
            if summary.remainingQueued > 0 { line += "; \(summary.remainingQueued) still in the outbox" }
            if summary.failed > 0 { line += "; `liaison outbox --state failed` shows why" }
            else if summary.deferred > 0 { line += "; `liaison outbox --state deferred` shows why" }
            print(line)
            if !summary.held.isEmpty {
                let ids = summary.held.map { String($0.id) }.joined(separator: " ")
                print("held \(ids): a run stopped while sending \(summary.held.count == 1 ? "it" : "them"), so the server may "
                      + "have delivered \(summary.held.count == 1 ? "it" : "them"); check the relay's log, then "
                      + "`liaison outbox release \(ids)` to send \(summary.held.count == 1 ? "it" : "them") again")
            }
            if summary.failed > 0 || !summary.held.isEmpty { throw ExitCode(1) }
            if summary.deferred > 0 { throw ExitCode(75) }
        }
    }
}

/// A one-line progress bar on a terminal; silent otherwise (the summary line is printed anyway).
final class ProgressBar: Sendable {
    let total: Int
    let enabled: Bool
    init(total: Int) {
        self.total = total
        enabled = isatty(STDERR_FILENO) == 1 && total > 0
    }
    func update(_ s: DispatchSummary) {
        guard enabled else { return }
        let done = s.sent + s.deferred + s.failed
        let width = 30
        let filled = min(width, total == 0 ? width : done * width / total)
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
            + "] \(done)/\(total)  sent \(s.sent)  deferred \(s.deferred)  failed \(s.failed)"
        FileHandle.standardError.write(Data(line.utf8))
    }
    func finish() { if enabled { FileHandle.standardError.write(Data("\n".utf8)) } }
}
