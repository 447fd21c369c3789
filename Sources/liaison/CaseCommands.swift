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
            """,
        subcommands: [Open.self, Add.self, Show.self, List.self, Set.self, Publish.self, SetDue.self, Import.self,
                      CaseExportCommand.self])

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a case.")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id, e.g. JVNVU#12345678 (quote it: # starts a comment in the shell).") var caseId: String
        @Option(help: "One-line title of the vulnerability.") var title: String
        @Option(help: "Where the report came from: jvn-jp (via IPA), cert-cc, cpni, or another partner id.") var origin: String
        @Option(help: "Planned publication day (YYYY-MM-DD, in the workspace's time zone), shown to vendors as the embargo end; default: cases.embargo_days (45) from today.")
        var due: String?
        @Option(help: ArgumentHelp("TLP 2.0 level: CLEAR, GREEN, AMBER, AMBER+STRICT or RED; default cases.tlp, else AMBER+STRICT.", valueName: "LEVEL"))
        var tlp: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let level = try tlp.map { text -> TrafficLightProtocol in
                    guard let level = TrafficLightProtocol(label: text) else {
                        throw ValidationError("--tlp \(text) is not one of \(TrafficLightProtocol.choices)")
                    }
                    return level
                } ?? env.configuration.cases.tlp
                let due = try self.due.map { text in try CommandSupport.value(of: "--due") { try env.dates.day(parsing: text) }.description }
                let embargo = env.configuration.cases.embargoDays
                let defaultDue = due == nil
                    ? DueDates.defaultDue(openedAt: Date(), embargoDays: embargo, in: env.dates.timeZone).description
                    : nil
                let record = try CaseBook(store: env.store, actor: env.actor)
                    .open(id: caseId, title: title, origin: origin, due: due ?? defaultDue, tlp: level)
                print("opened \(record.id) (\(record.origin)), \(level.label), due \(record.due ?? "-")"
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
                let added = try CaseBook(store: env.store, actor: env.actor)
                    .addParticipants(caseId: caseId, organizations: organizations, technologies: technologies, kind: kind)
                print(added.isEmpty ? "no organisation added (all were already participants)"
                      : "added \(added.count) to \(caseId): \(added.joined(separator: ", "))")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a case and where each participant stands.")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Option(help: "table or json.") var format: OutputFormat = .table

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let detail = try CaseBook(store: env.store, actor: env.actor).show(caseId: caseId)
                if format == .json { try CommandSupport.printJSON(detail); return }
                let c = detail.record
                let dates = env.dates
                print("\(c.id)  \(c.title)")
                print("\((c.tlp ?? env.configuration.cases.tlp).label), origin \(c.origin), opened \(dates.dayText(c.openedAt)), due \(c.due ?? "-"), "
                      + (c.publishedAt.map { "published \(dates.dayText($0))" } ?? "not published"))
                print("")
                let rows = detail.participants.map { p -> [String] in
                    [p.record.organizationId, p.record.delivery.rawValue + (p.record.unreachableAt != nil ? " (unreachable)" : "")
                        + (p.ourDeliveryProblems > 0 ? " (delivery problem of ours)" : ""),
                     p.record.response.rawValue + (p.verifiedReply ? " (signed)" : ""),
                     p.record.firstNotifiedAt.map(dates.dayText) ?? "-", p.record.firstResponseAt.map(dates.dayText) ?? "-",
                     p.daysWaiting.map(String.init) ?? "-", p.lastMessageState ?? "-"]
                }
                CommandSupport.printTable(["organisation", "delivery", "response", "first notified", "first response", "days waiting", "last message"], rows)
                let products = detail.participants.flatMap { p in
                    p.products.map { [p.record.organizationId, $0.product, $0.status.rawValue, $0.justification ?? "-",
                                      dates.dayText($0.statedAt), $0.source] }
                }
                if !products.isEmpty {
                    print("")
                    CommandSupport.printTable(["organisation", "product", "status", "justification", "stated", "source"], products)
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cases, newest first.")
        @OptionGroup var workspace: WorkspaceOptions
        @Flag(help: "Only cases not yet published.") var open = false
        @Option(help: "table or json.") var format: OutputFormat = .table

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let cases = try CaseBook(store: env.store, actor: env.actor).list(openOnly: open)
                if format == .json { try CommandSupport.printJSON(cases); return }
                let dates = env.dates
                CommandSupport.printTable(["case", "origin", "opened", "due", "published", "participants", "notified", "responded", "title"],
                           cases.map { [$0.record.id, $0.record.origin, dates.dayText($0.record.openedAt), $0.record.due ?? "-",
                                        $0.record.publishedAt.map(dates.dayText) ?? "-", String($0.participants), String($0.notified),
                                        String($0.responded), $0.record.title] })
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
                try CaseBook(store: env.store, actor: env.actor)
                    .setResponse(caseId: caseId, organizationId: organization, response: value, statement: statement)
                print("\(caseId) \(organization): \(value.rawValue)")
            }
        }
    }

    struct Publish: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a case published.",
            discussion: "Then tell the participants: liaison notify CASE --template publication")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Case id.") var caseId: String
        @Option(help: """
            Publication day or time: YYYY-MM-DD (that day's start) or YYYY-MM-DDTHH:MM in the workspace's time zone, \
            or ISO 8601 with Z or an offset; default now.
            """) var at: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let date = try at.map { text in try CommandSupport.value(of: "--at") { try env.dates.instant(parsing: text) } }
                try CaseBook(store: env.store, actor: env.actor).publish(caseId: caseId, at: date, dates: env.dates)
                print("published \(caseId)")
            }
        }
    }
}
