import ArgumentParser
import Foundation
import Gateway
import Registry

extension InboxCommand {
    /// `liaison inbox show ID`: one received message, decoded.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one received message decoded: headers, signature status, text and attachments.",
            discussion: """
                ID is the number `liaison inbox` lists, or the message's Message-ID. Text from outside is shown with \
                its control characters escaped. JSON: the inbox entry (as `inbox --format json`) with fromHeader (the From header with its display name), to, cc, date, \
                subject, text, attachments (filename, contentType, bytes), unparsable, and readInPart (the stored size, \
                when the message is above ingest.max_read_bytes and only its first MiB was read).
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: ArgumentHelp("The message's id in `liaison inbox`, or its Message-ID.", valueName: "ID")) var reference: String
        @Option(help: "table or json.") var format: OutputFormat = .table

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                guard let view = try InboundMessageView.read(store: env.store, reference: reference,
                                                             maxReadBytes: env.configuration.ingest.maxReadBytes) else {
                    throw ValidationError("no received message \(reference); `liaison inbox` lists them")
                }
                if format == .json { try CommandSupport.printJSON(view); return }
                let entry = view.entry
                let dates = env.dates
                var facts: [(String, String)] = [
                    ("id", String(entry.id)), ("received", dates.timeText(entry.receivedAt)), ("from", entry.from ?? "-"),
                    ("to", view.to.isEmpty ? "-" : view.to.joined(separator: ", ")),
                ]
                if !view.cc.isEmpty { facts.append(("cc", view.cc.joined(separator: ", "))) }
                facts += [
                    ("date", view.date.map(dates.timeText) ?? "-"), ("subject", view.subject ?? "-"),
                    ("message-id", entry.messageId), ("kind", entry.classification ?? entry.kind.rawValue),
                    ("signature", entry.signature.rawValue), ("case", entry.caseId ?? "-"), ("organisation", entry.organizationId ?? "-"),
                    ("disposition", entry.disposition ?? "-"),
                ]
                if let state = entry.reviewState { facts.append(("review", state.rawValue + (entry.reviewReason.map { ": " + $0 } ?? ""))) }
                for (name, value) in facts { print("\(name.padding(toLength: 13, withPad: " ", startingAt: 0))\(value)") }
                print("attachments  " + (view.attachments.isEmpty ? "none" : view.attachments.map {
                    "\($0.filename ?? "(no name)") (\($0.contentType), \($0.bytes) bytes)"
                }.joined(separator: "; ")))
                if let size = view.readInPart {
                    print("size         \(size) bytes: too big to read in full, shown as far as its first MiB goes (stored as received)")
                }
                print("")
                if view.unparsable { print("(the stored bytes are not a message that could be parsed)") }
                else if let text = view.text {
                    for line in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
                        print(String(line))
                    }
                } else { print("(no text part: encrypted, or attachments only)") }
            }
        }
    }
}
