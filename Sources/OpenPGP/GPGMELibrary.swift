import CGPGME

/// One-time initialisation of gpgme and small helpers over its error values.
enum GPGMELibrary {
    /// The gpgme version; evaluating it runs `gpgme_check_version` exactly once per process (a `static let`
    /// is initialised atomically), which gpgme requires before any context is created.
    ///
    /// `gpgme_set_locale` is not called: it only matters for pinentry, and contexts never use pinentry
    /// (loopback mode, keys without passphrase).
    static let version: String = {
        guard let version = liaison_gpgme_check_version() else { return "unknown" }
        return String(cString: version)
    }()

    /// The error code part of `error` (the source part is dropped).
    static func code(_ error: gpgme_error_t) -> UInt32 { liaison_gpgme_err_code(error) }

    /// gpgme's text for `error`; uses the thread-safe `gpgme_strerror_r`.
    static func message(_ error: gpgme_error_t) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = gpgme_strerror_r(error, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A C string owned by gpgme, or nil, as a Swift string.
    static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}

/// gpgme error codes the module tells apart.
enum GPGErrorCode {
    static let noError = liaison_gpg_err_no_error()
    static let eof = liaison_gpg_err_eof()
    static let noPublicKey = liaison_gpg_err_no_pubkey()
    static let noSecretKey = liaison_gpg_err_no_seckey()
    static let badSignature = liaison_gpg_err_bad_signature()
    static let keyExpired = liaison_gpg_err_key_expired()
    static let signatureExpired = liaison_gpg_err_sig_expired()
    static let certificateRevoked = liaison_gpg_err_cert_revoked()
    static let noData = liaison_gpg_err_no_data()
    static let unusablePublicKey = liaison_gpg_err_unusable_pubkey()
    static let unusableSecretKey = liaison_gpg_err_unusable_seckey()
    static let ambiguousName = liaison_gpg_err_ambiguous_name()
    static let decryptFailed = liaison_gpg_err_decrypt_failed()
    static let canceled = liaison_gpg_err_canceled()
    static let assuanCanceled = liaison_gpg_err_ass_canceled()
}
