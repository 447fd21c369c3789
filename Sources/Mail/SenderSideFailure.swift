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

    /// Enhanced status codes (RFC 3463, RFC 7372) that by themselves blame our message or domain.
    static let statuses: [String: Reason] = [
        "5.2.3": .size, "5.3.4": .size, "4.3.4": .size, "5.7.7": .content,
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
    ]

    /// The failure of our own mail a recipient's status or diagnostic means, or nil when it may be the address.
    static func of(status: String, diagnostic: String?) -> SenderSideFailure? {
        if let reason = statuses[status] { return SenderSideFailure(reason: reason) }
        guard let diagnostic = diagnostic?.lowercased(), !diagnostic.isEmpty else { return nil }
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
