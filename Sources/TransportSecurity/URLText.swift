import URLMasking

/// URLs as they may be shown: every message, log line and description of SMTP, IMAP and HTTPS goes through here,
/// so a password written into a URL (`imap://user:secret@host`) is never printed.
public enum URLText {
    /// `url` with the password of its user information, if any, replaced by `***`.
    ///
    /// ```swift
    /// URLText.shown("imaps://vuls:secret@imap.example/INBOX")  // "imaps://vuls:***@imap.example/INBOX"
    /// ```
    public static func shown(_ url: String) -> String {
        SecretMasking.maskingPassword(inURL: url)
    }

    /// `text` (a libcurl error message, a server's reply) with the password of every URL in it replaced by `***`.
    public static func masking(_ text: String) -> String {
        SecretMasking.maskingURLPasswords(in: text)
    }
}
