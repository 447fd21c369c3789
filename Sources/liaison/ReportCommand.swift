import ArgumentParser
import Foundation
import Registry
import Reports

extension ReportFormat: ExpressibleByArgument {}
extension ReportLanguage: ExpressibleByArgument {}

/// `liaison report quarter`: the figures of the quarterly activity report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports for the CSIRT's activity report.",
        subcommands: [Quarterly.self, Unreachable.self])

    struct Quarterly: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quarter",
            abstract: "Notifications, coordination and directory figures of one quarter.",
            discussion: """
                Quarter boundaries are computed in timezone of liaison.yaml (default UTC). The event log is
                verified first and the report says whether it is intact. Every figure in --format json carries a
                one-line definition of what was counted.
                Examples:
                  liaison report quarter 2007Q3
                  liaison report quarter 2007Q3 --compare 2007Q2 --format markdown
                  liaison report quarter 2007Q3 --format html --lang ja --output 2007q3.html
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "The quarter, YYYYQN (e.g. 2007Q3).") var quarter: String
        @Option(help: "text, markdown, csv, json or html.") var format: ReportFormat = .text
        @Option(help: "Label language: en or ja.") var lang: ReportLanguage = .en
        @Option(help: "Also show the change against this quarter (YYYYQN).") var compare: String?
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                let quarter = try Quarter(parsing: self.quarter)
                let other = try compare.map { text in try CommandSupport.value(of: "--compare") { try Quarter(parsing: text) } }
                let workspace = try workspace.locate()
                let configuration = try workspace.configuration
                let timeZone = configuration.timeZone
                let reports = try workspace.openStore().reports
                var integrity = try LogIntegrity.verify(reports)
                if integrity.intact { integrity.latestSeal = AuditSeals.latest(of: workspace)?.summary }
                let report = try QuarterReportBuilder.build(reports, quarter: quarter, timeZone: timeZone,
                                                            compareTo: other, logIntegrity: integrity,
                                                            defaultTLP: configuration.cases.tlp)
                let text = ReportRenderer.render(report, format: format, language: lang)
                if let output {
                    do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                        throw ValidationError("\(output): cannot write the report (\(error.localizedDescription))")
                    }
                    print("wrote \(output)")
                } else if format == .json {
                    CommandSupport.printJSONText(text.hasSuffix("\n") ? text : text + "\n")
                } else {
                    print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
                }
                if !integrity.intact { CommandSupport.printError("warning: the event log is not intact; run `liaison audit verify`") }
            }
        }
    }
}
