import ArgumentParser

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
}
