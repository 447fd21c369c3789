import ArgumentParser
import Foundation

@main
struct Liaison: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liaison",
        abstract: "Registry and PGP-signed mail gateway of a coordination CSIRT.",
        subcommands: [
            InitCommand.self,
            DirectoryCommand.self,
            OrgCommand.self,
            KeyCommand.self,
            AuditCommand.self,
        ])

    /// Like ArgumentParser's own, except that a usage error exits with 1 like every other user error
    /// (ArgumentParser's default is 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}
