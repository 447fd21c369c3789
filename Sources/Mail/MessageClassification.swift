import Foundation

/// What a received message is, decided from the message alone, before anyone tries to match it.
public enum MessageKind: String, Sendable, Codable, CaseIterable {
    /// A delivery report: an RFC 3464 DSN or a mail system's plain-text bounce or delay warning.
    case deliveryReport = "delivery-report"
    /// A program answered: out-of-office, vacation, ticket acknowledgement, read receipt, list moderation,
    /// quarantine notice, recall request.
    case automaticReply = "automatic-reply"
    /// A person wrote it.
    case humanReply = "reply"
    /// Mail that is none of these, such as an abuse feedback report (RFC 5965).
    case unrelated
}

/// Which kind of automatic reply (RFC 3834 and its relatives).
public enum AutomaticReplyKind: String, Sendable, Codable {
    case outOfOffice = "out-of-office"
    case ticketAcknowledgement = "ticket-acknowledgement"
    case readReceipt = "read-receipt"
    case listModeration = "list-moderation"
    /// The recipient's mail gateway held or blocked our message: the recipient did not get it.
    case quarantine
    /// A recall request: the sender asks to withdraw a message it sent earlier.
    case recall
    case other
}

/// The classification of one message.
public struct MessageClassification: Sendable {
    public let kind: MessageKind
    /// For an automatic reply, which kind.
    public let automaticKind: AutomaticReplyKind?
    /// For a delivery report: per-recipient results and the returned message.
    public let report: InboundDeliveryReport?
    /// Why this kind, in a few words (`Auto-Submitted: auto-replied`, `RFC 3464 report`, `subject "不在"`).
    public let reason: String

    public init(kind: MessageKind, automaticKind: AutomaticReplyKind? = nil, report: InboundDeliveryReport? = nil, reason: String) {
        self.kind = kind; self.automaticKind = automaticKind; self.report = report; self.reason = reason
    }
}

extension ParsedMessage {
    /// Classifies the message: notices about our message that are no bounce (quarantine, recall, read receipt)
    /// first, then delivery report (many carry `Auto-Submitted` too), then automatic reply, then feedback reports as
    /// unrelated, else a human reply.
    public func classify() -> MessageClassification {
        // A quarantine notice often reads like a bounce ("has NOT been delivered"), but the address is fine.
        if root.contentType.mediaType != "multipart/report",
           let (kind, reason) = MachineNotice.detect(self, sentByMailSystem: BounceSigns.fromMailSystem(self)) {
            return MessageClassification(kind: .automaticReply, automaticKind: kind, reason: reason)
        }
        if let report = InboundDeliveryReport(self) {
            return MessageClassification(kind: .deliveryReport, report: report, reason: report.format.rawValue)
        }
        if let reportType = root.contentType.parameters["report-type"]?.lowercased(),
           root.contentType.mediaType == "multipart/report" {
            if reportType == "disposition-notification" {
                return MessageClassification(kind: .automaticReply, automaticKind: .readReceipt, reason: "read receipt (RFC 8098 MDN)")
            }
            if reportType == "feedback-report" || reportType == "tlsrpt" {
                return MessageClassification(kind: .unrelated, reason: "\(reportType) report")
            }
        }
        if let reason = FeedbackSigns.detect(self) {
            return MessageClassification(kind: .unrelated, reason: reason)
        }
        // A mail system's notice that its gateway holds our message, read as no bounce above.
        if root.contentType.mediaType != "multipart/report", let (kind, reason) = MachineNotice.detect(self, sentByMailSystem: false) {
            return MessageClassification(kind: .automaticReply, automaticKind: kind, reason: reason)
        }
        if let (kind, reason) = AutomaticReplySigns.detect(self) {
            return MessageClassification(kind: .automaticReply, automaticKind: kind, reason: reason)
        }
        if BounceSigns.fromMailSystem(self, nullReturnPath: false) {
            // MAILER-DAEMON or postmaster writes no human replies, even when its wording is not recognised.
            return MessageClassification(kind: .automaticReply, automaticKind: .other, reason: "sent by a mail system")
        }
        return MessageClassification(kind: .humanReply, reason: "no sign of a program")
    }

    /// Whether a program sent this rather than a person (a delivery report or an automatic reply).
    /// `Precedence: bulk` or `list` alone is not such a sign: ticket systems put it on people's replies.
    public var isAutomatic: Bool {
        let kind = classify().kind
        return kind == .automaticReply || kind == .deliveryReport
    }
}

/// Abuse and delivery feedback that is neither a bounce nor a reply (ARF, Amazon SES complaint and delivery
/// notifications, Hotmail/JMRP complaints).
enum FeedbackSigns {
    static func detect(_ message: ParsedMessage) -> String? {
        if message.header("Feedback-Type") != nil { return "Feedback-Type" }
        let subject = (message.subject ?? "").lowercased()
        if subject.contains("complaint about message") || subject.hasPrefix("abuse report") || subject.contains("fbl report") {
            return "complaint"
        }
        if message.root.contentType.mediaType == "text/plain" || message.root.contentType.isMultipart {
            let text = message.bodyText?.prefix(400) ?? ""
            if text.contains("\"notificationType\":\"Complaint\"") || text.contains("\"notificationType\":\"Delivery\"")
                || text.contains("\"eventType\":\"Complaint\"") || text.contains("\"eventType\":\"Delivery\"") {
                return "Amazon SES notification"
            }
        }
        return nil
    }
}
