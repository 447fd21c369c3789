import Foundation
import Mail
import Registry

/// What a reply states about the vendor's status, read from its text.
///
/// A reply may state its answer on a line of its own: `Status: not-affected` (also `影響: なし` / `あり` / `調査中`),
/// in any text/plain part, else in text/html converted to text. Quoted lines (`>`) are not the sender's words.
public enum StatedResponse {
    /// The readable text of the reply: every text/plain part that is not an attachment, else every text/html part
    /// as text; inline PGP armor lines removed.
    public static func text(of message: ParsedMessage) -> String {
        var plain: [String] = []
        var html: [String] = []
        func walk(_ entity: ParsedEntity) {
            if entity.contentType.isMultipart {
                // The signature part of multipart/signed and the control part of multipart/encrypted are not text.
                for part in entity.parts { walk(part) }
                return
            }
            guard !entity.isAttachment || entity.contentType.type == "text" && entity.disposition == nil else { return }
            switch entity.contentType.mediaType {
            case "text/plain", "application/pgp":
                if let text = entity.text ?? String(data: entity.decodedBody, encoding: .utf8) { plain.append(text) }
            case "text/html":
                if let text = entity.text { html.append(HTMLText.plainText(text)) }
            default: break
            }
        }
        walk(message.root)
        return (plain.isEmpty ? html : plain).joined(separator: "\n")
    }

    /// The response stated on a line of its own, if any.
    public static func response(in body: String) -> Response? {
        for line in body.split(whereSeparator: \.isNewline) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix(">") { continue }
            let lower = text.lowercased()
            if lower.hasPrefix("status:") || lower.hasPrefix("status：") {
                let value = lower.dropFirst("status:".count).trimmingCharacters(in: .whitespaces)
                    .replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: "_", with: "-")
                let word = String(value.prefix { $0.isLetter || $0 == "-" })
                if let response = Response(rawValue: word), response != .none { return response }
            }
            if text.hasPrefix("影響:") || text.hasPrefix("影響：") {
                let value = text.dropFirst(3).trimmingCharacters(in: .whitespaces)
                if value.hasPrefix("なし") { return .notAffected }
                if value.hasPrefix("あり") { return .affected }
                if value.hasPrefix("調査中") { return .investigating }
            }
        }
        return nil
    }

    /// The reply's own words (quoted lines, armor and signature left out), kept as the statement.
    public static func statement(in body: String) -> String? {
        var lines: [String] = []
        var inArmorHeader = false
        for line in body.components(separatedBy: .newlines) {
            if line.hasPrefix("-- ") || line == "--" || line.hasPrefix("-----BEGIN PGP SIGNATURE") { break }
            if line.hasPrefix("-----BEGIN PGP SIGNED MESSAGE") { inArmorHeader = true; continue }
            if inArmorHeader { if line.isEmpty { inArmorHeader = false }; continue }
            if line.hasPrefix(">") { continue }
            lines.append(line)
        }
        let text = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : String(text.prefix(2000))
    }
}
