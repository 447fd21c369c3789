import Foundation

/// A clearsigned or inline-signed message: the signed text and the checks of its signatures.
public struct InlineVerification: Sendable, Equatable {
    public let plaintext: Data
    public let signatures: [SignatureCheck]

    public init(plaintext: Data, signatures: [SignatureCheck]) {
        self.plaintext = plaintext
        self.signatures = signatures
    }
}
