/// Normalisation of fingerprints given by callers.
enum Fingerprint {
    /// Upper-case hex without spaces or a `0x` prefix; refuses anything but 40 (v4) or 64 (v5) hex digits, so a
    /// fingerprint can never be taken by gpg as a user-ID search pattern.
    static func normalize(_ text: String) throws(OpenPGPError) -> String {
        var hex = text.filter { !$0.isWhitespace }.uppercased()
        if hex.hasPrefix("0X") { hex.removeFirst(2) }
        guard hex.count == 40 || hex.count == 64, hex.allSatisfy({ $0.isHexDigit && $0.isASCII }) else {
            throw .invalidFingerprint(text)
        }
        return hex
    }
}
