import CGPGME
import Foundation

extension OpenPGPContext {
    /// gpgme's GPGME_CREATE_* flags (macros Swift does not import as constants).
    private enum CreateFlag {
        static let sign: UInt32 = 1 << 0, encrypt: UInt32 = 1 << 1, certify: UInt32 = 1 << 2
        static let noPassphrase: UInt32 = 1 << 7
    }

    /// Makes a new key in this home for `userId` (`Example CSIRT <vuls@csirt.example>`): an Ed25519 primary key
    /// that signs and certifies, and a Curve25519 encryption subkey, both without passphrase (the home is the
    /// gateway's own, unattended) and expiring after `validFor` seconds (nil: never). Returns the upper-case hex
    /// fingerprint. Throws `.engine` when gpg refuses.
    public func generateSigningKey(userId: String, validFor: TimeInterval? = nil) throws(OpenPGPError) -> String {
        let expires = validFor.map { UInt($0.rounded(.up)) } ?? 0
        try check(gpgme_op_createkey(context, userId, "ed25519", 0, expires, nil,
                                     CreateFlag.sign | CreateFlag.certify | CreateFlag.noPassphrase), "create a key for \(userId)")
        guard let result = gpgme_op_genkey_result(context), let fingerprint = GPGMELibrary.string(result.pointee.fpr)?.uppercased() else {
            throw .engine("create a key for \(userId)", home: homeDirectory, reason: "gpg reported no fingerprint")
        }
        guard let key = try lookupKey(fingerprint, secret: true) else {
            throw .keyNotFound(fingerprint, role: "new key", home: homeDirectory)
        }
        try check(gpgme_op_createsubkey(context, key.pointer, "cv25519", 0, expires,
                                        CreateFlag.encrypt | CreateFlag.noPassphrase), "add an encryption subkey to \(fingerprint)")
        return fingerprint
    }
}
