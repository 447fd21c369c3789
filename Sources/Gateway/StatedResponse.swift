import Foundation
import Mail
import Registry

/// What a reply states about the vendor's status, read from its text.
///
/// A reply may state its answer on a labelled line (`Status: not-affected`, `影響: なし`), as the answer to a
/// question of our templates (`2. 貴社製品への影響の有無: 影響なし`), or in a sentence of its own (`影響はありません。`),
/// in any text/plain part, else in text/html converted to text; the words are those of `ResponseVocabulary`.
/// Quoted lines (`>`) are not the sender's words.
public enum StatedResponse {
    /// The readable text of the reply: every text/plain part that is not an attachment, else every text/html part
    /// as text; inline PGP armor lines removed.
    public static func text(of message: ParsedMessage) -> String { text(of: message.root) }

    /// The readable text of one entity and its parts, as `text(of:)` reads a whole message.
    static func text(of root: ParsedEntity) -> String {
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
        walk(root)
        // Text read over IMAP has CRLF line ends: one LF each, so no later split sees two breaks.
        return splitLines((plain.isEmpty ? html : plain).joined(separator: "\n")).joined(separator: "\n")
    }

    /// What a reply says about the vendor's status, as read by `reading(of:)`.
    public enum Reading: Equatable, Sendable {
        /// A status, stated on a labelled line (`Status: fixed`, `2. 貴社製品への影響の有無: 影響なし`), as the answer
        /// below a quoted question of ours, or in a sentence of the vendor's own (`影響はありません。`).
        case status(Response, labelled: Bool)
        /// Only that the notice was received (`Received, thanks.`, `受領いたしました。`): short, with no status.
        case acknowledgement
        /// Words of the vendor's own from which no single status can be read (none, or several that disagree).
        case notUnderstood
        /// No words of the vendor's own at all (only quoted text or a signature).
        case empty
    }

    /// How many characters of a reply's text are read for its answer and statement.
    static let readLimit = 64 * 1024

    /// Own words longer than this are never read as a mere acknowledgement: a person should read them.
    static let acknowledgementLength = 400

