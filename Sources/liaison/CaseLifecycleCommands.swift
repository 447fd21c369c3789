import ArgumentParser
import Foundation
import Gateway
import Registry

extension CaseCommand {
    /// `liaison case set-due CASE DATE [--notify]`
    struct SetDue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-due",
            abstract: "Move a case's planned publication date; with --notify, tell the participants already notified.",
            discussion: "Example: liaison case set-due 'JVNVU#12345678' 2007-11-30 --notify   (template due-changed)")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Argument(help: "The new date, YYYY-MM-DD in the workspace's time zone; a day already past needs --force.") var date: String
        @Flag(help: "Queue the due-changed template to every participant already notified.") var notify = false
        @Option(help: "Template for --notify.") var template = "due-changed"
        @Flag(help: "Check and show what would be queued; change nothing.") var dryRun = false
        @Flag(help: "Accept a date that is already past.") var force = false

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let due = try CommandSupport.value(of: "DATE") { try env.dates.day(parsing: date) }
                let composer = NotificationComposer(store: env.store, settings: try env.settings())
                let moved = try DueDates(composer: composer).move(caseId: caseId, to: due, notify: notify, template: template,
                                                                  dryRun: dryRun, force: force)
                print("\(caseId): due \(moved.previous?.description ?? "-") → \(due)\(dryRun ? " (dry run: nothing changed)" : "")")
                if notify { printPlanned(moved.messages, dryRun: dryRun, format: .table) }
            }
        }
    }
}

extension CaseCommand {
    /// `liaison case import FILE.csv`
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Bring past cases from a CSV file, so that the report's running totals are right from the first quarter.",
            discussion: """
                Columns (first line): id,title,origin,opened,published,due and optionally participants (organisation \
                ids separated by spaces or ;) and title_ja (the Japanese title, for messages in Japanese). Dates are YYYY-MM-DD in the workspace time zone; published and due may \
                be empty. All or nothing: every problem is listed as FILE:LINE: message and nothing is imported. \
                Importing the same file again changes nothing. An origin must be a partner of cases.origins; a case \
                without a publication date whose due date is past is refused unless --force.
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Accept unpublished cases whose due date is already past.") var force = false

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let text: String
                do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                    throw ValidationError("\(file): cannot be read as UTF-8 text (\(error.localizedDescription))")
                }
                let cases = try CaseImportFile.parse(text, file: file, timeZone: env.configuration.workspaceTimeZone)
                let problems = CaseGuards.importProblems(cases, file: file, partners: env.configuration.cases.origins,
                                                         today: env.dates.day(of: Date()), zone: env.dates.timeZone, force: force)
                if !problems.isEmpty { try CommandSupport.fail(problems) }
                let outcome = try env.store.cases.importCases(cases, file: file, actor: env.actor)
                print("imported \(outcome.added) case\(outcome.added == 1 ? "" : "s") from \(file) (\(outcome.unchanged) already there, unchanged; "
                      + "\(outcome.participantsAdded) participant\(outcome.participantsAdded == 1 ? "" : "s") added)")
            }
        }
    }
}

extension CaseCommand {
    /// `liaison case set-tlp CASE LABEL`
    struct SetTLP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-tlp",
            abstract: "Change a case's TLP level; the messages queued from then on carry it.",
            discussion: "Example: liaison case set-tlp 'JVNVU#12345678' AMBER   (an event, case.tlp-changed)")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Argument(help: ArgumentHelp("CLEAR, GREEN, AMBER, AMBER+STRICT or RED (TLP: prefix allowed).", valueName: "LABEL")) var label: String

        func run() throws {
            try CommandSupport.reportingErrors {
                let level = try CaseCommand.level(label, option: "LABEL")
                let env = try GatewayEnvironment(workspace)
                let previous = try env.caseBook().setTLP(caseId: caseId, to: level)
                print("\(caseId): \(previous.label) → \(level.label)")
            }
        }
    }

    /// `liaison case set-title CASE [--title T] [--title-ja T]`
    struct SetTitle: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-title",
            abstract: "Change a case's title, or give it a Japanese one for messages in Japanese.")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Option(help: "The title of every message but Japanese ones (and of those too, without --title-ja).") var title: String?
        @Option(name: .customLong("title-ja"), help: "The title of messages in Japanese.") var titleJa: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                guard title != nil || titleJa != nil else { throw ValidationError("give --title, --title-ja or both") }
                let env = try GatewayEnvironment(workspace)
                try env.caseBook().setTitles(caseId: caseId, title: title, titleJa: titleJa)
                let record = try env.caseBook().cases.existing(caseId)
                print("\(caseId): \(record.title)" + (record.titleJa.map { " / \($0)" } ?? ""))
            }
        }
    }

    /// `liaison case withdraw CASE --reason T`
    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "withdraw",
            abstract: "Withdraw a case opened by mistake: its queued messages are cancelled and the report leaves it out of its counts.",
            discussion: """
                The case stays in the registry and in the event log (case.withdrawn, with the reason); `case list` \
                and `case show` mark it withdrawn, and the quarterly report lists it on a line of its own. \
                Messages already sent cannot be called back. `liaison case reopen CASE` undoes it.
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Option(help: "Why, in one line (kept in the event log and shown by `case show`).") var reason: String

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let withdrawal = try env.caseBook().withdraw(caseId: caseId, reason: reason)
                print("withdrew \(caseId); \(CommandSupport.plural(withdrawal.cancelled.count, "queued message")) cancelled")
            }
        }
    }

    /// `liaison case reopen CASE`
    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reopen",
            abstract: "Reopen a withdrawn case: it counts again. Cancelled messages stay cancelled (`liaison outbox retry ID` queues one again).")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                try env.caseBook().reopen(caseId: caseId)
                print("reopened \(caseId)")
            }
        }
    }
}
