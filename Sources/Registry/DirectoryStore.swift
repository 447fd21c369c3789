import Foundation

/// Which organisations `DirectoryStoring.organizations(filter:)` returns; every given criterion must match.
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


/// The directory in the registry: organisations, contacts, keys, memberships and agreements, as `directory sync`
/// writes them and every command reads them (`store.directory`).
///
/// ```swift
/// let developers = try store.directory.organizations(filter: OrganizationFilter(kind: .productDeveloper))
/// let problems = try store.directory.contactsWithKeyProblems(within: 30)
/// ```
public protocol DirectoryStoring: Sendable {
    // MARK: Sync

    /// What applying `contents` would change, in the order it would be applied, without writing anything;
    /// organisations missing from `contents` would be retired on `retiredOn`.
    func syncChanges(_ contents: DirectoryContents, retiredOn: CalendarDate) throws -> [DirectoryChange]
    /// Applies `contents` in one transaction, one event per change recorded as `actor` at `now`. `importKeys` runs
    /// inside that transaction with the fingerprints of the keys added or changed, and returns how many keys it
    /// imported; when it throws, nothing is written. Returns the changes applied, in order, and that count.
    func sync(_ contents: DirectoryContents, retiredOn: CalendarDate, actor: String, at now: Date,
              importingKeys importKeys: (Set<String>) throws -> Int) throws -> (changes: [DirectoryChange], importedKeys: Int)

    // MARK: Organisations and contacts

    /// Organisations matching `filter`, ordered by id.
    func organizations(filter: OrganizationFilter) throws -> [Organization]
    /// One organisation with its contacts, keys, memberships and agreements; nil if there is none.
    func organization(id: String) throws -> OrganizationDetails?
    /// The active contacts of an organisation, `to` before `cc`, then by address.
    func activeContacts(of organizationId: String) throws -> [Contact]
    /// The contact with this address (any case), active or not; nil if there is none.
    func contact(email: String) throws -> Contact?
    /// Every organisation as its directory file would describe it, ordered by id: what `directory export`
    /// writes and what `directory sync` compares files with.
    func definitions() throws -> [OrganizationDefinition]
    /// Every organisation (retired ones too), ordered by id, with its contacts' delivery health (bounces) and key
    /// states; a key expiring within `days` of `now` counts as expiring.
    func overview(expiringWithin days: Int, now: Date) throws -> [OrganizationOverview]

    // MARK: Keys

    /// The public keys with these fingerprints (upper-case hex); those not in the registry are absent.
    func keys(_ fingerprints: [String]) throws -> [PublicKey]
    /// Active contacts of active organisations whose key is missing from the registry, revoked, expired, or
    /// expires within `days` of `now`. With `includeKeyless`, contacts without any key count as missing.
    func contactsWithKeyProblems(within days: Int, now: Date, includeKeyless: Bool) throws -> [ContactKeyProblem]

    // MARK: Counts for the quarterly audit

    /// Product developers registered on `date`: a `developer-registration` agreement signed on or before it
    /// and not ended by then. Ordered by id.
    func registeredDevelopers(on date: CalendarDate) throws -> [Organization]
    /// Organisations holding a membership of `body` (any case) on `date`, ordered by id.
    func members(of body: String, on date: CalendarDate) throws -> [Organization]
    /// Agreements of `kind` signed from `first` through `last` (both included), ordered by date.
    func agreementsSigned(kind: String, from first: CalendarDate, through last: CalendarDate) throws -> [Agreement]
}

extension DirectoryStoring {
    /// Organisations matching `filter` (by default the active ones), ordered by id.
    public func organizations() throws -> [Organization] {
        try organizations(filter: OrganizationFilter())
    }

    /// The directory's overview with keys expiring within 30 days of now counted as expiring.
    public func overview(expiringWithin days: Int = 30) throws -> [OrganizationOverview] {
        try overview(expiringWithin: days, now: Date())
    }

    /// Contacts whose key cannot be used by `days` from now.
    public func contactsWithKeyProblems(within days: Int, now: Date = Date()) throws -> [ContactKeyProblem] {
        try contactsWithKeyProblems(within: days, now: now, includeKeyless: false)
    }

