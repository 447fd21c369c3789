import ArgumentParser
import Foundation
import Gateway
import Registry

/// `liaison ingest`: read replies and delivery reports.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read replies, automatic replies and bounces, and update the cases.",
        discussion: """
            A reply is matched to its notification by In-Reply-To/References, else by the [LSN-…] reference in its
            subject, else by the sender's address or domain. A human reply marks the participant acknowledged (or
            what it states on a line `Status: affected|not-affected|fixed|investigating`); signed replies are
            checked against the contact's key; a bounce (RFC 3464) fails that recipient. A message that matches
            nothing is listed, never dropped; reading the same message again changes nothing.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: "An mbox file.") var mbox: String?
    @Option(help: "A Maildir folder (new/ and cur/).") var maildir: String?
    @Option(help: ArgumentHelp("An IMAP mailbox, imaps://USER@HOST/INBOX or imap://… with STARTTLS (password from LIAISON_IMAP_PASSWORD); default imap.url of liaison.yaml.", valueName: "URL"))
    var imap: String?
    @OptionGroup var imapOptions: IMAPIngestOptions
    @Argument(help: "`-` to read one message from standard input.") var stdin: String?
    @Option(help: "table or json.") var format: OutputFormat = .table

    func run() throws {
        try CommandSupport.reportingErrors {
            let sources = [mbox != nil, maildir != nil, stdin != nil].filter { $0 }.count
            if try IMAPIngestion.runIfAsked(url: imap, options: imapOptions, otherSources: sources, workspace: workspace, format: format) { return }
            guard sources == 1 else { throw ValidationError("give one of --mbox FILE, --maildir DIR, --imap URL or -") }
            if let stdin, stdin != "-" { throw ValidationError("unexpected argument \(stdin); use - for standard input") }
            var messages: [(String, Data)] = []
            if let mbox {
                guard let data = FileManager.default.contents(atPath: mbox) else { throw ValidationError("\(mbox): cannot read the mbox file") }
                messages = MailboxReader.mbox(data).enumerated().map { ("\(mbox)#\($0.offset + 1)", $0.element) }
            } else if let maildir {
                messages = try MailboxReader.maildir(URL(fileURLWithPath: maildir)).map { ("\(maildir)/\($0.name)", $0.data) }
            } else {
                messages = [("stdin", FileHandle.standardInput.readDataToEndOfFile())]
            }
            let env = try GatewayEnvironment(workspace)
            let ingester = ReplyIngester(writer: env.store.writer, gnupgHome: env.gnupgHome, actor: env.actor)
            var outcomes: [IngestOutcome] = []
            for (_, bytes) in messages { outcomes.append(try ingester.ingest(bytes)) }
            if format == .json { try CommandSupport.printJSON(outcomes); return }
            CommandSupport.printTable(["kind", "from", "case", "organisation", "signature", "effect", "subject"],
                       outcomes.map { [$0.disposition.rawValue, $0.from ?? "-", $0.caseId ?? "-", $0.organizationId ?? "-",
                                       $0.signature.rawValue + ($0.encrypted ? ", encrypted" : ""),
                                       $0.effects.isEmpty ? "-" : $0.effects.joined(separator: "; "), $0.subject ?? "-"] })
            let unmatched = outcomes.filter { $0.disposition == .unmatched }.count
            print("read \(outcomes.count) message\(outcomes.count == 1 ? "" : "s")"
                  + (unmatched > 0 ? "; \(unmatched) matched nothing and \(unmatched == 1 ? "was" : "were") kept as unmatched for review" : ""))
        }
    }
}
