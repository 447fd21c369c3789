import Foundation
import Gateway
import Hummingbird
import Registry

/// The directory area: `/directory` (organisations with contacts, keys and bounce health) and `/directory/{org}`
/// (one organisation as `liaison org show` has it, with its history: every case, what it answered, how fast).
enum DirectoryRoutes {
    static func register(on router: DeskRouter, desk: Desk) {
        router.page("/directory", desk: desk) { _, context in
            try DirectoryPage(services: desk.services(for: context), context: context)
        }
        router.page("/directory/{org}", desk: desk) { _, context in
            let id = DeskPaths.decoded(try context.parameters.require("org"))
            return try OrganizationPage(services: desk.services(for: context), context: context, id: id)
        }
    }

    /// Keys expiring within this many days are flagged, as `liaison key check` does by default.
    static let expiryWarningDays = 30

    /// "3 d 4 h" (or "5 h", "12 min") for a duration in seconds.
    static func duration(_ seconds: TimeInterval) -> String {
        let minutes = max(0, Int(seconds / 60))
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60
        if hours < 24 { return "\(hours) h" }
        return hours % 24 == 0 ? "\(hours / 24) d" : "\(hours / 24) d \(hours % 24) h"
    }
}

/// `/directory`: every organisation with its contacts' count, bounce health and key states.
struct DirectoryPage: DeskPage {
    static let template = DeskTemplates.directory
    static let section = DeskSection.directory
    let title: String
    let organizations: [Row]

    struct Row: Encodable, Sendable {
        let id: String
        let href: String
        let name: String
        let localName: String?
        let kind: String
        let country: String
        let retired: Bool
        let contacts: Int
        let activeContacts: Int
        let bouncingContacts: Int
        let bounces: Int
        /// Some address of it bounced.
        let bouncing: Bool
        let lastBounce: String?
        let usableKeys: Int
        let expiringKeys: Int
        let expiredKeys: Int
        let missingKeys: Int
        let nextKeyExpiry: String?
        /// Some contact's key is expired, revoked or missing.
        let keyTrouble: Bool
        /// Some contact's key expires within 30 days.
        let keyWarning: Bool
    }

    init(services: WorkspaceServices, context: DeskRequestContext) throws {
        title = context.labels["directory_title"] ?? "Directory"
        let dates = services.dates
        organizations = try services.store.directory.overview(expiringWithin: DirectoryRoutes.expiryWarningDays).map { item in
            let organization = item.organization
            return Row(id: organization.id, href: "/directory/" + DeskPaths.segment(organization.id), name: organization.name,
                       localName: organization.localName, kind: organization.kind.rawValue, country: organization.country,
                       retired: organization.status == .retired, contacts: item.contacts, activeContacts: item.activeContacts,
                       bouncingContacts: item.bouncingContacts, bounces: item.bounces, bouncing: item.bounces > 0, lastBounce: item.lastBounceAt.map(dates.dayText),
                       usableKeys: item.usableKeys, expiringKeys: item.expiringKeys, expiredKeys: item.expiredKeys,
                       missingKeys: item.missingKeys, nextKeyExpiry: item.nextKeyExpiry.map(dates.dayText),
                       keyTrouble: item.expiredKeys + item.missingKeys > 0, keyWarning: item.expiringKeys > 0)
        }
    }
}

/// `/directory/{org}`: one organisation, its contacts with their keys (expiry flagged) and bounce health, its
/// memberships and agreements, and its history: every case it was in, what it answered (response, statement,
/// source) and how fast (first notification to first response).
struct OrganizationPage: DeskPage {
    static let template = DeskTemplates.organization
    static let section = DeskSection.directory
    let title: String
    let id: String
    let name: String
    let localName: String?
    let kind: String
    let country: String
    let status: String
    let domains: [String]
    let languages: [String]
    let technologies: [String]
    let notes: String?
    let contacts: [ContactRow]
    let memberships: [Membership]
    let agreements: [Agreement]
    let history: [HistoryRow]
    /// Cases notified (withdrawn ones aside), those answered, and the median time to the first response.
    let notifiedCases: Int
    let answeredCases: Int
    let medianTimeToRespond: String?
    let medianSecondsToRespond: Double?

    struct ContactRow: Encodable, Sendable {
        let email: String
        let name: String?
        let role: String
        let language: String?
        let active: Bool
        let bounceCount: Int
        let bounced: Bool
        let lastBounce: String?
        let key: Key?
        /// The contact names a key that is not in the registry.
        let keyMissing: Bool
    }

    struct Key: Encodable, Sendable {
        let fingerprint: String
        let algorithm: String
        let userIds: [String]
        let expires: String?
        let expiresAt: Date?
        let revoked: Bool
        let expired: Bool
        /// Expires within 30 days.
        let expiring: Bool
    }

    struct Membership: Encodable, Sendable {
        let body: String
        let role: String
        let since: String?
        let until: String?
    }

    struct Agreement: Encodable, Sendable {
        let kind: String
        let signed: String?
        let ended: String?
    }

