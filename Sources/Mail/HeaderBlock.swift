import Foundation

/// Splits raw bytes into header fields and the start of the body, tolerantly: LF or CRLF,
/// folded lines, a missing blank line, an mbox `From ` line, 8-bit bytes in values.
struct HeaderBlock {
    var fields: [(name: String, value: String)] = []
    /// The bytes of each field (by index in `fields`) that is not valid UTF-8, as received: `fields` holds them as
    /// Latin-1 until `RawHeaderText` decodes them in the message's charset.
    var raw: [Int: [UInt8]] = [:]
    /// Index of the first body byte (after the blank line), or the end of the range.
    var bodyStart: Int

    /// `skipsMboxLine`: a first line `From …` is an mbox separator (only at the top of a message).
    static func parse(_ bytes: [UInt8], in range: Range<Int>, skipsMboxLine: Bool = false) -> HeaderBlock {
        var block = HeaderBlock(bodyStart: range.upperBound)
        var name: String?
        var value: [UInt8] = []
        func flush() {
            if let name {
                if String(data: Data(value), encoding: .utf8) == nil { block.raw[block.fields.count] = value }
                block.fields.append((name, decodeValue(value)))
            }
            name = nil
            value.removeAll(keepingCapacity: true)
        }
        var lineStart = range.lowerBound
        var isFirstLine = true
        while lineStart < range.upperBound {
            var lineEnd = lineStart
            while lineEnd < range.upperBound && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd < range.upperBound ? lineEnd + 1 : range.upperBound
            var contentEnd = lineEnd
            if contentEnd > lineStart && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            defer { isFirstLine = false }
            if contentEnd == lineStart {
                // The blank line ending the header section.
                flush()
                block.bodyStart = next
                return block
            }
            let first = bytes[lineStart]
            if (first == 0x20 || first == 0x09) && name != nil {
                // Continuation line: unfolding removes only the line break (RFC 5322 §2.2.3).
                value.append(contentsOf: bytes[lineStart..<contentEnd])
            } else if let colon = bytes[lineStart..<contentEnd].firstIndex(of: UInt8(ascii: ":")),
                      let fieldName = fieldName(bytes[lineStart..<colon]) {
                flush()
                name = fieldName
                value.append(contentsOf: bytes[(colon + 1)..<contentEnd])
            } else if skipsMboxLine && isFirstLine && bytes[lineStart..<contentEnd].starts(with: Array("From ".utf8)) {
                // An mbox separator line: not part of the message.
            } else if first == 0x20 || first == 0x09 {
                // Whitespace before any field: skip it.
            } else {
                // Not a header line: the body begins here although no blank line came first.
                flush()
                block.bodyStart = lineStart
                return block
            }
            lineStart = next
        }
        flush()
        return block
    }

    /// A field name, tolerating whitespace before the colon (`Subject :`); nil when not a name.
    private static func fieldName(_ bytes: ArraySlice<UInt8>) -> String? {
        var slice = bytes
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        guard !slice.isEmpty, slice.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else { return nil }
        return String(decoding: slice, as: UTF8.self)
    }

    /// A value as text: UTF-8 when valid (RFC 6532), else Latin-1 so no byte is lost; trimmed.
    static func decodeValue(_ bytes: [UInt8]) -> String {
        let text = String(data: Data(bytes), encoding: .utf8) ?? String(data: Data(bytes), encoding: .isoLatin1) ?? ""
        return HeaderText.trimmingWSP(text)
    }
}
