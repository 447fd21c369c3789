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
                let fromAddress = try EmailAddress(parsing: fromText)
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
                var mail = DirectMail(from: fromAddress, to: try to.map { try EmailAddress(parsing: $0) }, subject: subjectText, body: body)
                mail.cc = try cc.map { try EmailAddress(parsing: $0) }
                mail.replyTo = try replyTo.map { try EmailAddress(parsing: $0) }
                mail.attachments = try loadAttachments(attachments)
                mail.gnupgHome = env.gnupgHome
                mail.encrypt = encrypt
                if !noSign {
                    guard let key = signKey ?? config.sender.signingKey else {
                        throw ValidationError("no signing key: pass --sign-key FINGERPRINT (or sender.signing_key in liaison.yaml), or --no-sign")
                    }
                    mail.signingKey = key
                }
                let smtpConfiguration = try env.smtp(url: smtp, tls: tls, caFile: caFile, username: user)
                let message = try mail.compose()          // every check before any connection
                _ = try message.serialized()
                let transport = try makeTransport(smtpConfiguration, logger: Logger(label: "liaison.mail"))
                let report = try mail.send(through: transport)
                for (recipient, outcome) in report.outcomes.map({ ($0.recipient, $0.outcome) }) {
                    switch outcome {
                    case .accepted(let code, _): print("\(recipient): accepted (\(code))")
                    case .transientFailure(let code, let reply):
                        CommandSupport.printError("\(recipient): temporary failure\(code.map { " \($0)" } ?? ""): \(reply)")
                    case .permanentFailure(let code, let reply): CommandSupport.printError("\(recipient): refused \(code): \(reply)")
                    }
                }
                if let error = report.error, report.outcomes.isEmpty { CommandSupport.printError("\(error)") }
                if report.allAccepted { print("sent \(message.messageID)"); return }
                throw ExitCode(report.anyTransient ? 75 : 1)
            }
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
        if option != nil || environment["LIAISON_WORKSPACE"] != nil {
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
    }

    var gnupgHome: String? { workspace?.gnupgHome(environment: environment) ?? environment["GNUPGHOME"] }

    func smtp(url: String?, tls: String?, caFile: String?, username: String?) throws -> SMTPConfiguration {
        try GatewayEnvironment.smtp(configuration, root: workspace?.root ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                                    environment: environment, url: url, tls: tls, caFile: caFile, username: username)
    }
}
