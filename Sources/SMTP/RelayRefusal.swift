/// The words with which a relay refuses to relay for us or refuses our envelope sender at RCPT TO (Postfix
/// delays its sender checks to RCPT): a fault of our relay or settings, never of the recipient's address.
///
/// Liaison talks only to its own relay, so when that relay answers a recipient with one of these, every
/// recipient would get the same answer: `send` stops as for a refused login.
/// ```swift
/// RelayRefusal.isRelayRefusal(code: 554, reply: "554 5.7.1 <a@b.example>: Relay access denied") // true
/// ```
public enum RelayRefusal {
    /// Wordings of a refusal to relay or of our sender refused, lowercased (Postfix, Sendmail, Exim, Exchange,
    /// Microsoft 365, qmail, OpenSMTPD).
    static let wordings = [
        "relay access denied", "relaying denied", "relay denied", "relay not permitted", "relaying not permitted",
        "relaying disallowed", "relay not allowed", "relaying not allowed", "not allowed to relay", "unable to relay",
        "we do not relay", "relaying to <", "no relaying", "sorry, that domain isn't in my list of allowed rcpthosts",
        "not owned by user", "not owned by", "sender address rejected", "client was not authenticated",
        "authentication required", "must authenticate", "send as this sender", "sender not allowed",
        // Our host, our sender or our session, refused at RCPT (Postfix restrictions, Exim sender verification,
        // Google's and Microsoft's relays, block lists).
        "client host rejected", "sender verify failed", "verification failed for <", "helo command rejected",
        "must issue a starttls", "encryption needed", "encryption required", "tls required", "invalid credentials for relay",
        "authentication credentials invalid", "administrative prohibition", "traffic not accepted from this ip",
        "blocked using", "is listed on", "spamhaus", "your ip", "reverse hostname", "unusual rate of unsolicited",
        "rate limit", "too many recipients from", "too many messages from",
    ]
    /// Enhanced status codes that mean the relay will not take mail from us (Microsoft 365: 5.7.54 unable to
    /// relay, 5.7.57 not authenticated, 5.7.60 may not send as this sender, 5.7.64 relay access denied).
    /// 5.1.7, 5.1.8 our sender's address, 5.7.8 our credentials, 5.7.10/5.7.11 encryption needed; Microsoft 365's
    /// 5.7.511, 5.7.708 and 5.7.750 a sender or IP it refuses.
    static let statuses = ["5.7.54", "5.7.57", "5.7.60", "5.7.64", "5.1.7", "5.1.8", "4.1.8", "5.7.8", "5.7.10", "5.7.11",
                           "5.7.511", "5.7.708", "5.7.750"]

    /// True when a 4xx or 5xx reply to RCPT TO says our relay will not relay for us, will not take our sender,
    /// our host or our session (for now or for good).
    public static func isRelayRefusal(code: Int, reply: String) -> Bool {
        guard code / 100 == 5 || code / 100 == 4 else { return false }
        let text = reply.lowercased()
        return wordings.contains { text.contains($0) } || statuses.contains { text.contains(" \($0) ") || text.contains(" \($0)\n") }
    }
}
