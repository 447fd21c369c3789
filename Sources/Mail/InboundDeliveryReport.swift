import Foundation

/// A delivery report of any form: an RFC 3464 DSN, or a mail system's own plain-text bounce or delay warning
/// (qmail, Exim, Sendmail, Postfix, Exchange/Office 365, Gmail, Yahoo, Japanese providers, list managers).
///
/// ```swift
/// if let report = InboundDeliveryReport(parsed) {
///     for recipient in report.recipients where recipient.isFailure { bounce(recipient.address) }
/// }
/// ```
public struct InboundDeliveryReport: Sendable {
    /// Where the recipients were read from.
    public enum Format: String, Sendable, Codable {
        /// `multipart/report` with a `message/delivery-status` part (RFC 3464).
        case rfc3464 = "RFC 3464 report"
        /// Recipients named in `X-Failed-Recipients` (Exim and others).
        case failedRecipientsHeader = "X-Failed-Recipients"
        /// Recipients found in the wording of the report.
        case text = "plain-text report"
    }

    /// What happened to one recipient (RFC 3464 §2.3.3).
    public enum Action: String, Sendable, Codable {
        case failed, delayed, delivered, relayed, expanded
    }

    /// One recipient's result.
    public struct Recipient: Sendable, Equatable {
        /// The address we wrote to: `Original-Recipient` when given, else `Final-Recipient` (lowercased).
        public let address: String
        /// `Final-Recipient`, when it differs (an alias expanded on the way).
        public let finalRecipient: String?
        public let action: Action
        /// The enhanced status code (`5.1.1`), or one inferred from the wording (`5.0.0`, `4.0.0`).
        public let status: String
        /// The remote server's words, when given.
        public let diagnostic: String?

        public init(address: String, finalRecipient: String? = nil, action: Action, status: String, diagnostic: String? = nil) {
            self.address = address; self.finalRecipient = finalRecipient; self.action = action
            self.status = status; self.diagnostic = diagnostic
        }

        /// Delivery failed for good. `Action: failed` is a failure whatever the status class: a 4.x.x status after
        /// the queue gave up is final too.
        public var isFailure: Bool { action == .failed }
    }

    public let format: Format
    /// Per-recipient results; may be empty (a report without per-recipient fields is still a bounce).
    public let recipients: [Recipient]
    /// Whether the report as a whole says delivery failed (false for a pure delay warning).
    public let isFailure: Bool
    /// Message-IDs of the returned message (its `Message-ID`, and ids such as `X-Original-Message-ID`), no brackets.
    public let returnedMessageIDs: [String]
    /// The header fields of the returned message, when it was found.
    public let returnedHeaders: [(name: String, value: String)]
    /// All readable text of the report (for tracking references).
    public let text: String

    /// The failed recipients.
    public var failedRecipients: [Recipient] { recipients.filter(\.isFailure) }

