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
        @Argument(help: "The new date, YYYY-MM-DD.") var date: String
        @Flag(help: "Queue the due-changed template to every participant already notified.") var notify = false
        @Option(help: "Template for --notify.") var template = "due-changed"
        @Flag(help: "Check and show what would be queued; change nothing.") var dryRun = false

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let due = try CommandSupport.value(of: "DATE") { try env.dates.day(parsing: date) }
                let composer = NotificationComposer(store: env.store, settings: try env.settings())
                let moved = try DueDates(composer: composer).move(caseId: caseId, to: due, notify: notify, template: template, dryRun: dryRun)
                print("\(caseId): due \(moved.previous ?? "-") → \(due)\(dryRun ? " (dry run: nothing changed)" : "")")
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
                ids separated by spaces or ;). Dates are YYYY-MM-DD in the workspace time zone; published and due may \
                be empty. All or nothing: every problem is listed as FILE:LINE: message and nothing is imported. \
                Importing the same file again changes nothing.
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "The CSV file.") var file: String

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let text: String
                do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                    throw ValidationError("\(file): cannot be read as UTF-8 text (\(error.localizedDescription))")
                }
                let cases = try CaseImportFile.parse(text, file: file, timeZone: env.configuration.workspaceTimeZone)
                let outcome = try env.store.caseImport(actor: env.actor).importCases(cases, file: file)
                print("imported \(outcome.added) case\(outcome.added == 1 ? "" : "s") from \(file) (\(outcome.unchanged) already there, unchanged; "
                      + "\(outcome.participantsAdded) participant\(outcome.participantsAdded == 1 ? "" : "s") added)")
            }
        }
    }
}
