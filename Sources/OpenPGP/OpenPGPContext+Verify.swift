import CGPGME
import Foundation

extension OpenPGPContext {
    /// Decrypts `data` and checks the signatures it carries, if it was signed.
    ///
    /// Throws `.noSecretKey` listing the recipient key IDs when no secret key here fits, `.badData` when `data`
    /// is not an encrypted OpenPGP message.
    public func decrypt(_ data: Data) throws(OpenPGPError) -> DecryptionResult {
        let cipher = try GPGMEData(copying: data, home: homeDirectory)
        let plain = try GPGMEData(home: homeDirectory)
        let error = gpgme_op_decrypt_verify(context, cipher.handle, plain.handle)

        var recipients: [String] = []
        var missingSecret = true
        var recipient = gpgme_op_decrypt_result(context)?.pointee.recipients
        while let current = recipient {
            recipients.append(GPGMELibrary.string(current.pointee.keyid)?.uppercased() ?? "")
            if GPGMELibrary.code(current.pointee.status) != GPGErrorCode.noSecretKey { missingSecret = false }
            recipient = current.pointee.next
        }
        let code = GPGMELibrary.code(error)
        if code == GPGErrorCode.noData {
            throw .badData("The data is not an encrypted OpenPGP message.")
        }
        if code == GPGErrorCode.noSecretKey || (code == GPGErrorCode.decryptFailed && missingSecret && !recipients.isEmpty) {
            throw .noSecretKey(forRecipients: recipients, home: homeDirectory)
        }
        if code != GPGErrorCode.noError {
            throw .decryptionFailed(GPGMELibrary.message(error), home: homeDirectory)
        }
        let signatures = signatureChecks()
        return DecryptionResult(plaintext: try plain.readAll(home: homeDirectory), signatures: signatures,
                                recipients: recipients)
    }

    /// Checks the detached `signature` (armored or binary) over `signedData`, one result per signature.
    public func verifyDetached(signedData: Data, signature: Data) throws(OpenPGPError) -> [SignatureCheck] {
        let signatureData = try GPGMEData(copying: signature, home: homeDirectory)
        let signed = try GPGMEData(copying: signedData, home: homeDirectory)
        let error = gpgme_op_verify(context, signatureData.handle, signed.handle, nil)
        try checkVerification(error, what: "a detached OpenPGP signature")
        return signatureChecks()
    }

    /// Checks a clearsigned or inline-signed message, returning the text that was signed and the checks.
    public func verifyInline(_ data: Data) throws(OpenPGPError) -> InlineVerification {
        let message = try GPGMEData(copying: data, home: homeDirectory)
        let plain = try GPGMEData(home: homeDirectory)
        let error = gpgme_op_verify(context, message.handle, nil, plain.handle)
        try checkVerification(error, what: "a signed OpenPGP message")
        let signatures = signatureChecks()
        return InlineVerification(plaintext: try plain.readAll(home: homeDirectory), signatures: signatures)
    }

    private func checkVerification(_ error: gpgme_error_t, what: String) throws(OpenPGPError) {
        let code = GPGMELibrary.code(error)
        if code == GPGErrorCode.noData || (code == GPGErrorCode.noError && gpgme_op_verify_result(context)?.pointee.signatures == nil) {
            throw .badData("The data is not \(what).")
        }
        try check(error, "verify \(what)")
    }

    /// The checks from the last verify or decrypt-verify, with each signer named by its primary fingerprint
    /// when the key is known.
    private func signatureChecks() -> [SignatureCheck] {
        // Copy everything out first: the result belongs to the context and the key lookups below reuse it.
        var raw: [(status: SignatureCheck.Status, fingerprint: String, createdAt: Date?, hash: String?)] = []
        var signature = gpgme_op_verify_result(context)?.pointee.signatures
        while let current = signature {
            let value = current.pointee
            raw.append((SignatureCheck.Status(gpgmeStatus: value.status, summary: value.summary.rawValue),
                        GPGMELibrary.string(value.fpr)?.uppercased() ?? "",
                        value.timestamp > 0 ? Date(timeIntervalSince1970: TimeInterval(value.timestamp)) : nil,
                        GPGMELibrary.string(gpgme_hash_algo_name(value.hash_algo))))
            signature = value.next
        }
        var checks: [SignatureCheck] = []
        for entry in raw {
            var fingerprint = entry.fingerprint
            // A failed lookup only means the signer is named as the signature names it.
            if let normalized = try? Fingerprint.normalize(fingerprint),
               let key = (try? lookupKey(normalized, secret: false)) ?? nil {
                fingerprint = key.fingerprint
            }
            checks.append(SignatureCheck(status: entry.status, fingerprint: fingerprint, createdAt: entry.createdAt,
                                         hashAlgorithm: entry.hash))
        }
        return checks
    }
}

extension SignatureCheck.Status {
    /// gpgme's per-signature status code, refined by the summary bits for revoked and expired keys.
    init(gpgmeStatus status: gpgme_error_t, summary: UInt32) {
        switch GPGMELibrary.code(status) {
        case GPGErrorCode.noError:
            if summary & GPGME_SIGSUM_KEY_REVOKED.rawValue != 0 { self = .keyRevoked }
            else if summary & GPGME_SIGSUM_KEY_EXPIRED.rawValue != 0 { self = .keyExpired }
            else if summary & GPGME_SIGSUM_SIG_EXPIRED.rawValue != 0 { self = .signatureExpired }
            else { self = .valid }
        case GPGErrorCode.badSignature: self = .bad
        case GPGErrorCode.noPublicKey: self = .noPublicKey
        case GPGErrorCode.keyExpired: self = .keyExpired
        case GPGErrorCode.certificateRevoked: self = .keyRevoked
        case GPGErrorCode.signatureExpired: self = .signatureExpired
        default: self = .error(GPGMELibrary.message(status))
        }
    }
}
