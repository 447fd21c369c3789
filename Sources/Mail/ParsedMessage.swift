import Foundation

/// A received message (a reply, an auto-reply, a bounce), parsed tolerantly.
///
/// ```swift
/// let reply = try ParsedMessage(bytes: data)
/// if let bounce = reply.deliveryStatus { … } else if !reply.isAutomatic { match(reply.inReplyTo + reply.references) }
/// ```
public struct ParsedMessage: Sendable {
    /// The top-level entity: the message's headers and body.
    public let root: ParsedEntity

    /// Parses `bytes` (LF or CRLF line ends, optionally an mbox `From ` line first).
    /// Throws `malformedMessage` only when there is no header field at all.
    public init(bytes: Data) throws(MailError) {
        let array = [UInt8](bytes)
        let root = ParsedEntity(bytes: array, range: 0..<array.count)
        guard !root.headerFields.isEmpty else {
            throw MailError.malformedMessage(array.isEmpty ? "it is empty" : "it has no header fields")
        }
        self.root = root
    }

    /// The first field named `name` (case-insensitive), unfolded, not decoded.
    public func header(_ name: String) -> String? { root.header(name) }

    /// Every field named `name`, in order.
    public func headers(_ name: String) -> [String] { root.headers(name) }

    /// The first field named `name` with RFC 2047 encoded words decoded.
    public func decodedHeader(_ name: String) -> String? { root.decodedHeader(name) }

    /// The sender, when the From field holds a valid address.
    public var from: EmailAddress? {
        guard let value = header("From") else { return nil }
        if let address = try? EmailAddress(parsing: value) { return address }
        // A display name that decodes to control characters: keep the address.
        return (try? AddressSyntax.parseMailbox(value)).flatMap { try? EmailAddress(address: $0.address) }
    }

    /// The To recipients that parse as valid addresses.
    public var to: [EmailAddress] { addresses("To") }
    /// The Cc recipients that parse as valid addresses.
    public var cc: [EmailAddress] { addresses("Cc") }

    /// The valid addresses in every field named `name` (`Delivered-To`, `X-Original-To`, `Cc`, …).
    public func addresses(_ name: String) -> [EmailAddress] {
        headers(name).flatMap(AddressSyntax.splitList).compactMap { try? EmailAddress(parsing: $0) }
    }

    /// The subject, decoded.
    public var subject: String? { decodedHeader("Subject") }

    /// The Message-ID without angle brackets.
    public var messageID: String? { header("Message-ID").flatMap { MessageID.parseList($0).first } }

    /// The ids in In-Reply-To, without angle brackets.
    public var inReplyTo: [String] { header("In-Reply-To").map(MessageID.parseList) ?? [] }

    /// The ids in References, without angle brackets, oldest first.
    public var references: [String] { headers("References").flatMap(MessageID.parseList) }

    /// The Date field, when it parses.
    public var date: Date? { header("Date").flatMap(RFC5322Date.parse) }

    /// The first text/plain part that is not an attachment (else the first text part), decoded.
    public var bodyText: String? {
        func find(_ entity: ParsedEntity, subtype: String?) -> ParsedEntity? {
            if entity.contentType.isMultipart {
                for part in entity.parts { if let found = find(part, subtype: subtype) { return found } }
                return nil
            }
            guard entity.contentType.type == "text", !entity.isAttachment else { return nil }
            return subtype == nil || entity.contentType.subtype == subtype ? entity : nil
        }
        return (find(root, subtype: "plain") ?? find(root, subtype: nil))?.text
    }

    /// Inline PGP in any text part of the message.
    public var inlinePGP: InlinePGPKind? {
        func search(_ entity: ParsedEntity) -> InlinePGPKind? {
            if let kind = entity.inlinePGP { return kind }
            for part in entity.parts { if let kind = search(part) { return kind } }
            return nil
        }
        return search(root)
    }

    /// The delivery status notification (RFC 3464) when this is a `multipart/report` bounce.
    public var deliveryStatus: DeliveryStatusReport? { DeliveryStatusReport(root) }
}
