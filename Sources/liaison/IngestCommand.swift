import ArgumentParser
import Foundation
import Gateway
import Mail
import Registry

/// `liaison ingest`: read replies and delivery reports.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read replies, automatic replies and bounces, and update the cases.",
        discussion: """
            Every message is first classified — delivery report, automatic reply (out-of-office, ticket \
            acknowledgement, read receipt, list notice), human reply, or unrelated — then matched to its \
            notification: by the VERP envelope address, the returned copy inside a bounce, In-Reply-To/References, \
            the [LSN-…] reference in the subject, else the sender's address or domain.

            Only a human reply changes a response: it marks the participant acknowledged, or what it states on a \
            line `Status: affected|not-affected|fixed|investigating`. A reply whose signature is bad or made by a \
            key that is not the organisation's changes nothing and is listed for review (liaison inbox --review); \
            `ingest.require_signature: statements|all` in liaison.yaml asks for verified signatures. A delivery \
            report bounces only recipients of the notification it matches.

            Every message is stored byte for byte; one that matches nothing is listed, never dropped; reading the \
            same message again changes nothing; one failing message never stops the batch: the others are stored \
            and the exit status is 75 (read the same mail again once the cause is fixed). A message on standard \
            input without any header field is refused with exit status 65, so the delivering MTA keeps it. A \
            message above ingest.max_read_bytes (default 10 MB) is stored without being held in memory whole and \
            read from its first 1 MiB only (docs/ingest.md).
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @Option(help: "An mbox file (LF or CRLF line ends).") var mbox: String?
    @Option(help: "A Maildir folder (new/ and cur/).") var maildir: String?
    @Option(help: ArgumentHelp("An IMAP mailbox, imaps://USER@HOST/INBOX or imap://… with STARTTLS (password from imap.password_env, default LIAISON_IMAP_PASSWORD). `--imap` always takes a URL; `liaison ingest` with no source at all reads imap.url of liaison.yaml.", valueName: "URL"))
    var imap: String?
    @OptionGroup var imapOptions: IMAPIngestOptions
    @Argument(help: "`-` to read one message from standard input.") var stdin: String?
    @Option(help: "table or json (every message with its kind and disposition).") var format: OutputFormat = .table

    func run() throws {
        var stdinCopy: StandardInputCopy?
        defer { stdinCopy?.remove() }
        try CommandSupport.reportingErrors {
            let sources = [mbox != nil, maildir != nil, stdin != nil].filter { $0 }.count
            if try IMAPIngestion.runIfAsked(url: imap, options: imapOptions, otherSources: sources, workspace: workspace, format: format) { return }
            guard sources == 1 else { throw ValidationError("give one of --mbox FILE, --maildir DIR, --imap URL or -") }
            if let stdin, stdin != "-" { throw ValidationError("unexpected argument \(stdin); use - for standard input") }
            var files: [(source: String, file: URL)] = []
            if let mbox {
                guard FileManager.default.isReadableFile(atPath: mbox) else { throw ValidationError("\(mbox): cannot read the mbox file") }
            } else if let maildir {
                files = try MailboxReader.maildir(URL(fileURLWithPath: maildir)).map { ("\(maildir)/\($0.name)", $0.file) }
            } else {
                // Copied to a file a window at a time, so that a large message is never held whole.
                let copy = try StandardInputCopy()
                stdinCopy = copy
                if (try? ParsedMessage(bytes: copy.head)) == nil {
                    // EX_DATAERR: the delivering MTA keeps the message and reports it.
                    FileHandle.standardError.write(Data("liaison: the message on standard input has no header fields; nothing was stored\n".utf8))
                    throw ExitCode(65)
                }
                files = [("stdin", copy.file)]
            }
            let env = try GatewayEnvironment(workspace)
            // A read-only registry (an auditor's copy) stores nothing: one line, and nothing is read. EX_TEMPFAIL,
            // as for any message that could not be stored: the delivering MTA keeps the mail.
            if env.store.isReadOnly {
                CommandSupport.printError(RegistryStore.readOnlyLine)
                throw ExitCode(75)
            }
            // The key's passphrase setting cannot be read: nothing is read, EX_TEMPFAIL so that the delivering MTA
            // keeps the mail until it is fixed.
            let ingester: ReplyIngester
            do { ingester = try env.replyIngester() } catch {
                CommandSupport.printError("\(error)")
                throw ExitCode(75)
            }
            var outcomes = ingester.ingest(files: files)
            if let mbox {
                // One message at a time through a scratch file: neither the mbox nor a large message is held whole.
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-mbox-\(getpid())-\(UUID().uuidString).eml")
                defer { try? FileManager.default.removeItem(at: scratch) }
                try MailboxReader.mbox(file: URL(fileURLWithPath: mbox), scratch: scratch) { number, file in
                    outcomes += ingester.ingest(files: [("\(mbox)#\(number)", file)])
                }
            }
            let summary = IngestSummary(outcomes)
            // EX_TEMPFAIL: the others were stored; reading the same mail again is safe (what was read is a duplicate).
            let failed = summary.failed > 0 ? ExitCode(75) : nil
            if format == .json {
                try CommandSupport.printJSON(outcomes)
                if let failed { throw failed }
                return
            }
            CommandSupport.printTable(["disposition", "kind", "from", "case", "organisation", "signature", "effect", "subject"],
                       outcomes.map { [$0.disposition.rawValue, $0.kind.isEmpty ? "-" : $0.kind, $0.from ?? "-", $0.caseId ?? "-",
                                       $0.organizationId ?? "-", $0.signature.rawValue + ($0.encrypted ? ", encrypted" : ""),
                                       $0.effects.isEmpty ? "-" : $0.effects.joined(separator: "; "), $0.subject ?? "-"] })
            for outcome in outcomes where outcome.disposition == .failed {
                CommandSupport.printError("liaison: \(outcome.source ?? outcome.messageId): not read: \(outcome.effects.joined(separator: "; "))")
            }
            print(summary.line)
            if let failed { throw failed }
        }
    }
}

/// Standard input copied into a temporary file a window at a time, with its first bytes kept to check that it
/// holds a header field.
struct StandardInputCopy {
    static let window = 1 << 20
    let file: URL
    /// The first bytes read (at most `window`).
    private(set) var head = Data()

    init() throws {
        file = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-stdin-\(getpid())-\(UUID().uuidString).eml")
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let output = try? FileHandle(forWritingTo: file) else {
            throw ValidationError("cannot write a temporary file in \(FileManager.default.temporaryDirectory.path)")
        }
        defer { try? output.close() }
        while let chunk = try FileHandle.standardInput.read(upToCount: Self.window), !chunk.isEmpty {
            if head.count < Self.window { head.append(chunk.prefix(Self.window - head.count)) }
            try output.write(contentsOf: chunk)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: file) }
}
