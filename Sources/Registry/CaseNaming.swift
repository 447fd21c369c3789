import Foundation

/// Whether a text written by someone else names a case id or one of our tracking references, as a whole token:
/// `VU#123456` is not named by `JVNVU#12345678`, nor `JVNVU#1234567` by `JVNVU#12345678`.
///
/// ```swift
/// CaseNaming.text("https://jvn.jp/vu/JVNVU12345678/", names: "JVNVU#12345678")   // true
/// CaseNaming.text("JVNVU#12345678", names: "VU#123456")                           // false
/// ```
public enum CaseNaming {
    /// Whether `text` names `id` (ASCII letters compared without case), with no letter, digit, `#` or `-` right
    /// before or after it. A JVN id is also named without its `#`, as jvn.jp writes it in its addresses
    /// (`JVNVU12345678` for `JVNVU#12345678`).
    public static func text(_ text: String, names id: String) -> Bool {
        let haystack = folded(text)
        return forms(of: id).contains { contains(haystack, $0) }
    }

    /// Whether `text` names any of `ids`.
    public static func text(_ text: String, namesAnyOf ids: [String]) -> Bool {
        let haystack = folded(text)
        return ids.contains { id in forms(of: id).contains { contains(haystack, $0) } }
    }

    /// Those of `ids` that `text` names, in their order (the text folded once, for a registry's many cases).
    public static func ids(_ ids: [String], namedIn text: String) -> [String] {
        let haystack = folded(text)
        return ids.filter { id in forms(of: id).contains { contains(haystack, $0) } }
    }

    /// The ways `id` may be written: itself, and for a JVN id (`JVNVU#…`, `JVN#…`) the same without `#`.
    static func forms(of id: String) -> [[Unicode.Scalar]] {
        let written = folded(id.trimmingCharacters(in: .whitespacesAndNewlines))
        guard !written.isEmpty else { return [] }
        var forms = [written]
        if written.starts(with: Array("JVN".unicodeScalars)), written.contains("#") {
            forms.append(written.filter { $0 != "#" })
        }
        return forms
    }

    private static func contains(_ haystack: [Unicode.Scalar], _ needle: [Unicode.Scalar]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start] == needle[0], haystack[start..<start + needle.count].elementsEqual(needle),
               start == 0 || isBoundary(haystack[start - 1]),
               start + needle.count == haystack.count || isBoundary(haystack[start + needle.count]) {
                return true
            }
            start += 1
        }
        return false
    }

    /// A character that may stand next to an id: not a letter, digit, combining mark, `#` or `-`. Japanese,
    /// Chinese and Korean text runs on without spaces (`JVNVU#12345678について`): next to an id written in ASCII, a
    /// character beyond ASCII is a boundary.
    private static func isBoundary(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "#" || scalar == "-" { return false }
        if !scalar.isASCII && scalar.properties.generalCategory != .nonspacingMark { return true }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType != nil { return false }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return false
        default: return true
        }
    }

    /// The text's scalars with ASCII letters upper-cased (other letters as written, so positions stay put).
    private static func folded(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.map { ("a"..."z").contains($0) ? Unicode.Scalar($0.value - 32)! : $0 }
    }
}
