import CGPGME
import Foundation

/// Checks S/MIME (CMS, RFC 5751) signatures through gpgme's CMS protocol, that is gpgsm with its own keybox in the
/// same GnuPG home. A signature is `valid` only when gpgsm accepts the certificate chain up to a trusted root; an
/// untrusted or unknown certificate is reported as `.error` with gpgsm's reason, never as `.bad`.
///
/// ```swift
/// let result = try CMSVerification(homeDirectory: home).verifyDetached(signedData: part, signature: p7s)
/// if result.checks.contains(where: \.isValid) { print(result.signerEmails) }
/// ```
public struct CMSVerification: Sendable {
    /// The GnuPG home holding gpgsm's keybox and trust list.
    public let homeDirectory: String

    /// The checks, and the e-mail addresses the signing certificates name (lowercased).
    public struct Result: Sendable, Equatable {
        public let checks: [SignatureCheck]
        public let signerEmails: [String]
    }

    public init(homeDirectory: String? = nil) {
        self.homeDirectory = homeDirectory ?? OpenPGPContext.defaultHomeDirectory()
    }

    /// Checks a detached CMS signature (`application/pkcs7-signature`, DER) over `signedData` (canonical CRLF).
    /// Throws `.engine` when gpgsm is not usable, `.badData` when `signature` is not a CMS signature.
    public func verifyDetached(signedData: Data, signature: Data) throws(OpenPGPError) -> Result {
        _ = GPGMELibrary.version
        let home = homeDirectory
        let engine = gpgme_engine_check_version(GPGME_PROTOCOL_CMS)
        guard GPGMELibrary.code(engine) == GPGErrorCode.noError else {
            throw .engine("find a usable gpgsm program", home: home, reason: GPGMELibrary.message(engine))
        }
        var created: gpgme_ctx_t?
        let error = gpgme_new(&created)
        guard GPGMELibrary.code(error) == GPGErrorCode.noError, let context = created else {
            throw .engine("create a CMS context", home: home, reason: GPGMELibrary.message(error))
        }
        defer { gpgme_release(context) }
        for (what, result) in [("select the CMS protocol", gpgme_set_protocol(context, GPGME_PROTOCOL_CMS)),
                               ("use its home directory", gpgme_ctx_set_engine_info(context, GPGME_PROTOCOL_CMS, nil, home))] {
            guard GPGMELibrary.code(result) == GPGErrorCode.noError else {
                throw .engine(what, home: home, reason: GPGMELibrary.message(result))
            }
        }
        gpgme_set_offline(context, 1)
        let signatureData = try GPGMEData(copying: signature, home: home)
        let signed = try GPGMEData(copying: signedData, home: home)
        let verifyError = gpgme_op_verify(context, signatureData.handle, signed.handle, nil)
        let code = GPGMELibrary.code(verifyError)
        if code == GPGErrorCode.noData || (code == GPGErrorCode.noError && gpgme_op_verify_result(context)?.pointee.signatures == nil) {
            throw .badData("The data is not a CMS (S/MIME) signature.")
        }
        guard code == GPGErrorCode.noError else {
            throw .engine("verify an S/MIME signature", home: home, reason: GPGMELibrary.message(verifyError))
        }
        var raw: [(SignatureCheck, String)] = []
        var signatureEntry = gpgme_op_verify_result(context)?.pointee.signatures
        while let current = signatureEntry {
            let value = current.pointee
            let fingerprint = GPGMELibrary.string(value.fpr)?.uppercased() ?? ""
            let status: SignatureCheck.Status
            switch GPGMELibrary.code(value.status) {
            case GPGErrorCode.badSignature: status = .bad
            case GPGErrorCode.noError where value.summary.rawValue & GPGME_SIGSUM_VALID.rawValue != 0
                || value.validity.rawValue >= GPGME_VALIDITY_FULL.rawValue:
                status = .valid
            case GPGErrorCode.noError:
                let reason = GPGMELibrary.code(value.validity_reason) == GPGErrorCode.noError
                    ? "certificate not trusted" : GPGMELibrary.message(value.validity_reason)
                status = .error(reason)
            case GPGErrorCode.noPublicKey: status = .noPublicKey
            default: status = .error(GPGMELibrary.message(value.status))
            }
            raw.append((SignatureCheck(status: status, fingerprint: fingerprint,
                                       createdAt: value.timestamp > 0 ? Date(timeIntervalSince1970: TimeInterval(value.timestamp)) : nil,
                                       hashAlgorithm: GPGMELibrary.string(gpgme_hash_algo_name(value.hash_algo))), fingerprint))
            signatureEntry = value.next
        }
        var emails: [String] = []
        for (_, fingerprint) in raw where !fingerprint.isEmpty {
            var key: gpgme_key_t?
            guard GPGMELibrary.code(gpgme_get_key(context, fingerprint, &key, 0)) == GPGErrorCode.noError, let key else { continue }
            var uid = key.pointee.uids
            while let current = uid {
                if let email = GPGMELibrary.string(current.pointee.email), email.contains("@") {
                    emails.append(email.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).lowercased())
                }
                uid = current.pointee.next
            }
            gpgme_key_unref(key)
        }
        return Result(checks: raw.map(\.0), signerEmails: emails)
    }
}
