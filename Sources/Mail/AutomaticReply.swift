import Foundation

extension ParsedMessage {
    /// Subject prefixes of out-of-office and other automatic replies, lowercased.
    static let automaticSubjectPrefixes = [
        "out of office", "automatic reply", "auto reply", "auto-reply", "autoreply", "auto response",
        "auto-response", "autoresponse", "abwesenheitsnotiz", "自動応答", "自動返信", "自動送信", "不在",
        "undeliverable:", "undelivered mail", "delivery status notification", "mail delivery failed",
    ]

    /// Whether a program sent this rather than a person: RFC 3834 `Auto-Submitted` other than `no`,
    /// `Precedence: bulk|junk|auto_reply`, `X-Autoreply`, `X-Autorespond`, an empty Return-Path,
    /// a delivery report, or a subject such as "Out of Office", "Automatic reply", "自動応答", "不在".
    public var isAutomatic: Bool {
        if let value = header("Auto-Submitted") {
            let keyword = MIMEHeaderValue(value).value.lowercased()
            if !keyword.isEmpty && keyword != "no" { return true }
        }
        if let value = header("Precedence") {
            if ["bulk", "junk", "auto_reply", "auto-reply"].contains(HeaderText.trimmingWSP(value).lowercased()) { return true }
        }
        if header("X-Autoreply") != nil || header("X-Autorespond") != nil || header("X-Autoresponder") != nil { return true }
        if let returnPath = header("Return-Path"), returnPath.filter({ $0 != " " }) == "<>" { return true }
        if root.contentType.mediaType == "multipart/report" { return true }
        if let subject = subject {
            let lower = HeaderText.trimmingWSP(subject).lowercased()
            if Self.automaticSubjectPrefixes.contains(where: { lower.hasPrefix($0) }) { return true }
        }
        return false
    }
}
