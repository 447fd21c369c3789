import Foundation

/// One organisation as the directory's overview lists it: its contacts' count, their delivery health and the
/// state of their keys, computed as `org show` and `key check` judge them.
public struct OrganizationOverview: Sendable, Equatable, Encodable {
    public let organization: Organization
    /// Contacts, active or not.
    public let contacts: Int
    public let activeContacts: Int
    /// Active contacts whose address has bounced at least once.
    public let bouncingContacts: Int
    /// Bounces over all contacts.
    public let bounces: Int
    /// The latest bounce of any contact; nil when none bounced.
    public let lastBounceAt: Date?
    /// Active contacts with a key that is present, unrevoked and unexpired beyond the warning window.
    public let usableKeys: Int
    /// Active contacts whose key expires within the warning window.
    public let expiringKeys: Int
    /// Active contacts whose key has expired or is revoked.
    public let expiredKeys: Int
    /// Active contacts naming a key that is not in the registry.
    public let missingKeys: Int
    /// The earliest expiry among the active contacts' keys still usable; nil when none expires.
    public let nextKeyExpiry: Date?
}

extension DirectoryStore {
    /// Three reads, whatever the directory's size.
    func overview(expiringWithin days: Int, now: Date) throws -> [OrganizationOverview] {
        try engine.read { session in
            let organizations = try session.records(Organization.self, "SELECT * FROM organization ORDER BY id")
            let contacts = Dictionary(grouping: try session.records(Contact.self, "SELECT * FROM contact ORDER BY id"), by: \.organizationId)
            let keys = Dictionary(try session.records(PublicKey.self, "SELECT * FROM key").map { ($0.fingerprint, $0) },
                                  uniquingKeysWith: { first, _ in first })
            let horizon = now.addingTimeInterval(Double(days) * 86_400)
            return organizations.map { organization in
                let own = contacts[organization.id] ?? []
                let active = own.filter(\.active)
                var usable = 0, expiring = 0, expired = 0, missing = 0
                var nextExpiry: Date?
                for contact in active {
                    guard let fingerprint = contact.pgp else { continue }
                    guard let key = keys[fingerprint] else { missing += 1; continue }
                    if key.revoked || (key.expiresAt.map { $0 <= now } ?? false) { expired += 1; continue }
                    if let expires = key.expiresAt {
                        nextExpiry = min(nextExpiry ?? expires, expires)
                        if expires <= horizon { expiring += 1; continue }
                    }
                    usable += 1
                }
                return OrganizationOverview(
                    organization: organization, contacts: own.count, activeContacts: active.count,
                    bouncingContacts: active.filter { $0.bounceCount > 0 }.count, bounces: own.reduce(0) { $0 + $1.bounceCount },
                    lastBounceAt: own.compactMap(\.lastBounceAt).max(), usableKeys: usable, expiringKeys: expiring,
                    expiredKeys: expired, missingKeys: missing, nextKeyExpiry: nextExpiry)
            }
        }
    }
}
