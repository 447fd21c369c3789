import Foundation

/// Character classes of RFC 5322 and RFC 2045, and the checks every header value passes.
enum HeaderText {
    /// Control characters that must never reach a header: C0 (except tab), DEL and C1.
    /// A CR or LF would start a new header line; the others confuse parsers and terminals.
    static func isForbiddenControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (v < 0x20 && v != 0x09) || (v >= 0x7F && v <= 0x9F)
    }

    static func containsForbiddenControl(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isForbiddenControl)
    }

    /// Throws `headerInjection` naming `header` when `value` holds a forbidden control character.
    static func validate(_ value: String, header: String) throws(MailError) {
        if containsForbiddenControl(value) { throw MailError.headerInjection(in: header, value: value) }
    }

    static func isWSP(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

    static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    /// RFC 5322 atext: the characters of an atom.
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        default: return "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
        }
    }

    /// RFC 2045 token characters (no tspecials, no space, no controls).
    static func isTokenChar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value > 0x20 && scalar.value < 0x7F && !"()<>@,;:\\\"/[]?=".unicodeScalars.contains(scalar)
    }

    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy(isTokenChar)
    }

    /// RFC 5322 field name: printable ASCII except colon.
    static func isFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value >= 33 && $0.value <= 126 && $0 != ":" }
    }

    /// A quoted-string with backslash escapes for `"` and `\`.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { out.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }

    /// The text with control characters shown as `\u{…}`, safe to print in an error message.
    static func visible(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if isForbiddenControl(scalar) || scalar == "\t" {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Trims spaces and tabs at both ends (by scalar, so a combining mark after a space is kept).
    static func trimmingWSP(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !isWSP($0) }),
              let end = scalars.lastIndex(where: { !isWSP($0) }) else { return "" }
        return String(scalars[start...end])
    }
}
