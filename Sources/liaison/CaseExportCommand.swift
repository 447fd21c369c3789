import ArgumentParser
import Foundation
import Gateway
import Registry

/// `liaison case export CASE --format csaf|json [--output FILE]`.
struct CaseExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a case as a CSAF 2.0 document or as Liaison's own JSON case document.",
        discussion: """
            csaf: OASIS CSAF 2.0 (profile csaf_base), the CSIRT of sender.organization as publisher, status draft \
            before publication and final after, one involvement per participant and the vendors' product status.
            json: Liaison's case document, format liaison-case/1 (docs/case-export.md).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case csaf, json }

    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "Case id.") var caseId: String
    @Option(help: "csaf or json.") var format: Format
    @Option(help: "Write to this file instead of standard output.") var output: String?

    func run() throws {
        try CommandSupport.reportingErrors {
            let env = try GatewayEnvironment(workspace)
            let exporter = CaseExporter(store: env.store, publisherId: env.configuration.sender.organization)
            let data: Data
            switch format {
            case .csaf: data = try CaseExporter.encode(try exporter.csaf(caseId: caseId))
            case .json: data = try CaseExporter.encode(try exporter.caseDocument(caseId: caseId))
            }
            if let output {
                let url = URL(fileURLWithPath: output)
                do { try data.write(to: url, options: .atomic) } catch {
                    throw ValidationError("cannot write \(output): \(error.localizedDescription)")
                }
                print("wrote \(output) (\(format.rawValue), \(data.count) bytes)")
            } else {
                CommandSupport.printJSONText(String(decoding: data, as: UTF8.self))
            }
        }
    }
}