    /// Reads the reply's own words with `ResponseVocabulary`: labelled lines first (a status label, or a question
    /// of our templates followed by its answer, also the answer on the line after a quoted question), then
    /// sentences of the vendor's own that state one status and are no question or condition (`sentences(of:)`: a
    /// question in one sentence leaves the next one on the same line standing). Quoted lines (`>`),
    /// the signature and the quoted original message below `-----Original Message-----` are not the vendor's words.
    public static func reading(of body: String) -> Reading {
        let lines = ownWordLines(of: body)
        var labelled: [Response] = []
        var free: [Response] = []
        var doubtedLabel = false
        var pendingQuestion = false
        var quotedSinceQuestion = 0
        var words = 0
        // Own lines of one paragraph as the vendor wrote them before its mail client wrapped them: a sentence is
        // read whole, so `not` at the end of one line still denies `affected` at the start of the next.
        var paragraph = ""
        var wrapped = false
        // A sentence about the status that could not be read (words the vocabulary lacks, or a status in a
        // doubt): such a reply is never taken for a mere acknowledgement.
        var unread = false
        func readParagraph() {
            for sentence in sentences(of: paragraph) {
                let found = ResponseVocabulary.responses(in: sentence)
                if !found.hedged { free += found.found }
                if found.unreadStatusWords || found.hedged && found.found.contains(where: { $0 != .acknowledged }) { unread = true }
            }
            paragraph = ""
            wrapped = false
        }
        for line in lines {
            if line.quoted {
                readParagraph()
                let text = ResponseVocabulary.normalized(line.text)
                if ResponseVocabulary.impactQuestions.contains(where: { text.contains($0) }) {
                    pendingQuestion = true
                    quotedSinceQuestion = 0
                } else if pendingQuestion && !text.isEmpty {
                    // The answer follows the question itself: the next question, or more than a wrapped option
                    // list, ends the wait.
                    quotedSinceQuestion += 1
                    if stripNumbering(line.text) != line.text.trimmingCharacters(in: .whitespaces) || quotedSinceQuestion > 2 {
                        pendingQuestion = false
                    }
                }
                continue
            }
            let text = line.text.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { readParagraph(); continue }
            words += text.count
            if pendingQuestion {
                pendingQuestion = false
                let answer = impactAnswer(text, alone: true)
                if let answer { readParagraph(); labelled.append(answer); continue }
            }
            if let (label, value) = labelAndValue(text) {
                readParagraph()
                let found = ResponseVocabulary.responses(in: value)
                if found.hedged && !found.found.isEmpty {
                    // `Status: we cannot confirm that we are not affected`: a doubt, not an answer.
                    doubtedLabel = true
                } else if let response = ResponseVocabulary.single(found.found) {
                    labelled.append(response)
                } else if found.found.isEmpty, ResponseVocabulary.impactQuestions.contains(label) || ResponseVocabulary.impactLabels.contains(label),
                          let answer = impactAnswer(value) {
                    labelled.append(answer)
                } else if found.found.isEmpty, ResponseVocabulary.statusLabels.contains(label),
                          let answer = ResponseVocabulary.statusValues[ResponseVocabulary.normalized(value).trimmingCharacters(in: CharacterSet(charactersIn: " .。!"))] {
                    // `Status: vulnerable`: words that state a status only as the value of a status label.
                    labelled.append(answer)
                }
                continue
            }
            if let answer = statusWordAnswer(text) {
                // `Fixed: no`, `Patched: yes`, `修正済み: いいえ`: the label is the status, the value says whether.
                readParagraph()
                labelled.append(answer)
                continue
            }
            let own = stripNumbering(text)
            // A line that opens with a capital letter starts a sentence of its own.
            if !paragraph.isEmpty && (!wrapped || own.first.map { $0.isASCII && $0.isUppercase } == true) { readParagraph() }
            paragraph += paragraph.isEmpty ? own : (joinsWithoutSpace(paragraph, own) ? "" : " ") + own
            wrapped = isWrapped(line.text)
        }
        readParagraph()
        if var response = ResponseVocabulary.single(labelled) {
            // "2. …: 影響あり" and, under question 3, "8.4.2 で修正済みです": a fix of an affected product is fixed.
            if response == .affected, ResponseVocabulary.single(free) == .fixed { response = .fixed }
            return .status(response, labelled: true)
        }
        if !labelled.isEmpty || doubtedLabel && (ResponseVocabulary.single(free) ?? .acknowledged) == .acknowledged { return .notUnderstood }
        if let response = ResponseVocabulary.single(free) {
            if response == .acknowledged { return words <= acknowledgementLength && !unread ? .acknowledgement : .notUnderstood }
            return .status(response, labelled: false)
        }
        return words == 0 ? .empty : .notUnderstood
    }

    /// The response stated in `body`, if one can be read (`reading(of:)`); an acknowledgement alone is none.
    public static func response(in body: String) -> Response? {
        if case .status(let response, _) = reading(of: body) { return response }
        return nil
    }

