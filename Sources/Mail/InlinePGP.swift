import Foundation

/// Inline (non-MIME) OpenPGP found in a text body.
public enum InlinePGPKind: Sendable, Equatable {
    /// `-----BEGIN PGP SIGNED MESSAGE-----`: clearsigned text.
    case signed
    /// `-----BEGIN PGP MESSAGE-----`: encrypted (or signed and encrypted) data.
    case encrypted

    /// The first armor header at the start of a line of `text`, if any.
    public static func detect(in text: String) -> InlinePGPKind? {
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "-----BEGIN PGP SIGNED MESSAGE-----" { return .signed }
            if trimmed == "-----BEGIN PGP MESSAGE-----" { return .encrypted }
        }
        return nil
    }
}
