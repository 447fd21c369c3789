import Foundation
import GRDB

/// Which organisations `RegistryQueries.organizations(filter:)` returns; every given criterion must match.
public struct OrganizationFilter: Sendable, Equatable {
    public var kind: OrganizationKind?
    /// ISO 3166-1 alpha-2, any case.
    public var country: String?
    /// A body (`APCERT`, any case) of which the organisation is a member on `date`.
    public var memberOf: String?
    /// Every one of these technologies.
    public var technologies: [String]
    /// Retired organisations too.
    public var includeRetired: Bool
    /// The day memberships are judged on; nil means today (UTC).
    public var date: CalendarDate?

    public init(kind: OrganizationKind? = nil, country: String? = nil, memberOf: String? = nil,
                technologies: [String] = [], includeRetired: Bool = false, date: CalendarDate? = nil) {
        self.kind = kind
        self.country = country
        self.memberOf = memberOf
        self.technologies = technologies
        self.includeRetired = includeRetired
        self.date = date
    }
}

/// An organisation with everything attached to it.
public struct OrganizationDetails: Sendable, Equatable {
    public var organization: Organization
    /// Ordered by role (to first), then address.
    public var contacts: [Contact]
    /// The keys of the contacts, by fingerprint (missing keys are absent).
    public var keys: [String: PublicKey]
    public var memberships: [Membership]
    public var agreements: [Agreement]
}

/// A contact whose key cannot be used, or soon cannot.
public struct ContactKeyProblem: Sendable, Equatable, Codable {
    /// Why the key cannot be used, or soon cannot.
    public enum Problem: String, Sendable, Codable {
        /// The contact has no key, or names a key that is not in the registry.
        case missing
        case expired
        case revoked
        /// Expires within the window asked for.
        case expiring
    }

    public var organizationId: String
    public var email: String
    public var fingerprint: String?
    public var problem: Problem
    public var expiresAt: Date?
}

/// Questions answered from the registry: lists and filters for the command line, counts for the audit.
///
/// Every query has an instance form (reads through the store) and a static form taking a `Database`, for use
/// inside another module's transaction.
public struct RegistryQueries: Sendable {
    /// The database read from.
    public let reader: any DatabaseReader

    public init(_ reader: any DatabaseReader) {
        self.reader = reader
    }

    public init(store: RegistryStore) {
        self.reader = store.writer
    }

    // MARK: Organisations

    /// Organisations matching `filter`, ordered by id.
    public func organizations(filter: OrganizationFilter = OrganizationFilter()) throws -> [Organization] {
        try reader.read { try Self.organizations($0, filter: filter) }
    }

    /// The same, within the caller\'s transaction.
    public static func organizations(_ db: Database, filter: OrganizationFilter) throws -> [Organization] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if !filter.includeRetired {
            conditions.append("status = 'active'")
        }
        if let kind = filter.kind {
            conditions.append("kind = ?")
            _ = arguments.append(contentsOf: [kind.rawValue])
        }
        if let country = filter.country {
            conditions.append("country = ?")
            _ = arguments.append(contentsOf: [country.uppercased()])
        }
        if let body = filter.memberOf {
            let day = (filter.date ?? CalendarDate(Date(), in: TimeZone(identifier: "UTC")!)).description
            conditions.append("""
                EXISTS (SELECT 1 FROM membership m WHERE m.organizationId = organization.id AND m.body = ? COLLATE NOCASE
                        AND (m.since IS NULL OR m.since <= ?) AND (m.until IS NULL OR m.until > ?))
                """)
            _ = arguments.append(contentsOf: [body, day, day])
        }
        for technology in filter.technologies {
            conditions.append("EXISTS (SELECT 1 FROM json_each(organization.technologies) t WHERE t.value = ?)")
            _ = arguments.append(contentsOf: [technology])
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try Organization.fetchAll(db, sql: "SELECT * FROM organization \(whereClause) ORDER BY id", arguments: arguments)
    }

    /// One organisation with its contacts, keys, memberships and agreements; nil if there is none.
    public func organization(id: String) throws -> OrganizationDetails? {
        try reader.read { try Self.organization($0, id: id) }
    }

