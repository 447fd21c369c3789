import Foundation

/// What an organisation is to the coordinating CSIRT.
public enum OrganizationKind: String, Sendable, Codable, CaseIterable {
    case nationalCSIRT = "national-csirt"
    case coordinator
    case productDeveloper = "product-developer"
    case csirt
    case government
    case other
}

/// Whether an organisation is still worked with.
public enum OrganizationStatus: String, Sendable, Codable, CaseIterable {
    case active
    case retired
}

/// A row of `organization`: a national CSIRT, coordinator, developer or other body in the directory.
public struct Organization: Sendable, Equatable, Codable {
    public static let databaseTableName = "organization"

    /// Slug, also the file name `Directory/organizations/<id>.yaml`.
    public var id: String
    public var name: String
    /// The name in the organisation's own language and script.
    public var localName: String?
    public var kind: OrganizationKind
    /// ISO 3166-1 alpha-2.
    public var country: String
    public var domains: [String]
    /// BCP 47 tags, preferred first.
    public var languages: [String]
    /// For developers: what they implement (`tls`, `dns`, ...).
    public var technologies: [String]
    public var status: OrganizationStatus
    /// The day the status took effect (the retirement date).
    public var statusDate: CalendarDate?
    public var notes: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, localName: String? = nil, kind: OrganizationKind, country: String,
                domains: [String] = [], languages: [String] = [], technologies: [String] = [],
                status: OrganizationStatus = .active, statusDate: CalendarDate? = nil, notes: String? = nil,
                createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = id
        self.name = name
        self.localName = localName
        self.kind = kind
        self.country = country
        self.domains = domains
        self.languages = languages
        self.technologies = technologies
        self.status = status
        self.statusDate = statusDate
        self.notes = notes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
