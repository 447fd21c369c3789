import Foundation

/// Hides passwords written into URLs (`smtp://user:secret@host` → `smtp://user:***@host`) before text is shown,
/// logged or stored.
public enum SecretMasking {
    /// What a masked password is replaced with.
    public static let mask = "***"

    /// `text` with the password of every `scheme://user:password@host` URL in it replaced by `***`. In text, a
    /// URL's authority also ends at white space.
    public static func maskingURLPasswords(in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let separator = rest.range(of: "://") {
            output += rest[..<separator.upperBound]
            rest = rest[separator.upperBound...]
            let (authority, end) = maskedAuthority(rest, endsAtWhiteSpace: true)
            output += authority
            rest = rest[end...]
        }
        return output + rest
    }

    /// `url`, one URL, with the password of its user information, if any, replaced by `***`; its authority runs
    /// to the first '/', '?' or '#', so a password holding white space is hidden whole.
    public static func maskingPassword(inURL url: String) -> String {
        guard let separator = url.range(of: "://") else { return url }
        let rest = url[separator.upperBound...]
        let (authority, end) = maskedAuthority(rest, endsAtWhiteSpace: false)
        return String(url[..<separator.upperBound]) + authority + rest[end...]
    }

    /// Whether `url` carries a password in its user information.
    public static func urlHasPassword(_ url: String) -> Bool {
        maskingURLPasswords(in: url) != url
    }

    /// The authority at the start of `text` (what follows `://`) with its password masked, and where it ends:
    /// at the first '/', '?' or '#' (or white space); its user information ends at the last '@'.
    private static func maskedAuthority(_ text: Substring, endsAtWhiteSpace: Bool) -> (String, Substring.Index) {
        let end = text.firstIndex { "/?#".contains($0) || (endsAtWhiteSpace && $0.isWhitespace) } ?? text.endIndex
        let authority = text[..<end]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return (String(authority), end)
        }
        return (String(authority[...colon]) + mask + authority[at...], end)
    }
}
