import Foundation

/// One message to send: its envelope and its exact RFC 5322 bytes.
public struct OutgoingMessage: Sendable, Equatable {
    /// The Message-ID header value, used to name report entries and files.
    public let messageID: String
    /// Envelope sender (MAIL FROM), a bare address; "" sends the null reverse-path `<>`.
    public let sender: String
    /// Envelope recipients (RCPT TO), exactly these, in this order; headers do not add any.
    public let recipients: [String]
    /// The exact message bytes with CRLF line ends, ending with CRLF; sent unchanged apart from SMTP dot-stuffing
    /// (bytes without a final CRLF arrive with one added, as SMTP requires).
    public let bytes: Data

    /// A message with the given envelope and bytes.
    public init(messageID: String, sender: String, recipients: [String], bytes: Data) {
        self.messageID = messageID
        self.sender = sender
        self.recipients = recipients
        self.bytes = bytes
    }

    /// The first envelope problem, if any; such a message is never sent.
    func envelopeProblem() -> SMTPError? {
        if recipients.isEmpty { return .noRecipients(messageID: messageID) }
        if !sender.isEmpty, let problem = Self.addressProblem(sender, role: "sender", messageID: messageID) {
            return problem
        }
        for recipient in recipients {
            if let problem = Self.addressProblem(recipient, role: "recipient", messageID: messageID) {
                return problem
            }
        }
        return nil
    }

    /// A CR, LF or other control character would let an address inject an SMTP command; brackets would be
    /// taken by libcurl as delimiters.
    private static func addressProblem(_ address: String, role: String, messageID: String) -> SMTPError? {
        let bad = address.isEmpty
            || address.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" }
            || address.first?.isWhitespace == true || address.last?.isWhitespace == true
        return bad ? .invalidAddress(address, role: role, messageID: messageID) : nil
    }
}
