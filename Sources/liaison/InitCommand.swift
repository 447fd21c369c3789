import ArgumentParser
import Foundation
import Registry

/// `liaison init [DIR]`
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make a workspace: a commented liaison.yaml, Directory/, Templates/ and .liaison/.",
        discussion: "Existing files are never overwritten; running it again only adds what is missing.")

    @Argument(help: ArgumentHelp("The folder to make the workspace in (default: --workspace, else the current folder).", valueName: "DIR"))
    var directory: String?

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let path = directory ?? options.workspace ?? "."
        let root = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let created = try CommandSupport.reportingErrors { try Workspace.initialize(at: root) }
        if created.isEmpty {
            print("\(root.path) is already a complete workspace; nothing was changed.")
        } else {
            created.forEach { print("created \($0)") }
            print("Workspace ready in \(root.path). Add organisations to Directory/organizations/, then run `liaison directory check`.")
        }
    }
}