    /// The same, within the caller\'s transaction.
    public static func organization(_ db: Database, id: String) throws -> OrganizationDetails? {
        guard let organization = try Organization.fetchOne(db, key: id) else { return nil }
        let contacts = try Contact.fetchAll(db, sql: "SELECT * FROM contact WHERE organizationId = ? ORDER BY role DESC, email", arguments: [id])
        let fingerprints = Array(Set(contacts.compactMap(\.pgp)))
        let keys = try PublicKey.fetchAll(db, keys: fingerprints)
        return OrganizationDetails(
            organization: organization,
            contacts: contacts,
            keys: Dictionary(keys.map { ($0.fingerprint, $0) }, uniquingKeysWith: { first, _ in first }),
            memberships: try Membership.fetchAll(db, sql: "SELECT * FROM membership WHERE organizationId = ? ORDER BY id", arguments: [id]),
            agreements: try Agreement.fetchAll(db, sql: "SELECT * FROM agreement WHERE organizationId = ? ORDER BY id", arguments: [id]))
    }

    /// The active contacts of an organisation.
    public func activeContacts(of organizationId: String) throws -> [Contact] {
        try reader.read { db in
            try Contact.fetchAll(db, sql: "SELECT * FROM contact WHERE organizationId = ? AND active ORDER BY role DESC, email",
                                 arguments: [organizationId])
        }
    }

    /// The contact with this address (any case), active or not; nil if there is none.
    public func contact(email: String) throws -> Contact? {
        try reader.read { db in
            try Contact.fetchOne(db, sql: "SELECT * FROM contact WHERE email = ?", arguments: [email])
        }
    }

    /// Every organisation as its directory file would describe it, ordered by id: what `directory export`
    /// writes and what `directory sync` compares files with.
    public func definitions() throws -> [OrganizationDefinition] {
        try reader.read { try Self.definitions($0) }
    }

    /// The same, within the caller\'s transaction.
    public static func definitions(_ db: Database) throws -> [OrganizationDefinition] {
        let organizations = try Organization.fetchAll(db, sql: "SELECT * FROM organization ORDER BY id")
        let contacts = Dictionary(grouping: try Contact.fetchAll(db, sql: "SELECT * FROM contact ORDER BY id"), by: \.organizationId)
        let memberships = Dictionary(grouping: try Membership.fetchAll(db, sql: "SELECT * FROM membership ORDER BY id"), by: \.organizationId)
        let agreements = Dictionary(grouping: try Agreement.fetchAll(db, sql: "SELECT * FROM agreement ORDER BY id"), by: \.organizationId)
        return organizations.map { organization in
            OrganizationDefinition(
                id: organization.id, name: organization.name, localName: organization.localName,
                kind: organization.kind, country: organization.country, domains: organization.domains,
                languages: organization.languages,
                memberships: (memberships[organization.id] ?? []).map {
                    MembershipDefinition(body: $0.body, role: $0.role, since: $0.since, until: $0.until)
                },
                agreements: (agreements[organization.id] ?? []).compactMap { agreement in
                    agreement.signed.map { AgreementDefinition(kind: agreement.kind, signed: $0, ended: agreement.ended) }
                },
                technologies: organization.technologies, status: organization.status,
                statusDate: organization.statusDate, notes: organization.notes,
                contacts: (contacts[organization.id] ?? []).map {
                    ContactDefinition(email: $0.email, name: $0.name, role: $0.role, language: $0.language,
                                      pgp: $0.pgp, active: $0.active)
                })
        }
    }

    /// The public keys, by fingerprint.
    public func keys(_ fingerprints: [String]) throws -> [PublicKey] {
        try reader.read { try PublicKey.fetchAll($0, keys: fingerprints) }
    }

    // MARK: Keys

    /// Active contacts of active organisations whose key is missing from the registry, revoked, expired, or
    /// expires within `days` of `now`. With `includeKeyless`, contacts without any key count as missing.
    public func contactsWithKeyProblems(within days: Int, now: Date = Date(), includeKeyless: Bool = false) throws -> [ContactKeyProblem] {
        try reader.read { try Self.contactsWithKeyProblems($0, within: days, now: now, includeKeyless: includeKeyless) }
    }

