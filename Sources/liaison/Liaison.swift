import ArgumentParser
import Foundation
import Logging
import Registry

@main
struct Liaison: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "liaison",
        abstract: "Registry and PGP-signed mail gateway of a coordination CSIRT.",
        discussion: """
            A workspace holds liaison.yaml, Directory/ (one YAML file per organisation, public keys beside them), \
            Templates/ and the database in .liaison/. Every command takes --workspace DIR (default: \
            $LIAISON_WORKSPACE, else the nearest folder above holding liaison.yaml).

            A coordinated notification:
              liaison directory check && liaison directory sync
              liaison case open 'JVNVU#12345678' --title 'TLS check' --origin jvn-jp
              liaison case add 'JVNVU#12345678' --technology tls
              liaison notify 'JVNVU#12345678' --template vendor-initial
              liaison send
              liaison ingest --maildir ~/Maildir/liaison
              liaison case show 'JVNVU#12345678'

            The quarter's figures:
              liaison report quarter 2007Q3 --format html --lang ja --output q3.html
            """,
        version: LiaisonVersion.current,
        subcommands: [
            InitCommand.self,
            DoctorCommand.self,
            DirectoryCommand.self,
            OrgCommand.self,
            KeyCommand.self,
            CaseCommand.self,
            NotifyCommand.self,
            OutboxCommand.self,
            SendCommand.self,
            IngestCommand.self,
            RunCommand.self,
            InboxCommand.self,
            RemindCommand.self,
            IncidentCommand.self,
            ReportCommand.self,
            AuditCommand.self,
            MailCommand.self,
            ServeCommand.self,
            UserCommand.self,
            StoreCommand.self,
        ])

    /// Like ArgumentParser's own, except that a usage error exits with 1 like every other user error
    /// (ArgumentParser's default is 64).
    static func main() {
        // Libraries log through swift-log; a coordinator sees the summary lines, and the SMTP dialogue only
        // when asking for it with LIAISON_LOG_LEVEL=debug (or info, warning). Lines quote text from outside
        // (subjects, Message-IDs, server replies): the handler escapes its control characters.
        let level = ProcessInfo.processInfo.environment["LIAISON_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        LoggingSystem.bootstrap { label in
            var handler = EscapingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        if let problem = CommandSuggestion.problem(in: Array(CommandLine.arguments.dropFirst()), root: Liaison.self) {
            FileHandle.standardError.write(Data((problem + "\n").utf8))
            Foundation.exit(1)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if let line = RegistryStore.explain(error) {
                FileHandle.standardError.write(Data((line + "\n").utf8))
                Foundation.exit(1)
            }
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}
