import Foundation

/// What the registry needs to know of an OpenPGP key.
public struct InspectedKey: Sendable, Equatable {
    /// Upper-case hex fingerprint of the primary key.
    public var fingerprint: String
    public var userIds: [String]
    /// Such as `ed25519` or `rsa3072`.
    public var algorithm: String
    public var created: Date?
    /// Nil when the key never expires.
    public var expires: Date?
    public var revoked: Bool
    /// Whether the data held the secret part of this key, which must never be committed.
    public var isSecret: Bool

    public init(fingerprint: String, userIds: [String], algorithm: String, created: Date?, expires: Date?,
                revoked: Bool, isSecret: Bool) {
        self.fingerprint = fingerprint
        self.userIds = userIds
        self.algorithm = algorithm
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.isSecret = isSecret
    }

    /// The addresses of the user IDs, lower-cased: `Name <a@b.example>` gives `a@b.example`.
    public var emailAddresses: [String] {
        userIds.compactMap { userId in
            if let open = userId.lastIndex(of: "<"), let close = userId.lastIndex(of: ">"), open < close {
                return String(userId[userId.index(after: open)..<close]).lowercased()
            }
            return userId.contains("@") ? userId.trimmingCharacters(in: .whitespaces).lowercased() : nil
        }
    }
}

/// Reads OpenPGP key data without importing it anywhere.
public protocol KeyInspector: Sendable {
    /// Every key in `data` (armored or binary); throws `.keyData` when it holds no OpenPGP key.
    func inspect(_ data: Data) throws(RegistryError) -> [InspectedKey]
}

/// Adds public keys to a GnuPG home, so that encryption can use them.
public protocol KeyImporter: Sendable {
    /// Imports every key of `keys` (each an armored or binary key) into the GnuPG home `home`, creating it.
    func importKeys(_ keys: [Data], intoHome home: String) throws(RegistryError)
    /// The fingerprints of the public keys already in `home` (empty when it does not exist).
    func fingerprints(inHome home: String) throws(RegistryError) -> Set<String>
}
