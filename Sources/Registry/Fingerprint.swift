/// OpenPGP fingerprints as the registry writes them: upper-case hexadecimal, no spaces.
public enum Fingerprint {
    /// Upper-cases and drops spaces, so `"abcd ef01 …"` and `"ABCDEF01…"` compare equal.
    public static func normalize(_ text: String) -> String {
        String(text.uppercased().filter { $0 != " " })
    }

    /// 40 hexadecimal digits (v4 keys) or 64 (v5 and v6 keys).
    public static func isValid(_ normalized: String) -> Bool {
        (normalized.count == 40 || normalized.count == 64) && normalized.allSatisfy { $0.isHexDigit && !$0.isLowercase }
    }
}
