import CGPGME
import Foundation

extension OpenPGPContext {
    /// An armored detached signature over `data` by the secret key `fingerprint`, with the RFC 3156 `micalg`
    /// taken from the hash gpg actually used.
    ///
    /// Throws `.keyNotFound`, `.noSecretKey` or `.unusableKey` naming the fingerprint when it cannot sign.
    public func signDetached(_ data: Data, signer fingerprint: String) throws(OpenPGPError) -> DetachedSignature {
        let signer = try Fingerprint.normalize(fingerprint)
        let key = try signingKey(signer)
        try useSigner(key)
        defer { gpgme_signers_clear(context) }

        let plain = try GPGMEData(copying: data, home: homeDirectory)
        let signature = try GPGMEData(home: homeDirectory)
        let error = liaison_gpgme_sign_detached(context, plain.handle, signature.handle)
        let hashAlgorithm = try signatureHashAlgorithm(after: error, signer: signer)
        return DetachedSignature(armored: try signature.readAll(home: homeDirectory),
                                 hashAlgorithm: hashAlgorithm, signerFingerprint: key.fingerprint)
    }

    /// Makes `key` the only signer of the next operation.
    func useSigner(_ key: GPGMEKey) throws(OpenPGPError) {
        gpgme_signers_clear(context)
        try check(gpgme_signers_add(context, key.pointer), "add signing key \(key.fingerprint)")
    }

    /// The hash algorithm of the signature just made ("SHA256"), or the reason there is none.
    func signatureHashAlgorithm(after error: gpgme_error_t, signer: String) throws(OpenPGPError) -> String {
        try rejectInvalidSigner(signer)
        let code = GPGMELibrary.code(error)
        if code == GPGErrorCode.noSecretKey || code == GPGErrorCode.unusableSecretKey {
            throw .noSecretKey(signer, role: "signing key", home: homeDirectory)
        }
        try check(error, "sign with key \(signer)")
        guard let made = gpgme_op_sign_result(context)?.pointee.signatures,
              let name = GPGMELibrary.string(gpgme_hash_algo_name(made.pointee.hash_algo)) else {
            throw .engine("sign with key \(signer)", home: homeDirectory, reason: "gpg reported no signature")
        }
        return name
    }

    /// Throws `.unusableKey` if gpg refused the signer of the last signing operation.
    func rejectInvalidSigner(_ signer: String) throws(OpenPGPError) {
        if let invalid = gpgme_op_sign_result(context)?.pointee.invalid_signers {
            let reason = GPGMELibrary.message(invalid.pointee.reason)
            throw .unusableKey(signer, role: "signing key", reason: "was refused by gpg (\(reason))")
        }
    }
}
