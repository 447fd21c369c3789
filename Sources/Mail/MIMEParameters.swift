import Foundation

/// Writes MIME header fields with parameters (`Content-Type: text/plain; charset=utf-8`),
/// using RFC 2231 for non-ASCII or long values so every line stays short and 7-bit.
enum MIMEParameters {
    /// The longest `name=value` token written in one piece.
    private static let longestParameter = 64
    /// The longest value segment in an RFC 2231 continuation.
    private static let segmentLength = 44

    /// Parameters written without quotes when their value is a token.
    private static let unquotedParameters: Set<String> = ["charset", "micalg", "format", "delsp", "report-type"]

    /// A folded header field `name: value; p1=v1; p2=v2`.
    static func field(_ name: String, _ value: String, _ parameters: [(name: String, value: String)] = []) -> String {
        var builder = HeaderFieldBuilder(name: name)
        let tokens = parameters.flatMap { Self.tokens(name: $0.name, value: $0.value) }
        builder.appendRaw(value + (tokens.isEmpty ? "" : ";"))
        for (index, token) in tokens.enumerated() {
            builder.appendRaw(token + (index < tokens.count - 1 ? ";" : ""))
        }
        return builder.field
    }

    /// The `name=value` tokens for one parameter: one token, or RFC 2231 continuations.
    static func tokens(name: String, value: String) -> [String] {
        let printable = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
        if printable {
            // Bare tokens only where readers expect them; quoted elsewhere, as most mailers write.
            let bare = HeaderText.isToken(value) && unquotedParameters.contains(name.lowercased())
            let rendered = bare ? value : HeaderText.quoted(value)
            if name.utf8.count + 1 + rendered.utf8.count <= longestParameter { return ["\(name)=\(rendered)"] }
            var chunks: [String] = []
            var chunk = ""
            for scalar in value.unicodeScalars {
                chunk.unicodeScalars.append(scalar)
                if chunk.utf8.count >= segmentLength { chunks.append(chunk); chunk = "" }
            }
            if !chunk.isEmpty { chunks.append(chunk) }
            return chunks.enumerated().map { "\(name)*\($0.offset)=\(HeaderText.quoted($0.element))" }
        }
        // RFC 2231 extended value: charset, empty language, percent-encoded UTF-8.
        let units = value.unicodeScalars.map(percentEncoded)
        let whole = units.joined()
        if name.utf8.count + 9 + whole.utf8.count <= longestParameter { return ["\(name)*=utf-8''\(whole)"] }
        var segments: [String] = []
        var segment = ""
        for unit in units {
            if !segment.isEmpty && segment.utf8.count + unit.utf8.count > segmentLength {
                segments.append(segment)
                segment = ""
            }
            segment += unit
        }
        if !segment.isEmpty { segments.append(segment) }
        return segments.enumerated().map { index, text in
            index == 0 ? "\(name)*0*=utf-8''\(text)" : "\(name)*\(index)*=\(text)"
        }
    }

    /// One scalar as RFC 5987 attr-chars or `%XX` per UTF-8 byte; a character is never split.
    private static func percentEncoded(_ scalar: Unicode.Scalar) -> String {
        let safe: Bool
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": safe = true
        default: safe = "!#$&+-.^_`|~".unicodeScalars.contains(scalar)
        }
        if safe { return String(scalar) }
        var out = ""
        for byte in String(scalar).utf8 {
            out += "%"
            out.unicodeScalars.append(Unicode.Scalar(Hex.digits[Int(byte >> 4)]))
            out.unicodeScalars.append(Unicode.Scalar(Hex.digits[Int(byte & 0x0F)]))
        }
        return out
    }
}
