import ArgumentParser
import Foundation
import Gateway
import Logging
import Mail
import Registry
import SMTP

/// `liaison mail send`: one signed message, outside the registry.
struct MailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Send a single PGP/MIME-signed message: proves that the signing key and the relay work.",
        subcommands: [Send.self])

    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compose, sign (and optionally encrypt) and send one message.",
            discussion: """
                Options not given here are taken from liaison.yaml of the workspace, when there is one
                (sender.from, sender.signing_key, smtp.url, smtp.tls, smtp.username, smtp.ca_file, gnupg.home);
                the command line wins. The SMTP password is read from $LIAISON_SMTP_PASSWORD (or the variable
                smtp.password_env names), never from the command line. GNUPGHOME is honoured.

                Example:
                  liaison mail send --from 'CSIRT <vuls@csirt.example>' --to '"山田 太郎" <yamada@vendor.example>' \\
                    --subject '脆弱性情報のご連絡' --body-file notice.txt --attach report.pdf --smtp smtp://relay.example:587

                Exit status: 0 when every recipient accepted the message, 75 when some recipient failed
                temporarily (4xx, connection) and a retry may succeed, 1 otherwise.
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Option(help: "Sender, e.g. 'CSIRT <vuls@csirt.example>' (default: sender.from).") var from: String?
        @Option(help: "Recipient (repeatable).") var to: [String] = []
        @Option(help: "Copy recipient (repeatable).") var cc: [String] = []
        @Option(help: "Reply-To address.") var replyTo: String?
        @Option(help: "Subject (non-ASCII is encoded); with --template, replaces the template's subject.") var subject: String?
        @Option(help: "File holding the body text (UTF-8).") var bodyFile: String?
        @Option(help: "Render Templates/<name>.<lang>.mustache of the workspace instead of --body-file.") var template: String?
        @Option(help: "Template language.") var lang = "en"
        @Option(name: .customLong("var"), help: "Template value key=value (repeatable; dotted keys nest).") var variables: [String] = []
        @Option(name: .customLong("attach"), help: "Attach a file inside the signed part (repeatable).") var attachments: [String] = []
        @Option(help: "Fingerprint of the signing key (default: sender.signing_key).") var signKey: String?
        @Flag(help: "Send unsigned.") var noSign = false
        @Flag(help: "Encrypt to every recipient's key (and the sender's); fails if any recipient has no usable key.") var encrypt = false
        @Option(help: "smtp://host:port (STARTTLS), smtps://host:port, or file:///dir (write .eml files).") var smtp: String?
        @Option(help: "required (default) or none (loopback only).") var tls: String?
        @Option(help: "PEM file of a private CA to trust.") var caFile: String?
        @Option(help: "SMTP user name for AUTH; the password comes from $LIAISON_SMTP_PASSWORD.") var user: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                guard (bodyFile == nil) != (template == nil) else { throw ValidationError("give exactly one of --body-file and --template") }
                let env = try OptionalWorkspace(option: workspace.workspace)
                let config = env.configuration
                guard let fromText = from ?? config.sender.from else {
                    throw ValidationError("--from is required (or sender.from in liaison.yaml)")
                }
                guard !to.isEmpty else { throw ValidationError("at least one --to is required") }
                let fromAddress = try Self.address(fromText, option: from == nil ? "sender.from" : "--from")
                var body: String
                var subjectText = subject
                if let bodyFile {
                    guard let data = FileManager.default.contents(atPath: bodyFile) else {
                        throw ValidationError("\(bodyFile): cannot read the body file")
                    }
                    guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(bodyFile): the body is not UTF-8 text") }
                    body = text
                } else {
                    guard let root = env.workspace?.templatesURL else { throw ValidationError("--template needs a workspace with Templates/") }
                    let library = try TemplateLibrary(directory: root)
                    var context = TemplateValue.object([:])
                    for (key, value) in try parseVariables(variables) { context.set(.string(value), at: key.split(separator: ".").map(String.init)) }
                    let rendered = try library.render(try library.template(named: template!, preferring: [lang]), context: context)
                    body = rendered.body
                    subjectText = subjectText ?? rendered.subject
                }
                guard let subjectText else { throw ValidationError("--subject is required") }
                var mail = DirectMail(from: fromAddress, to: try to.map { try Self.address($0, option: "--to") },
                                      subject: subjectText, body: body)
                mail.cc = try cc.map { try Self.address($0, option: "--cc") }
                mail.replyTo = try replyTo.map { try Self.address($0, option: "--reply-to") }
                mail.attachments = try loadAttachments(attachments)
                mail.gnupgHome = env.gnupgHome
                mail.encrypt = encrypt
                if !noSign {
                    guard let key = signKey ?? config.sender.signingKey else {
                        throw ValidationError("no signing key: pass --sign-key FINGERPRINT (or sender.signing_key in liaison.yaml), or --no-sign")
                    }
                    mail.signingKey = key
                    mail.signingPassphrase = try env.workspace?.signingPassphrase(configuration: config, environment: env.environment)
                    mail.passphraseField = config.gnupg.passphraseField
                    mail.signingKeyField = signKey == nil ? "sender.signing_key" : nil
                }
                let dryRun = (smtp ?? config.smtp.url)?.lowercased().hasPrefix("file:") ?? false
                if let username = user ?? config.smtp.username, !dryRun,
                   (env.environment[config.smtp.passwordEnv] ?? "").isEmpty {
                    // Said here, naming the variable: an empty password would only earn a refused login.
                    throw ValidationError("the SMTP user \(username) needs its password in the environment variable "
                                          + "\(config.smtp.passwordEnv), which is empty or not set")
                }
                let smtpConfiguration = try env.smtp(url: smtp, tls: tls, caFile: caFile, username: user)
                let message = try mail.compose()          // every check before any connection
                _ = try message.serialized()
                let transport = try makeTransport(smtpConfiguration, logger: Logger(label: "liaison.mail"))
                // The message just composed, not a second one: the Message-ID printed is the one sent.
                let report = try mail.send(message, through: transport)
                try Self.printOutcomes(report)
                print("sent \(message.messageID)")
            }
        }

        /// Parses an address option; the error names the option, which Mail's sentence cannot know.
        static func address(_ text: String, option: String) throws -> EmailAddress {
            do {
                return try EmailAddress(parsing: text)
            } catch {
                throw ValidationError("\(option): \(error.description)")
            }
        }

        /// Prints each recipient's outcome (a failure once, with the server's reply) and throws the exit status
        /// unless every recipient accepted the message.
        static func printOutcomes(_ report: DeliveryReport) throws {
            for (recipient, outcome) in report.outcomes {
                switch outcome {
                case .accepted(let code, _):
                    print("\(recipient): accepted (\(code))")
                case .transientFailure, .permanentFailure:
                    // A refusal of the whole message is said once below, not once per recipient.
                    if let error = report.error, outcome.reply == error.reply || outcome.reply == error.description { continue }
                    let verdict = outcome.isTransient ? "temporary failure" : "refused"
                    CommandSupport.printError("\(recipient): \(verdict): \(oneLine(outcome.reply))")
                }
            }
            if let error = report.error { CommandSupport.printError(oneLine(error.description)) }
            if report.allAccepted { return }
            let retryable = report.anyTransient && !(report.error.map(needsReconfiguration) ?? false)
            throw ExitCode(retryable ? 75 : 1)
        }

        /// A TLS refusal (no STARTTLS offered, a certificate the trusted CAs do not vouch for) is transient for
        /// a queue, like Postfix's 4.7.x deferrals, but retrying this command will not fix a relay or CA file that
        /// someone has to reconfigure: exit 1, not 75.
        static func needsReconfiguration(_ error: SMTPError) -> Bool {
            error == .startTLSNotOffered || error == .certificate
        }

        private static func oneLine(_ text: String) -> String {
            text.split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }
}

/// `mail send` works with or without a workspace; when there is one, liaison.yaml supplies defaults.
struct OptionalWorkspace {
    let workspace: Workspace?
    let configuration: WorkspaceConfiguration
    let environment = ProcessInfo.processInfo.environment

    init(option: String?) throws {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        // An empty LIAISON_WORKSPACE names no workspace, as Workspace.locate reads it.
        if option != nil || !(environment["LIAISON_WORKSPACE"] ?? "").isEmpty {
            let found = try Workspace.locate(explicit: option, environment: environment, currentDirectory: cwd)
            workspace = found
            configuration = try found.configuration
        } else if let found = try? Workspace.locate(explicit: nil, environment: environment, currentDirectory: cwd) {
            workspace = found
            configuration = try found.configuration
        } else {
            workspace = nil
            configuration = WorkspaceConfiguration()
        }
        // A problem a setting caused names its liaison.yaml line.
        if workspace != nil { ConfigurationPlaces.remember(configuration) }
    }

    var gnupgHome: String? { workspace?.gnupgHome(environment: environment) ?? environment["GNUPGHOME"] }

    func smtp(url: String?, tls: String?, caFile: String?, username: String?) throws -> SMTPConfiguration {
        try GatewayEnvironment.smtp(configuration, root: workspace?.root ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                                    environment: environment, url: url, tls: tls, caFile: caFile, username: username)
    }
}
