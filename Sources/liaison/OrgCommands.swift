import ArgumentParser
import Foundation
import Registry

/// `liaison org …`
struct OrgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "List and show the organisations of the registry.",
        subcommands: [List.self, Show.self])

    /// `liaison org list`
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List organisations; every filter given must match.",
            discussion: """
                JSON: an array of objects with id, name, localName (absent if none), kind, country, status, \
                statusDate (absent if none), domains, languages, technologies, ordered by id.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case table, json, csv
        }

        @Option(name: .long, help: ArgumentHelp("Only this kind: \(OrganizationKind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "K"))
        var kind: String?

        @Option(name: .long, help: ArgumentHelp("Only this country (ISO 3166-1 alpha-2, such as JP).", valueName: "CC"))
        var country: String?

        @Option(name: .long, help: ArgumentHelp("Only current members of this body, such as APCERT or FIRST.", valueName: "BODY"))
        var member: String?

        @Option(name: .long, help: ArgumentHelp("Only organisations with this technology; repeat to require several.", valueName: "T"))
        var technology: [String] = []

        @Flag(name: .long, help: "Include retired organisations.")
        var includeRetired = false

        @Option(name: .long, help: "table, json or csv.")
        var format: Format = .table

        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            var filter = OrganizationFilter(memberOf: member, technologies: technology, includeRetired: includeRetired)
            if let kind {
                guard let parsed = OrganizationKind(rawValue: kind) else {
                    try CommandSupport.fail("--kind \(kind) is not a kind; use one of \(OrganizationKind.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                filter.kind = parsed
            }
            if let country {
                guard CountryCodes.isAssigned(country.uppercased()) else {
                    try CommandSupport.fail("--country \(country) is not an ISO 3166-1 alpha-2 code such as JP.")
                }
                filter.country = country
            }
            let workspace = try options.locate()
            // Memberships are judged on today as the workspace's calendar has it.
            filter.date = try options.dates(of: workspace).day(of: Date())
            let store = try options.openStore(of: workspace)
            let organizations = try CommandSupport.reportingErrors { try store.directory.organizations(filter: filter) }
            switch format {
            case .json:
                try CommandSupport.printJSON(organizations.map(OrganizationSummary.init))
            case .csv:
                let rows = organizations.map { [$0.id, $0.name, $0.localName ?? "", $0.kind.rawValue, $0.country, $0.status.rawValue,
                                                $0.technologies.joined(separator: "; ")] }
                print(CSV.render([["id", "name", "localName", "kind", "country", "status", "technologies"]] + rows), terminator: "")
            case .table:
                var table = TextTable(["ID", "KIND", "CC", "NAME", "TECHNOLOGIES"])
                for organization in organizations {
                    let name = organization.status == .retired ? "\(organization.name) (retired)" : organization.name
                    table.add([organization.id, organization.kind.rawValue, organization.country, name,
                               organization.technologies.joined(separator: ", ")])
                }
                print(table.render(), terminator: "")
                CommandSupport.printError(CommandSupport.plural(organizations.count, "organisation"))
            }
        }
    }

    /// `liaison org show ORG`
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an organisation with its contacts, keys, memberships, agreements and technologies.",
            discussion: """
                JSON: the organisation's fields, with contacts (each with its key: fingerprint, algorithm, userIds, \
                created, expires, revoked, usable; or null), memberships, agreements and history (the cases it took \
                part in: caseId, title, openedAt, publishedAt, withdrawnAt, delivery, response, firstNotifiedAt, \
                firstResponseAt, daysToRespond, and once it answered respondedAt, statement, responseSource as \
                recorded and responseSourceKind: signed-mail, mail, answer-link, vex, person or other). The table \
                ends with the same history and how often it answered.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case table, json
        }

        @Argument(help: ArgumentHelp("The organisation's id, such as jpcert-cc.", valueName: "ORG"))
        var id: String

        @Option(name: .long, help: "table or json.")
        var format: Format = .table

        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let workspace = try options.locate()
            let store = try options.openStore(of: workspace)
            let dates = try options.dates(of: workspace)
            let directory = store.directory
            guard let details = try CommandSupport.reportingErrors({ try directory.organization(id: id) }) else {
                let known = try CommandSupport.reportingErrors { try directory.organizations().map(\.id) }
                try CommandSupport.fail("No organisation has the id \"\(id)\"\(NearestName.suggestion(for: id, in: known)); see `liaison org list`.")
            }
            let history = try CommandSupport.reportingErrors { try store.cases.history(organizationId: id) }
            switch format {
            case .json:
                var document = OrganizationDocument(details)
                document.history = history
                try CommandSupport.printJSON(document)
            case .table:
                print(render(details, dates: dates) + renderHistory(history, dates: dates), terminator: "")
            }
        }

        /// The cases it took part in, with its response and the days it took; then its response rate.
        private func renderHistory(_ history: [ParticipationHistory], dates: WorkspaceDates) -> String {
            var output = "\nCases\n"
            guard !history.isEmpty else { return output + "  none\n" }
            var table = TextTable(["CASE", "OPENED", "STATE", "DELIVERY", "RESPONSE", "NOTIFIED", "RESPONDED", "DAYS"])
            for item in history {
                let state = item.withdrawnAt != nil ? "withdrawn" : (item.publishedAt != nil ? "published" : "open")
                table.add([item.caseId, dates.dayText(item.openedAt), state, item.delivery.rawValue, item.response.rawValue,
                           item.firstNotifiedAt.map(dates.dayText) ?? "", item.firstResponseAt.map(dates.dayText) ?? "",
                           item.daysToRespond.map(String.init) ?? ""])
            }
            output += table.render()
            let notified = history.filter { $0.firstNotifiedAt != nil && $0.withdrawnAt == nil }
            let answered = notified.filter { $0.firstResponseAt != nil }
            let days = answered.compactMap(\.daysToRespond).sorted()
            output += "  responded in \(answered.count) of \(notified.count) case\(notified.count == 1 ? "" : "s") notified"
                + (days.isEmpty ? "" : "; median \(days[days.count / 2]) days to respond") + "\n"
            return output
        }

        private func render(_ details: OrganizationDetails, dates: WorkspaceDates) -> String {
            let organization = details.organization
            var output = organization.name + (organization.localName.map { " (\($0))" } ?? "") + "\n"
            var facts = TextTable(["id", organization.id])
            facts.add(["kind", organization.kind.rawValue])
            facts.add(["country", organization.country])
            facts.add(["status", organization.status.rawValue + (organization.statusDate.map { " since \($0)" } ?? "")])
            facts.add(["domains", organization.domains.joined(separator: ", ")])
            facts.add(["languages", organization.languages.joined(separator: ", ")])
            facts.add(["technologies", organization.technologies.isEmpty ? "none" : organization.technologies.joined(separator: ", ")])
            if let notes = organization.notes { facts.add(["notes", notes.replacingOccurrences(of: "\n", with: " ")]) }
            output += facts.render()

            output += "\nContacts\n"
            if details.contacts.isEmpty {
                output += "  none\n"
            } else {
                var contacts = TextTable(["EMAIL", "NAME", "ROLE", "LANG", "KEY", "EXPIRES", "STATE"])
                for contact in details.contacts {
                    let key = contact.pgp.flatMap { details.keys[$0] }
                    var state = contact.active ? "active" : "inactive"
                    if contact.bounceCount > 0 { state += ", \(contact.bounceCount) bounce\(contact.bounceCount == 1 ? "" : "s")" }
                    if let key, key.revoked { state += ", key revoked" } else if let key, !key.isUsable() { state += ", key expired" }
                    if contact.pgp != nil && key == nil { state += ", key missing" }
                    contacts.add([contact.email, contact.name ?? "", contact.role.rawValue, contact.language ?? "",
                                  contact.pgp ?? "none", key.map { $0.expiresAt.map(dates.dayText) ?? "never" } ?? "", state])
                }
                output += contacts.render()
            }

            output += "\nMemberships\n"
            if details.memberships.isEmpty {
                output += "  none\n"
            } else {
                var memberships = TextTable(["BODY", "ROLE", "SINCE", "UNTIL"])
                for membership in details.memberships {
                    memberships.add([membership.body, membership.role.rawValue, membership.since?.description ?? "",
                                     membership.until?.description ?? ""])
                }
                output += memberships.render()
            }

            output += "\nAgreements\n"
            if details.agreements.isEmpty {
                output += "  none\n"
            } else {
                var agreements = TextTable(["KIND", "SIGNED", "ENDED"])
                for agreement in details.agreements {
                    agreements.add([agreement.kind, agreement.signed?.description ?? "", agreement.ended?.description ?? ""])
                }
                output += agreements.render()
            }
            return output
        }
    }
}

