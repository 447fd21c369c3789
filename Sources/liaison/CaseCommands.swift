import ArgumentParser
import Foundation
import Gateway
import Registry

/// `liaison case …`: vulnerability cases and their participants.
struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Open vulnerability cases, choose the organisations to notify, record their answers.",
        discussion: """
            A case is a vulnerability under coordination, named by its advisory id (JVNVU#12345678, VU#123456).
            Typical flow:
              liaison case open 'JVNVU#12345678' --title 'TLS certificate check' --origin jvn-jp --due 2007-10-15
              liaison case add 'JVNVU#12345678' --technology tls
              liaison notify 'JVNVU#12345678' --template vendor-initial
              liaison send
              liaison case show 'JVNVU#12345678'
              liaison case publish 'JVNVU#12345678' --url https://jvn.jp/vu/JVNVU12345678/
            A slip is refused in one line naming --force (a past due date, publishing before it). Corrections:
            case set-tlp, case set-title, case set-due, case withdraw (opened by mistake) and case reopen; each is an
            event of the audit log.
            """,
        subcommands: [Open.self, Add.self, Show.self, List.self, Set.self, Publish.self, SetDue.self, SetTLP.self,
                      SetTitle.self, Withdraw.self, Reopen.self, Import.self, CaseExportCommand.self, AnswerLink.self])

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a case.")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id, e.g. JVNVU#12345678 (quote it: # starts a comment in the shell).") var caseId: String
        @Option(help: "One-line title of the vulnerability, used in every message but Japanese ones when --title-ja is given.") var title: String
        @Option(name: .customLong("title-ja"), help: "The title in Japanese, for messages in Japanese.") var titleJa: String?
        @Option(help: "Where the report came from: a partner of cases.origins in liaison.yaml (default jvn-jp (via IPA), cert-cc, cpni).") var origin: String
        @Option(help: "Planned publication day (YYYY-MM-DD, in the workspace's time zone), shown to vendors as the embargo end; default: cases.embargo_days (45) from today.")
        var due: String?
        @Option(help: ArgumentHelp("TLP 2.0 level: CLEAR, GREEN, AMBER, AMBER+STRICT or RED; default cases.tlp, else AMBER+STRICT.", valueName: "LEVEL"))
        var tlp: String?
        @Flag(help: "Accept a due date that is already past (a case opened late, on purpose).") var force = false

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let level = try tlp.map { try CaseCommand.level($0, option: "--tlp") } ?? env.configuration.cases.tlp
                let due = try self.due.map { text in try CommandSupport.value(of: "--due") { try env.dates.day(parsing: text) }.description }
                let embargo = env.configuration.cases.embargoDays
                let defaultDue = due == nil
                    ? DueDates.defaultDue(openedAt: Date(), embargoDays: embargo, in: env.dates.timeZone).description
                    : nil
                let record = try env.caseBook()
                    .open(id: caseId, title: title, origin: origin, due: due ?? defaultDue, tlp: level, titleJa: titleJa, force: force)
                print("opened \(record.id) (\(record.origin)), \(level.label), due \(record.due?.description ?? "-")"
                      + (defaultDue != nil ? " (the default embargo of \(embargo) days, cases.embargo_days; move it with `liaison case set-due`)" : ""))
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add organisations to a case, by id or by the technologies they implement.",
            discussion: "`liaison case add CASE --technology tls` adds every active product developer whose directory entry lists tls.")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Argument(help: "Organisation ids (file names in Directory/organizations/).") var organizations: [String] = []
        @Option(name: .customLong("technology"), help: "Add every active organisation implementing this technology (repeat: all must match).")
        var technologies: [String] = []
        @Option(help: "Only organisations of this kind (default with --technology: product-developer).") var kind: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                guard !organizations.isEmpty || !technologies.isEmpty || kind != nil else {
                    throw ValidationError("name organisations, or choose them with --technology or --kind")
                }
                let env = try GatewayEnvironment(workspace)
                let added = try env.caseBook()
                    .addParticipants(caseId: caseId, organizations: organizations, technologies: technologies, kind: kind)
                print(added.isEmpty ? "no organisation added (all were already participants)"
                      : "added \(added.count) to \(caseId): \(CommandSupport.summarized(added, noun: "more"))")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a case and where each participant stands, with its bounces and automatic replies.",
            discussion: """
                Under the table, per organisation: each address that bounced or was refused for good (with the \
                server's reply), each delivery problem of our own (refused by our relay, or voided) and each \
                automatic reply (with its `inbox show` id).

                JSON: {"record": the case (id, title, titleJa, origin, openedAt, due, publishedAt, tlp, advisoryURL, \
                withdrawnAt, withdrawnReason), "participants": [{"record": the participant, organizationName, \
                daysWaiting, daysToRespond, lastMessageState, verifiedReply, bouncedAddresses and ownProblems \
                [{email, status, reason, at}], automaticReplies [{inboundId, from, subject, receivedAt}]}]}; a key \
                whose value is unknown is left out.
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Option(help: "table or json.") var format: OutputFormat = .table

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let detail = try env.caseBook().show(caseId: caseId)
                if format == .json { try CommandSupport.printJSON(detail); return }
                let c = detail.record
                let dates = env.dates
                print("\(c.id)  \(c.title)")
                print("\((c.tlp ?? env.configuration.cases.tlp).label), origin \(c.origin), opened \(dates.dayText(c.openedAt)), due \(c.due?.description ?? "-"), "
                      + (c.publishedAt.map { "published \(dates.dayText($0))" } ?? "not published")
                      + (c.advisoryURL.map { ", advisory \($0)" } ?? ""))
                if let titleJa = c.titleJa { print("ja: \(titleJa)") }
                if let withdrawn = c.withdrawnAt {
                    print("WITHDRAWN \(dates.dayText(withdrawn)): \(c.withdrawnReason ?? "-") (left out of the report; `liaison case reopen` undoes it)")
                }
                print("")
                let rows = detail.participants.map { p -> [String] in
                    [p.record.organizationId, p.record.delivery.rawValue + (p.record.unreachableAt != nil ? " (unreachable)" : "")
                        + (p.bouncedAddresses.isEmpty ? "" : ", \(p.bouncedAddresses.count) bounced")
                        + (p.automaticReplies.isEmpty ? "" : ", \(CommandSupport.plural(p.automaticReplies.count, "auto-reply"))")
                        + (p.ourDeliveryProblems > 0 ? " (delivery problem of ours)" : ""),
                     p.record.response.rawValue + (p.verifiedReply ? " (signed)" : ""),
                     p.record.firstNotifiedAt.map(dates.dayText) ?? "-", p.record.firstResponseAt.map(dates.dayText) ?? "-",
                     p.daysWaiting.map(String.init) ?? "-", p.lastMessageState?.rawValue ?? "-"]
                }
                CommandSupport.printTable(["organisation", "delivery", "response", "first notified", "first response", "days waiting", "last message"], rows)
                // What the delivery column sums up, per organisation: addresses that bounced, problems of ours, automatic replies.
                var notes: [String] = []
                for p in detail.participants {
                    let org = p.record.organizationId
                    for trouble in p.bouncedAddresses {
                        notes.append("  \(org): \(trouble.email) \(trouble.status)" + (trouble.reason.map { " (\($0))" } ?? ""))
                    }
                    for trouble in p.ownProblems {
                        notes.append("  \(org): \(trouble.email) \(trouble.status), our own problem" + (trouble.reason.map { " (\($0))" } ?? ""))
                    }
                    if let problem = p.ourDeliveryProblem {
                        notes.append("  \(org): \(CommandSupport.plural(p.ourDeliveryProblems, "delivery report")) blaming our message or domain: \(problem)")
                    }
                    for reply in p.automaticReplies {
                        notes.append("  \(org): automatic reply \(dates.dayText(reply.receivedAt)) from \(reply.from ?? "-"): \(reply.subject ?? "-") (inbox show \(reply.inboundId))")
                    }
                }
                if !notes.isEmpty {
                    print("")
                    print("Bounces, our own delivery problems and automatic replies:")
                    notes.forEach { print($0) }
                }
                var products: [[String]] = []
                for p in detail.participants {
                    for statement in [p.allProducts].compactMap({ $0 }) + p.products {
                        products.append(CaseCommand.productRow(p.record.organizationId, statement, dates: dates))
                    }
                }
                if !products.isEmpty {
                    print("")
                    CommandSupport.printTable(["organisation", "product", "status", "justification", "stated", "source", "from"], products)
                }
            }
        }
    }

    /// One product statement as `case show` lists it: organisation, product (with its CPE or PURL), status (with
    /// the fixed version), justification, day stated, source and where it was read.
    static func productRow(_ organization: String, _ statement: ProductStatement, dates: WorkspaceDates) -> [String] {
        let product = statement.product.isEmpty ? "(all products)" : statement.product
        let identifier = statement.productId.map { " [\($0)]" } ?? ""
        let fixed = statement.fixedVersion.map { " in \($0)" } ?? ""
        return [organization, product + identifier, statement.status.rawValue + fixed, statement.justification ?? "-",
                dates.dayText(statement.statedAt), statement.source.rawValue, statement.reference]
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List cases, newest first; with --due-before and --sort due, an embargo calendar.",
            discussion: "Example: liaison case list --open --due-before 2007-12-31 --sort due")
        enum Sort: String, ExpressibleByArgument, CaseIterable { case opened, due }
        @OptionGroup var workspace: WorkspaceOptions
        @Flag(help: "Only cases not yet published nor withdrawn.") var open = false
        @Option(name: .customLong("due-before"), help: ArgumentHelp("Only cases due before this day (YYYY-MM-DD, workspace time zone).", valueName: "DATE"))
        var dueBefore: String?
        @Option(help: ArgumentHelp("opened (newest first, the default) or due (soonest first; cases without a date last).", valueName: "KEY"))
        var sort: Sort = .opened
        @Option(help: "table or json.") var format: OutputFormat = .table

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let limit = try dueBefore.map { text in try CommandSupport.value(of: "--due-before") { try env.dates.day(parsing: text) } }
                var cases = try env.caseBook().list(openOnly: open)
                if let limit { cases = cases.filter { $0.record.due.map { $0 < limit } ?? false } }
                if sort == .due {
                    cases.sort { ($0.record.due?.description ?? "9999", $0.record.id) < ($1.record.due?.description ?? "9999", $1.record.id) }
                }
                if format == .json { try CommandSupport.printJSON(cases); return }
                let dates = env.dates
                CommandSupport.printTable(["case", "origin", "opened", "due", "published", "participants", "notified", "responded", "title"],
                           cases.map { [$0.record.id, $0.record.origin, dates.dayText($0.record.openedAt), $0.record.due?.description ?? "-",
                                        $0.record.withdrawnAt != nil ? "withdrawn" : ($0.record.publishedAt.map(dates.dayText) ?? "-"),
                                        String($0.participants), String($0.notified), String($0.responded), $0.record.title] })
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an organisation's response to a case.")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Argument(help: "Organisation id.") var organization: String
        @Argument(help: "acknowledged, investigating, affected, not-affected or fixed.") var response: String
        @Option(help: "What the organisation said, kept with the response.") var statement: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                guard let value = Response(rawValue: response), value != .none else {
                    throw ValidationError("response \(response) is not one of acknowledged, investigating, affected, not-affected, fixed")
                }
                let env = try GatewayEnvironment(workspace)
                try env.caseBook()
                    .setResponse(caseId: caseId, organizationId: organization, response: value, statement: statement)
                print("\(caseId) \(organization): \(value.rawValue)")
            }
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a case published.",
            discussion: """
                Publishing before the case's due date (in the workspace's time zone) is refused unless --force: it \
                breaks the embargo the vendors were told. Then tell the participants: liaison notify CASE --template publication
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Option(help: """
            Publication day or time: YYYY-MM-DD (that day's start) or YYYY-MM-DDTHH:MM in the workspace's time zone, \
            or ISO 8601 with Z or an offset; default now.
            """) var at: String?
        @Flag(help: "Publish before the case's due date, ending its embargo early.") var force = false
        @Option(help: ArgumentHelp("The case's TLP level once published; default cases.publication_tlp (CLEAR), never raising the level.", valueName: "LEVEL"))
        var tlp: String?
        @Option(help: ArgumentHelp("The published advisory's address, given to the publication template as {{case.url}}.", valueName: "URL"))
        var url: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                let level = try tlp.map { try CaseCommand.level($0, option: "--tlp") }
                let env = try GatewayEnvironment(workspace)
                let date = try at.map { text in try CommandSupport.value(of: "--at") { try env.dates.instant(parsing: text) } }
                let published = try env.caseBook().publish(caseId: caseId, at: date, dates: env.dates, force: force, tlp: level, advisoryURL: url)
                print("published \(caseId), now \(published.label)\(url.map { ", advisory \($0)" } ?? "")")
            }
        }
    }

    /// A TLP level typed on the command line.
    static func level(_ text: String, option: String) throws -> TrafficLightProtocol {
        guard let level = TrafficLightProtocol(label: text) else {
            throw ValidationError("\(option) \(text) is not one of \(TrafficLightProtocol.choices)")
        }
        return level
    }
}
