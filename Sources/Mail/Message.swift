import Foundation

/// An RFC 5322 message ready for SMTP: envelope-independent headers and a MIME body.
///
/// ```swift
/// var message = Message(from: sender, to: [vendor], subject: "[JVNVU#12345678] 脆弱性情報のご連絡",
///                       body: .text("山田様\n…"))
/// message.extraHeaders = [("Auto-Submitted", "auto-generated")]
/// let bytes = try message.serialized()
/// ```
public struct Message: Sendable {
    /// The author (From).
    public var from: EmailAddress
    /// The primary recipients (To); at least one is required.
    public var to: [EmailAddress]
    /// The copied recipients (Cc).
    public var cc: [EmailAddress] = []
    /// Where replies should go (Reply-To), when not to `from`.
    public var replyTo: EmailAddress?
    /// The subject, any text without control characters; RFC 2047 encoded as needed.
    public var subject: String
    /// The Date field, written in UTC.
    public var date: Date
    /// The Message-ID without angle brackets.
    public var messageID: String
    /// The id replied to, without angle brackets.
    public var inReplyTo: String?
    /// The thread's ids, oldest first, without angle brackets.
    public var references: [String] = []
    /// More header fields, written after the standard ones: names and values are validated and
    /// non-ASCII values are RFC 2047 encoded.
    public var extraHeaders: [(name: String, value: String)] = []
    /// The content: a text part, a multipart, or an RFC 3156 signed or encrypted entity.
    public var body: MIMEEntity

    /// A message dated now with a fresh Message-ID at the sender's domain unless given.
    public init(from: EmailAddress, to: [EmailAddress], cc: [EmailAddress] = [], subject: String,
                body: MIMEEntity, date: Date = Date(), messageID: String? = nil) {
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.body = body
        self.date = date
        self.messageID = messageID ?? MessageID.generate(domain: from.domain)
    }

    /// Header fields this type writes itself; `extraHeaders` may not repeat them.
    static let reservedHeaders: Set<String> = [
        "date", "from", "sender", "to", "cc", "bcc", "reply-to", "subject", "message-id", "in-reply-to",
        "references", "mime-version", "return-path",
    ]

    /// The whole message in wire form: CRLF line ends, 7-bit, lines of at most 998 octets (76 where
    /// it can fold). Header order: Date, From, To, Cc, Reply-To, Subject, Message-ID, In-Reply-To,
    /// References, extra headers, MIME-Version, Content-*. A Bcc header is never written.
    public func serialized() throws(MailError) -> Data {
        guard !to.isEmpty else { throw MailError.noRecipients }
        var fields: [String] = []

        var date = HeaderFieldBuilder(name: "Date")
        date.appendRaw(RFC5322Date.format(self.date))
        fields.append(date.field)

        fields.append(Self.addressField("From", [from]))
        fields.append(Self.addressField("To", to))
        if !cc.isEmpty { fields.append(Self.addressField("Cc", cc)) }
        if let replyTo { fields.append(Self.addressField("Reply-To", [replyTo])) }

        try HeaderText.validate(subject, header: "Subject")
        var subjectField = HeaderFieldBuilder(name: "Subject")
        subjectField.appendUnstructured(subject)
        fields.append(subjectField.field)

        fields.append(try Self.idField("Message-ID", [messageID]))
        if let inReplyTo { fields.append(try Self.idField("In-Reply-To", [inReplyTo])) }
        if !references.isEmpty { fields.append(try Self.idField("References", references)) }

        for (name, value) in extraHeaders {
            try HeaderText.validate(name, header: "header name")
            guard HeaderText.isFieldName(name) else {
                throw MailError.invalidHeaderName(name, "a header name is printable ASCII without spaces or colons")
            }
            guard name.utf8.count <= 76 else {
                throw MailError.invalidHeaderName(name, "a header name may be at most 76 characters long")
            }
            let lower = name.lowercased()
            guard !Self.reservedHeaders.contains(lower) && !lower.hasPrefix("content-") else {
                throw MailError.invalidHeaderName(name, "this header is written from the message's own fields")
            }
            try HeaderText.validate(value, header: name)
            var field = HeaderFieldBuilder(name: name)
            // Extra fields may be structured (List-Unsubscribe, Auto-Submitted): ASCII tokens stay as
            // they are unless so long that the line could pass 998 octets.
            field.appendUnstructured(HeaderText.trimmingWSP(value), longestRawWord: 900 - name.utf8.count)
            fields.append(field.field)
        }
        fields.append("MIME-Version: 1.0")
        fields.append(contentsOf: body.headerLines)

        var out = Data()
        for field in fields {
            out.append(contentsOf: field.utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        out.append(contentsOf: [0x0D, 0x0A])
        out.append(body.body)
        try Self.checkWireForm(out)
        return out
    }

    /// The SMTP recipients: To then Cc addresses, each once (compared case-insensitively), in order.
    public var envelopeRecipients: [String] {
        var seen = Set<String>()
        var result: [String] = []
        for address in (to + cc).map(\.address) where seen.insert(address.lowercased()).inserted {
            result.append(address)
        }
        return result
    }

    private static func addressField(_ name: String, _ addresses: [EmailAddress]) -> String {
        var field = HeaderFieldBuilder(name: name)
        for (index, address) in addresses.enumerated() {
            let comma = index < addresses.count - 1 ? "," : ""
            for item in address.phraseItems {
                if item.encode { field.appendEncoded(item.text) } else { field.appendRaw(item.text) }
            }
            field.appendRaw(address.phraseItems.isEmpty ? address.address + comma : "<\(address.address)>\(comma)")
        }
        return field.field
    }

    private static func idField(_ name: String, _ ids: [String]) throws(MailError) -> String {
        var field = HeaderFieldBuilder(name: name)
        for id in ids {
            let bare = id.hasPrefix("<") && id.hasSuffix(">") && id.count > 2 ? String(id.dropFirst().dropLast()) : id
            try MessageID.validate(bare, header: name)
            field.appendRaw("<\(bare)>")
        }
        return field.field
    }

    /// A last check of what SMTP and signatures rely on: 7-bit, CRLF only, lines ≤ 998 octets.
    private static func checkWireForm(_ data: Data) throws(MailError) {
        var lineLength = 0
        var line = 1
        var previous: UInt8 = 0
        for byte in data {
            if byte >= 0x80 { throw MailError.malformedMessage("line \(line) has an 8-bit byte") }
            if byte == 0x0A {
                if previous != 0x0D { throw MailError.malformedMessage("line \(line) ends in a bare LF") }
                lineLength = 0
                line += 1
            } else if previous == 0x0D {
                throw MailError.malformedMessage("line \(line) has a bare CR")
            } else if byte != 0x0D {
                lineLength += 1
                if lineLength > 998 { throw MailError.malformedMessage("line \(line) is longer than 998 octets") }
            }
            previous = byte
        }
    }
}
