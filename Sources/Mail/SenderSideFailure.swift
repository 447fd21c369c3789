import Foundation

/// A delivery failure whose status or wording says the problem is our message or our domain, not the recipient's
/// address: authentication and policy (SPF, DKIM, DMARC, our relay refusing to relay or our sender, our host on a
/// block list), size, content or virus rejection. Such a report never counts as a bounce on the address.
///
/// ```swift
/// InboundDeliveryReport.Recipient(address: "a@b.example", action: .failed, status: "5.3.4").senderSideFailure
/// // SenderSideFailure(reason: .size, …)
/// ```
public struct SenderSideFailure: Sendable, Equatable {
    /// What about our mail was refused.
    public enum Reason: String, Sendable, Codable {
        /// SPF, DKIM or DMARC of our domain, or our host on a block list.
        case authentication
        /// Our relay would not relay for us or refused our envelope sender.
        case relay
        /// Our message was too big.
        case size
        /// Our message's content was refused (spam, virus, attachment type).
        case content
    }

    public let reason: Reason
    /// What a person should do about it, in a few words.
    public var advice: String {
        switch reason {
        case .authentication: "check our domain's SPF, DKIM and DMARC (and our relay's reputation), then send again"
        case .relay: "check our relay's settings (relaying, envelope sender), then send again"
        case .size: "send a smaller message (leave out or link the large attachment)"
        case .content: "check what our message carries (attachments, links) and send again"
        }
    }

    /// Enhanced status codes (RFC 3463, RFC 7372) that by themselves blame our message or domain: the message's
    /// size or media (X.2.3, X.3.4, X.6.x), our envelope sender (X.1.7, X.1.8), our relay's authentication and
    /// encryption (X.7.8, X.7.10, X.7.11, X.7.4/5 TLS), SPF/DKIM/DMARC and reverse DNS (X.7.20–27), and the
    /// codes Microsoft 365 gives a sender it refuses (5.7.54–64, 5.7.511, 5.7.708, 5.7.750).
    static let statuses: [String: Reason] = [
        "5.2.3": .size, "5.3.4": .size, "4.3.4": .size, "5.7.7": .content,
        "5.6.0": .content, "5.6.1": .content, "5.6.2": .content, "5.6.3": .content, "5.6.5": .content, "5.6.6": .content,
        "5.1.7": .relay, "5.1.8": .relay, "4.1.8": .relay, "5.7.8": .relay, "5.7.10": .relay, "5.7.11": .relay,
        "4.7.4": .relay, "4.7.5": .relay, "5.7.4": .relay, "5.7.5": .relay,
        "5.7.511": .authentication, "5.7.606": .authentication, "5.7.708": .authentication, "5.7.750": .authentication,
        "5.7.20": .authentication, "5.7.21": .authentication, "5.7.22": .authentication, "5.7.23": .authentication,
        "5.7.24": .authentication, "5.7.25": .authentication, "5.7.26": .authentication, "5.7.27": .authentication,
        "5.7.54": .relay, "5.7.57": .relay, "5.7.60": .relay, "5.7.64": .relay,
    ]

