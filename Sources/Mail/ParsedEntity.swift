import Foundation

/// A MIME entity read from received bytes, with its exact source bytes kept for signature checks.
public struct ParsedEntity: Sendable {
    /// Header fields in order, values unfolded and trimmed but not decoded.
    public let headerFields: [(name: String, value: String)]
    /// The content type; `text/plain; charset=us-ascii` when absent or unreadable.
    public let contentType: ContentType
    /// The whole message's bytes, shared by every entity of it (one buffer, not a copy per level of nesting:
    /// memory stays in proportion to the message however deep its parts are).
    private let source: [UInt8]
    /// Where this entity lies in `source`: headers, blank line, body.
    public let range: Range<Int>
    /// Where its body starts in `source`.
    private let bodyStart: Int

    /// The exact bytes of this entity in the source: headers, blank line, body (copied on each use).
    public var rawBytes: Data { Data(source[range]) }
    /// The body bytes as in the source, transfer encoding not undone (copied on each use).
    public var body: Data { Data(source[bodyStart..<range.upperBound]) }
    /// The parts of a multipart entity, split exactly on the boundary; empty otherwise.
    public let parts: [ParsedEntity]

    /// Nesting deeper than this is not split further, so hostile input cannot exhaust the stack.
    static let maximumDepth = 32

    init(bytes: [UInt8], range: Range<Int>, depth: Int = 0, defaultType: ContentType = .textPlain) {
        let block = HeaderBlock.parse(bytes, in: range, skipsMboxLine: depth == 0)
        source = bytes
        self.range = range
        bodyStart = block.bodyStart
        let declared = block.fields.first { $0.name.lowercased() == "content-type" }.flatMap { ContentType(headerValue: $0.value) }
        contentType = declared ?? defaultType
        if contentType.isMultipart, let boundary = contentType.boundary, !boundary.isEmpty, depth < Self.maximumDepth {
            let childDefault: ContentType = contentType.subtype == "digest" ? .messageRFC822 : .textPlain
            var ranges = Multipart.split(bytes, range: block.bodyStart..<range.upperBound, boundary: boundary)
            if ranges.isEmpty, let found = Multipart.guessBoundary(bytes, range: block.bodyStart..<range.upperBound) {
                // The declared boundary never occurs (a relay rewrote one of them): use the delimiter the body has.
                ranges = Multipart.split(bytes, range: block.bodyStart..<range.upperBound, boundary: found)
            }
            parts = ranges.map { ParsedEntity(bytes: bytes, range: $0, depth: depth + 1, defaultType: childDefault) }
        } else {
            parts = []
        }
        headerFields = block.raw.isEmpty ? block.fields
            : RawHeaderText.decoded(block.fields, raw: block.raw, hint: Self.textCharset(contentType, parts: parts))
    }

    /// The charset of the text: this entity's when it is text, else that of its first text part.
    private static func textCharset(_ type: ContentType, parts: [ParsedEntity]) -> String? {
        if type.type == "text" { return type.charset }
        for part in parts {
            if let charset = textCharset(part.contentType, parts: part.parts) { return charset }
        }
        return nil
    }

