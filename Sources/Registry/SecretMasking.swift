/// Hides passwords written into URLs (`smtp://user:secret@host` → `smtp://user:***@host`) before text is shown,
/// logged or stored.
public enum SecretMasking {
    /// What a masked password is replaced with.
    public static let mask = "***"

    /// `text` with the password of every `scheme://user:password@host` URL in it replaced by `***`.
    public static func maskingURLPasswords(in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let separator = rest.range(of: "://") {
            output += rest[..<separator.upperBound]
            rest = rest[separator.upperBound...]
            // The authority ends at the first '/', '?', '#' or white space; its user information at the last '@'.
            let authorityEnd = rest.firstIndex { "/?#".contains($0) || $0.isWhitespace } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                output += authority[...colon] + mask + authority[at...]
            } else {
                output += authority
            }
            rest = rest[authorityEnd...]
        }
        return output + rest
    }

    /// Whether `url` carries a password in its user information.
    public static func urlHasPassword(_ url: String) -> Bool {
        maskingURLPasswords(in: url) != url
    }
}
