import Foundation

/// The outcome of checking one signature.
public struct SignatureCheck: Sendable, Equatable {
    /// What gpg concluded about the signature.
    public enum Status: Sendable, Equatable {
        /// Cryptographically good, made by a key that is neither expired nor revoked.
        case valid
        /// The signature does not match the data.
        case bad
        /// The signing key is not in the keyring, so nothing could be checked.
        case noPublicKey
        /// Good signature by a key that has expired.
        case keyExpired
        /// Good signature by a key that has been revoked.
        case keyRevoked
        /// Good signature that has itself expired.
        case signatureExpired
        /// Any other failure, with gpgme's explanation.
        case error(String)
    }

    public let status: Status
    /// Fingerprint of the signer's primary key when the key is in the keyring; otherwise what the signature
    /// names (a fingerprint or a key ID).
    public let fingerprint: String
    /// When the signature was made, if known.
    public let createdAt: Date?
    /// Hash algorithm of the signature, e.g. "SHA256", if known.
    public let hashAlgorithm: String?

    public init(status: Status, fingerprint: String, createdAt: Date?, hashAlgorithm: String? = nil) {
        self.status = status
        self.fingerprint = fingerprint
        self.createdAt = createdAt
        self.hashAlgorithm = hashAlgorithm
    }

    /// True only for `.valid`; the caller still decides whether `fingerprint` is the expected signer.
    public var isValid: Bool { status == .valid }
}
