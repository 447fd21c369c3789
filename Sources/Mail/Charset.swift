import Foundation

/// Decodes bytes in the charsets Japanese and Western mail actually uses.
enum Charset {
    /// `data` decoded as `name` (an IANA charset name, case-insensitive); nil when the charset is
    /// unknown and the bytes are not UTF-8, or when the bytes are invalid in that charset.
    static func decode(_ data: Data, charset name: String?) -> String? {
        let charset = normalized(name ?? "us-ascii")
        switch charset {
        case "utf-8", "utf8", "unicode-1-1-utf-8":
            return String(data: data, encoding: .utf8)
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us":
            // Mail labelled ASCII often carries UTF-8 or Latin-1; prefer a lossless reading.
            return String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1)
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "iso-ir-100":
            return String(data: data, encoding: .isoLatin1)
        case "windows-1252", "cp1252", "x-cp1252":
            return String(data: data, encoding: .windowsCP1252)
        case "iso-2022-jp", "csiso2022jp", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3", "iso-2022-jp-2004":
            return decodeISO2022JP(data)
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "cp932",
             "ms932", "x-ms-cp932":
            return String(data: data, encoding: .shiftJIS)
        case "euc-jp", "eucjp", "x-euc-jp", "cseucpkdfmtjapanese", "ujis", "x-eucjp":
            return decodeEUCJP(Array(data))
        case "utf-16": return String(data: data, encoding: .utf16)
        case "utf-16be": return String(data: data, encoding: .utf16BigEndian)
        case "utf-16le": return String(data: data, encoding: .utf16LittleEndian)
        default:
            return String(data: data, encoding: .utf8)
        }
    }

    private static func normalized(_ name: String) -> String {
        var text = HeaderText.trimmingWSP(name).lowercased()
        if text.hasPrefix("\"") && text.hasSuffix("\"") && text.count >= 2 {
            text = String(text.dropFirst().dropLast())
        }
        // RFC 2231 allows a language after the charset: "utf-8*ja".
        if let star = text.firstIndex(of: "*") { text = String(text[..<star]) }
        return text
    }

    /// ISO-2022-JP; pure ASCII needs no conversion.
    private static func decodeISO2022JP(_ data: Data) -> String? {
        if data.allSatisfy({ $0 < 0x80 && $0 != 0x1B }) { return String(data: data, encoding: .ascii) }
        return String(data: data, encoding: .iso2022JP)
    }

    /// EUC-JP, which Foundation on Linux cannot decode: JIS X 0208 runs are re-expressed as
    /// ISO-2022-JP (the same code points, high bit cleared), half-width katakana mapped directly.
    static func decodeEUCJP(_ bytes: [UInt8]) -> String? {
        var out = ""
        var index = 0
        var run: [UInt8] = []
        func flushRun() -> Bool {
            guard !run.isEmpty else { return true }
            let jis = [0x1B, 0x24, 0x42] + run + [0x1B, 0x28, 0x42]
            guard let decoded = String(data: Data(jis), encoding: .iso2022JP) else { return false }
            out += decoded
            run.removeAll()
            return true
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                guard flushRun() else { return nil }
                out.unicodeScalars.append(Unicode.Scalar(byte))
                index += 1
            } else if byte >= 0xA1 && byte <= 0xFE {
                guard index + 1 < bytes.count, bytes[index + 1] >= 0xA1, bytes[index + 1] <= 0xFE else { return nil }
                run.append(byte & 0x7F)
                run.append(bytes[index + 1] & 0x7F)
                index += 2
            } else if byte == 0x8E {
                // SS2: half-width katakana 0xA1…0xDF → U+FF61…U+FF9F.
                guard flushRun(), index + 1 < bytes.count, bytes[index + 1] >= 0xA1, bytes[index + 1] <= 0xDF,
                      let scalar = Unicode.Scalar(0xFF61 + UInt32(bytes[index + 1] - 0xA1)) else { return nil }
                out.unicodeScalars.append(scalar)
                index += 2
            } else if byte == 0x8F {
                // SS3: JIS X 0212, which Foundation cannot map; keep the text readable around it.
                guard flushRun(), index + 2 < bytes.count else { return nil }
                out.unicodeScalars.append("\u{FFFD}")
                index += 3
            } else {
                return nil
            }
        }
        guard flushRun() else { return nil }
        return out
    }
}
