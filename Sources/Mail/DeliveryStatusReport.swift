import Foundation

/// A delivery status notification (RFC 3464): which recipients failed or were delayed, and why.
public struct DeliveryStatusReport: Sendable {
    /// One recipient's delivery status.
    public struct Recipient: Sendable, Equatable {
        /// The recipient address (`Final-Recipient`, without its `rfc822;` type).
        public let finalRecipient: String
        /// `Original-Recipient` when given, without its type.
        public let originalRecipient: String?
        /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`, lowercased.
        public let action: String
        /// The enhanced status code, such as `5.1.1`.
        public let status: String
        /// The remote server's reply, without its `smtp;` type.
        public let diagnosticCode: String?
        /// The server that reported the status, without its `dns;` type.
        public let remoteMTA: String?

        public init(finalRecipient: String, originalRecipient: String? = nil, action: String, status: String,
                    diagnosticCode: String? = nil, remoteMTA: String? = nil) {
            self.finalRecipient = finalRecipient
            self.originalRecipient = originalRecipient
            self.action = action
            self.status = status
            self.diagnosticCode = diagnosticCode
            self.remoteMTA = remoteMTA
        }

        /// Delivery failed for good: `Action: failed`, whatever the status class (the queue gave up).
        public var isPermanentFailure: Bool { action == "failed" }
    }

    /// The per-recipient statuses, in order.
    public let recipients: [Recipient]
    /// The Message-ID (without brackets) of the message that bounced, from the returned
    /// `message/rfc822` or `text/rfc822-headers` part, else from an `X-Original-Message-ID` field.
    public var originalMessageID: String? { originalMessageIDs.first }
    /// Every Message-ID the report gives for the message that bounced.
    public let originalMessageIDs: [String]
    /// `Reporting-MTA`, without its `dns;` type.
    public let reportingMTA: String?

    static let statusTypes: Set<String> = ["message/delivery-status", "message/global-delivery-status"]

    /// The first `message/delivery-status` part at any depth (Exchange nests reports in `multipart/mixed`).
    static func find(in root: ParsedEntity) -> DeliveryStatusReport? {
        func search(_ entity: ParsedEntity, depth: Int) -> ParsedEntity? {
            if statusTypes.contains(entity.contentType.mediaType) { return entity }
            guard depth < 4 else { return nil }
            for part in entity.parts { if let found = search(part, depth: depth + 1) { return found } }
            return nil
        }
        guard let part = search(root, depth: 0) else { return nil }
        return DeliveryStatusReport(statusPart: part, root: root)
    }

    init?(_ root: ParsedEntity) {
        guard root.contentType.mediaType == "multipart/report" else { return nil }
        if let reportType = root.contentType.parameters["report-type"]?.lowercased(),
           reportType != "delivery-status" { return nil }
        guard let statusPart = root.parts.first(where: { Self.statusTypes.contains($0.contentType.mediaType) }) else { return nil }
        self.init(statusPart: statusPart, root: root)
    }

    private init(statusPart: ParsedEntity, root: ParsedEntity) {
        let blocks = Self.fieldBlocks(Array(statusPart.decodedBody))
        var recipients: [Recipient] = []
        var reportingMTA: String?
        var ids: [String] = []
        for block in blocks {
            func field(_ name: String) -> String? {
                block.first { $0.name.lowercased() == name }.map { EncodedWord.decode($0.value) }
            }
            if let mta = field("reporting-mta") { reportingMTA = Self.withoutType(mta) }
            for (name, value) in block where name.lowercased() == "x-original-message-id" {
                ids += MessageID.parseList(value)
            }
            guard let final = field("final-recipient") ?? field("original-recipient") else { continue }
            let status = field("status").map { String(HeaderText.trimmingWSP($0).prefix { !$0.isWhitespace && $0 != "(" }) } ?? ""
            recipients.append(Recipient(
                finalRecipient: Self.address(Self.withoutType(final)),
                originalRecipient: field("original-recipient").map { Self.address(Self.withoutType($0)) },
                action: HeaderText.trimmingWSP(field("action") ?? "").lowercased(),
                status: status,
                diagnosticCode: field("diagnostic-code").map { Self.collapsingWhitespace(Self.withoutType($0)) },
                remoteMTA: field("remote-mta").map(Self.withoutType)))
        }
        self.recipients = recipients
        self.reportingMTA = reportingMTA

        let returnedTypes: Set<String> = ["message/rfc822", "message/global", "text/rfc822-headers",
                                          "message/rfc822-headers", "message/global-headers"]
        if let part = root.parts.first(where: { returnedTypes.contains($0.contentType.mediaType) }) {
            let bytes = Array(part.decodedBody)
            let headers = HeaderBlock.parse(bytes, in: 0..<bytes.count)
            if let id = headers.fields.first(where: { $0.name.lowercased() == "message-id" }).flatMap({ MessageID.parseList($0.value).first }) {
                ids.insert(id, at: 0)
            }
        }
        originalMessageIDs = ids
    }

    /// The blocks of fields of a `message/delivery-status` body, separated by blank lines.
    private static func fieldBlocks(_ bytes: [UInt8]) -> [[(name: String, value: String)]] {
        var blocks: [[(name: String, value: String)]] = []
        var start = 0
        while start < bytes.count {
            let block = HeaderBlock.parse(bytes, in: start..<bytes.count)
            if !block.fields.isEmpty { blocks.append(block.fields) }
            // Always move forward, even past a line that is not a field.
            if block.bodyStart > start {
                start = block.bodyStart
            } else {
                start = (bytes[start...].firstIndex(of: 0x0A) ?? bytes.count - 1) + 1
            }
        }
        return blocks
    }

    /// `rfc822; a@b` → `a@b`.
    private static func withoutType(_ value: String) -> String {
        guard let semicolon = value.firstIndex(of: ";") else { return HeaderText.trimmingWSP(value) }
        return HeaderText.trimmingWSP(String(value[value.index(after: semicolon)...]))
    }

    /// Folded text as one line with single spaces.
    private static func collapsingWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// `<a@b>` → `a@b`.
    private static func address(_ value: String) -> String {
        var text = HeaderText.trimmingWSP(value)
        if let open = text.firstIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            text = String(text[text.index(after: open)..<close])
        }
        return text
    }
}
