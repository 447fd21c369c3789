import ArgumentParser
import Foundation
import Logging

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
            CaseCommand.self,
            NotifyCommand.self,
            OutboxCommand.self,
            SendCommand.self,
            IngestCommand.self,
            RemindCommand.self,
            IncidentCommand.self,
            ReportCommand.self,
            AuditCommand.self,
            MailCommand.self,
        ])

    /// Like ArgumentParser's own, except that a usage error exits with 1 like every other user error
    /// (ArgumentParser's default is 64).
    static func main() {
        // Libraries log through swift-log; a coordinator sees the summary lines, and the SMTP dialogue only
        // when asking for it with LIAISON_LOG_LEVEL=debug (or info, warning).
        let level = ProcessInfo.processInfo.environment["LIAISON_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
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
