/// An OpenPGP operation that failed; match on the static members, show `description` to the user.
///
/// ```swift
/// do {
///     _ = try context.signDetached(body, signer: fingerprint)
/// } catch OpenPGPError.noSecretKey {
///     print("import the secret key first")
/// }
/// ```
public struct OpenPGPError: Error, Equatable, CustomStringConvertible {
    private enum Code: Equatable {
        case keyNotFound
        case noSecretKey
        case unusableKey
        case invalidFingerprint
        case badData
        case decryptionFailed
        case homeDirectory
        case engine
    }

    private let code: Code
    /// One sentence for the user, naming the key, home directory or data concerned.
    public let description: String
    /// The fingerprint (or key ID) the error is about, when there is one.
    public let fingerprint: String?

    private init(_ code: Code, _ description: String, fingerprint: String? = nil) {
        self.code = code
        self.description = description
        self.fingerprint = fingerprint
    }

    /// Errors are equal when they are of the same kind, so `catch OpenPGPError.keyNotFound` matches any of them.
    public static func == (lhs: OpenPGPError, rhs: OpenPGPError) -> Bool { lhs.code == rhs.code }

    /// No key with that fingerprint in the keyring.
    public static let keyNotFound = OpenPGPError(.keyNotFound, "The key was not found.")
    /// The public key is there but its secret key is not (signing, decrypting).
    public static let noSecretKey = OpenPGPError(.noSecretKey, "The secret key is not available.")
    /// The key is expired, revoked, disabled, invalid, or lacks a subkey for the operation.
    public static let unusableKey = OpenPGPError(.unusableKey, "The key cannot be used.")
    /// The string given as a fingerprint is not 40 or 64 hexadecimal digits.
    public static let invalidFingerprint = OpenPGPError(.invalidFingerprint, "The fingerprint is not valid.")
    /// The data is not what the operation expects (no OpenPGP message, key or signature in it).
    public static let badData = OpenPGPError(.badData, "The data is not valid OpenPGP data.")
    /// An encrypted message could not be decrypted for another reason than a missing secret key.
    public static let decryptionFailed = OpenPGPError(.decryptionFailed, "The message could not be decrypted.")
    /// The GnuPG home directory is missing, not a directory, or not this user's to use.
    public static let homeDirectory = OpenPGPError(.homeDirectory, "The GnuPG home directory is not usable.")
    /// gpgme or the gpg engine failed in an unexpected way.
    public static let engine = OpenPGPError(.engine, "GnuPG failed.")

    static func keyNotFound(_ fingerprint: String, role: String, home: String) -> OpenPGPError {
        OpenPGPError(.keyNotFound, "\(role.capitalizedFirst) \(fingerprint) is not in the keyring in \(home).",
                     fingerprint: fingerprint)
    }

    static func noSecretKey(_ fingerprint: String, role: String, home: String) -> OpenPGPError {
        OpenPGPError(.noSecretKey, "\(role.capitalizedFirst) \(fingerprint) has no secret key in \(home).",
                     fingerprint: fingerprint)
    }

    static func noSecretKey(forRecipients keyIDs: [String], home: String) -> OpenPGPError {
        let list = keyIDs.isEmpty ? "" : " (encrypted to key IDs \(keyIDs.joined(separator: ", ")))"
        return OpenPGPError(.noSecretKey, "No secret key in \(home) can decrypt the message\(list).",
                            fingerprint: keyIDs.first)
    }

    static func unusableKey(_ fingerprint: String, role: String, reason: String) -> OpenPGPError {
        OpenPGPError(.unusableKey, "\(role.capitalizedFirst) \(fingerprint) \(reason).", fingerprint: fingerprint)
    }

    static func invalidFingerprint(_ text: String) -> OpenPGPError {
        OpenPGPError(.invalidFingerprint,
                     "\"\(text)\" is not an OpenPGP fingerprint (40 or 64 hexadecimal digits expected).",
                     fingerprint: text)
    }

    static func badData(_ sentence: String) -> OpenPGPError {
        OpenPGPError(.badData, sentence)
    }

    static func decryptionFailed(_ reason: String, home: String) -> OpenPGPError {
        OpenPGPError(.decryptionFailed, "The message could not be decrypted with the keys in \(home): \(reason).")
    }

    static func homeDirectory(_ path: String, reason: String) -> OpenPGPError {
        OpenPGPError(.homeDirectory, "The GnuPG home directory \(path) \(reason).")
    }

    static func engine(_ operation: String, home: String, reason: String) -> OpenPGPError {
        OpenPGPError(.engine, "GnuPG failed to \(operation) in \(home): \(reason).")
    }
}

extension String {
    /// "signing key" → "Signing key", for roles placed at the start of a sentence.
    fileprivate var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
