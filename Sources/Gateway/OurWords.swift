import Foundation
import Registry

/// Lines of our own messages that come back in a reply without a quote mark: a notice pasted below the answer by a
/// ticket system (Zendesk's history, Lotus Notes), a mail client that quotes without `>`, or a vendor restating our
/// questions. They are our words, never the vendor's answer: our question 3 ("if affected, your plan (fixed
/// versions …)") or the reminder's "… products are affected." read as a statement would put words in the vendor's
/// mouth.
///
/// The lines are those of the templates shipped with Liaison (`ShippedTemplates`), each the literal text between
/// its `{{…}}` tags, compared after `ResponseVocabulary.normalized` (NFKC, lower case, runs of white space as one):
/// a reply's line is ours when it holds those texts in order, from its start and to its end where the template's
/// line starts or ends with text. Lines of fewer than twelve characters of text (`--`, `Case:`) are left out:
/// a vendor writes such lines too.
enum OurWords {
    /// One template line: its literal texts in order, and whether it starts and ends with one.
    struct Pattern: Sendable {
        let parts: [String]
        let anchoredStart: Bool
        let anchoredEnd: Bool

        func matches(_ line: String) -> Bool {
            var rest = Substring(line)
            for (index, part) in parts.enumerated() {
                if index == 0 && anchoredStart {
                    guard rest.hasPrefix(part) else { return false }
                    rest = rest.dropFirst(part.count)
                    continue
                }
                guard let range = rest.range(of: part) else { return false }
                rest = rest[range.upperBound...]
            }
            return !anchoredEnd || rest.isEmpty
        }
    }

    /// The fewest characters of literal text a template line needs to be recognised.
    static let minimumText = 12

    static let patterns: [Pattern] = {
        var result: [Pattern] = []
        var seen = Set<[String]>()
        for (_, text) in ShippedTemplates.files.sorted(by: { $0.key < $1.key }) {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // The front matter (`---` … `---`) holds the subject, not body lines.
            if lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") { lines = Array(lines[(end + 1)...]) }
            for line in lines {
                guard let pattern = pattern(of: line), seen.insert(pattern.parts).inserted else { continue }
                result.append(pattern)
            }
        }
        return result
    }()

    static func pattern(of templateLine: String) -> Pattern? {
        let trimmed = templateLine.trimmingCharacters(in: .whitespaces)
        var parts: [String] = []
        var rest = Substring(trimmed)
        while let open = rest.range(of: "{{") {
            parts.append(String(rest[..<open.lowerBound]))
            guard let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else { return nil }
            rest = rest[close.upperBound...]
        }
        parts.append(String(rest))
        let anchoredStart = !(parts.first?.trimmingCharacters(in: .whitespaces).isEmpty ?? true)
        let anchoredEnd = !(parts.last?.trimmingCharacters(in: .whitespaces).isEmpty ?? true)
        let normalized = parts.map(ResponseVocabulary.normalized).filter { !$0.isEmpty }
        guard normalized.map(\.count).reduce(0, +) >= minimumText else { return nil }
        return Pattern(parts: normalized, anchoredStart: anchoredStart, anchoredEnd: anchoredEnd)
    }

    /// Whether a line of a reply (not quoted with `>`) is a line of our own messages.
    static func isOurs(_ line: String) -> Bool {
        let text = ResponseVocabulary.normalized(line)
        guard text.count >= minimumText else { return false }
        return patterns.contains { $0.matches(text) }
    }
}
