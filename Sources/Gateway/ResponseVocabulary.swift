import Foundation
import Registry

/// The words in which vendors state their status, in one table: the labels of a status line, the questions of the
/// shipped templates (`vendor-initial`, `reminder`) in each shipped language, the status phrases in Japanese,
/// English, Korean, Chinese (simplified and traditional) and German, and the words that make a sentence a
/// question or a condition rather than a statement.
///
/// Every phrase is written in its normalised form (`ResponseVocabulary.normalized`: NFKC, lowercase, `-` and `_`
/// as spaces, runs of spaces as one). A negated phrase is listed as a phrase of its own; the longest phrase is
/// matched first and masks the shorter ones inside it, so 「影響はありません」 is never read as 「影響あり」 and
/// "not affected" never as "affected".
///
/// ```swift
/// ResponseVocabulary.responses(in: "2. 貴社製品への影響の有無: 影響なし").found   // [.notAffected]
/// ```
public enum ResponseVocabulary {
    /// What a phrase means: a response, or nothing (`neutral`: words of our own questions, masked so they are not
    /// read as an answer).
    enum Meaning: Equatable, Sendable {
        case response(Response)
        case neutral
    }

    /// The status phrases. Order does not matter: they are matched longest first.
    static let phrases: [(String, Meaning)] = {
        var table: [(String, Meaning)] = []
        func add(_ response: Response?, _ words: [String]) {
            table += words.map { (normalized($0), response.map(Meaning.response) ?? .neutral) }
        }
        // Our own questions and their option lists (vendor-initial, reminder), when a vendor restates them.
        add(nil, ["(影響あり / 影響なし / 調査中)", "影響あり / 影響なし / 調査中", "影響がある場合", "影響の有無",
                  "(affected / not affected / investigating)", "affected / not affected / investigating",
                  "whether your products are affected", "if affected", "may be affected", "may affect",
                  "影響する可能性", "影響を受ける可能性",
                  // Question 3 (the plan), when its answer follows on the same line.
                  "影響がある場合、対策の予定", "対策の予定", "(修正版の提供時期、回避策など)", "修正版の提供時期",
                  "if affected, your plan", "(fixed versions and their dates, workarounds)", "fixed versions and their dates"])
        // Japanese.
        add(.notAffected, ["影響なし", "影響無し", "影響はなし", "影響はありません", "影響はございません", "影響ありません",
                           "影響がありません", "影響はない", "影響がない", "影響しません", "影響を受けません", "影響を受けない",
                           "影響は受けません", "該当しません", "該当しない", "該当せず", "該当なし", "該当無し", "非該当",
                           "対象外", "脆弱性はありません", "問題ありません", "影響を受けることはありません", "影響を受けることはございません",
                           "該当する製品はありません", "該当製品はありません", "該当するものはありません", "該当する製品はございません",
                           "影響を受けておりません", "影響を受けていません", "影響は受けておりません", "該当いたしません", "該当致しません",
                           "該当製品はございません", "影響を受ける可能性はありません", "影響を受ける可能性はございません",
                           "影響する可能性はありません", "影響する可能性はございません"])
        add(.affected, ["影響あり", "影響有り", "影響があります", "影響がございます", "影響を受けます", "影響します",
                        "該当します", "該当あり", "該当する", "脆弱です", "未修正", "修正されていません", "修正予定", "修正する予定",
                        "影響があること", "影響を受けること", "影響を受けております", "影響を受けています", "修正済みではありません",
                        "修正済みではない", "修正されておりません"])
        add(.fixed, ["対応済み", "対応済", "修正済み", "修正済", "修正しました", "修正いたしました", "修正版を公開",
                     "修正版をリリース", "対策済み", "対策済", "解決済み", "対処済み", "対処済", "修正を完了", "修正完了", "対策を完了",
                     "対策完了", "修正版を公開しました", "修正版をリリースしました"])
        add(.investigating, ["調査中", "確認中", "検証中", "調査しております", "調査しています", "調査いたします",
                             "確認しております", "確認しています", "調査を進めております", "調査を進めています", "確認を進めております",
                             "確認を進めています", "検討中", "精査中", "調査を開始"])
        add(.acknowledged, ["受領しました", "受領いたしました", "受領致しました", "受け取りました", "拝受しました", "拝受いたしました",
                            "受領確認", "ご連絡ありがとうございます", "ご連絡いただきありがとうございます"])
        // English.
        add(.notAffected, ["not affected", "unaffected", "not vulnerable", "not impacted", "no impact", "does not affect",
                           "do not affect", "is not affected", "are not affected", "none of our products are affected",
                           "not applicable", "no products affected", "no affected products", "known not affected",
                           "nothing to fix"])
        // "vulnerable" and "impacted" alone also describe code ("the vulnerable function is not reachable").
        add(.affected, ["affected", "is vulnerable", "are vulnerable", "is impacted", "are impacted", "known affected",
                        "not yet fixed", "not fixed", "no fix yet", "not patched", "will be fixed", "to be fixed", "fix is planned",
                        "will release a fix", "plan to fix", "fix will be released", "patch will be released"])
        add(.fixed, ["fixed", "patched", "remediated", "a fix is available", "fix released", "fix is available", "released a patch",
                     "released a fix", "fixes this issue", "fixes the issue", "fixes it", "fixes this vulnerability", "fix is included", "includes the fix", "includes a fix",
                     "patch is available", "patch released", "resolved in"])
        add(.investigating, ["investigating", "under investigation", "under review", "looking into", "analysing", "analyzing",
                             "under analysis", "will investigate", "will look into", "investigating whether", "looking into whether",
                             "investigating whether our products are affected", "investigating whether our product is affected",
                             "investigating whether we are affected", "looking into whether we are affected",
                             "looking into whether our products are affected",
                             "to see if we are affected", "to see whether we are affected"])
        add(.acknowledged, ["acknowledged", "received", "receipt confirmed", "acknowledge receipt", "thank you for your notification",
                            "thank you for the notification", "thank you for your report", "thank you for the report",
                            "thanks for the report", "thanks for your report"])
        // Korean.
        add(.notAffected, ["영향 없음", "영향없음", "영향이 없", "영향을 받지 않", "영향 받지 않", "해당 없음", "해당없음",
                           "해당되지 않", "해당하지 않", "취약하지 않"])
        add(.affected, ["영향 있음", "영향있음", "영향을 받습니다", "영향을 받음", "영향이 있", "취약함", "취약합니다"])
        add(.fixed, ["수정 완료", "수정완료", "수정됨", "수정되었습니다", "패치 완료", "패치완료", "조치 완료", "조치완료", "해결됨"])
        add(.investigating, ["조사 중", "조사중", "확인 중", "확인중", "검토 중", "검토중", "분석 중", "분석중"])
        add(.acknowledged, ["수신했습니다", "접수했습니다", "잘 받았습니다"])
        // Chinese, simplified and traditional.
        add(.notAffected, ["不受影响", "未受影响", "没有影响", "无影响", "不涉及", "不受影響", "未受影響", "沒有影響", "無影響",
                           "不存在该漏洞", "不存在該漏洞",
                           // "we found no affected product": the negation sits before the verb, not before 受影响.
                           "没有发现受影响", "未发现受影响", "沒有發現受影響", "未發現受影響", "没有发现任何受影响", "未发现任何受影响",
                           "沒有發現任何受影響", "未發現任何受影響"])
        add(.affected, ["受影响", "受到影响", "存在该漏洞", "受影響", "受到影響", "存在該漏洞", "未修复", "尚未修复", "未修復", "尚未修復"])
        add(.fixed, ["已修复", "已修正", "已解决", "修复完成", "已修復", "已解決", "修復完成"])
        add(.investigating, ["调查中", "正在调查", "分析中", "确认中", "正在确认", "調查中", "正在調查", "確認中", "正在確認"])
        add(.acknowledged, ["已收到", "已经收到", "已經收到"])
        // German.
        add(.notAffected, ["nicht betroffen", "nicht verwundbar", "nicht anfällig", "keine auswirkung", "keine auswirkungen",
                           "unbetroffen"])
        add(.affected, ["betroffen", "verwundbar", "anfällig", "nicht behoben", "noch nicht behoben"])
        add(.fixed, ["behoben", "gepatcht", "korrigiert", "beseitigt"])
        add(.investigating, ["in prüfung", "wird geprüft", "wird untersucht", "in untersuchung", "prüfen wir", "untersuchen wir"])
        add(.acknowledged, ["erhalten", "eingegangen"])
        return table.sorted { $0.0.count > $1.0.count }
    }()