    /// Wordings (lowercased) of a remote server's diagnostic that blame our message or domain.
    static let wordings: [(String, Reason)] = [
        ("relay access denied", .relay), ("relaying denied", .relay), ("relay not permitted", .relay),
        ("unable to relay", .relay), ("relaying not allowed", .relay), ("not owned by user", .relay),
        ("sender address rejected: not owned", .relay),
        ("dmarc", .authentication), (" spf", .authentication), ("spf ", .authentication), ("dkim", .authentication),
        ("unauthenticated", .authentication), ("sender is unauthenticated", .authentication),
        // Our sending host on a block list ("the account … may be blacklisted" alone says nothing of whose).
        ("ip address blacklisted", .authentication), ("ip address blocklisted", .authentication),
        ("blocked using", .authentication), ("banned sending ip", .authentication), ("spamhaus", .authentication),
        ("poor reputation", .authentication),
        ("message file too big", .size), ("message too big", .size), ("message too large", .size),
        ("message size exceeds", .size), ("exceeds size limit", .size), ("size limit exceeded", .size),
        ("exceeds the maximum", .size), ("message is too large", .size), ("mail is too large", .size),
        ("virus", .content), ("malware", .content), ("infected", .content), ("content rejected", .content),
        ("message content rejected", .content), ("rejected due to content", .content), ("looks like spam", .content),
        ("considered spam", .content), ("detected as spam", .content), ("spam message rejected", .content),
        ("likely unsolicited", .content), ("prohibited attachment", .content), ("banned attachment", .content),
        // Our relay, our envelope sender, our host's name and address.
        ("in reply to mail from", .relay), ("sender address rejected", .relay), ("sender verify failed", .relay),
        ("verification failed for <", .relay), ("client host rejected", .relay), ("helo command rejected", .relay),
        ("must issue a starttls", .relay), ("tls is required", .relay), ("tls required", .relay), ("encryption needed", .relay),
        ("encryption required", .relay), ("authentication required", .relay), ("authentication credentials invalid", .relay),
        ("invalid credentials for relay", .relay), ("server certificate not verified", .relay),
        ("reverse hostname", .authentication), ("reverse dns", .authentication), ("no ptr record", .authentication),
        ("your ip", .authentication), ("ip reputation", .authentication), ("listed in rbl", .authentication),
        ("is listed on", .authentication), ("listed at", .authentication), ("on our block list", .authentication), ("on our blocklist", .authentication),
        ("traffic not accepted from this ip", .authentication),
        ("unregistered domain", .authentication), ("ip you're using to send mail is not authorized", .authentication),
        ("unusual rate of unsolicited", .authentication), ("rate limit", .authentication), ("sending rate", .authentication),
        ("too many messages", .authentication), ("too many connections", .authentication),
        ("message size", .size), ("maximum message size", .size), ("maximum size", .size), ("maximum allowed size", .size),
        ("too large", .size), ("size exceeded", .size), ("exceeded the size", .size), ("messagetoolarge", .size),
        ("recipsizelimit", .size), ("zu groß", .size), ("zu gross", .size), ("サイズが大き", .size), ("サイズが受信側の制限", .size),
        ("サイズ制限", .size),
        ("spam", .content), ("policy reasons", .content), ("content filter", .content), ("contentrejected", .content),
        ("attachment not allowed", .content), ("blocked attachment", .content), ("attachment type", .content),
        ("has been blocked", .content), ("encrypted messages are not allowed", .content), ("potential security issue", .content),
        ("not rfc 5322 compliant", .content), ("multiple addresses in from", .content), ("header error", .content),
        ("headers too large", .content), ("conversion required", .content), ("conversion failed", .content),
    ]

    /// Status codes about the recipient's address or mailbox (RFC 3463: bad mailbox, bad domain, ambiguous, moved,
    /// disabled, full): the vendor's, whatever words come with them ("Mailbox size limit exceeded" is its quota).
    static let recipientStatuses: Set<String> = ["5.1.0", "5.1.1", "5.1.2", "5.1.3", "5.1.4", "5.1.5", "5.1.6", "5.1.10",
                                                 "5.2.0", "5.2.1", "5.2.2", "4.2.2", "5.4.1"]

    /// The failure of our own mail a recipient's status or diagnostic means, or nil when it may be the address.
    static func of(status: String, diagnostic: String?) -> SenderSideFailure? {
        if let reason = statuses[status] { return SenderSideFailure(reason: reason) }
        // 5.1.0 with our sender named is ours ("<vuls@…>: Sender address rejected: User unknown"); otherwise an
        // address or mailbox status is the vendor's.
        let lowered = diagnostic?.lowercased() ?? ""
        if recipientStatuses.contains(status), !lowered.contains("sender address rejected"), !lowered.contains("in reply to mail from") {
            return nil
        }
        // A full mailbox is the vendor's, whatever size words come with it.
        if ["quota", "mailbox full", "mailbox is full", "mailbox size", "out of storage", "メールボックス", "容量"].contains(where: lowered.contains) {
            return nil
        }
        // Microsoft's recipient restrictions (a group that takes mail only from its members or only from
        // authenticated senders): the vendor's settings, not our relay's. Its size limit is still our message's size.
        if lowered.contains("resolver.rst.") && !lowered.contains("recipsizelimit") || lowered.contains("restrictedtorecipients")
            || lowered.contains("not authorized to send to recipient") {
            return nil
        }
        // The words, not the addresses and host names in them: `virus@…` or `mx.antivirus-labs.example` says nothing.
        guard !lowered.isEmpty else { return nil }
        let diagnostic = lowered.replacingOccurrences(of: #"[^\s<>\[\]();,'"]*[@.][^\s<>\[\]();,'"]*[a-z][^\s<>\[\]();,'"]*"#, with: " ",
                                                      options: .regularExpression)
        for (wording, reason) in wordings where diagnostic.contains(wording) { return SenderSideFailure(reason: reason) }
        // A status quoted in the words counts as a whole code: 5.7.606 is not 5.7.60.
        for (code, reason) in statuses
        where diagnostic.range(of: "(^|[^0-9.])" + NSRegularExpression.escapedPattern(for: code) + "($|[^0-9])", options: .regularExpression) != nil {
            return SenderSideFailure(reason: reason)
        }
        return nil
    }
}

extension InboundDeliveryReport.Recipient {
    /// When this failure is a fault of our message or domain (`SenderSideFailure`), what kind; nil when the
    /// recipient's address may be at fault.
    public var senderSideFailure: SenderSideFailure? {
        guard isFailure else { return nil }
        return SenderSideFailure.of(status: status, diagnostic: diagnostic)
    }
}
