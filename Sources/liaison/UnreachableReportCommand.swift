import ArgumentParser
import Foundation
import Registry
import Reports

extension ReportCommand {
    /// `liaison report unreachable`: the developers who could not be reached (連絡不能開発者一覧).
    struct Unreachable: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unreachable",
            abstract: "Organisations unreachable in at least one case: cases, first notification, attempts, addresses tried.",
            discussion: """
                An organisation becomes unreachable through the reminder policy (`liaison remind --all`); a later \
                response takes it off the list (the event log keeps that it was on it). Dates are days in the \
                workspace time zone.
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Option(help: "text, csv, json or html.") var format: ReportFormat = .text
        @Option(help: "Label language: en or ja.") var lang: ReportLanguage = .en
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                let workspace = try workspace.locate()
                let configuration = try workspace.configuration
                let store = try workspace.openStore()
                let list = try store.reports.unreachableOrganizations()
                let text = UnreachableReport.render(list, format: format, language: lang, timeZone: configuration.workspaceTimeZone)
                if let output {
                    do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                        throw ValidationError("\(output): cannot write the report (\(error.localizedDescription))")
                    }
                    print("wrote \(output)")
                } else if format == .json {
                    CommandSupport.printJSONText(text)
                } else {
                    print(text, terminator: "")
                }
            }
        }
    }
}
