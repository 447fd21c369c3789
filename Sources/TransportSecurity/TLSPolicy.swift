/// Whether a mail connection (SMTP, IMAP) must be encrypted. HTTPS is always encrypted.
public enum TLSPolicy: String, Sendable, CaseIterable {
    /// STARTTLS for smtp:// and imap:// (a server that does not offer it is refused); smtps:// and imaps:// are
    /// always TLS.
    case required
    /// Plain text for smtp:// and imap://; accepted only to loopback hosts (`LoopbackHost`).
    case none

    /// Whether plain text to `host` is refused under this policy: only `.none` without implicit TLS to a host
    /// that is not a loopback address.
    ///
    /// ```swift
    /// if policy.refusesPlainText(to: host, implicitTLS: scheme == "imaps") { throw … }
    /// ```
    public func refusesPlainText(to host: String, implicitTLS: Bool) -> Bool {
        self == .none && !implicitTLS && !LoopbackHost.isLoopback(host)
    }
}