/// One organisation in `org list --format json`.
struct OrganizationSummary: Encodable {
    var id: String
    var name: String
    var localName: String?
    var kind: String
    var country: String
    var status: String
    var statusDate: String?
    var domains: [String]
    var languages: [String]
    var technologies: [String]

    init(_ organization: Organization) {
        id = organization.id
        name = organization.name
        localName = organization.localName
        kind = organization.kind.rawValue
        country = organization.country
        status = organization.status.rawValue
        statusDate = organization.statusDate?.description
        domains = organization.domains
        languages = organization.languages
        technologies = organization.technologies
    }
}

/// `org show --format json`.
struct OrganizationDocument: Encodable {
    struct Key: Encodable {
        var fingerprint: String
        var algorithm: String
        var userIds: [String]
        var created: Date?
        var expires: Date?
        var revoked: Bool
        var usable: Bool
    }

    struct ContactEntry: Encodable {
        var email: String
        var name: String?
        var role: String
        var language: String?
        var active: Bool
        var bounceCount: Int
        var lastBounceAt: Date?
        var pgp: String?
        var key: Key?
    }

    var organization: OrganizationSummary
    var notes: String?
    var contacts: [ContactEntry]
    var memberships: [MembershipDefinition]
    var agreements: [Agreement]
    /// The cases it took part in (`ParticipationHistory`), newest first.
    var history: [ParticipationHistory] = []

    init(_ details: OrganizationDetails) {
        organization = OrganizationSummary(details.organization)
        notes = details.organization.notes
        contacts = details.contacts.map { contact in
            let key = contact.pgp.flatMap { details.keys[$0] }
            return ContactEntry(
                email: contact.email, name: contact.name, role: contact.role.rawValue, language: contact.language,
                active: contact.active, bounceCount: contact.bounceCount, lastBounceAt: contact.lastBounceAt, pgp: contact.pgp,
                key: key.map { Key(fingerprint: $0.fingerprint, algorithm: $0.algorithm, userIds: $0.userIds, created: $0.createdAt,
                                   expires: $0.expiresAt, revoked: $0.revoked, usable: $0.isUsable()) })
        }
        memberships = details.memberships.map { MembershipDefinition(body: $0.body, role: $0.role, since: $0.since, until: $0.until) }
        agreements = details.agreements
    }

    enum CodingKeys: String, CodingKey {
        case organization, notes, contacts, memberships, agreements, history
    }
}