    /// The first field named `name` (case-insensitive), unfolded, not decoded.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headerFields.first { $0.name.lowercased() == lower }?.value
    }

    /// Every field named `name`, in order.
    public func headers(_ name: String) -> [String] {
        let lower = name.lowercased()
        return headerFields.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    /// The first field named `name` with RFC 2047 encoded words (or raw ISO-2022-JP) decoded.
    public func decodedHeader(_ name: String) -> String? {
        header(name).map(Self.decodeHeaderValue)
    }

    static func decodeHeaderValue(_ value: String) -> String {
        // Some Japanese mailers send ISO-2022-JP in headers without encoded words.
        if value.unicodeScalars.contains("\u{1B}"), let text = Charset.decode(Data(value.utf8), charset: "iso-2022-jp") {
            return EncodedWord.decode(text)
        }
        return EncodedWord.decode(value)
    }

    /// `Content-Transfer-Encoding`, lowercased; `7bit` when absent.
    public var transferEncoding: String {
        header("Content-Transfer-Encoding").map { HeaderText.trimmingWSP($0).lowercased() } ?? "7bit"
    }

    /// The body with its transfer encoding (base64, quoted-printable) undone.
    public var decodedBody: Data {
        switch transferEncoding {
        case "base64": return Base64Lines.decode(source[bodyStart..<range.upperBound])
        case "quoted-printable": return QuotedPrintable.decode(source[bodyStart..<range.upperBound])
        default: return body
        }
    }

    /// The decoded body as text in its charset (UTF-8, ISO-2022-JP, Shift_JIS, EUC-JP, ISO-8859-1,
    /// US-ASCII, …); nil for a multipart, or when the bytes are not valid in that charset.
    public var text: String? {
        guard !contentType.isMultipart else { return nil }
        if contentType.type == "text" || contentType.charset != nil {
            return Charset.decode(decodedBody, charset: contentType.charset)
        }
        return String(data: decodedBody, encoding: .utf8)
    }

    /// Whether this is a text part whose bytes are not valid in its declared charset (nor any charset iconv
    /// knows by that name): `text` is nil and the raw bytes in `body` are all there is.
    public var isUndecodable: Bool {
        !contentType.isMultipart && contentType.type == "text" && text == nil
    }

    /// `inline` or `attachment` from `Content-Disposition`, lowercased.
    public var disposition: String? {
        header("Content-Disposition").map { MIMEHeaderValue($0).value.lowercased() }
    }

    /// The file name from `Content-Disposition` `filename` or `Content-Type` `name`, decoded
    /// (RFC 2231, and RFC 2047 words that many mailers put there).
    public var filename: String? {
        let fromDisposition = header("Content-Disposition").flatMap { MIMEHeaderValue($0).parameters["filename"] }
        guard let name = fromDisposition ?? contentType.parameters["name"] else { return nil }
        let decoded = HeaderText.trimmingWSP(EncodedWord.decode(name))
        return decoded.isEmpty ? nil : decoded
    }

    /// Whether this is an attachment rather than a displayed body part.
    public var isAttachment: Bool { disposition == "attachment" || (disposition == nil && filename != nil && contentType.type != "text") }

    /// `rawBytes` with LF line ends turned into CRLF: the canonical form a PGP/MIME signature covers
    /// when the message was stored with LF line ends.
    public func canonicalized() -> Data { LineEndings.crlf(rawBytes) }

    /// For `multipart/signed`: the signed content and the signature part.
    public var signedParts: (content: ParsedEntity, signature: ParsedEntity)? {
        guard contentType.mediaType == "multipart/signed", parts.count == 2 else { return nil }
        return (parts[0], parts[1])
    }

    /// The message inside a `message/rfc822` (or `message/global`) entity.
    public var embeddedMessage: ParsedMessage? {
        guard contentType.mediaType == "message/rfc822" || contentType.mediaType == "message/global" else { return nil }
        return try? ParsedMessage(bytes: decodedBody)
    }

    /// Inline PGP in this entity's text: a clearsigned or an encrypted armor block at a line start.
    public var inlinePGP: InlinePGPKind? {
        guard let text = contentType.type == "text" ? text : nil else { return nil }
        return InlinePGPKind.detect(in: text)
    }
}

/// Splitting a multipart body on its boundary (RFC 2046 §5.1.1).
enum Multipart {
    /// The boundary of the first line that looks like a delimiter (`--` then a token) and occurs again.
    static func guessBoundary(_ bytes: [UInt8], range: Range<Int>) -> String? {
        var lineStart = range.lowerBound
        while lineStart < range.upperBound {
            var lineEnd = lineStart
            while lineEnd < range.upperBound && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var contentEnd = lineEnd
            while contentEnd > lineStart, bytes[contentEnd - 1] == 0x0D || bytes[contentEnd - 1] == 0x20 { contentEnd -= 1 }
            if contentEnd - lineStart > 3, bytes[lineStart] == 0x2D, bytes[lineStart + 1] == 0x2D, bytes[lineStart + 2] != 0x2D,
               bytes[lineStart..<contentEnd].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                let candidate = String(decoding: bytes[(lineStart + 2)..<contentEnd], as: UTF8.self)
                if split(bytes, range: range, boundary: candidate).count >= 1 { return candidate }
            }
            lineStart = lineEnd < range.upperBound ? lineEnd + 1 : range.upperBound
        }
        return nil
    }

    /// The byte ranges of the parts. The line break before a delimiter belongs to the delimiter;
    /// preamble and epilogue are dropped; a missing close delimiter ends the last part at the end.
    static func split(_ bytes: [UInt8], range: Range<Int>, boundary: String) -> [Range<Int>] {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Range<Int>] = []
        var partStart: Int?
        var lineStart = range.lowerBound
        while lineStart < range.upperBound {
            var lineEnd = lineStart
            while lineEnd < range.upperBound && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd < range.upperBound ? lineEnd + 1 : range.upperBound
            if lineEnd - lineStart >= delimiter.count,
               bytes[lineStart..<(lineStart + delimiter.count)].elementsEqual(delimiter) {
                var rest = bytes[(lineStart + delimiter.count)..<lineEnd]
                while let last = rest.last, last == 0x0D || last == 0x20 || last == 0x09 { rest = rest.dropLast() }
                let isClose = rest.elementsEqual([0x2D, 0x2D])
                if rest.isEmpty || isClose {
                    if let start = partStart {
                        var end = lineStart
                        if end > start && bytes[end - 1] == 0x0A {
                            end -= 1
                            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
                        }
                        parts.append(start..<end)
                    }
                    if isClose { return parts }
                    partStart = next
                }
            }
            lineStart = next
        }
        if let start = partStart { parts.append(start..<range.upperBound) }
        return parts
    }
}