    /// Labels of a line that states the status: `Status: fixed`, `影響: なし`, `상태: 수정 완료`.
    static let statusLabels = ["status", "state", "vendor status", "影響", "状態", "ステータス", "対応状況", "回答", "상태", "영향",
                               "状态", "狀態", "影响", "zustand"].map(normalized)

    /// Values of a status label that state a status there only (`Status: vulnerable`; in a sentence, "vulnerable"
    /// may describe code).
    static let statusValues: [String: Response] = ["vulnerable": .affected, "impacted": .affected, "exploitable": .affected,
                                                   "remediated": .fixed]

    /// The questions of the shipped templates about the impact (question 2 of `vendor-initial`, in each shipped
    /// language), and their short forms; an answer to them may be a bare yes or no (`影響の有無: なし`).
    static let impactQuestions = ["貴社製品への影響の有無", "影響の有無", "製品への影響",
                                  "whether your products are affected", "are your products affected", "impact",
                                  "is your product affected", "is our product affected", "are our products affected",
                                  "영향 여부", "影响情况", "影響情況", "betroffenheit"].map(normalized)

    /// Labels of a line that answers whether the product is affected, where a bare yes or no is the answer
    /// (`Affected: no`, `影響: なし`, `Betroffen: nein`, `是否受影响：否`).
    static let impactLabels = ["affected", "vulnerable", "impacted", "affected products", "affected product", "affected versions",
                               "affected version", "影響", "影響の有無", "영향", "영향 여부", "影响", "受影响",
                               "是否受影响", "受影響", "是否受影響", "betroffen"].map(normalized)

