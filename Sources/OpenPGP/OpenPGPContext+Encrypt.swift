import CGPGME
import Foundation

extension OpenPGPContext {
    /// The armored encryption of `data` to every fingerprint in `recipientFingerprints`; with `signer`, signed
    /// and encrypted in one pass (RFC 3156 §6.2).
    ///
    /// The fingerprints are trusted as given (they come from a reviewed directory), but a key that is missing,
    /// revoked, disabled, invalid, expired at `date`, or without a valid encryption subkey is refused with
    /// `.keyNotFound` or `.unusableKey` naming it — nothing is encrypted then.
    public func encrypt(_ data: Data, to recipientFingerprints: [String], signer: String? = nil,
                        at date: Date = Date()) throws(OpenPGPError) -> Data {
        guard !recipientFingerprints.isEmpty else {
            throw .badData("A message cannot be encrypted to an empty list of recipients.")
        }
        var recipients: [GPGMEKey] = []
        var seen: Set<String> = []
        for text in recipientFingerprints {
            let fingerprint = try Fingerprint.normalize(text)
            guard seen.insert(fingerprint).inserted else { continue }
            let (key, info) = try recipientKey(fingerprint)
            if let problem = info.encryptionProblem(at: date) ?? info.currentEncryptionProblem() {
                throw .unusableKey(fingerprint, role: "recipient key", reason: problem + " and cannot be encrypted to")
            }
            recipients.append(key)
        }

        var signerFingerprint: String?
        if let signer {
            let fingerprint = try Fingerprint.normalize(signer)
            try useSigner(try signingKeyState(fingerprint).key)
            signerFingerprint = fingerprint
        }
        defer { gpgme_signers_clear(context) }

        let plain = try GPGMEData(copying: data, home: homeDirectory)
        let cipher = try GPGMEData(home: homeDirectory)
        var pointers: [gpgme_key_t?] = recipients.map(\.pointer) + [nil]
        // The keys must stay referenced while gpgme reads the raw pointers.
        let error = withExtendedLifetime(recipients) {
            pointers.withUnsafeMutableBufferPointer { buffer in
                liaison_gpgme_encrypt_trusted(context, buffer.baseAddress, signerFingerprint == nil ? 0 : 1,
                                              plain.handle, cipher.handle)
            }
        }

        if let invalid = gpgme_op_encrypt_result(context)?.pointee.invalid_recipients {
            let fingerprint = GPGMELibrary.string(invalid.pointee.fpr)?.uppercased() ?? "(unknown)"
            let reason = GPGMELibrary.message(invalid.pointee.reason)
            throw .unusableKey(fingerprint, role: "recipient key", reason: "was refused by gpg (\(reason))")
        }
        if let signerFingerprint { try rejectInvalidSigner(signerFingerprint) }
        try check(error, "encrypt to \(seen.sorted().joined(separator: ", "))")
        return try cipher.readAll(home: homeDirectory)
    }
}

extension OpenPGPContext {
    /// The recipient key, looked up once per context (a batch), with what gpg said about it then.
    func recipientKey(_ fingerprint: String) throws(OpenPGPError) -> (key: GPGMEKey, info: KeyInfo) {
        if let known = recipientKeys[fingerprint] { return known }
        guard let key = try lookupKey(fingerprint, secret: false) else {
            throw .keyNotFound(fingerprint, role: "recipient key", home: homeDirectory)
        }
        let found = (key: key, info: KeyInfo(gpgmeKey: key.pointer, fromData: false))
        recipientKeys[fingerprint] = found
        return found
    }
}

extension KeyInfo {
    /// What gpg itself would object to now, whatever date the caller asked about.
    func currentEncryptionProblem() -> String? {
        if isExpired { return "has expired" }
        if !canEncrypt { return "has no usable encryption subkey" }
        return nil
    }
}