    /// The sentences of a line, each with its closing mark (`。`, `！`, `？`, `!`, `?`, or `.` before a space), so that
    /// a question or condition is weighed in its own sentence only; `7.4.2` is no sentence end.
    static func sentences(of line: String) -> [String] {
        var result: [String] = []
        var current = ""
        let characters = Array(line)
        for (index, character) in characters.enumerated() {
            current.append(character)
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            if "。！？!?".contains(character) || character == "." && next.isWhitespace {
                result.append(current)
                current = ""
            }
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { result.append(current) }
        return result
    }

    /// Whether a line of a reply was wrapped by its mail client, its sentence going on in the next line: a soft
    /// break of `format=flowed` (a trailing space), or a long line (40 characters, 20 in Japanese, Chinese or
    /// Korean) that ends with no mark that ends a sentence or a label.
    static func isWrapped(_ line: String) -> Bool {
        if line.hasSuffix(" ") && !line.hasSuffix("-- ") { return true }
        let text = line.trimmingCharacters(in: .whitespaces)
        guard let last = text.last, !".。!！?？:：;；)）」』".contains(last) else { return false }
        // A Japanese sentence ends with its polite form even without 「。」.
        if ["ます", "です", "ません", "ました", "でした", "ください", "でしょうか"].contains(where: text.hasSuffix) { return false }
        let wide = text.unicodeScalars.contains { $0.value >= 0x3000 }
        return text.count >= (wide ? 20 : 40)
    }

    /// A wrapped line of Japanese, Chinese or Korean text goes on with no space between.
    static func joinsWithoutSpace(_ before: String, _ after: String) -> Bool {
        guard let last = before.unicodeScalars.last, let first = after.unicodeScalars.first else { return false }
        return last.value >= 0x3000 && first.value >= 0x3000
    }

    /// The status a line `STATUS: yes|no` states: the status word itself for yes, its opposite for no (not fixed is
    /// affected, not affected is not-affected); nil for any other line.
    static func statusWordAnswer(_ line: String) -> Response? {
        let text = ResponseVocabulary.normalized(stripNumbering(line))
        guard let colon = text.firstIndex(where: { $0 == ":" }) else { return nil }
        let label = text[..<colon].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " .。!"))
        guard label.count <= 20, let status = ResponseVocabulary.single(ResponseVocabulary.responses(in: label).found),
              status != .acknowledged else { return nil }
        if ResponseVocabulary.bareYes.contains(value) || ["はい", "済み", "済"].contains(value) { return status }
        if ResponseVocabulary.bareNo.contains(value) || ["いいえ", "未"].contains(value) {
            return ResponseVocabulary.negatedResponses[status] ?? (status == .notAffected ? .affected : nil)
        }
        return nil
    }

    /// Words with which a yes or no opens courtesy or a promise rather than an answer.
    static let courtesies: Set<String> = ["thanks", "thank", "worries", "worry", "problem", "problems", "received", "receipt",
                                          "check", "will", "look", "looking", "sure", "danke"]

    /// A bare answer to an impact question: a status phrase, or yes / no in one of the vocabulary's languages; on
    /// a line of its own below the question (`alone`), not one whose first sentence is courtesy or a promise
    /// (`Yes, thanks.`, `No worries, we will check`). A doubted one
    /// (`影響がないとは言えません`) is none either.
    static func impactAnswer(_ text: String, alone: Bool = false) -> Response? {
        let value = stripNumbering(text)
        let found = ResponseVocabulary.responses(in: value)
        if found.hedged { return nil }
        if let response = ResponseVocabulary.single(found.found), response != .acknowledged { return response }
        guard found.found.isEmpty else { return nil }
        let tokens = ResponseVocabulary.normalized(value).split(whereSeparator: { " ,.、。:;!".contains($0) })
        if alone {
            // `Yes, versions 2.0 to 2.3.` answers; `Yes, thanks.`, `No worries, we will check` only open with the word.
            let opening = ResponseVocabulary.normalized(sentences(of: value).first ?? value)
                .split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            if opening.contains(where: { Self.courtesies.contains($0) }) { return nil }
        }
        let first = tokens.first.map(String.init) ?? ""
        if ResponseVocabulary.bareNo.contains(first) { return .notAffected }
        if ResponseVocabulary.bareYes.contains(first) { return .affected }
        return nil
    }

    /// `(label, value)` of a line `LABEL: VALUE` whose label is a status label or one of our questions, numbering,
    /// bullets and a parenthesised option list after the label allowed (`2. 貴社製品への影響の有無 (…): 影響なし`).
    static func labelAndValue(_ line: String) -> (String, String)? {
        let text = ResponseVocabulary.normalized(stripNumbering(line))
        guard let colon = text.firstIndex(where: { $0 == ":" || $0 == "=" }) else { return nil }
        var label = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: " ;"))
        if let open = label.firstIndex(of: "("), label.hasSuffix(")") {
            label = String(label[..<open]).trimmingCharacters(in: .whitespaces)
        }
        guard ResponseVocabulary.statusLabels.contains(label) || ResponseVocabulary.impactQuestions.contains(label)
                || ResponseVocabulary.impactLabels.contains(label) else { return nil }
        return (label, String(text[text.index(after: colon)...]))
    }

    /// The line without leading bullets and numbering (`  2. `, `(2)`, `* `, `・`, `②`).
    static func stripNumbering(_ line: String) -> String {
        var text = Substring(line.precomposedStringWithCompatibilityMapping)
        text = text.drop { $0.isWhitespace || "*•・-–".contains($0) }
        let digits = text.prefix { $0.isNumber || $0 == "(" }
        if !digits.isEmpty {
            let rest = text.dropFirst(digits.count)
            if let mark = rest.first, ".)、:".contains(mark) || rest.isEmpty || mark.isWhitespace {
                text = rest.drop { ".)、".contains($0) }
            }
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// A line of the reply: the vendor's own, or quoted (`>`).
    struct Line { let text: String; let quoted: Bool }

    /// The reply's lines up to its signature or the original message it quotes without `>` (Outlook's
    /// `-----Original Message-----`, `From: … Sent: …`, `On … wrote:`), inline PGP armor left out. Line ends are
    /// LF, CRLF or CR, each one break.
    static func ownWordLines(of body: String) -> [Line] {
        var lines: [Line] = []
        var inArmorHeader = false
        // An answer is written at the top; a reply of megabytes is read only that far.
        let all = splitLines(String(body.prefix(readLimit)))
        for (index, line) in all.enumerated() {
            if line.hasPrefix("-- ") || line == "--" || line.hasPrefix("-----BEGIN PGP SIGNATURE") { break }
            if isOriginalMessageMarker(line, next: index + 1 < all.count ? all[index + 1] : "") {
                // Above `>`-quoted text the marker is an attribution (Gmail, Thunderbird): the reply may go on below,
                // answers written between the quoted lines. Only an original quoted without `>` ends the reply.
                if all[(index + 1)...].first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty })?.hasPrefix(">") == true {
                    continue
                }
                break
            }
            if line.hasPrefix("-----BEGIN PGP SIGNED MESSAGE") { inArmorHeader = true; continue }
            if inArmorHeader { if line.isEmpty { inArmorHeader = false }; continue }
            if line.hasPrefix(">") {
                lines.append(Line(text: String(line.drop { $0 == ">" || $0 == " " }), quoted: true))
                continue
            }
            // A line of our own message pasted without a quote mark is quoted all the same (`OurWords`).
            lines.append(Line(text: line, quoted: OurWords.isOurs(line)))
        }
        return lines
    }

    /// `text` split at LF, CRLF or a lone CR, a CRLF being one break (never an extra empty line).
    static func splitLines(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The first line of an original message quoted below the reply without `>`.
    static func isOriginalMessageMarker(_ line: String, next: String) -> Bool {
        let text = line.trimmingCharacters(in: .whitespaces)
        let lower = text.lowercased()
        if lower.range(of: #"^-{2,}\s*(original message|forwarded message|元のメッセージ|原始邮件|原始郵件|원본 메시지|ursprüngliche nachricht)"#,
                       options: .regularExpression) != nil { return true }
        if lower.hasPrefix("on ") && lower.hasSuffix("wrote:") { return true }
        if lower.hasPrefix("am ") && lower.hasSuffix("schrieb:") { return true }
        if text.hasSuffix("さんは書きました:") || text.hasSuffix("wrote:") && text.count < 200 && text.contains("@") { return true }
        // Gmail's attribution in other languages: `… <vuls@…>:`, `… <vuls@…>님이 작성:`, `… <vuls@…> 于…写道：`,
        // `Am … schrieb … <vuls@…>:`.
        if text.count < 200, text.contains("@"),
           text.hasSuffix(">:") || text.hasSuffix(">：") || ["님이 작성:", "写道:", "写道：", "寫道:", "寫道："].contains(where: text.hasSuffix) {
            return true
        }
        let fromLabels = ["from:", "差出人:", "送信者:", "보낸 사람:", "发件人:", "寄件者:", "von:"]
        let sentLabels = ["sent:", "date:", "送信日時:", "보낸 날짜:", "发送时间:", "寄件日期:", "gesendet:"]
        let nextLower = next.trimmingCharacters(in: .whitespaces).lowercased()
        return fromLabels.contains { lower.hasPrefix($0) } && sentLabels.contains { nextLower.hasPrefix($0) }
    }

    /// The reply's own words (quoted lines, armor, signature and the original message below it left out), kept
    /// as the statement, with LF line ends. A NUL is kept visibly as the six characters `\u{0}` (as stored
    /// Message-IDs and subjects keep it): SQLite would otherwise cut the statement there, and the record and its
    /// event would differ.
    public static func statement(in body: String) -> String? {
        let text = ownWordLines(of: body).filter { !$0.quoted }.map(\.text).joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\u{0}", with: "\\u{0}")
        return text.isEmpty ? nil : String(text.prefix(2000))
    }
}