    /// Bare answers to an impact question.
    static let bareNo = ["なし", "無し", "ない", "ありません", "ございません", "いいえ", "no", "none", "nein", "keine", "없음", "아니오",
                         "无", "無", "否"]
    static let bareYes = ["あり", "有り", "ある", "あります", "ございます", "はい", "yes", "ja", "있음", "예", "有", "是"]

    /// Words that make a sentence a question, a condition or a possibility rather than a statement; a free
    /// sentence holding one is not read as an answer (a labelled answer still is).
    /// Doubts count too: words that deny or withhold the statement around them, which in Japanese and Korean come
    /// after it (「影響がないとは言えません」, 「確認できません」, "we can't confirm we are not affected").
    static let hedges = ["?", "whether", "if", "may", "might", "could", "please",
                         "cannot confirm", "can't confirm", "can’t confirm", "can not confirm", "unable to confirm",
                         "not able to confirm", "cannot rule out", "can't rule out", "can’t rule out", "not sure", "unsure",
                         "not certain", "uncertain", "unclear", "unknown",
                         "かどうか", "場合", "可能性", "でしょうか", "ですか", "ますか", "予定", "ください",
                         "とは言え", "とはいえ", "とは限ら", "とは限り", "とは断言", "とは言い切れ", "言い切れ", "確認できません", "確認できていません",
                         "不明", "わかりません", "分かりません", "未定",
                         "여부", "경우", "까요", "수 없", "불분명", "是否", "如果", "可能", "请", "請", "无法确认", "無法確認", "不确定",
                         "不確定", "不清楚", "不能排除", "无法排除", "無法排除",
                         "ob", "falls", "wenn", "möglicherweise", "bitte", "nicht sicher", "unklar", "unbekannt",
                         "nicht ausschließen", "nicht ausschliessen", "nicht bestätigen"].map(normalized)

    /// What a status means when a negation comes just before it: not affected, not (yet) fixed.
    static let negatedResponses: [Response: Response] = [.affected: .notAffected, .fixed: .affected]

    /// Negations within the five words before a Latin phrase ("not all", "nicht alle" and "not only" are none), or right
    /// before a Chinese one (不, 没, 沒, 未, 无, 無, 非).
    static let latinNegations: Set<String> = ["not", "no", "never", "neither", "nor", "none", "nothing", "nicht", "kein", "keine", "nie"]
    static let cjkNegations: Set<Character> = ["不", "没", "沒", "未", "无", "無", "非"]

    /// Words after which a negation denies only a part ("not all", "nicht alle", "nicht nur"): the rest may be affected.
    static let negationScopeWords: Set<String> = ["all", "only", "every", "just", "alle", "allen", "nur", "jede", "jeder",
                                                  "jedes", "sämtliche"]

    static func isNegated(before range: Range<String.Index>, in text: String, latin: Bool) -> Bool {
        let before = text[..<range.lowerBound]
        guard latin else {
            return before.suffix(3).contains { cjkNegations.contains($0) }
        }
        var words = before.split(whereSeparator: { !($0.isLetter || $0 == "'" || $0 == "’") }).suffix(6).map(String.init)
        // "no, but our products are affected": a negation does not reach past a turn.
        if let turn = words.lastIndex(where: { ["but", "however", "aber", "jedoch"].contains($0) }) { words = Array(words[(turn + 1)...]) }
        for (index, word) in words.enumerated() {
            let negation = latinNegations.contains(word) || word.hasSuffix("n't") || word.hasSuffix("n’t")
            guard negation else { continue }
            if index + 1 < words.count, negationScopeWords.contains(words[index + 1]) { continue }
            return true
        }
        return false
    }

