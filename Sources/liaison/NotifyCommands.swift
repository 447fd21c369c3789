import ArgumentParser
import Foundation
import Gateway
import Mail
import Registry

/// `liaison notify`: queue a case's notifications.
struct NotifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Render, sign (and encrypt where keys allow) and queue a case's notifications.",
        discussion: """
            One message per organisation and language: To its active `to` contacts of that language, Cc its \
            `cc` contacts, in the contact's language (else the organisation's first language, else English). \
            Each message is signed with sender.signing_key and encrypted when every recipient has a usable key \
            (gnupg.encrypt: when-key).

            All or nothing: every template variable, address and key is checked first; on any problem nothing \
            is queued and every problem is listed, one per line. An organisation that already received the \
            template for the case is a problem too, unless --again is given; --again while earlier copies of the \
            template for the case are still queued or deferred is refused unless --force (vendors would get two). \
            An embargo template (vendor-initial, reminder) for a published case is refused unless --force.

            Messages wait in the outbox until `liaison send`.

            Example: liaison notify 'JVNVU#12345678' --template vendor-initial --dry-run
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "Case id, e.g. JVNVU#12345678 (quote it in the shell).") var caseId: String
    @Option(help: ArgumentHelp("Template: Templates/<NAME>.<lang>.mustache, e.g. vendor-initial, reminder, publication.", valueName: "NAME"))
    var template: String
    @Option(name: .customLong("org"), help: ArgumentHelp("Notify only this participant (repeatable); default: every participant.", valueName: "ORG"))
    var organizations: [String] = []
    @Option(name: .customLong("attach"), help: ArgumentHelp("Attach a file inside the signed part (repeatable).", valueName: "FILE"))
    var attachments: [String] = []
    @Flag(help: "Check everything and show what would be queued; queue nothing.") var dryRun = false
    @Flag(help: "Notify again organisations that already received this template for the case.") var again = false
    @Flag(help: "Queue even when a guard refuses: an embargo template (vendor-initial, reminder) for a published case, or --again while earlier copies are still queued or deferred.")
    var force = false
    @Option(help: "table or json.") var format: OutputFormat = .table

    func run() throws {
        try CommandSupport.reportingErrors {
            let env = try GatewayEnvironment(workspace)
            let purpose: NotificationPurpose = switch template {
            case "reminder": .reminder
            case "publication": .publication
            default: .caseNotification
            }
            var request = NotificationRequest(caseId: caseId, organizations: organizations, template: template, purpose: purpose,
                                              attachments: try loadAttachments(attachments), again: again)
            request.force = force
            request.refuseUnsentRepeats = true
            let composer = NotificationComposer(store: env.store, settings: try env.settings())
            let planned = dryRun ? try composer.plan(request) : try composer.queue(request)
            printPlanned(planned, dryRun: dryRun, format: format)
        }
    }
}

/// `liaison remind`: queue reminders to participants who have not answered.
struct RemindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remind",
        abstract: "Remind participants who have not answered: one case after DAYS, or the workspace policy on every open case.",
        discussion: """
            With --after, a participant of CASE without a status (no response, or only an acknowledgement while the \
            case's due date has not passed) is reminded at most once per DAYS.
            With --all (or a CASE without --after), the `reminders:` policy of liaison.yaml is applied: reminders \
            after first_after_days and second_after_days without a status (template reminder; an acknowledged \
            participant too, until the case's due date has passed, and it is never escalated), an escalation to \
            every active contact, cc included (not at TLP:RED), and the coordinator (only at TLP:AMBER, GREEN or \
            CLEAR) after escalate_after_days (template escalation), and the organisation marked unreachable after \
            unreachable_after_days. --dry-run shows exactly what would go out and changes nothing. A step another \
            remind or liaison run took meanwhile, or whose participant answered meanwhile, is not taken, and named \
            on standard error.
            """)
    @OptionGroup var workspace: WorkspaceOptions
    @Argument(help: "Case id.") var caseId: String?
    @Option(help: "Days since the first notification (and since the last reminder).") var after: Int?
    @Flag(help: "Apply the reminder policy of liaison.yaml to every open case.") var all = false
    @Option(help: "Template name.") var template = "reminder"
    @Option(help: "Escalation template name (policy only).") var escalationTemplate = "escalation"
    @Flag(help: "Show who would be reminded; queue nothing.") var dryRun = false
    @Option(help: "table or json.") var format: OutputFormat = .table

    func run() throws {
        try CommandSupport.reportingErrors {
            guard all != (caseId != nil) else { throw ValidationError("give a case id, or --all for every open case") }
            let env = try GatewayEnvironment(workspace)
            let composer = NotificationComposer(store: env.store, settings: try env.settings())
            if let caseId, let after {
                let planned = try Reminders(composer: composer).remind(caseId: caseId, afterDays: after, template: template, dryRun: dryRun)
                printPlanned(planned, dryRun: dryRun, format: format)
                return
            }
            let actions = try ReminderLadder(composer: composer, policy: env.configuration.reminders)
                .apply(caseId: caseId, reminderTemplate: template, escalationTemplate: escalationTemplate, dryRun: dryRun) { dropped in
                    CommandSupport.printError("\(dropped.caseId): \(dropped.organizationId): \(dropped.step.rawValue) not taken: "
                                              + "another remind or liaison run took it, or an answer came, meanwhile")
                }
            if format == .json { try CommandSupport.printJSON(actions); return }
            CommandSupport.printTable(["case", "organisation", "days", "step", "to", "cc", "subject"], actions.flatMap { action in
                action.messages.isEmpty
                    ? [[action.caseId, action.organizationId, String(action.daysWaiting), action.step.rawValue, "-", "-", "-"]]
                    : action.messages.map { [action.caseId, $0.organizationId, String(action.daysWaiting), action.step.rawValue,
                                             $0.to.joined(separator: ", "), $0.cc.joined(separator: ", "), $0.subject] }
            })
            let messages = actions.reduce(0) { $0 + $1.messages.count }
            print("\(dryRun ? "would take" : "took") \(actions.count) step\(actions.count == 1 ? "" : "s") (\(env.configuration.reminders.summary)); "
                  + "\(dryRun ? "would queue" : "queued") \(messages) message\(messages == 1 ? "" : "s")\(dryRun ? " (dry run: nothing changed)" : "")")
        }
    }
}

/// `liaison incident notify`: incident notices outside cases.
struct IncidentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "Incident notices (通知連絡) to an organisation or a country's national CSIRT.",
        subcommands: [Notify.self])

    struct Notify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue an incident notice.",
            discussion: """
                Example: liaison incident notify --country KR --category scan --template incident \\
                           --var summary='Port scans from 192.0.2.0/24 since 2007-09-01'
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Option(name: .customLong("org"), help: "Organisation id.") var organization: String?
        @Option(help: "ISO 3166-1 country code: the notice goes to that country's national CSIRT.") var country: String?
        @Option(help: "scan, forged, intrusion, phishing or other.") var category: String
        @Option(help: "Template name.") var template = "incident"
        @Option(name: .customLong("var"), help: "A template value, key=value (repeatable); `summary` fills {{incident.summary}}.")
        var variables: [String] = []
        @Option(name: .customLong("attach"), help: "Attach a file (repeatable).") var attachments: [String] = []
        @Flag(help: "Check and show what would be queued; queue nothing.") var dryRun = false
        @Option(help: "table or json.") var format: OutputFormat = .table

        func run() throws {
            try CommandSupport.reportingErrors {
                guard (organization == nil) != (country == nil) else { throw ValidationError("give exactly one of --org and --country") }
                guard let category = IncidentCategory(rawValue: category) else {
                    throw ValidationError("--category \(self.category) is not one of scan, forged, intrusion, phishing, other")
                }
                let env = try GatewayEnvironment(workspace)
                let composer = NotificationComposer(store: env.store, settings: try env.settings())
                let notices = IncidentNotices(composer: composer)
                let target = try organization ?? notices.nationalCSIRT(country: country!)
                let planned = try notices.notify(organization: target, category: category, template: template,
                                                 variables: try parseVariables(variables),
                                                 attachments: try loadAttachments(attachments), dryRun: dryRun)
                printPlanned(planned, dryRun: dryRun, format: format)
            }
        }
    }
}

