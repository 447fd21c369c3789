import Foundation

/// What a key is: identity, algorithm, dates, state and capabilities; a plain value, safe to share.
public struct KeyInfo: Sendable, Hashable {
    /// One user ID of a key, as in "Name (comment) <email>".
    public struct UserID: Sendable, Hashable {
        /// The name part, "" if none.
        public let name: String
        /// The email part, "" if none.
        public let email: String
        /// The whole user ID string.
        public let uid: String
        /// The user ID was revoked by the key owner.
        public let isRevoked: Bool
        /// gpg found the user ID's self-signature invalid.
        public let isInvalid: Bool

        public init(name: String, email: String, uid: String, isRevoked: Bool, isInvalid: Bool) {
            self.name = name
            self.email = email
            self.uid = uid
            self.isRevoked = isRevoked
            self.isInvalid = isInvalid
        }
    }

    /// The primary key or one subkey, with its own dates and capabilities.
    public struct Subkey: Sendable, Hashable {
        /// Upper-case hex fingerprint of this (sub)key.
        public let fingerprint: String
        /// The 16-hex-digit key ID, as found in encrypted messages.
        public let keyID: String
        /// e.g. "ed25519", "cv25519", "rsa3072".
        public let algorithm: String
        public let createdAt: Date?
        /// nil means the subkey never expires.
        public let expiresAt: Date?
        public let isRevoked: Bool
        public let isExpired: Bool
        public let isDisabled: Bool
        public let isInvalid: Bool
        public let canSign: Bool
        public let canEncrypt: Bool
        /// The secret part of this subkey is present (in the keyring, or in the inspected data).
        public let hasSecret: Bool

        public init(fingerprint: String, keyID: String, algorithm: String, createdAt: Date?, expiresAt: Date?,
                    isRevoked: Bool, isExpired: Bool, isDisabled: Bool, isInvalid: Bool,
                    canSign: Bool, canEncrypt: Bool, hasSecret: Bool) {
            self.fingerprint = fingerprint
            self.keyID = keyID
            self.algorithm = algorithm
            self.createdAt = createdAt
            self.expiresAt = expiresAt
            self.isRevoked = isRevoked
            self.isExpired = isExpired
            self.isDisabled = isDisabled
            self.isInvalid = isInvalid
            self.canSign = canSign
            self.canEncrypt = canEncrypt
            self.hasSecret = hasSecret
        }

        /// Can encrypt, is not revoked, disabled or invalid, and has not expired at `date`.
        public func isUsableForEncryption(at date: Date) -> Bool {
            canEncrypt && !isRevoked && !isDisabled && !isInvalid && !isExpired(at: date)
        }

        func isExpired(at date: Date) -> Bool { expiresAt.map { $0 <= date } ?? false }
    }

    /// Upper-case hex fingerprint of the primary key.
    public let fingerprint: String
    public let userIDs: [UserID]
    /// Algorithm of the primary key as gpgme names it (`gpgme_pubkey_algo_string`): "ed25519", "rsa3072", …
    public let algorithm: String
    public let createdAt: Date?
    /// When the primary key expires; nil means never.
    public let expiresAt: Date?
    public let isRevoked: Bool
    /// Expired now, as gpg judged when listing.
    public let isExpired: Bool
    /// Disabled by the keyring owner.
    public let isDisabled: Bool
    public let isInvalid: Bool
    /// gpg can sign with the key now (a usable signing key or subkey).
    public let canSign: Bool
    /// gpg can encrypt to the key now (a usable encryption subkey).
    public let canEncrypt: Bool
    /// The secret key is available in the keyring (false for keys from `inspectKeys`).
    public let hasSecret: Bool
    /// The inspected data held secret key material (`inspectKeys` only; false for keyring lookups).
    public let containsSecretMaterial: Bool
    /// The primary key first, then the subkeys.
    public let subkeys: [Subkey]

    public init(fingerprint: String, userIDs: [UserID], algorithm: String, createdAt: Date?, expiresAt: Date?,
                isRevoked: Bool, isExpired: Bool, isDisabled: Bool, isInvalid: Bool, canSign: Bool,
                canEncrypt: Bool, hasSecret: Bool, containsSecretMaterial: Bool, subkeys: [Subkey]) {
        self.fingerprint = fingerprint
        self.userIDs = userIDs
        self.algorithm = algorithm
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.isRevoked = isRevoked
        self.isExpired = isExpired
        self.isDisabled = isDisabled
        self.isInvalid = isInvalid
        self.canSign = canSign
        self.canEncrypt = canEncrypt
        self.hasSecret = hasSecret
        self.containsSecretMaterial = containsSecretMaterial
        self.subkeys = subkeys
    }

    /// Not revoked, expired at `date`, disabled or invalid, and has an encryption subkey valid at `date`.
    public func isUsableForEncryption(at date: Date = Date()) -> Bool {
        encryptionProblem(at: date) == nil
    }

    /// Whether a user ID carries `email`, compared case-insensitively.
    public func hasUserID(email: String) -> Bool {
        let wanted = email.trimmingCharacters(in: .whitespaces).lowercased()
        return !wanted.isEmpty && userIDs.contains { $0.email.lowercased() == wanted }
    }

    /// Why the key cannot encrypt at `date`, as the end of a sentence ("is revoked"), or nil if it can.
    func encryptionProblem(at date: Date) -> String? {
        if isRevoked { return "is revoked" }
        if isDisabled { return "is disabled" }
        if isInvalid { return "is invalid" }
        if let expiresAt, expiresAt <= date { return "expired on \(KeyInfo.format(expiresAt))" }
        guard subkeys.contains(where: { $0.isUsableForEncryption(at: date) }) else {
            let expired = subkeys.filter { $0.canEncrypt && $0.isExpired(at: date) }.compactMap(\.expiresAt).max()
            if let expired { return "has no encryption subkey that is still valid (the last expired on \(KeyInfo.format(expired)))" }
            return "has no usable encryption subkey"
        }
        return nil
    }

    /// ISO 8601 in UTC, for messages.
    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'"
        return formatter.string(from: date)
    }
}
