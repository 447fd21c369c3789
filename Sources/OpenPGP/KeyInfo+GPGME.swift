import CGPGME
import Foundation

extension KeyInfo {
    /// Copies what is needed out of a gpgme key, which stays owned by the caller.
    /// `fromData`: the key was listed from data (`inspectKeys`), so "secret" means the data held secret material.
    init(gpgmeKey key: gpgme_key_t, fromData: Bool) {
        var subkeys: [Subkey] = []
        var subkey = key.pointee.subkeys
        while let current = subkey {
            subkeys.append(Subkey(gpgmeSubkey: current))
            subkey = current.pointee.next
        }
        var userIDs: [UserID] = []
        var uid = key.pointee.uids
        while let current = uid {
            let value = current.pointee
            userIDs.append(UserID(name: GPGMELibrary.string(value.name) ?? "",
                                  email: GPGMELibrary.string(value.email) ?? "",
                                  uid: GPGMELibrary.string(value.uid) ?? "",
                                  isRevoked: value.revoked != 0, isInvalid: value.invalid != 0))
            uid = value.next
        }
        let value = key.pointee
        let primary = subkeys.first
        let secret = value.secret != 0
        self.init(fingerprint: GPGMELibrary.string(value.fpr)?.uppercased() ?? primary?.fingerprint ?? "",
                  userIDs: userIDs,
                  algorithm: primary?.algorithm ?? "unknown",
                  createdAt: primary?.createdAt,
                  expiresAt: primary?.expiresAt,
                  isRevoked: value.revoked != 0,
                  isExpired: value.expired != 0,
                  isDisabled: value.disabled != 0,
                  isInvalid: value.invalid != 0,
                  canSign: value.can_sign != 0,
                  canEncrypt: value.can_encrypt != 0,
                  hasSecret: fromData ? false : secret,
                  containsSecretMaterial: fromData ? secret : false,
                  subkeys: subkeys)
    }

    /// Why the key cannot sign now, as the end of a sentence, or nil if it can.
    func signingProblem() -> String? {
        if isRevoked { return "is revoked and cannot sign" }
        if isExpired || expiresAt.map({ $0 <= Date() }) == true {
            return "expired\(expiresAt.map { " on " + KeyInfo.format($0) } ?? "") and cannot sign"
        }
        if isDisabled { return "is disabled and cannot sign" }
        if isInvalid { return "is invalid and cannot sign" }
        if !canSign { return "has no usable signing key or subkey" }
        return nil
    }
}

extension KeyInfo.Subkey {
    init(gpgmeSubkey subkey: gpgme_subkey_t) {
        let value = subkey.pointee
        var algorithm = "unknown"
        if let name = gpgme_pubkey_algo_string(subkey) {
            algorithm = String(cString: name)
            gpgme_free(name)
        }
        self.init(fingerprint: GPGMELibrary.string(value.fpr)?.uppercased() ?? "",
                  keyID: GPGMELibrary.string(value.keyid)?.uppercased() ?? "",
                  algorithm: algorithm,
                  createdAt: value.timestamp > 0 ? Date(timeIntervalSince1970: TimeInterval(value.timestamp)) : nil,
                  expiresAt: value.expires > 0 ? Date(timeIntervalSince1970: TimeInterval(value.expires)) : nil,
                  isRevoked: value.revoked != 0,
                  isExpired: value.expired != 0,
                  isDisabled: value.disabled != 0,
                  isInvalid: value.invalid != 0,
                  canSign: value.can_sign != 0,
                  canEncrypt: value.can_encrypt != 0,
                  hasSecret: value.secret != 0)
    }
}
