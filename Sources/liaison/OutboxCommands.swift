import ArgumentParser
import Foundation
import Gateway
import Logging
import Registry
import SMTP

/// `liaison outbox`: what is queued, sent, deferred or failed.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outbox", abstract: "List outbox messages.")
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: "Only this state: queued, sending, sent, deferred or failed.") var state: String?
    @Option(help: "Only this case.") var `case`: String?
    @Option(help: "table or json.") var format: OutputFormat = .table

    func run() throws {
        try CommandSupport.reportingErrors {
            if let state, NotificationState(rawValue: state) == nil {
                throw ValidationError("--state \(state) is not one of queued, sending, sent, deferred, failed")
            }
            let env = try GatewayEnvironment(workspace: workspace.workspace)
            let rows = try Outbox(writer: env.store.writer).list(state: state.flatMap(NotificationState.init), caseId: `case`)
            if format == .json { try CommandSupport.printJSON(rows); return }
            CommandSupport.printTable(["id", "state", "case", "organisation", "purpose", "lang", "attempts", "recipients", "subject"],
                       rows.map { [String($0.id), $0.state, $0.caseId ?? "-", $0.organizationId, $0.purpose, $0.language,
                                   String($0.attempts), $0.recipients.map { "\($0.email) \($0.status)" }.joined(separator: ", "), $0.subject] })
        }
    }
}

/// `liaison send`: dispatch the outbox.
struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send queued messages over SMTP, retrying transient failures with backoff.",
        discussion: """
            Messages are claimed with a lease, so two `send` processes never send the same message, and a `send`
            that is killed loses nothing: the next one finishes the job. 4xx replies and network failures defer a
            message (1, 2, 4 … minutes) up to smtp.max_attempts; 5xx fails that recipient at once.
            Exit status: 0 when nothing is left deferred or failed, 75 when messages wait for a retry, 1 on failures.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: "Send at most N messages.") var limit: Int?
    @Option(help: "Parallel SMTP connections.") var concurrency: Int = 1

    func run() throws {
        try CommandSupport.reportingErrors {
            guard concurrency >= 1, concurrency <= 16 else { throw ValidationError("--concurrency takes 1 to 16") }
            let env = try GatewayEnvironment(workspace: workspace.workspace)
            let settings = try env.settings()
            let smtp = settings.smtp
            let logger = Logger(label: "liaison.send")
            let dispatcher = OutboxDispatcher(writer: env.store.writer, maxAttempts: settings.maxAttempts, actor: env.actor,
                                              logger: logger) { try makeTransport(smtp, logger: logger) }
            let total = try Outbox(writer: env.store.writer).due()
            let bar = ProgressBar(total: limit.map { min($0, total) } ?? total)
            let summary = try dispatcher.run(limit: limit, concurrency: concurrency) { bar.update($0) }
            bar.finish()
            print("sent \(summary.sent), deferred \(summary.deferred), failed \(summary.failed)"
                  + (summary.recipientsRefused > 0 ? ", \(summary.recipientsRefused) recipients refused" : "")
                  + (summary.remainingQueued > 0 ? "; \(summary.remainingQueued) still in the outbox" : ""))
            if summary.failed > 0 { throw ExitCode(1) }
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
