import Foundation

/// HTML mail as plain text: tags dropped, block elements as line breaks, entities decoded.
public enum HTMLText {
    /// The text of `html`, one line per paragraph, `<br>`, `<div>`, `<li>` or table row; each line inside a
    /// `<blockquote>` starts with `> ` per level, as a quoted line of plain text mail does.
    public static func plainText(_ html: String) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count)
        var quoteDepth = 0
        /// Appends visible text, starting a line inside a quote with its `> ` marks.
        func emit(_ text: String) {
            if quoteDepth > 0, out.isEmpty || out.hasSuffix("\n"), text.contains(where: { !$0.isWhitespace }) {
                out += String(repeating: "> ", count: quoteDepth)
            }
            out += text
        }
        var index = html.startIndex
        let blockTags: Set<String> = ["p", "/p", "br", "br/", "div", "/div", "li", "tr", "/tr", "h1", "h2", "h3", "h4",
                                      "/h1", "/h2", "/h3", "/h4", "blockquote", "/blockquote", "pre", "/pre", "table", "/table"]
        var skipping: String?
        while index < html.endIndex {
            let character = html[index]
            if character == "<", let close = html[index...].firstIndex(of: ">") {
                let inner = html[html.index(after: index)..<close].lowercased()
                let name = String(inner.prefix { !$0.isWhitespace && $0 != ">" })
                if let tag = skipping {
                    if name == "/" + tag { skipping = nil }
                } else if name == "style" || name == "script" || name == "head" || name == "title" {
                    skipping = name
                } else if blockTags.contains(name) || blockTags.contains(name.replacingOccurrences(of: "/", with: "")) && name.hasSuffix("/") {
                    if !out.hasSuffix("\n") { out += "\n" }
                    if name == "blockquote" { quoteDepth += 1 } else if name == "/blockquote" { quoteDepth = max(0, quoteDepth - 1) }
                }
                index = html.index(after: close)
                continue
            }
            if skipping == nil {
                if character == "&", let semicolon = html[index...].prefix(10).firstIndex(of: ";") {
                    let entity = String(html[html.index(after: index)..<semicolon])
                    if let decoded = decodeEntity(entity) {
                        emit(decoded)
                        index = html.index(after: semicolon)
                        continue
                    }
                }
                if character == "\r\n" || character == "\n" || character == "\r" { out += " " } else { emit(String(character)) }
            }
            index = html.index(after: index)
        }
        return out.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
    }

    private static func decodeEntity(_ entity: String) -> String? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        case "nbsp": return " "
        default:
            if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let value = UInt32(entity.dropFirst(2), radix: 16),
               let scalar = Unicode.Scalar(value) { return String(scalar) }
            if entity.hasPrefix("#"), let value = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(value) {
                return String(scalar)
            }
            return nil
        }
    }
}