    /// Contacts whose key cannot be used by `days` from now, keyless contacts counted as missing when asked.
    public func contactsWithKeyProblems(within days: Int, includeKeyless: Bool) throws -> [ContactKeyProblem] {
        try contactsWithKeyProblems(within: days, now: Date(), includeKeyless: includeKeyless)
    }

    /// APCERT members on `date`.
    public func apcertMembers(on date: CalendarDate) throws -> [Organization] {
        try members(of: "APCERT", on: date)
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

/// ``DirectoryStoring`` over the registry's engine.
struct DirectoryStore: DirectoryStoring {
    let engine: any StoreEngine

    // MARK: Organisations

    func organizations(filter: OrganizationFilter) throws -> [Organization] {
        try engine.read { try Self.organizations($0, filter: filter) }
    }

    /// The same, within the caller's transaction.
    static func organizations(_ session: any SQLSession, filter: OrganizationFilter) throws -> [Organization] {
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if !filter.includeRetired {
            conditions.append("status = 'active'")
        }
        if let kind = filter.kind {
            conditions.append("kind = ?")
            arguments.append(.text(kind.rawValue))
        }
        if let country = filter.country {
            conditions.append("country = ?")
            arguments.append(.text(country.uppercased()))
        }
        if let body = filter.memberOf {
            let day = (filter.date ?? CalendarDate(Date(), in: TimeZone(identifier: "UTC")!)).description
            conditions.append("""
                EXISTS (SELECT 1 FROM membership m WHERE m.organizationId = organization.id AND m.body = ? COLLATE NOCASE
                        AND (m.since IS NULL OR m.since <= ?) AND (m.until IS NULL OR m.until > ?))
                """)
            arguments += [.text(body), .text(day), .text(day)]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        var organizations: [Organization] = []
        try session.forEachRow("SELECT * FROM organization \(whereClause) ORDER BY id", arguments) { row in
            organizations.append(try row.decode(Organization.self))
            return true
        }
        // Technologies are a JSON list: every one asked for must be in it, compared exactly.
        guard !filter.technologies.isEmpty else { return organizations }
        return organizations.filter { organization in filter.technologies.allSatisfy(organization.technologies.contains) }
    }

    func organization(id: String) throws -> OrganizationDetails? {
        try engine.read { try Self.organization($0, id: id) }
    }

    /// The same, within the caller's transaction.
    static func organization(_ session: any SQLSession, id: String) throws -> OrganizationDetails? {
        guard let organization = try session.record(Organization.self, "SELECT * FROM organization WHERE id = ?", id) else {
            return nil
        }
        let contacts = try session.records(Contact.self, "SELECT * FROM contact WHERE organizationId = ? ORDER BY role DESC, email", id)
        let keys = try Self.keys(session, Array(Set(contacts.compactMap(\.pgp))))
        return OrganizationDetails(
            organization: organization,
            contacts: contacts,
            keys: Dictionary(keys.map { ($0.fingerprint, $0) }, uniquingKeysWith: { first, _ in first }),
            memberships: try session.records(Membership.self, "SELECT * FROM membership WHERE organizationId = ? ORDER BY id", id),
            agreements: try session.records(Agreement.self, "SELECT * FROM agreement WHERE organizationId = ? ORDER BY id", id))
    }

    func activeContacts(of organizationId: String) throws -> [Contact] {
        try engine.read { session in
            try session.records(Contact.self, "SELECT * FROM contact WHERE organizationId = ? AND active = 1 ORDER BY role DESC, email",
                                organizationId)
        }
    }

    func contact(email: String) throws -> Contact? {
        // The column compares without regard to case (COLLATE NOCASE on both engines).
        try engine.read { try $0.record(Contact.self, "SELECT * FROM contact WHERE email = ?", email) }
    }

    func definitions() throws -> [OrganizationDefinition] {
        try engine.read { try Self.definitions($0) }
    }

    /// The same, within the caller's transaction.
    static func definitions(_ session: any SQLSession) throws -> [OrganizationDefinition] {
        let organizations = try session.records(Organization.self, "SELECT * FROM organization ORDER BY id")
        let contacts = Dictionary(grouping: try session.records(Contact.self, "SELECT * FROM contact ORDER BY id"), by: \.organizationId)
        let memberships = Dictionary(grouping: try session.records(Membership.self, "SELECT * FROM membership ORDER BY id"), by: \.organizationId)
        let agreements = Dictionary(grouping: try session.records(Agreement.self, "SELECT * FROM agreement ORDER BY id"), by: \.organizationId)
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

    // MARK: Keys

    func keys(_ fingerprints: [String]) throws -> [PublicKey] {
        try engine.read { try Self.keys($0, fingerprints) }
    }

    /// The keys with these fingerprints, within the caller's transaction.
    static func keys(_ session: any SQLSession, _ fingerprints: [String]) throws -> [PublicKey] {
        guard !fingerprints.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: fingerprints.count).joined(separator: ", ")
        return try session.rows("SELECT * FROM key WHERE fingerprint IN (\(marks))", fingerprints.map(SQLValue.text))
            .map { try $0.decode(PublicKey.self) }
    }

    func contactsWithKeyProblems(within days: Int, now: Date, includeKeyless: Bool) throws -> [ContactKeyProblem] {
        try engine.read { session in
            let rows = try session.rows("""
                SELECT c.organizationId, c.email, c.pgp, k.fingerprint IS NOT NULL AS present, k.expiresAt, k.revoked
                FROM contact c
                JOIN organization o ON o.id = c.organizationId
                LEFT JOIN key k ON k.fingerprint = c.pgp
                WHERE c.active = 1 AND o.status = 'active'
                ORDER BY c.organizationId, c.email
                """)
            let horizon = now.addingTimeInterval(Double(days) * 86_400)
            return try rows.compactMap { row in
                let fingerprint: String? = try row["pgp"]
                let expires: Date? = try row["expiresAt"]
                let problem: ContactKeyProblem.Problem
                if fingerprint == nil {
                    guard includeKeyless else { return nil }
                    problem = .missing
                } else if !(try row["present"] as Bool) {
                    problem = .missing
                } else if try row["revoked"] as Bool {
                    problem = .revoked
                } else if let expires, expires <= now {
                    problem = .expired
                } else if let expires, expires <= horizon {
                    problem = .expiring
                } else {
                    return nil
                }
                return ContactKeyProblem(organizationId: try row["organizationId"], email: try row["email"],
                                         fingerprint: fingerprint, problem: problem, expiresAt: expires)
            }
        }
    }

    // MARK: Counts for the quarterly audit

    func registeredDevelopers(on date: CalendarDate) throws -> [Organization] {
        try engine.read { session in
            try session.records(Organization.self, """
                SELECT * FROM organization o
                WHERE o.kind = 'product-developer' AND EXISTS (
                    SELECT 1 FROM agreement a WHERE a.organizationId = o.id AND a.kind = ?
                    AND a.signed <= ? AND (a.ended IS NULL OR a.ended > ?))
                ORDER BY o.id
                """, Agreement.developerRegistration, date.description, date.description)
        }
    }

    func members(of body: String, on date: CalendarDate) throws -> [Organization] {
        try engine.read { session in
            try session.records(Organization.self, """
                SELECT * FROM organization o
                WHERE EXISTS (
                    SELECT 1 FROM membership m WHERE m.organizationId = o.id AND m.body = ? COLLATE NOCASE
                    AND (m.since IS NULL OR m.since <= ?) AND (m.until IS NULL OR m.until > ?))
                ORDER BY o.id
                """, body, date.description, date.description)
        }
    }

    func agreementsSigned(kind: String, from first: CalendarDate, through last: CalendarDate) throws -> [Agreement] {
        try engine.read { session in
            try session.records(Agreement.self, """
                SELECT * FROM agreement WHERE kind = ? AND signed >= ? AND signed <= ? ORDER BY signed, organizationId
                """, kind, first.description, last.description)
        }
    }
}
