import Foundation

/// A decrypted message: the plaintext and the checks of any signatures inside it.
public struct DecryptionResult: Sendable, Equatable {
    public let plaintext: Data
    /// Empty when the message was encrypted without being signed.
    public let signatures: [SignatureCheck]
    /// Upper-case 16-hex-digit key IDs of the (sub)keys the message was encrypted to, as the message states them
    /// (compare with `KeyInfo.Subkey.keyID`).
    public let recipients: [String]

    public init(plaintext: Data, signatures: [SignatureCheck], recipients: [String]) {
        self.plaintext = plaintext
        self.signatures = signatures
        self.recipients = recipients
    }
}
