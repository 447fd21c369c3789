import Foundation

/// Inline (non-MIME) OpenPGP found in a text body.
public enum InlinePGPKind: Sendable, Equatable {
    /// `-----BEGIN PGP SIGNED MESSAGE-----`: clearsigned text.
    case signed
    /// `-----BEGIN PGP MESSAGE-----`: encrypted (or signed and encrypted) data.
    case encrypted

    /// The first armor header at the start of a line of `text`, if any.
    public static func detect(in text: String) -> InlinePGPKind? {
        // Most bodies hold no armor at all: skip the line walk (seconds for a 50 MB body) when none can match.
        guard mayHoldArmor(text) else { return nil }
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "-----BEGIN PGP SIGNED MESSAGE-----" { return .signed }
            if trimmed == "-----BEGIN PGP MESSAGE-----" { return .encrypted }
        }
        return nil
    }

    /// Whether "-----BEGIN PGP " occurs in `text`, found with memchr jumps over the UTF-8 bytes.
    private static func mayHoldArmor(_ text: String) -> Bool {
        var contiguous = text
        let marker: [UInt8] = Array("-----BEGIN PGP ".utf8)
        return contiguous.withUTF8 { (body: UnsafeBufferPointer<UInt8>) -> Bool in
            guard let base = body.baseAddress else { return false }
            var offset = 0
            while body.count - offset >= marker.count {
                guard let dash: UnsafeMutableRawPointer = memchr(base + offset, 0x2D, body.count - offset) else { return false }
                let position = UnsafeRawPointer(dash) - UnsafeRawPointer(base)
                if body.count - position >= marker.count && memcmp(dash, marker, marker.count) == 0 { return true }
                offset = position + 1
            }
            return false
        }
    }
}
