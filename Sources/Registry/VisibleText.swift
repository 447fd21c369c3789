/// The one rule for showing text from outside to a person, shared by the command line and the desk: every control
/// character (C0 but tab, DEL, C1) and every Unicode format character (general category Cf: bidi embeddings,
/// overrides and isolates such as U+202E and U+2066, U+200E/U+200F, U+061C, zero-width characters, U+FEFF) becomes
/// a visible `\u{…}` (`"a\u{202E}b"` is shown as `a\u{202E}b`), so such text can neither reorder what is shown,
/// hide a character, move a terminal's cursor nor forge a line.
///
/// ```swift
/// VisibleText.visible("Stranger \u{202E} evil")                 // "Stranger \\u{202E} evil"
/// VisibleText.visible("line 1\nline 2", keepingLineBreaks: true) // unchanged
/// ```
public enum VisibleText {
    /// `text` with every character `needsEscape` accepts written as `\u{HEX}` (upper-case hexadecimal). With
    /// `keepingLineBreaks`, LF and a CR right before it are kept (multi-line text shown as lines); tab is always kept.
    public static func visible(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0) }) else { return text }
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            let isLineBreak = scalar == "\n" || (scalar == "\r" && index + 1 < scalars.count && scalars[index + 1] == "\n")
            if needsEscape(scalar) && !(keepingLineBreaks && isLineBreak) {
                output.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// Whether `scalar` is shown as `\u{…}`: a control character but tab (U+0000–U+001F, U+007F–U+009F) or a
    /// format character (general category Cf).
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 { return scalar != "\t" }
        if value < 0x7F { return false }
        return value <= 0x9F || scalar.properties.generalCategory == .format
    }

    /// The first control character of `text` that a form field may not carry — NUL and every C0 control, DEL;
    /// with `multiLine` (a statement, a reason) tab, CR and LF are allowed — or nil.
    public static func forbiddenControl(in text: String, multiLine: Bool = false) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            if multiLine && (scalar == "\t" || scalar == "\n" || scalar == "\r") { return false }
            return scalar.value < 0x20 || scalar.value == 0x7F
        }
    }

    /// `U+0000`: how a refusal names a character.
    public static func name(of scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
