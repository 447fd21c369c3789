import Foundation

/// A row of `key`: a contact's public key from `Directory/keys/<FINGERPRINT>.asc`.
public struct PublicKey: Sendable, Equatable, Codable {
    public static let databaseTableName = "key"

    /// Upper-case hex.
    public var fingerprint: String
    /// The key file's text, as committed.
    public var armored: String
    public var userIds: [String]
    /// Such as `ed25519` or `rsa3072`.
    public var algorithm: String
    public var createdAt: Date?
    public var expiresAt: Date?
    public var revoked: Bool

    public init(fingerprint: String, armored: String, userIds: [String], algorithm: String,
                createdAt: Date?, expiresAt: Date?, revoked: Bool) {
        self.fingerprint = fingerprint
        self.armored = armored
        self.userIds = userIds
        self.algorithm = algorithm
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revoked = revoked
    }

    /// Whether the key may encrypt at `date`: not revoked and not expired.
    public func isUsable(at date: Date = Date()) -> Bool {
        !revoked && (expiresAt.map { $0 > date } ?? true)
    }
}