    /// What `responses(in:)` found in a piece of text.
    struct Found: Equatable {
        /// The responses stated, in no particular order, each once.
        var found: [Response]
        /// The text holds a hedge (`hedges`).
        var hedged: Bool
        /// Words about a status remain that no phrase read (`statusStems`): the sentence speaks of the status in
        /// words the vocabulary does not hold.
        var unreadStatusWords: Bool = false
    }

    /// Japanese for "released" or "published" (past, plain or humble), which with 修正版 states a fix.
    static let releasedJapanese = ["リリースしました", "リリースいたしました", "リリース致しました", "公開しました", "公開いたしました",
                                   "公開致しました", "提供を開始しました", "提供を開始いたしました", "リリース済み", "公開済み"]

    /// Stems of words about a product's status; left over once the phrases are read, they mean a statement was
    /// made in words the vocabulary does not know.
    /// ("vulnerability" and "impact" are left out: an acknowledgement names the vulnerability it received, and
    /// promises to assess its impact.)
    static let statusStems = ["affect", "fix", "patch", "investigat", "remediat",
                              "影響", "修正", "対策", "対処", "調査", "該当",
                              "영향", "수정", "影响", "修复", "修復", "betroffen", "behoben"].map(normalized)

    /// The status phrases in `text`, longest first, each masking the shorter phrases inside it.
    static func responses(in text: String) -> Found {
        var masked = " " + normalized(text) + " "
        var found: [Response] = []
        for (phrase, meaning) in phrases {
            guard masked.contains(phrase) else { continue }
            var search = masked.startIndex..<masked.endIndex
            let latin = phrase.first?.isASCII == true && phrase.first?.isLetter == true
            while let range = masked.range(of: phrase, range: search) {
                guard isWordBounded(range, in: masked, latin: latin) else {
                    search = range.upperBound..<masked.endIndex
                    continue
                }
                if case .response(var response) = meaning {
                    // "does not appear to be affected", "没有受到影响": a negation just before the phrase.
                    if let negated = negatedResponses[response], isNegated(before: range, in: masked, latin: latin) { response = negated }
                    if !found.contains(response) { found.append(response) }
                }
                masked.replaceSubrange(range, with: "\u{1}")
                search = masked.startIndex..<masked.endIndex
            }
        }
        // 「修正版 8.4.2 を 12月8日にリリースしました」: the fixed version and its release, with the version between.
        if masked.contains("修正版") || masked.contains("修正バージョン") || masked.contains("修正プログラム"),
           releasedJapanese.contains(where: masked.contains) {
            if !found.contains(.fixed) { found.append(.fixed) }
            for word in ["修正版", "修正バージョン", "修正プログラム"] { masked = masked.replacingOccurrences(of: word, with: "\u{1}") }
        }
        let hedged = hedges.contains { contains($0, in: masked) }
        return Found(found: found, hedged: hedged, unreadStatusWords: statusStems.contains { masked.contains($0) })
    }

    /// Whether `phrase` occurs in `text` (whole words for a Latin phrase).
    static func contains(_ phrase: String, in text: String) -> Bool {
        var search = text.startIndex..<text.endIndex
        while let range = text.range(of: phrase, range: search) {
            if isWordBounded(range, in: text, latin: phrase.first?.isASCII == true && phrase.first?.isLetter == true) { return true }
            search = range.upperBound..<text.endIndex
        }
        return false
    }

    /// A Latin phrase counts only as whole words ("fixed" is not inside "prefixed"); CJK phrases have no spaces.
    private static func isWordBounded(_ range: Range<String.Index>, in text: String, latin: Bool) -> Bool {
        guard latin else { return true }
        let before = range.lowerBound > text.startIndex ? text[text.index(before: range.lowerBound)] : " "
        let after = range.upperBound < text.endIndex ? text[range.upperBound] : " "
        return !(before.isLetter && before.isASCII) && !(after.isLetter && after.isASCII)
    }

    /// One response from those stated together: a fix implies the product was affected, and a status says more
    /// than an acknowledgement; any other mix is no clear answer (nil).
    static func single(_ responses: [Response]) -> Response? {
        var set = Set(responses)
        if set.count > 1 { set.remove(.acknowledged) }
        if set == [.affected, .fixed] { return .fixed }
        return set.count == 1 ? set.first : nil
    }

    /// NFKC (full-width letters and colons folded), lowercase, `-` and `_` as spaces, runs of whitespace as one.
    static func normalized(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
            .replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        return folded.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
