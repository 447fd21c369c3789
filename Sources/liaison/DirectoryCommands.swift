import ArgumentParser
import Foundation
import Registry

/// `liaison directory …`
struct DirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory",
        abstract: "Validate Directory/, sync it into the registry, or export the registry.",
        subcommands: [Check.self, Sync.self, Export.self, DirectoryDiscoverCommand.self])

    /// `liaison directory check`
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate every organisation and key file; print each problem as FILE:LINE: message.",
            discussion: "Exits 1 when there are errors; warnings alone exit 0.")

        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var securityTxt: SecurityTxtCheckOptions

        func run() throws {
            let workspace = try options.locate()
            var configurationErrors: [String] = []
            do {
                _ = try workspace.configuration
            } catch {
                configurationErrors = error.description.split(separator: "\n").map { "\($0)" }
            }
            var (contents, problems) = DirectoryLoader().load(workspace)
            problems += securityTxt.problems(contents, workspace: workspace)
            configurationErrors.forEach(CommandSupport.printError)
            problems.forEach { CommandSupport.printError($0.description) }
            let errors = problems.filter { $0.severity == .error }.count + configurationErrors.count
            let warnings = problems.count - problems.filter { $0.severity == .error }.count
            print("Checked \(contents.organizations.count) organisation\(contents.organizations.count == 1 ? "" : "s") and \(contents.keys.count) key\(contents.keys.count == 1 ? "" : "s"): \(CommandSupport.plural(errors, "error")), \(CommandSupport.plural(warnings, "warning")).")
            if errors > 0 { throw ExitCode(1) }
        }
    }

    /// `liaison directory sync [--dry-run]`
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply Directory/ to the registry in one transaction and import its keys into the GnuPG home.",
            discussion: "Prints every addition, change (field by field) and retirement. Any error of `directory check` aborts it and leaves the registry as it was. An organisation whose file was removed is retired, never deleted.")

        @Flag(name: .long, help: "Show what would change without writing anything.")
        var dryRun = false

        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let workspace = try options.locate()
            _ = try options.configuration(of: workspace)
            let store = try options.openStore(of: workspace, creatingIfMissing: true)
            let result = try CommandSupport.reportingErrors {
                try DirectorySync(workspace: workspace, store: store, actor: options.resolvedActor()).run(dryRun: dryRun)
            }
            result.problems.forEach { CommandSupport.printError($0.description) }
            if result.errorCount > 0 {
                try CommandSupport.fail("Nothing was synced: the directory has \(CommandSupport.plural(result.errorCount, "error")) (see `liaison directory check`).")
            }
            result.changes.forEach { print($0) }
            print(summary(result.changes) + (dryRun ? " (dry run: nothing was written)" : ""))
            if result.importedKeys > 0 {
                print("Imported \(CommandSupport.plural(result.importedKeys, "key")) into the GnuPG home \(result.gnupgHome).")
            }
        }

        private func summary(_ changes: [DirectoryChange]) -> String {
            guard !changes.isEmpty else { return "Nothing changed." }
            func count(_ type: String, _ actions: Set<DirectoryChange.Action>) -> Int {
                changes.filter { $0.objectType == type && actions.contains($0.action) }.count
            }
            var parts: [String] = []
            let organizations = [("added", count("organization", [.added])), ("changed", count("organization", [.changed])),
                                 ("retired", count("organization", [.retired]))].filter { $0.1 > 0 }
            if !organizations.isEmpty {
                parts.append("organisations: " + organizations.map { "\($0.1) \($0.0)" }.joined(separator: ", "))
            }
            let contacts = [("added", count("contact", [.added])), ("changed", count("contact", [.changed])),
                            ("made inactive", count("contact", [.removed]))].filter { $0.1 > 0 }
            if !contacts.isEmpty {
                parts.append("contacts: " + contacts.map { "\($0.1) \($0.0)" }.joined(separator: ", "))
            }
            let keys = count("key", [.imported])
            if keys > 0 { parts.append("keys: \(keys) new or changed") }
            return parts.joined(separator: "; ") + "."
        }
    }

    /// `liaison directory export [--format yaml|json|csv]`
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the registry out: YAML that syncs back with no change, JSON, or CSV (one row per contact).",
            discussion: """
                YAML: one document per organisation, in the format of Directory/organizations/<id>.yaml. \
                JSON: an array ordered by id of objects with the fields of those files (id, name, localName, kind, \
                country, domains, languages, memberships, agreements, technologies, status, statusDate, notes, \
                contacts); absent values are left out. CSV: a header row, then one row per contact.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case yaml, json, csv
        }

        @Option(name: .long, help: "yaml (one document per organisation), json, or csv (one row per contact).")
        var format: Format = .yaml

        @Option(name: .long, help: ArgumentHelp("Write to PATH instead of standard output. For yaml, PATH is a folder that receives organizations/<id>.yaml and keys/<FINGERPRINT>.asc, like Directory/.", valueName: "PATH"))
        var output: String?

        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let workspace = try options.locate()
            let store = try options.openStore(of: workspace)
            try CommandSupport.reportingErrors {
                let directory = store.directory
                let definitions = try directory.definitions()
                let outputURL = output.map { URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) }
                if format == .yaml, let outputURL {
                    let fingerprints = Set(definitions.flatMap { $0.contacts.compactMap(\.pgp) })
                    let keys = try directory.keys(fingerprints.sorted())
                    let written = try DirectoryExport.writeDirectory(definitions, keys: keys, to: outputURL)
                    print("Wrote \(definitions.count) organisation files and \(keys.count) key files to \(outputURL.path) (\(written.count) files).")
                    return
                }
                let text: String
                switch format {
                case .yaml: text = DirectoryExport.yaml(definitions)
                case .json: text = try DirectoryExport.json(definitions)
                case .csv: text = DirectoryExport.csv(definitions)
                }
                if let outputURL {
                    do {
                        try Data(text.utf8).write(to: outputURL)
                    } catch {
                        try CommandSupport.fail("\(outputURL.path) cannot be written: \(error.localizedDescription)")
                    }
                } else if format == .json {
                    CommandSupport.printJSONText(text)
                } else {
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
            }
        }
    }
}
