import ArgumentParser
import Foundation
import Gateway
import Registry

/// `liaison inbox`: stored messages a person must look at, and their resolution.
struct InboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "List received messages; assign or dismiss those waiting for review.",
        discussion: """
            Without options, every stored message, newest first. --review lists those a person must look at: \
            messages that matched nothing, replies with a bad signature or one made by a key that is not the \
            organisation's, statements that need a signature, replies whose answer was not understood, mail that is \
            not an answer (quarantine and content-filter notices, recall requests, read receipts, encrypted replies \
            that could not be decrypted), reports that named no recipient, parts that could not be decoded, bytes \
            that held no message.
            """,
        subcommands: [List.self, Show.self, Assign.self, Dismiss.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List received messages.")
        @OptionGroup var workspace: WorkspaceOptions
        @Flag(help: "Only messages that matched no notification or case.") var unmatched = false
        @Flag(help: "Only messages waiting for review.") var review = false
        @Option(help: "table or json.") var format: OutputFormat = .table

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let (unmatched, review) = (self.unmatched, self.review)
                let entries = try env.store.inbound.entries(unmatchedOnly: unmatched, reviewOnly: review)
                if format == .json { try CommandSupport.printJSON(entries); return }
                let dates = env.dates
                let rows: [[String]] = entries.map { entry in
                    var review = "-"
                    if let state = entry.reviewState { review = state.rawValue + (entry.reviewReason.map { ": " + $0 } ?? "") }
                    let kind: String = entry.classification ?? entry.kind.rawValue
                    return [String(entry.id), dates.timeText(entry.receivedAt), kind, entry.disposition ?? "-", entry.from ?? "-",
                            entry.caseId ?? "-", entry.organizationId ?? "-", entry.signature.rawValue, review, entry.subject ?? "-"]
                }
                CommandSupport.printTable(["id", "received", "kind", "disposition", "from", "case", "organisation", "signature",
                                           "review", "subject"], rows)
                print("\(entries.count) message\(entries.count == 1 ? "" : "s")")
            }
        }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "assign", abstract: "Tie a stored message to a case and organisation and apply it as ingest would have.",
            discussion: """
                The message is applied exactly as if ingest had matched it: a reply sets the response it states (or \
                acknowledged), unless its signature is bad or made by a key that is not the organisation's, or \
                ingest.require_signature asks for a signature it does not have; it then stays listed for review. A \
                delivery report bounces only that participant's recipients; an automatic reply never becomes a \
                response. Assigning the same message again changes nothing.

                --response R sets the status a person read in the reply (one listed as "answer not understood", or \
                an encrypted reply read by other means) in the same step, under the same trust rule.

                Example: liaison inbox assign 42 'JVNVU#12345678' aozora --response not-affected
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "The message: its id in `liaison inbox` or its Message-ID.") var message: String
        @Argument(help: "The case id.") var caseId: String
        @Argument(help: "The organisation id.") var organization: String
        @Option(help: "The status the reply states, as a person read it: acknowledged, investigating, affected, not-affected or fixed.")
        var response: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                var stated: Response?
                if let response {
                    guard let value = Response(rawValue: response), value != .none else {
                        throw ValidationError("--response \(response) is not one of acknowledged, investigating, affected, not-affected, fixed")
                    }
                    stated = value
                }
                let env = try GatewayEnvironment(workspace)
                let (outcome, changed) = try env.replyIngester().assign(message, caseId: caseId, organizationId: organization,
                                                                        response: stated)
                var line = "message \(message) assigned to \(caseId) / \(organization): \(outcome.kind)"
                if outcome.signature != .none { line += ", signature \(outcome.signature.rawValue)" }
                if !outcome.effects.isEmpty { line += "; " + outcome.effects.joined(separator: "; ") }
                if let review = outcome.review { line += "; still listed for review (\(review))" }
                if !changed { line += "; nothing changed (already assigned)" }
                print(line)
            }
        }
    }

    struct Dismiss: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dismiss", abstract: "Close a stored message's review (an event).")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "The message: its id in `liaison inbox` or its Message-ID.") var message: String
        @Option(help: "Why it needs nothing more.") var reason: String

        func run() throws {
            try CommandSupport.reportingErrors {
                guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why") }
                let env = try GatewayEnvironment(workspace)
                // Without a passphrase: dismissing reads no message (the ingester's key is not needed).
                try ReplyIngester(store: env.store, gnupgHome: env.gnupgHome, actor: env.actor).dismiss(message, reason: reason)
                print("message \(message) dismissed")
            }
        }
    }
}
