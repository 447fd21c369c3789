import Foundation

/// Builds one header field, folding it at whitespace so lines stay within 76 characters
/// (RFC 5322 asks for 78 at most), and writing non-ASCII text as RFC 2047 encoded words
/// sized to the room left on each line.
struct HeaderFieldBuilder {
    static let lineLimit = 76

    private var lines: [String] = []
    private var current: String
    private var tokensOnLine = 0

    init(name: String) { current = name + ":" }

    /// The folded field: lines joined by CRLF, without a final CRLF.
    var field: String { (lines + [current]).joined(separator: "\r\n") }

    /// Appends an unbreakable ASCII token after `separator` (non-empty whitespace), folding before
    /// the separator when the token does not fit on the current line.
    mutating func appendRaw(_ token: String, separator: String = " ") {
        if tokensOnLine > 0,
           current.utf8.count + separator.utf8.count + token.utf8.count > Self.lineLimit {
            fold()
        }
        current += separator + token
        tokensOnLine += 1
    }

    /// Appends `text` as a chain of encoded words; each word fills the room left on its line.
    mutating func appendEncoded(_ text: String, separator: String = " ") {
        var remaining = Array(text.unicodeScalars)[...]
        var sep = separator
        while !remaining.isEmpty {
            var room = min(EncodedWord.maximumLength, Self.lineLimit - current.utf8.count - sep.utf8.count)
            var count = room > 0 ? EncodedWord.fittingCount(remaining, maxLength: room) : 0
            if count == 0 && tokensOnLine > 0 {
                fold()
                room = min(EncodedWord.maximumLength, Self.lineLimit - sep.utf8.count)
                count = EncodedWord.fittingCount(remaining, maxLength: room)
            }
            count = max(1, count)
            current += sep + EncodedWord.encode(remaining.prefix(count))
            tokensOnLine += 1
            remaining = remaining.dropFirst(count)
            // Whitespace between encoded words is not part of the text (RFC 2047 §6.2).
            sep = " "
        }
    }

    /// Appends unstructured text (RFC 5322 §3.2.5): ASCII words stay readable, runs of words that
    /// need it (non-ASCII, looking like an encoded word, too long to fold, or leading/trailing
    /// whitespace that parsers would drop) become encoded words. Unfolding and decoding give back
    /// exactly `text`.
    /// `longestRawWord` is lower for Subject (keep lines short) than for other fields, where a long
    /// token such as a URL must stay readable to programs.
    mutating func appendUnstructured(_ text: String, longestRawWord: Int = UnstructuredText.longestRawWord) {
        for item in UnstructuredText.items(text, longestRawWord: longestRawWord) {
            if item.encode {
                appendEncoded(item.text, separator: item.separator)
            } else {
                appendRaw(item.text, separator: item.separator)
            }
        }
    }

    private mutating func fold() {
        lines.append(current)
        current = ""
        tokensOnLine = 0
    }
}

/// Splits unstructured header text into words that stay as they are and runs to encode.
enum UnstructuredText {
    struct Item: Equatable {
        var separator: String
        var text: String
        var encode: Bool
    }

    /// The longest word kept unencoded: it fits on a folded line after the longest usual header name.
    static let longestRawWord = 62
    /// The longest whitespace run used as a fold point.
    static let longestSeparator = 8

    static func items(_ text: String, longestRawWord: Int = longestRawWord) -> [Item] {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { return [] }
        // Alternate whitespace runs and words: words[i] is preceded by spaces[i].
        var spaces: [String] = []
        var words: [String] = []
        var index = 0
        var trailing = ""
        while index < scalars.count {
            var space = String.UnicodeScalarView()
            while index < scalars.count, HeaderText.isWSP(scalars[index]) { space.append(scalars[index]); index += 1 }
            var word = String.UnicodeScalarView()
            while index < scalars.count, !HeaderText.isWSP(scalars[index]) { word.append(scalars[index]); index += 1 }
            if word.isEmpty {
                trailing = String(space)
            } else {
                spaces.append(String(space))
                words.append(String(word))
            }
        }
        if words.isEmpty { return [Item(separator: " ", text: text, encode: true)] }

        var needsEncoding = words.map { word in
            !HeaderText.isASCII(word) || word.contains("=?") || word.utf8.count > longestRawWord
        }
        if !spaces[0].isEmpty { needsEncoding[0] = true }
        if !trailing.isEmpty { needsEncoding[words.count - 1] = true }
        // A long whitespace run cannot be a fold point (the folded line would be too long),
        // so it goes inside the encoded text of the words around it.
        for i in 1..<max(1, words.count) where spaces[i].utf8.count > longestSeparator {
            needsEncoding[i - 1] = true
            needsEncoding[i] = true
        }
        var items: [Item] = []
        for (i, word) in words.enumerated() {
            let isFirst = i == 0, isLast = i == words.count - 1
            let leading = isFirst ? spaces[0] : ""
            let tail = isLast ? trailing : ""
            if needsEncoding[i], !isFirst, needsEncoding[i - 1] {
                items[items.count - 1].text += spaces[i] + word + tail
            } else {
                items.append(Item(separator: isFirst ? " " : spaces[i], text: leading + word + tail,
                                  encode: needsEncoding[i]))
            }
        }
        return items
    }
}
