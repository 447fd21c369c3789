import Foundation

/// Whether a contact is addressed in To or in Cc.
public enum ContactRole: String, Sendable, Codable, CaseIterable {
    case to
    case cc
}

/// A row of `contact`: an address of an organisation, with its language and key.
public struct Contact: Sendable, Equatable, Codable {
    public static let databaseTableName = "contact"

    public var id: Int64?
    public var organizationId: String
    /// Unique in the whole directory, compared without regard to case.
    public var email: String
    public var name: String?
    public var role: ContactRole
    /// BCP 47; nil means the organisation's first language.
    public var language: String?
    /// Fingerprint of the contact's public key, upper-case hex.
    public var pgp: String?
    public var active: Bool
    /// Delivery health, kept by the gateway; `directory sync` never touches it.
    public var bounceCount: Int
    public var lastBounceAt: Date?

    public init(id: Int64? = nil, organizationId: String, email: String, name: String? = nil, role: ContactRole = .to,
                language: String? = nil, pgp: String? = nil, active: Bool = true, bounceCount: Int = 0,
                lastBounceAt: Date? = nil) {
        self.id = id
        self.organizationId = organizationId
        self.email = email
        self.name = name
        self.role = role
        self.language = language
        self.pgp = pgp
        self.active = active
        self.bounceCount = bounceCount
        self.lastBounceAt = lastBounceAt
    }
}
