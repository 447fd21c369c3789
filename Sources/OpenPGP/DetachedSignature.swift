import Foundation

/// An armored detached signature with what a PGP/MIME message needs to label it (RFC 3156).
public struct DetachedSignature: Sendable, Equatable {
    /// "-----BEGIN PGP SIGNATURE-----" … block.
    public let armored: Data
    /// The hash algorithm gpg used, as gpgme names it: "SHA256", "SHA512", …
    public let hashAlgorithm: String
    /// The `micalg` parameter for multipart/signed: "pgp-" + the lower-cased hash name, e.g. "pgp-sha256".
    public let micalg: String
    /// Fingerprint of the primary key that signed.
    public let signerFingerprint: String

    public init(armored: Data, hashAlgorithm: String, signerFingerprint: String) {
        self.armored = armored
        self.hashAlgorithm = hashAlgorithm
        self.micalg = "pgp-" + hashAlgorithm.lowercased()
        self.signerFingerprint = signerFingerprint
    }
}
