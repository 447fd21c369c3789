import Foundation

/// Decodes bytes in the charsets mail of the region actually uses, through glibc's iconv.
///
/// UTF-8/UTF-16 and US-ASCII are read by Swift; everything else (ISO-2022-JP with the Windows extensions,
/// Shift_JIS/CP932, EUC-JP, GB2312/GBK/GB18030, Big5, EUC-KR, ISO-8859-x, Windows-125x, KOI8-R, …) by iconv.
enum Charset {
    /// `data` decoded as `name` (an IANA charset name, case-insensitive); nil when the bytes are invalid in
    /// that charset, or the charset is unknown and the bytes are not UTF-8.
    static func decode(_ data: Data, charset name: String?) -> String? {
        let charset = normalized(name ?? "us-ascii")
        switch charset {
        case "utf-8", "utf8", "unicode-1-1-utf-8":
            return String(data: data, encoding: .utf8)
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "":
            // Mail labelled ASCII often carries UTF-8 or Latin-1; prefer a lossless reading.
            return String(data: data, encoding: .utf8) ?? IconvConverter.decode(data, from: "WINDOWS-1252")
                ?? String(data: data, encoding: .isoLatin1)
        case "iso-2022-jp", "csiso2022jp", "iso-2022-jp-1", "iso-2022-jp-2", "iso-2022-jp-3", "iso-2022-jp-2004",
             "iso-2022-jp-ms", "cp50220", "cp50221", "cp50222", "x-cp50220", "x-cp50221":
            return decodeISO2022JP(data)
        case "utf-16": return String(data: data, encoding: .utf16)
        case "utf-16be": return String(data: data, encoding: .utf16BigEndian)
        case "utf-16le": return String(data: data, encoding: .utf16LittleEndian)
        default:
            let candidates = iconvNames(for: charset)
            for candidate in candidates {
                if let text = IconvConverter.decode(data, from: candidate) { return text }
            }
            // An unknown label on bytes that are plain UTF-8 (often "unknown-8bit", "x-user-defined").
            if !IconvConverter.knows(candidates[0]) { return String(data: data, encoding: .utf8) }
            return nil
        }
    }

    /// The iconv names to try for an IANA label, widest first: a mailer that labels CP932 text
    /// `Shift_JIS`, or GBK text `GB2312`, is the rule rather than the exception.
    static func iconvNames(for charset: String) -> [String] {
        switch charset {
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "cp932", "ms932",
             "x-ms-cp932", "csWindows31J".lowercased():
            return ["CP932", "SHIFT_JIS"]
        case "euc-jp", "eucjp", "x-euc-jp", "cseucpkdfmtjapanese", "ujis", "x-eucjp", "eucjp-ms", "euc-jp-ms":
            return ["EUC-JP-MS", "EUC-JP"]
        case "gb2312", "csgb2312", "euc-cn", "x-euc-cn", "gbk", "cp936", "ms936", "windows-936", "x-gbk", "gb_2312-80",
             "chinese":
            return ["GB18030", "GBK"]
        case "gb18030": return ["GB18030"]
        case "big5", "csbig5", "x-x-big5", "cn-big5", "big-5", "cp950", "x-big5": return ["CP950", "BIG5", "BIG5-HKSCS"]
        case "big5-hkscs": return ["BIG5-HKSCS"]
        case "euc-kr", "cseuckr", "ks_c_5601-1987", "ks_c_5601", "ksc5601", "cp949", "uhc", "windows-949", "x-windows-949":
            return ["CP949", "EUC-KR"]
        case "iso-2022-kr": return ["ISO-2022-KR"]
        case "iso-2022-cn": return ["ISO-2022-CN"]
        case "koi8-r", "koi8r": return ["KOI8-R"]
        case "koi8-u": return ["KOI8-U"]
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "iso-ir-100":
            // Windows-1252 is a superset in practice (RFC 5322 mail labelled Latin-1 carries its quotes).
            return ["WINDOWS-1252", "ISO-8859-1"]
        default:
            if charset.hasPrefix("cp125") { return ["WINDOWS-" + charset.dropFirst(2)] }
            if charset.hasPrefix("x-cp125") { return ["WINDOWS-" + charset.dropFirst(4)] }
            return [charset.uppercased()]
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

    /// ISO-2022-JP and its Windows extensions (NEC row 13 such as ①, ㈱; IBM extensions; half-width katakana),
    /// which glibc's ISO-2022-JP refuses: the JIS code points are turned into their CP932 bytes (the same
    /// characters, moved by the fixed JIS→Shift_JIS arithmetic) and CP932 is decoded by iconv.
    static func decodeISO2022JP(_ data: Data) -> String? {
        let bytes = [UInt8](data)
        if bytes.allSatisfy({ $0 < 0x80 && $0 != 0x1B }) { return String(decoding: bytes, as: UTF8.self) }
        enum Mode { case ascii, doubleByte, katakana }
        var mode = Mode.ascii
        var sjis: [UInt8] = []
        sjis.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x1B {
                guard index + 2 < bytes.count else { return nil }
                let (a, b) = (bytes[index + 1], bytes[index + 2])
                switch (a, b) {
                case (0x28, 0x42), (0x28, 0x4A), (0x28, 0x48): mode = .ascii; index += 3
                case (0x28, 0x49): mode = .katakana; index += 3
                case (0x24, 0x40), (0x24, 0x42): mode = .doubleByte; index += 3
                case (0x24, 0x28):
                    // ESC $ ( D (JIS X 0212) or ESC $ ( Q (JIS X 0213): read as JIS X 0208 where they overlap.
                    guard index + 3 < bytes.count else { return nil }
                    mode = .doubleByte; index += 4
                default: return nil
                }
                continue
            }
            if byte == 0x0E { mode = .katakana; index += 1; continue }
            if byte == 0x0F { mode = .ascii; index += 1; continue }
            switch mode {
            case .ascii:
                sjis.append(byte)
                index += 1
            case .katakana:
                if byte == 0x0A || byte == 0x0D { sjis.append(byte) } else { sjis.append(byte | 0x80) }
                index += 1
            case .doubleByte:
                if byte == 0x0A || byte == 0x0D { sjis.append(byte); index += 1; continue }
                guard index + 1 < bytes.count else { return nil }
                let (j1, j2) = (bytes[index], bytes[index + 1])
                guard (0x21...0x7E).contains(j1), (0x21...0x7E).contains(j2) else { return nil }
                let s1 = UInt8((Int(j1) + 1) / 2 + (j1 <= 0x5E ? 0x70 : 0xB0))
                let s2 = j1 % 2 == 1 ? UInt8(Int(j2) + (j2 <= 0x5F ? 0x1F : 0x20)) : UInt8(Int(j2) + 0x7E)
                sjis.append(s1)
                sjis.append(s2)
                index += 2
            }
        }
        return IconvConverter.decode(Data(sjis), from: "CP932")
    }

    /// EUC-JP (with the NEC and IBM extensions where iconv knows them).
    static func decodeEUCJP(_ bytes: [UInt8]) -> String? { decode(Data(bytes), charset: "euc-jp") }
}
