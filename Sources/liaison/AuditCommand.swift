import ArgumentParser
import Foundation
import Registry

/// `liaison audit …`
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the audit trail, or seal its head so that a rewritten log is detected.",
        subcommands: [Verify.self, Seal.self])

    /// `liaison audit verify [--seal FILE…]`
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the hash chain of the event log, check it against every seal, and report the first edited, deleted or reordered event.",
            discussion: "Checks the seals given with --seal and every seal in .liaison/seals/: each must carry a good signature by sender.signing_key and match the log; a seal that does not names the first event edited, inserted or missing since it was made. Works on a read-only copy of the database.")

        @Option(name: .long, parsing: .upToNextOption,
                help: ArgumentHelp("Seal files made by `liaison audit seal` (kept outside the workspace), checked besides .liaison/seals/.", valueName: "FILE"))
        var seal: [String] = []

        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let workspace = try options.locate()
            let store = try options.openStore(of: workspace)
            let currentDirectory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let given = seal.map { URL(fileURLWithPath: $0, relativeTo: currentDirectory).standardizedFileURL }
            var seen = Set<String>()
            let files = (given + AuditSeals.files(of: workspace)).filter { seen.insert($0.resolvingSymlinksInPath().path).inserted }
            // The chain and the seals in one reading of the log.
            let (verification, result) = try CommandSupport.reportingErrors {
                let configuration = files.isEmpty ? nil : try workspace.configuration
                return try AuditSeals.verify(files, store: store, signingKey: configuration?.sender.signingKey,
                                             gnupgHome: workspace.gnupgHome(configuration: configuration),
                                             relativeTo: workspace)
            }
            guard verification.isIntact else { try CommandSupport.fail(verification.description) }
            guard result.problems.isEmpty else {
                try CommandSupport.fail(result.problems.map { "The event log does not match its seals: \($0)." })
            }
            print(verification.description)
            if let latest = result.matched.max(by: { ($0.eventCount, $0.sealedAt) < ($1.eventCount, $1.sealedAt) }) {
                print("It matches \(CommandSupport.plural(result.matched.count, "seal")); the latest: \(latest.summary).")
            } else {
                print("No seal was checked: run `liaison audit seal` and keep a copy of the seal outside this workspace.")
            }
        }
    }

    /// `liaison audit seal [--output FILE]`
    struct Seal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign the event log (event count, last hash, time, and every event's id and content digest) with sender.signing_key.",
            discussion: "Writes the seal into .liaison/seals/ (about 17 bytes an event) and, with --output, a copy to keep elsewhere. `liaison audit verify` then detects a log rewritten, emptied or given a forged event since, and names the first event that differs.")

        @Option(name: .long, help: ArgumentHelp("Also write the seal to FILE (for a copy kept outside the workspace).", valueName: "FILE"))
        var output: String?

        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let workspace = try options.locate()
            let configuration = try options.configuration(of: workspace)
            guard let signingKey = configuration.sender.signingKey else {
                try CommandSupport.fail("sender.signing_key is not set in liaison.yaml: the seal is signed with the workspace's OpenPGP key.")
            }
            let passphrase = try CommandSupport.reportingErrors { try workspace.signingPassphrase(configuration: configuration) }
            let store = try options.openStore(of: workspace)
            // The chain is verified and sealed in one reading of the log.
            let (verification, sealed) = try CommandSupport.reportingErrors {
                try AuditSeals.sealIfIntact(store, workspace: workspace, signingKey: signingKey,
                                            gnupgHome: workspace.gnupgHome(configuration: configuration),
                                            passphrase: passphrase)
            }
            guard let (seal, text) = sealed else {
                try CommandSupport.fail(verification.description + " Nothing was sealed.")
            }
            print("Sealed \(seal.summary) in \(workspace.relativePath(of: seal.file!)).")
            if let output {
                let url = URL(fileURLWithPath: output, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                do {
                    try Data(text.utf8).write(to: url)
                } catch {
                    try CommandSupport.fail("The seal copy cannot be written to \(url.path): \(error.localizedDescription)")
                }
                print("Wrote a copy to \(url.path); keep it outside this workspace.")
            }
        }
    }
}
