import CGPGME
import Foundation

extension OpenPGPContext {
    /// Imports the keys in `armored` (or binary) key data; returns the fingerprints imported or already present.
    ///
    /// Throws `.homeDirectory` when this user may not write the home (gpg would import nothing and say so as if
    /// the data held no key), `.badData` when the data holds no key or none could be imported.
    public func importKeys(_ armored: Data) throws(OpenPGPError) -> [String] {
        if let problem = Self.accessProblem(homeDirectory, needs: W_OK | X_OK) { throw .homeDirectory(homeDirectory, reason: problem) }
        let keyData = try GPGMEData(copying: armored, home: homeDirectory)
        let error = gpgme_op_import(context, keyData.handle)
        try check(error, "import keys")
        guard let result = gpgme_op_import_result(context), result.pointee.considered > 0 else {
            throw .badData("The data holds no OpenPGP key to import.")
        }
        var fingerprints: [String] = []
        var failures: [String] = []
        var status = result.pointee.imports
        while let current = status {
            let fingerprint = GPGMELibrary.string(current.pointee.fpr)?.uppercased() ?? ""
            if GPGMELibrary.code(current.pointee.result) == GPGErrorCode.noError {
                if !fingerprints.contains(fingerprint) { fingerprints.append(fingerprint) }
            } else {
                failures.append("\(fingerprint) (\(GPGMELibrary.message(current.pointee.result)))")
            }
            status = current.pointee.next
        }
        if fingerprints.isEmpty {
            let detail = failures.isEmpty ? "gpg imported nothing" : "gpg refused " + failures.joined(separator: ", ")
            throw .badData("No key of the data could be imported into \(homeDirectory): \(detail).")
        }
        return fingerprints
    }

    /// The keys in `data` without importing them, telling whether it held secret key material.
    ///
    /// Throws `.badData` when the data holds no key.
    public func inspectKeys(_ data: Data) throws(OpenPGPError) -> [KeyInfo] {
        let keyData = try GPGMEData(copying: data, home: homeDirectory)
        try check(gpgme_op_keylist_from_data_start(context, keyData.handle, 0), "list the keys in data")
        let keys = try collectKeyList(fromData: true)
        guard !keys.isEmpty else { throw .badData("The data holds no OpenPGP key.") }
        return keys
    }

    /// The keyring's key with this fingerprint (primary or subkey), or nil; with `secret`, only if its secret
    /// key is in the keyring too.
    public func key(fingerprint: String, secret: Bool = false) throws(OpenPGPError) -> KeyInfo? {
        let normalized = try Fingerprint.normalize(fingerprint)
        guard let key = try lookupKey(normalized, secret: secret) else { return nil }
        return KeyInfo(gpgmeKey: key.pointer, fromData: false)
    }

    /// The keyring's keys with a user ID for exactly this email address (case-insensitive).
    public func keys(matching email: String) throws(OpenPGPError) -> [KeyInfo] {
        let address = email.trimmingCharacters(in: .whitespaces)
        guard !address.isEmpty, !address.contains(where: { $0 == "<" || $0 == ">" || $0.isNewline }) else {
            return []
        }
        // "<address>" asks gpg for an exact email match rather than a substring search.
        try check(gpgme_op_keylist_start(context, "<\(address)>", 0), "list the keys for \(address)")
        return try collectKeyList(fromData: false).filter { $0.hasUserID(email: address) }
    }

    /// Every public key in the keyring.
    public func allKeys() throws(OpenPGPError) -> [KeyInfo] {
        try check(gpgme_op_keylist_start(context, nil, 0), "list the keys")
        return try collectKeyList(fromData: false)
    }

    /// The armored public key `fingerprint` with its user IDs and subkeys.
    public func exportPublicKey(fingerprint: String) throws(OpenPGPError) -> Data {
        let normalized = try Fingerprint.normalize(fingerprint)
        guard try lookupKey(normalized, secret: false) != nil else {
            throw .keyNotFound(normalized, role: "key", home: homeDirectory)
        }
        let output = try GPGMEData(home: homeDirectory)
        try check(liaison_gpgme_export_public(context, normalized, output.handle), "export key \(normalized)")
        let exported = try output.readAll(home: homeDirectory)
        guard !exported.isEmpty else { throw .keyNotFound(normalized, role: "key", home: homeDirectory) }
        return exported
    }

    /// Drains the key listing started on the context, always ending it.
    private func collectKeyList(fromData: Bool) throws(OpenPGPError) -> [KeyInfo] {
        var keys: [KeyInfo] = []
        while true {
            var key: gpgme_key_t?
            let error = gpgme_op_keylist_next(context, &key)
            if let key {
                keys.append(KeyInfo(gpgmeKey: key, fromData: fromData))
                gpgme_key_unref(key)
            }
            let code = GPGMELibrary.code(error)
            if code == GPGErrorCode.eof { break }
            if code != GPGErrorCode.noError {
                _ = gpgme_op_keylist_end(context)
                throw .engine("list keys", home: homeDirectory, reason: GPGMELibrary.message(error))
            }
        }
        try check(gpgme_op_keylist_end(context), "finish listing keys")
        return keys
    }
}