    /// Reads a delivery report; nil when the message is not one.
    public init?(_ message: ParsedMessage) {
        let dsn = DeliveryStatusReport.find(in: message.root)
        // Cheap signs first, so a person's large reply is never scanned as a report.
        let subjectLower = (message.subject ?? "").lowercased()
        let mayBeReport = dsn != nil || message.root.contentType.mediaType == "multipart/report"
            || message.header("X-Failed-Recipients") != nil || BounceSigns.fromMailSystem(message)
            || BounceSigns.strongSubjects.contains(where: subjectLower.contains)
            || message.header("x-amz-sns-message-id") != nil || subjectLower.contains("aws notification")
        guard mayBeReport else { return nil }
        let returned = ReturnedMessage.find(in: message)
        let reportText = ReturnedMessage.reportText(of: message)
        let fromBounceSender = BounceSigns.fromMailSystem(message)
        let wording = BounceSigns.wording(subject: message.subject ?? "", text: reportText.prefix(6000))

        var recipients: [Recipient] = []
        var format = Format.text
        if let dsn, !dsn.recipients.isEmpty {
            format = .rfc3464
            // A recipient without a Diagnostic-Code: the report's human text near its address says why.
            var textFound: [BounceText.Found]?
            func textDiagnostic(_ address: String) -> String? {
                if textFound == nil {
                    textFound = BounceText.recipients(in: reportText, excluding: BounceText.excludedAddresses(message, returned: returned))
                }
                return textFound?.first { $0.address == address }?.diagnostic
            }
            recipients = dsn.recipients.compactMap { entry in
                let address = (entry.originalRecipient ?? entry.finalRecipient).lowercased()
                guard address.contains("@") else { return nil }
                let action = Action(rawValue: entry.action) ?? (entry.status.hasPrefix("5") ? .failed : entry.status.hasPrefix("4") ? .delayed : .failed)
                let final = entry.finalRecipient.lowercased()
                return Recipient(address: address, finalRecipient: final == address ? nil : final, action: action,
                                 status: entry.status.isEmpty ? (action == .failed ? "5.0.0" : "4.0.0") : entry.status,
                                 diagnostic: entry.diagnosticCode ?? textDiagnostic(address))
            }
        }
        let headerFailed = message.headers("X-Failed-Recipients").flatMap(AddressSyntax.splitList)
            .compactMap { BounceText.bareAddress($0) }
        if recipients.isEmpty, !headerFailed.isEmpty {
            format = .failedRecipientsHeader
            let found = BounceText.recipients(in: reportText, excluding: BounceText.excludedAddresses(message, returned: returned))
            recipients = headerFailed.map { address in
                let status = found.first { $0.address == address }?.status ?? BounceText.status(in: reportText) ?? "5.0.0"
                return Recipient(address: address, action: .failed, status: status,
                                 diagnostic: found.first { $0.address == address }?.diagnostic)
            }
        }
        let ses = BounceText.sesRecipients(in: reportText)
        if recipients.isEmpty, !ses.isEmpty {
            format = .text
            recipients = ses.map { Recipient(address: $0.address, action: .failed, status: $0.status ?? "5.0.0") }
        }
        let isMultipartReport = message.root.contentType.mediaType == "multipart/report"
            && (message.root.contentType.parameters["report-type"]?.lowercased() ?? "delivery-status") == "delivery-status"
        let isDSN = dsn != nil || isMultipartReport
        guard isDSN || !headerFailed.isEmpty || !ses.isEmpty || (wording.isBounce && (fromBounceSender || wording.isStrong)) else { return nil }

        let delayOnly = wording.isDelay && !wording.isFailure
        if recipients.isEmpty {
            let excluded = BounceText.excludedAddresses(message, returned: returned)
            recipients = BounceText.recipients(in: reportText, excluding: excluded).map {
                Recipient(address: $0.address, action: delayOnly ? .delayed : .failed,
                          status: $0.status ?? (delayOnly ? "4.0.0" : "5.0.0"), diagnostic: $0.diagnostic)
            }
            if recipients.isEmpty, !delayOnly, let returned {
                // The copy of our message names the recipient when the report does not.
                let to = returned.fields.filter { ["to", "x-original-to", "envelope-to"].contains($0.name.lowercased()) }
                    .flatMap { AddressSyntax.splitList($0.value) }.compactMap(BounceText.bareAddress)
                    .filter { !excluded.contains($0) }
                if to.count == 1 {
                    recipients = [Recipient(address: to[0], action: .failed, status: BounceText.status(in: reportText) ?? "5.0.0")]
                }
            }
        }
        self.format = format
        self.recipients = recipients
        self.isFailure = recipients.isEmpty ? !delayOnly : recipients.contains { $0.isFailure }
        var ids = dsn?.originalMessageIDs ?? []
        for name in ["X-Original-Message-ID", "X-Liaison-Message-ID"] {
            ids += message.headers(name).flatMap(MessageID.parseList)
        }
        if let returned {
            ids += returned.fields.filter { $0.name.lowercased() == "message-id" }.flatMap { MessageID.parseList($0.value) }
        }
        var seen = Set<String>()
        self.returnedMessageIDs = ids.filter { seen.insert($0).inserted }
        self.returnedHeaders = returned?.fields ?? []
        self.text = reportText + "\n" + (returned?.fields.map { "\($0.name): \(EncodedWord.decode($0.value))" }.joined(separator: "\n") ?? "")
    }
}