func parseVariables(_ pairs: [String]) throws -> [String: String] {
    var result: [String: String] = [:]
    for pair in pairs {
        guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
            throw ValidationError("--var \(pair) is not key=value")
        }
        result[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
    }
    return result
}

func loadAttachments(_ paths: [String]) throws -> [Attachment] {
    try paths.map { try Attachment(contentsOf: URL(fileURLWithPath: $0)) }
}

func printPlanned(_ planned: [PlannedNotification], dryRun: Bool, format: OutputFormat) {
    if format == .json { try? CommandSupport.printJSON(planned); return }
    // Thousands of vendors make a table no one reads: the first rows, then how many more.
    let shown = 50
    CommandSupport.printTable(["organisation", "lang", "to", "cc", "encrypted", "subject"],
               planned.prefix(shown).map { [$0.organizationId, $0.language, $0.to.joined(separator: ", "), $0.cc.joined(separator: ", "),
                                            $0.encrypted ? "yes" : "no", $0.subject] })
    if planned.count > shown {
        print("… and \(planned.count - shown) more message\(planned.count - shown == 1 ? "" : "s") to \(Set(planned.dropFirst(shown).map(\.organizationId)).count) organisations; --format json lists every one")
    }
    let verb = dryRun ? "would queue" : "queued"
    print("\(verb) \(planned.count) message\(planned.count == 1 ? "" : "s")\(dryRun ? " (dry run: nothing queued)" : "; run `liaison send` to deliver")")
}
