import Foundation

/// The copy of the original message inside a delivery report, and the report's own text around it.
enum ReturnedMessage {
    static let partTypes: Set<String> = ["message/rfc822", "message/global", "text/rfc822-headers",
                                         "message/rfc822-headers", "message/global-headers", "message/partial"]

    /// Lines after which mail systems paste the returned message or its headers (lowercased, contained).
    static let markers = [
        "below this line is a copy of the message", "this is a copy of the message", "copy of the message",
        "original message headers", "original message follows", "returned message", "original message",
        "headers of the original message", "header of the original message", "message headers follow",
        "unsent message below", "undelivered message", "rfc822 headers",
        "message header follows", "your message reads", "the headers of your message", "original-message",
        "included is your original", "message text follows", "--- the header of the original",
        "元のメッセージ", "以下、元のメッセージ", "送信したメッセージ", "original header",
    ]

    /// The header fields of the returned message: from a `message/rfc822` or `text/rfc822-headers` part at
    /// any depth, else from the first header block after a marker line in the report's text.
    static func find(in message: ParsedMessage) -> HeaderBlock? {
        func search(_ entity: ParsedEntity, depth: Int) -> ParsedEntity? {
            if depth > 0, partTypes.contains(entity.contentType.mediaType) { return entity }
            guard depth < 4 else { return nil }
            for part in entity.parts { if let found = search(part, depth: depth + 1) { return found } }
            return nil
        }
        if let part = search(message.root, depth: 0) {
            let bytes = Array(part.decodedBody)
            let block = HeaderBlock.parse(bytes, in: 0..<bytes.count)
            if !block.fields.isEmpty { return block }
        }
        for part in textParts(message.root) {
            let bytes = Array(part.decodedBody)
            if let block = headersAfterMarker(bytes) { return block }
        }
        return nil
    }

    /// The text parts of the report itself (not the returned copy), at any depth.
    static func textParts(_ root: ParsedEntity) -> [ParsedEntity] {
        var found: [ParsedEntity] = []
        func walk(_ entity: ParsedEntity, depth: Int) {
            if entity.contentType.isMultipart {
                if entity.parts.isEmpty { found.append(entity); return }
                if depth < 4 { for part in entity.parts { walk(part, depth: depth + 1) } }
                return
            }
            if partTypes.contains(entity.contentType.mediaType) { return }
            if entity.contentType.type == "text" || DeliveryStatusReport.statusTypes.contains(entity.contentType.mediaType) {
                found.append(entity)
            }
        }
        walk(root, depth: 0)
        return found
    }

    /// All readable text of the report, each part cut at its returned-message marker; HTML converted to text.
    static func reportText(of message: ParsedMessage) -> String {
        var pieces: [String] = []
        let parts = textParts(message.root)
        let hasPlain = parts.contains { $0.contentType.subtype == "plain" }
        for part in parts {
            if part.contentType.subtype == "html" && hasPlain { continue }
            guard var text = part.text ?? Charset.decode(part.decodedBody, charset: part.contentType.charset ?? "us-ascii")
                ?? String(data: part.decodedBody, encoding: .isoLatin1) else { continue }
            if part.contentType.subtype == "html" { text = HTMLText.plainText(text) }
            pieces.append(cutAtMarker(text))
        }
        return pieces.joined(separator: "\n")
    }

    /// `text` up to the marker line that introduces the returned message.
    static func cutAtMarker(_ text: String) -> String {
        var offset = text.startIndex
        var lineCount = 0
        while offset < text.endIndex {
            let end = text[offset...].firstIndex(where: \.isNewline) ?? text.endIndex
            let line = text[offset..<end].lowercased()
            if lineCount > 0, isMarker(line) { return String(text[..<offset]) }
            lineCount += 1
            offset = end < text.endIndex ? text.index(after: end) : end
        }
        return text
    }

    static func isMarker(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.count < 100, markers.contains(where: { trimmed.contains($0) }) else { return false }
        // A sentence that mentions the original message ("The original message was received at …") is not a marker.
        let framed = trimmed.first.map { "-=*[<_#".contains($0) } ?? false
        return framed || trimmed.hasSuffix(":") || trimmed.hasSuffix("-") || trimmed.hasSuffix(".") && trimmed.count < 60
            || trimmed.count < 40
    }

    /// The first header block (at least two fields) after a marker line.
    static func headersAfterMarker(_ bytes: [UInt8]) -> HeaderBlock? {
        var lineStart = 0
        var afterMarker = false
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let next = min(lineEnd + 1, bytes.count)
            let line = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
            if !afterMarker {
                if isMarker(line.lowercased()) { afterMarker = true }
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                let candidate = HeaderBlock.parse(bytes, in: lineStart..<bytes.count)
                if candidate.fields.count >= 2 || candidate.fields.contains(where: { $0.name.lowercased() == "message-id" }) {
                    return candidate
                }
            }
            lineStart = next
        }
        // No marker: a Message-ID line anywhere in the body still names the returned message.
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline) where line.lowercased().hasPrefix("message-id:") {
            var block = HeaderBlock(bodyStart: bytes.count)
            block.fields = [("Message-ID", String(line.dropFirst("message-id:".count)).trimmingCharacters(in: .whitespaces))]
            return block
        }
        return nil
    }
}