    /// The same, within the caller\'s transaction.
    public static func contactsWithKeyProblems(_ db: Database, within days: Int, now: Date = Date(),
                                               includeKeyless: Bool = false) throws -> [ContactKeyProblem] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.organizationId, c.email, c.pgp, k.fingerprint IS NOT NULL AS present, k.expiresAt, k.revoked
            FROM contact c
            JOIN organization o ON o.id = c.organizationId
            LEFT JOIN key k ON k.fingerprint = c.pgp
            WHERE c.active AND o.status = 'active'
            ORDER BY c.organizationId, c.email
            """)
        let horizon = now.addingTimeInterval(Double(days) * 86_400)
        return rows.compactMap { row in
            let fingerprint: String? = row["pgp"]
            let expires: Date? = row["expiresAt"]
            let problem: ContactKeyProblem.Problem
            if fingerprint == nil {
                guard includeKeyless else { return nil }
                problem = .missing
            } else if !(row["present"] as Bool) {
                problem = .missing
            } else if row["revoked"] as Bool {
                problem = .revoked
            } else if let expires, expires <= now {
                problem = .expired
            } else if let expires, expires <= horizon {
                problem = .expiring
            } else {
                return nil
            }
            return ContactKeyProblem(organizationId: row["organizationId"], email: row["email"],
                                     fingerprint: fingerprint, problem: problem, expiresAt: expires)
        }
    }

    // MARK: Counts for the quarterly audit

    /// Product developers registered on `date`: a `developer-registration` agreement signed on or before it
    /// and not ended by then. Ordered by id.
    public func registeredDevelopers(on date: CalendarDate) throws -> [Organization] {
        try reader.read { try Self.registeredDevelopers($0, on: date) }
    }

    /// The same, within the caller\'s transaction.
    public static func registeredDevelopers(_ db: Database, on date: CalendarDate) throws -> [Organization] {
        try Organization.fetchAll(db, sql: """
            SELECT * FROM organization o
            WHERE o.kind = 'product-developer' AND EXISTS (
                SELECT 1 FROM agreement a WHERE a.organizationId = o.id AND a.kind = ?
                AND a.signed <= ? AND (a.ended IS NULL OR a.ended > ?))
            ORDER BY o.id
            """, arguments: [Agreement.developerRegistration, date.description, date.description])
    }

    /// Organisations holding a membership of `body` (any case) on `date`, ordered by id.
    public func members(of body: String, on date: CalendarDate) throws -> [Organization] {
        try reader.read { try Self.members($0, of: body, on: date) }
    }

    /// The same, within the caller\'s transaction.
    public static func members(_ db: Database, of body: String, on date: CalendarDate) throws -> [Organization] {
        try Organization.fetchAll(db, sql: """
            SELECT * FROM organization o
            WHERE EXISTS (
                SELECT 1 FROM membership m WHERE m.organizationId = o.id AND m.body = ? COLLATE NOCASE
                AND (m.since IS NULL OR m.since <= ?) AND (m.until IS NULL OR m.until > ?))
            ORDER BY o.id
            """, arguments: [body, date.description, date.description])
    }

    /// APCERT members on `date`.
    public func apcertMembers(on date: CalendarDate) throws -> [Organization] {
        try members(of: "APCERT", on: date)
    }

    /// The same, within the caller\'s transaction.
    public static func apcertMembers(_ db: Database, on date: CalendarDate) throws -> [Organization] {
        try members(db, of: "APCERT", on: date)
    }

    /// Agreements of `kind` signed from `first` through `last` (both included), ordered by date.
    public func agreementsSigned(kind: String, from first: CalendarDate, through last: CalendarDate) throws -> [Agreement] {
        try reader.read { try Self.agreementsSigned($0, kind: kind, from: first, through: last) }
    }

    /// The same, within the caller\'s transaction.
    public static func agreementsSigned(_ db: Database, kind: String, from first: CalendarDate, through last: CalendarDate) throws -> [Agreement] {
        try Agreement.fetchAll(db, sql: """
            SELECT * FROM agreement WHERE kind = ? AND signed >= ? AND signed <= ? ORDER BY signed, organizationId
            """, arguments: [kind, first.description, last.description])
    }

    /// Agreements of `kind` whose signing day begins within `interval`, days taken in `timeZone` (a quarter
    /// of the workspace's report time zone).
    public func agreementsSigned(kind: String, in interval: DateInterval, timeZone: TimeZone) throws -> [Agreement] {
        let first = CalendarDate(interval.start, in: timeZone)
        let last = CalendarDate(interval.end, in: timeZone)
        return try agreementsSigned(kind: kind, from: first, through: last).filter { agreement in
            guard let signed = agreement.signed else { return false }
            let start = signed.start(in: timeZone)
            return start >= interval.start && start < interval.end
        }
    }
}
