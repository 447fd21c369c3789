import Foundation

/// Header values sent as raw 8-bit bytes without RFC 2047 (Shift_JIS, Big5, EUC-KR, GBK from webmail and older
/// clients), decoded as a mail client does: in the charset of the message's text, else in the East Asian charset
/// the bytes read best in. Decoding before the value is parsed also keeps a Shift_JIS character whose second byte
/// is 0x5C (`表`, `ソ`, `能`) from reading as a backslash that escapes the closing quote of a display name.
enum RawHeaderText {
    /// `fields` with each value in `raw` (index → bytes as received, not valid UTF-8) decoded in `hint`, else by
    /// detection; a value no charset reads stays as read (Latin-1, byte for byte).
    static func decoded(_ fields: [(name: String, value: String)], raw: [Int: [UInt8]], hint: String?) -> [(name: String, value: String)] {
        var result = fields
        for (index, bytes) in raw {
            let data = Data(bytes)
            var text: String?
            if let hint, !["us-ascii", "ascii", "utf-8", "utf8"].contains(hint.lowercased()) {
                text = Charset.decode(data, charset: hint)
            }
            if text == nil { text = detect(data) }
            if let text { result[index].value = HeaderText.trimmingWSP(text) }
        }
        return result
    }

    /// The East Asian charset `data` reads best in: Shift_JIS when it gives kana, EUC-KR when it gives common
    /// Hangul, else GBK or Big5, whichever gives more ideographs and fewer symbols that text rarely holds (the two
    /// are told apart only by that; the body's charset, when given, decides first).
    static func detect(_ data: Data) -> String? {
        // East Asian text comes in byte pairs; high bytes standing alone between ASCII are Western text (Latin-1),
        // which stays as read.
        let bytes = [UInt8](data)
        let high = bytes.indices.filter { bytes[$0] >= 0x80 }
        let alone = high.filter { ($0 == 0 || bytes[$0 - 1] < 0x80) && ($0 + 1 == bytes.count || bytes[$0 + 1] < 0x80) }
        guard alone.count * 2 < high.count else { return nil }
        var best: (text: String, score: Int)?
        for charset in ["shift_jis", "euc-kr", "gbk", "big5"] {
            guard let text = Charset.decode(data, charset: charset) else { continue }
            let score = text.unicodeScalars.reduce(0) { $0 + weight($1, charset: charset) }
            if best == nil || score > best!.score { best = (text, score) }
        }
        return best.flatMap { $0.score > 0 ? $0.text : nil }
    }

    /// Syllables frequent in Korean text; Chinese bytes read as EUC-KR give syllables that are mostly not among them.
    static let commonHangul = Set("이다는의에을를하고서가지기한니습것로으도사어해수정보대자시리일인나부전제아요신안녕세영향없음있취약점회답장조확드립"
                                  + "문주원구소내용위상과만게되면들적성연결방법경우관련발생업데이트버전합했었입까계속분석검토중완료됨받않귀사당님께감")

    private static func weight(_ scalar: Unicode.Scalar, charset: String) -> Int {
        switch scalar.value {
        case 0x00...0x7F: return 0
        case 0x3040...0x30FF: return charset == "shift_jis" ? 3 : -2                 // kana
        case 0xAC00...0xD7A3:                                                          // Hangul: the common syllables
            return charset == "euc-kr" && commonHangul.contains(Character(scalar)) ? 3 : -1
        case 0x4E00...0x9FFF: return charset == "euc-kr" ? -1 : 1                    // ideographs (rare in Korean)
        case 0x3000...0x303F, 0xFF01...0xFF5E: return 1                               // CJK and full-width punctuation
        case 0xFF61...0xFF9F, 0xE000...0xF8FF, 0x2500...0x257F, 0x3100...0x312F, 0x0370...0x04FF, 0xFFFD: return -3
        default: return -1
        }
    }
}
