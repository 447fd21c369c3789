import Foundation

/// RFC 2047 encoded words: `=?UTF-8?B?…?=` for non-ASCII header text, and their decoding.
public enum EncodedWord {
    /// The longest encoded word RFC 2047 allows.
    public static let maximumLength = 75
    private static let prefix = "=?UTF-8?B?"
    private static let overhead = 12 // "=?UTF-8?B?" + "?="

    /// The length of the encoded word holding `byteCount` UTF-8 bytes.
    static func encodedLength(byteCount: Int) -> Int { overhead + (byteCount + 2) / 3 * 4 }

    /// One encoded word for `scalars` (the caller keeps it within `maximumLength`).
    static func encode<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return prefix + Data(String(view).utf8).base64EncodedString() + "?="
    }

    /// How many leading scalars of `scalars` fit in one encoded word of at most `maxLength` characters.
    /// Counting whole scalars means a UTF-8 character is never split between two words.
    static func fittingCount(_ scalars: ArraySlice<Unicode.Scalar>, maxLength: Int) -> Int {
        var bytes = 0
        var count = 0
        for scalar in scalars {
            let next = bytes + String(scalar).utf8.count
            if encodedLength(byteCount: next) > maxLength { break }
            bytes = next
            count += 1
        }
        return count
    }

    /// `text` as a chain of encoded words of at most `maxLength` characters each.
    public static func encode(_ text: String, maxLength: Int = maximumLength) -> [String] {
        var remaining = Array(text.unicodeScalars)[...]
        var words: [String] = []
        while !remaining.isEmpty {
            let count = max(1, fittingCount(remaining, maxLength: maxLength))
            words.append(encode(remaining.prefix(count)))
            remaining = remaining.dropFirst(count)
        }
        return words
    }

    /// `text` with its encoded words decoded (B and Q; UTF-8, ISO-2022-JP, Shift_JIS, EUC-JP,
    /// ISO-8859-1 and more). Whitespace between adjacent encoded words is dropped as RFC 2047
    /// requires; adjacent words in the same charset are joined before decoding, so a character
    /// split between words by a careless encoder still decodes. Undecodable words stay as they are.
    public static func decode(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        let scalars = Array(text.unicodeScalars)
        var segments: [Segment] = []
        var literal = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "=", index + 1 < scalars.count, scalars[index + 1] == "?",
               let (word, end) = parseWord(scalars, at: index) {
                if !literal.isEmpty { segments.append(.text(String(literal))); literal = .init() }
                segments.append(word)
                index = end
            } else {
                literal.append(scalars[index])
                index += 1
            }
        }
        if !literal.isEmpty { segments.append(.text(String(literal))) }
        return render(segments)
    }

    private enum Segment {
        case text(String)
        case word(charset: String, bytes: Data, original: String)
    }

    /// Parses `=?charset?E?text?=` at `start`; returns the word and the index after it.
    private static func parseWord(_ s: [Unicode.Scalar], at start: Int) -> (Segment, Int)? {
        var index = start + 2
        var charset = ""
        while index < s.count, s[index] != "?" {
            guard HeaderText.isTokenChar(s[index]) || s[index] == "*", charset.count < 64 else { return nil }
            charset.unicodeScalars.append(s[index])
            index += 1
        }
        guard !charset.isEmpty, index + 2 < s.count, s[index + 2] == "?" else { return nil }
        let encoding = s[index + 1]
        index += 3
        var payload: [UInt8] = []
        while index + 1 < s.count, !(s[index] == "?" && s[index + 1] == "=") {
            guard s[index].isASCII, !HeaderText.isWSP(s[index]) else { return nil }
            payload.append(UInt8(s[index].value))
            index += 1
        }
        guard index + 1 < s.count else { return nil }
        let end = index + 2
        let bytes: Data
        switch encoding {
        case "B", "b": bytes = Base64Lines.decode(payload)
        case "Q", "q": bytes = decodeQ(payload)
        default: return nil
        }
        var original = String.UnicodeScalarView()
        original.append(contentsOf: s[start..<end])
        return (.word(charset: charset.lowercased(), bytes: bytes, original: String(original)), end)
    }

    private static func decodeQ(_ payload: [UInt8]) -> Data {
        var out = Data()
        var index = 0
        while index < payload.count {
            let byte = payload[index]
            if byte == UInt8(ascii: "_") {
                out.append(0x20)
                index += 1
            } else if byte == UInt8(ascii: "="), index + 2 < payload.count,
                      let value = Hex.pair(payload[index + 1], payload[index + 2]) {
                out.append(value)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    private static func render(_ segments: [Segment]) -> String {
        // Drop whitespace (and folding line breaks) between two encoded words.
        var kept: [Segment] = []
        for (i, segment) in segments.enumerated() {
            if case .text(let text) = segment, i > 0, i < segments.count - 1,
               text.unicodeScalars.allSatisfy({ HeaderText.isWSP($0) || $0 == "\r" || $0 == "\n" }),
               case .word = segments[i - 1], case .word = segments[i + 1] {
                continue
            }
            kept.append(segment)
        }
        var out = ""
        var pendingCharset: String?
        var pendingBytes = Data()
        var pendingOriginal = ""
        func flush() {
            guard let charset = pendingCharset else { return }
            out += Charset.decode(pendingBytes, charset: charset) ?? pendingOriginal
            pendingCharset = nil
            pendingBytes = Data()
            pendingOriginal = ""
        }
        for segment in kept {
            switch segment {
            case .text(let text):
                flush()
                out += text
            case .word(let charset, let bytes, let original):
                if pendingCharset != charset { flush() }
                pendingCharset = charset
                pendingBytes.append(bytes)
                pendingOriginal += original
            }
        }
        flush()
        return out
    }
}