    struct HistoryRow: Encodable, Sendable {
        /// "TLP:RED" when withheld: the row says only that there is such a case.
        let caseId: String
        let caseHref: String?
        /// Withheld (nil) for a TLP:RED case when the user is an auditor, with the statement.
        let title: String?
        let state: String
        let opened: String
        /// Withheld (nil) for a TLP:RED case when the user is an auditor, as are the source and the times.
        let delivery: String?
        let response: String?
        let responseLabel: String?
        let statement: String?
        let source: String?
        let sourceKind: String?
        let sourceLabel: String?
        let firstNotified: String?
        let firstNotifiedAt: Date?
        let firstResponse: String?
        let firstResponseAt: Date?
        /// First notification to first response, in seconds and as read ("3 d 4 h").
        let secondsToRespond: Double?
        let timeToRespond: String?
        let withheld: Bool
    }

    init(services: WorkspaceServices, context: DeskRequestContext, id: String) throws {
        let labels = context.labels
        guard let details = try services.store.directory.organization(id: id) else {
            throw HTTPError(.notFound, message: "no organisation \(id)")
        }
        let dates = services.dates
        let now = Date()
        let horizon = now.addingTimeInterval(Double(DirectoryRoutes.expiryWarningDays) * 86_400)
        let organization = details.organization
        title = organization.name
        self.id = organization.id
        name = organization.name
        localName = organization.localName
        kind = organization.kind.rawValue
        country = organization.country
        status = organization.status.rawValue + (organization.statusDate.map { " \($0)" } ?? "")
        domains = organization.domains
        languages = organization.languages
        technologies = organization.technologies
        notes = organization.notes
        contacts = details.contacts.map { contact in
            let key = contact.pgp.flatMap { details.keys[$0] }.map { key in
                let expired = key.expiresAt.map { $0 <= now } ?? false
                return Key(fingerprint: key.fingerprint, algorithm: key.algorithm, userIds: key.userIds,
                           expires: key.expiresAt.map(dates.dayText), expiresAt: key.expiresAt, revoked: key.revoked,
                           expired: expired, expiring: !expired && (key.expiresAt.map { $0 <= horizon } ?? false))
            }
            return ContactRow(email: contact.email, name: contact.name, role: contact.role.rawValue, language: contact.language,
                              active: contact.active, bounceCount: contact.bounceCount, bounced: contact.bounceCount > 0,
                              lastBounce: contact.lastBounceAt.map(dates.timeText), key: key,
                              keyMissing: contact.pgp != nil && key == nil)
        }
        memberships = details.memberships.map {
            Membership(body: $0.body, role: $0.role.rawValue, since: $0.since?.description, until: $0.until?.description)
        }
        agreements = details.agreements.map { Agreement(kind: $0.kind, signed: $0.signed?.description, ended: $0.ended?.description) }

        let red = try RedCases(services: services, context: context)
        let items = try services.store.cases.history(organizationId: organization.id)
        history = items.map { item in
            let withheld = red.hides(item.caseId)
            // An auditor learns only that there is a TLP:RED case: no id, delivery, response, source or times.
            if withheld {
                return HistoryRow(caseId: "TLP:RED", caseHref: nil, title: nil, state: "", opened: "", delivery: nil, response: nil,
                                  responseLabel: nil, statement: nil, source: nil, sourceKind: nil, sourceLabel: nil, firstNotified: nil,
                                  firstNotifiedAt: nil, firstResponse: nil, firstResponseAt: nil, secondsToRespond: nil,
                                  timeToRespond: nil, withheld: true)
            }
            let state = item.withdrawnAt != nil ? "withdrawn" : (item.publishedAt != nil ? "published" : "open")
            let seconds = item.firstNotifiedAt.flatMap { notified in item.firstResponseAt.map { max(0, $0.timeIntervalSince(notified)) } }
            let sourceKind = item.responseSourceKind?.code ?? (item.responseSource == nil ? nil : "other")
            return HistoryRow(
                caseId: item.caseId, caseHref: "/cases/" + DeskPaths.segment(item.caseId), title: withheld ? nil : item.title,
                state: state, opened: dates.dayText(item.openedAt), delivery: item.delivery.rawValue,
                response: item.response.rawValue,
                responseLabel: labels["response_\(item.response.rawValue.replacingOccurrences(of: "-", with: "_"))"] ?? item.response.rawValue,
                statement: withheld ? nil : item.statement, source: withheld ? nil : item.responseSource, sourceKind: sourceKind,
                sourceLabel: sourceKind.map { labels["source_\($0.replacingOccurrences(of: "-", with: "_"))"] ?? $0 },
                firstNotified: item.firstNotifiedAt.map(dates.timeText), firstNotifiedAt: item.firstNotifiedAt,
                firstResponse: item.firstResponseAt.map(dates.timeText), firstResponseAt: item.firstResponseAt,
                secondsToRespond: seconds, timeToRespond: seconds.map(DirectoryRoutes.duration), withheld: withheld)
        }
        let notified = items.filter { $0.firstNotifiedAt != nil && $0.withdrawnAt == nil && !red.hides($0.caseId) }
        let answered = notified.filter { $0.firstResponseAt != nil }
        notifiedCases = notified.count
        answeredCases = answered.count
        let times = answered.compactMap { item in item.firstNotifiedAt.flatMap { n in item.firstResponseAt.map { max(0, $0.timeIntervalSince(n)) } } }.sorted()
        medianSecondsToRespond = times.isEmpty ? nil : times[times.count / 2]
        medianTimeToRespond = medianSecondsToRespond.map(DirectoryRoutes.duration)
    }
}
