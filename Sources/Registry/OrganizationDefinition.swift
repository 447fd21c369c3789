/// One organisation as its file in `Directory/organizations/` describes it: what `directory sync` compares
/// with the database and what `directory export` writes back.
public struct OrganizationDefinition: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var localName: String?
    public var kind: OrganizationKind
    public var country: String
    public var domains: [String]
    public var languages: [String]
    public var memberships: [MembershipDefinition]
    public var agreements: [AgreementDefinition]
    public var technologies: [String]
    public var status: OrganizationStatus
    /// Required when retired: the retirement date.
    public var statusDate: CalendarDate?
    public var notes: String?
    public var contacts: [ContactDefinition]

    public init(id: String, name: String, localName: String? = nil, kind: OrganizationKind, country: String,
                domains: [String] = [], languages: [String] = [], memberships: [MembershipDefinition] = [],
                agreements: [AgreementDefinition] = [], technologies: [String] = [],
                status: OrganizationStatus = .active, statusDate: CalendarDate? = nil, notes: String? = nil,
                contacts: [ContactDefinition] = []) {
        self.id = id
        self.name = name
        self.localName = localName
        self.kind = kind
        self.country = country
        self.domains = domains
        self.languages = languages
        self.memberships = memberships
        self.agreements = agreements
        self.technologies = technologies
        self.status = status
        self.statusDate = statusDate
        self.notes = notes
        self.contacts = contacts
    }
}

/// A contact as written in an organisation file.
public struct ContactDefinition: Sendable, Equatable, Codable {
    public var email: String
    public var name: String?
    public var role: ContactRole
    public var language: String?
    /// Upper-case hex fingerprint; its key is `Directory/keys/<pgp>.asc`.
    public var pgp: String?
    public var active: Bool

    public init(email: String, name: String? = nil, role: ContactRole = .to, language: String? = nil,
                pgp: String? = nil, active: Bool = true) {
        self.email = email
        self.name = name
        self.role = role
        self.language = language
        self.pgp = pgp
        self.active = active
    }
}

/// A membership as written in an organisation file.
public struct MembershipDefinition: Sendable, Hashable, Codable {
    public var body: String
    public var role: MembershipRole
    public var since: CalendarDate?
    public var until: CalendarDate?

    public init(body: String, role: MembershipRole, since: CalendarDate? = nil, until: CalendarDate? = nil) {
        self.body = body
        self.role = role
        self.since = since
        self.until = until
    }
}

/// An agreement as written in an organisation file.
public struct AgreementDefinition: Sendable, Hashable, Codable {
    public var kind: String
    public var signed: CalendarDate
    public var ended: CalendarDate?

    public init(kind: String, signed: CalendarDate, ended: CalendarDate? = nil) {
        self.kind = kind
        self.signed = signed
        self.ended = ended
    }
}
