import ArgumentParser
import Registry

/// `liaison audit …`
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the audit trail.",
        subcommands: [Verify.self])

    /// `liaison audit verify`
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the hash chain of the event log and report the first edited, deleted or reordered event.")

        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let workspace = try options.locate()
            let store = try options.openStore(of: workspace)
            let verification = try CommandSupport.reportingErrors { try store.writer.read { try EventLog.verify($0) } }
            if verification.isIntact {
                print(verification.description)
            } else {
                try CommandSupport.fail(verification.description)
            }
        }
    }
}
