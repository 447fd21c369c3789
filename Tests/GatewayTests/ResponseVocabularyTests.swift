import Foundation
import Mail
import Registry
import Testing
@testable import Gateway

/// Replies read in the vendor's own words: status words in several languages, negations, answers to the numbered
/// questions of the shipped templates, and replies that state nothing readable.
@Suite struct ResponseVocabularyTests {
    /// Reply texts and what each states, several per language and kind.
    static let stated: [(String, Response)] = [
        // Japanese: answers to our own numbered question, bare or with the option list, and sentences.
        ("  2. 貴社製品への影響の有無: 影響なし", .notAffected),
        ("2. 貴社製品への影響の有無 (影響あり / 影響なし / 調査中)：影響あり", .affected),
        ("２．影響の有無：なし", .notAffected),
        ("影響: 調査中", .investigating),
        ("弊社製品への影響はありません。", .notAffected),
        ("弊社製品は本件に該当しません。", .notAffected),
        ("本件は 7.4.2 で対応済みです。", .fixed),
        ("現在、調査中です。", .investigating),
        ("影響はございません。", .notAffected),
        // English, negations among them.
        ("Status: not-affected", .notAffected),
        ("Status: Not_Affected", .notAffected),
        ("Our products are not affected.", .notAffected),
        ("We are unaffected by this issue.", .notAffected),
        ("The product is affected; a fix is planned for March.", .affected),
        ("This has been fixed in 3.2.7.", .fixed),
        ("2. whether your products are affected (affected / not affected / investigating): not affected", .notAffected),
        ("Received, thank you. We are investigating.", .investigating),
        ("The issue is not yet fixed in our product.", .affected),
        ("The issue will be fixed in the next release.", .affected),
        ("Thank you for your report. We will investigate.", .investigating),
        ("7.3 系以前は 7.3.9 で修正予定です。", .affected),
        // Korean.
        ("2. 영향 여부: 영향 없음", .notAffected),
        ("당사 제품은 영향을 받지 않습니다.", .notAffected),
        ("해당 취약점은 수정 완료되었습니다.", .fixed),
        ("현재 조사 중입니다.", .investigating),
        // Chinese, simplified and traditional.
        ("我司产品不受影响。", .notAffected),
        ("该问题已修复。", .fixed),
        ("我們的產品不受影響。", .notAffected),
        ("本問題已修復。", .fixed),
        ("目前正在调查。", .investigating),
        // German.
        ("Unsere Produkte sind nicht betroffen.", .notAffected),
        ("Status: behoben", .fixed),
        ("Das Produkt ist betroffen.", .affected),
        ("Die Schwachstelle wird untersucht.", .investigating),
        // A bare yes or no after an impact label.
        ("Affected: No", .notAffected),
        ("Vulnerable: yes (1.0 to 1.4)", .affected),
        ("Betroffen: nein", .notAffected),
        ("是否受影响：否", .notAffected),
        ("영향: 없음", .notAffected),
    ]

    @Test(arguments: stated)
    func aStatusInTheVendorsWordsIsRead(text: String, expected: Response) {
        #expect(StatedResponse.response(in: text) == expected, "\(text)")
    }

    @Test func negationsAreNeverReadAsTheirOpposite() {
        for text in ["影響はありません", "影響がありません。", "not affected", "NOT AFFECTED", "is not vulnerable", "nicht betroffen",
                     "영향 없음", "不受影响", "不受影響", "該当しません", "Our product does not appear to be affected.",
                     "We don't believe our products are affected.", "我们的产品没有受到影响。", "我們的產品未受到影響。",
                     "弊社製品が影響を受けることはありません。", "該当する製品はございません。", "Davon sind wir nicht direkt betroffen."] {
            #expect(StatedResponse.response(in: text) == .notAffected, "\(text)")
        }
        for (text, expected) in [("Not all versions are affected: 1.0 to 1.4 are.", Response.affected),
                                 ("The issue has not been fixed yet.", .affected), ("这个问题尚未修复。", .affected)] {
            #expect(StatedResponse.response(in: text) == expected, "\(text)")
        }
    }

    /// A statement whose own words deny or doubt it afterwards (「影響がないとは言えません」, "we can't confirm we are not
    /// affected"), or whose negation covers only some products ("nicht alle"), is never read as its opposite.
    @Test func aDoubtedOrPartlyNegatedStatementIsNeverReadAsItsOpposite() {
        for text in ["影響がないとは言えません。", "影響がないとは断言できません。", "影響がないとは限りません。",
                     "影響があるかは不明です。", "We can't confirm that we are not affected.", "We cannot rule out that we are affected.",
                     "We are not sure that we are unaffected.", "Nicht alle Versionen sind betroffen.", "Nicht nur Version 1 ist betroffen.",
                     "Wir können nicht ausschließen, dass wir betroffen sind.", "我们无法确认是否不受影响。", "영향이 없는지 확인할 수 없습니다."] {
            #expect(StatedResponse.response(in: text) != .notAffected, "\(text)")
            #expect(StatedResponse.reading(of: text) == .notUnderstood || StatedResponse.response(in: text) == .affected, "\(text)")
        }
        for text in ["我们没有发现受影响的产品。", "我們沒有發現受影響的產品。", "未发现受影响的产品。"] {
            #expect(StatedResponse.response(in: text) == .notAffected, "\(text)")
        }
    }

    /// A question or condition in one sentence does not hide the statement in the sentence next to it on the
    /// same line (Japanese replies often keep a paragraph on one line).
    @Test func aHedgeCountsOnlyForItsOwnSentence() {
        for (text, expected) in [("影響あり。修正版は来月公開予定です。", Response.affected),
                                 ("弊社製品は影響を受けません。ご不明な点がございましたらご連絡ください。", .notAffected),
                                 ("We are not affected. Please let us know if you need anything else.", .notAffected),
                                 ("If you need details, ask us! Our products are fixed in 2.4.1.", .fixed),
                                 ("我们的产品不受影响。如果有问题请联系我们。", .notAffected)] {
            #expect(StatedResponse.response(in: text) == expected, "\(text)")
        }
        for text in ["Fixed? No, not yet.", "影響があるかどうか調査します。ご連絡ありがとうございます。", "Are we affected? We will check."] {
            #expect(StatedResponse.response(in: text) == nil, "\(text)")
        }
    }

    @Test func theAnswerBelowAQuotedQuestionIsRead() {
        let japanese = """
            > 2. 貴社製品への影響の有無 (影響あり / 影響なし / 調査中)
            影響なし
            > 3. 影響がある場合、対策の予定
            特にありません
            """
        #expect(StatedResponse.reading(of: japanese) == .status(.notAffected, labelled: true))
        let english = """
            > 2. whether your products are affected (affected / not affected / investigating);

            Yes.
            """
        #expect(StatedResponse.reading(of: english) == .status(.affected, labelled: true))
    }

    @Test func questionsConditionsAndOurOwnOptionListsAreNoAnswer() {
        for text in ["We will check whether we are affected.", "Are our products affected?",
                     "影響があるかどうか確認いたします。", "影響がある場合はご連絡します。", "Falls wir betroffen sind, melden wir uns.",
                     "2. 貴社製品への影響の有無 (影響あり / 影響なし / 調査中)", "affected / not affected / investigating"] {
            #expect(StatedResponse.response(in: text) == nil, "\(text)")
        }
    }

    @Test func aReplyThatStatesNothingReadableIsNotUnderstoodButAShortReceiptIsAnAcknowledgement() {
        #expect(StatedResponse.reading(of: "Received, thanks.") == .acknowledgement)
        #expect(StatedResponse.reading(of: "ご連絡ありがとうございます。受領いたしました。") == .acknowledgement)
        #expect(StatedResponse.reading(of: "Danke, erhalten.") == .acknowledgement)
        #expect(StatedResponse.reading(of: "Thank you for the notification.") == .acknowledgement)
        for text in ["Our product uses its own TLS library; see the attached analysis for the versions in the field.",
                     "弊社ではOpenSSLを使用しておりません。詳細は添付をご覧ください。",
                     "Some of our products are affected and others are not affected.",
                     "The vulnerable function is not reachable from the network in our product."] {
            #expect(StatedResponse.reading(of: text) == .notUnderstood, "\(text)")
        }
        #expect(StatedResponse.reading(of: "> quoted only\n") == .empty)
    }

    /// A reply written between the lines it quotes (Gmail, Thunderbird, mutt), below an attribution line in any
    /// client's language, is read to its end: the attribution is no start of an unquoted original.
    @Test func answersBetweenQuotedLinesBelowAnAttributionAreRead() {
        let attributions = ["On Sun, Dec 6, 2026 at 10:00 AM JPCERT/CC <vuls@jpcert.example> wrote:",
                            "2026年12月6日(日) 10:00 JPCERT/CC <vuls@jpcert.example>:",
                            "Am So., 6. Dez. 2026 um 10:00 Uhr schrieb JPCERT/CC <vuls@jpcert.example>:",
                            "2026년 12월 6일 (일) 오전 10:00, JPCERT/CC <vuls@jpcert.example>님이 작성:",
                            "JPCERT/CC <vuls@jpcert.example> 于2026年12月6日周日 10:00写道：",
                            "JPCERT/CC さんは書きました:"]
        for attribution in attributions {
            let reply = """
                Hello,

                \(attribution)
                > Please reply to this message and let us know:
                >   1. that you have received this notification;

                Received.

                >   2. whether your products are affected (affected / not affected / investigating);

                Not affected.
                """
            #expect(StatedResponse.reading(of: reply) == .status(.notAffected, labelled: true), "\(attribution)")
            #expect(StatedResponse.statement(in: reply) == "Hello,\n\n\nReceived.\n\n\nNot affected.", "\(attribution)")
        }
        // The original below an attribution without `>` is still not the vendor's words.
        let unquoted = "Thanks, received.\n\nOn Sun, Dec 6, 2026 at 10:00 AM JPCERT/CC <vuls@jpcert.example> wrote:\nStatus: affected\n"
        #expect(StatedResponse.reading(of: unquoted) == .acknowledgement)
    }

    @Test func theOriginalMessageBelowAnOutlookReplyIsNotTheVendorsWords() {
        let reply = """
            Thanks, we received it.

            -----Original Message-----
            From: vuls@jpcert.example
            Sent: Monday, December 7, 2026 10:00 AM
              2. whether your products are affected (affected / not affected / investigating);
            Status: affected
            """
        #expect(StatedResponse.reading(of: reply) == .acknowledgement)
        #expect(StatedResponse.statement(in: reply) == "Thanks, we received it.")
    }

    @Test func crlfLineEndsAreOneBreakInTheStatement() {
        let text = "Status: affected\r\nVersions 1.0 to 1.4.\r\nA fix follows.\r\n"
        #expect(StatedResponse.statement(in: text) == "Status: affected\nVersions 1.0 to 1.4.\nA fix follows.")
    }

    /// The vocabulary knows the impact question of every shipped template language, so an answer to it is read.
    /// Our own notice or reminder pasted into a reply without a quote mark (a ticket system's history, Lotus
    /// Notes, HTML quoting) is our words: its question 3 ("if affected, your plan (fixed versions …)") and the
    /// reminder's "… products are affected." never become the vendor's answer.
    @Test func ourOwnNoticePastedWithoutQuoteMarksIsNotTheVendorsAnswer() throws {
        for name in ["vendor-initial.en.mustache", "vendor-initial.ja.mustache", "reminder.en.mustache", "reminder.ja.mustache"] {
            let template = try #require(ShippedTemplates.files[name])
            let body = template.components(separatedBy: "---\n").last ?? template
            let pasted = body.replacingOccurrences(of: #"\{\{[^}]*\}\}"#, with: "Example", options: .regularExpression)
            let receipt = name.contains(".ja.") ? "ご連絡ありがとうございます。受領いたしました。" : "Received, thanks."
            #expect(StatedResponse.reading(of: "\(receipt)\n\n##- Please type your reply above this line -##\n\n\(pasted)")
                    == .acknowledgement, "\(name)")
            // Notes-style headers (To before Date) are no marker either: the lines are ours all the same.
            #expect(StatedResponse.reading(of: "\(receipt)\n\nFrom:\tvuls@jpcert.example\nTo:\tpsirt@x.example\nDate:\ttoday\n\n\(pasted)")
                    == .acknowledgement, "\(name)")
        }
        // The vendor restating our questions unquoted, each answer below its question.
        let restated = """
            Thank you for the notification.

            2. whether your products are affected (affected / not affected / investigating);
            Affected.
            3. if affected, your plan (fixed versions and their dates, workarounds).
            To be decided.
            """
        #expect(StatedResponse.response(in: restated) == .affected)
        // HTML: a reply above our notice in a <blockquote>, and an answer in a table.
        let html = "<p>Received, thanks.</p><blockquote><p>3. if affected, your plan (fixed versions and their dates, "
            + "workarounds).</p><p>products are affected.</p></blockquote>"
        #expect(StatedResponse.reading(of: HTMLText.plainText(html)) == .acknowledgement)
        // A table's header cells say nothing of the status.
        #expect(StatedResponse.response(in: HTMLText.plainText(
            "<table><tr><th>Product</th><th>Affected</th></tr><tr><td>Kotori Chat 4.x</td><td>No</td></tr></table>")) == nil)
    }

    /// A mail client wraps long lines: the sentence is read whole across the break, so a negation at the end of one
    /// line still denies the status at the start of the next.
    @Test func aSentenceWrappedAcrossLinesIsReadWhole() {
        #expect(StatedResponse.response(in: """
            Dear JPCERT/CC,

            Thank you for the report. We have analysed the issue and our products are not
            affected by it, since they do not use the vulnerable library at all.
            """) == .notAffected)
        // format=flowed: a soft break is a trailing space.
        #expect(StatedResponse.response(in: "We checked it and our products are not \naffected.\n") == .notAffected)
        #expect(StatedResponse.response(in: """
            Our products are vulnerable and this has not yet been
            fixed; we plan a release in January.
            """) == .affected)
        #expect(StatedResponse.response(in: """
            After a careful review of all supported versions, this issue does not
            affect any of our products.
            """) == .notAffected)
        #expect(StatedResponse.response(in: "弊社製品は当該ライブラリを使用しておらず、\n本脆弱性の影響はありません。\n") == .notAffected)
        // Short lines are lines of their own, and so is a long one before a capital or a polite Japanese ending.
        #expect(StatedResponse.reading(of: "Hello,\nReceived, thanks.\n") == .acknowledgement)
        #expect(StatedResponse.response(in: """
            Our products are not affected by this vulnerability as we do not use that library
            Please let us know if you need anything else.
            """) == .notAffected)
        #expect(StatedResponse.response(in: "現在、弊社製品への影響の有無を調査しております\n再現手順をご共有いただけますでしょうか\n") == .investigating)
    }

    /// Below a quoted question, only a line that answers it counts: not a courtesy that opens with yes or no, not
    /// the answer to the next question, not a doubt.
    @Test func onlyAnAnswerBelowAQuotedQuestionCounts() {
        let question = "> 2. whether your products are affected (affected / not affected / investigating);\n"
        #expect(StatedResponse.response(in: question + "Yes, thanks. We will check and get back to you.\n") == nil)
        #expect(StatedResponse.response(in: question + "No worries, we will check and come back to you.\n") == nil)
        #expect(StatedResponse.response(in: question + "> 3. if affected, your plan (fixed versions and their dates, workarounds).\n"
                                        + "No plan yet, we are still looking at it.\n") == nil)
        #expect(StatedResponse.response(in: question + "We don't know yet whether we are affected.\n") == nil)
        #expect(StatedResponse.response(in: "> 2. 貴社製品への影響の有無 (影響あり / 影響なし / 調査中)\n影響がないとは言えません。\n") == nil)
        #expect(StatedResponse.response(in: "2. 貴社製品への影響の有無: 影響がないとは言い切れません\n") == nil)
        #expect(StatedResponse.response(in: "Status: we cannot confirm that we are not affected\n") == nil)
        #expect(StatedResponse.reading(of: "Thank you.\nStatus: we cannot confirm that we are not affected\n") == .notUnderstood)
        #expect(StatedResponse.response(in: question + "No.\n") == .notAffected)
        #expect(StatedResponse.response(in: question + "Yes, versions 2.0 to 2.3.\n") == .affected)
    }

    /// Statements in the words vendors use, whole sentences of them, and a fix under question 3 after an
    /// "affected" under question 2.
    @Test func moreOfTheVendorsWordsAreRead() {
        let cases: [(String, Response)] = [
            ("ご連絡ありがとうございます。弊社製品は本脆弱性の影響を受けておりません。", .notAffected),
            ("ご連絡ありがとうございます。該当製品はございません。", .notAffected),
            ("影響を受ける可能性はございません。", .notAffected),
            ("ご連絡ありがとうございます。現在、影響範囲の調査を進めております。", .investigating),
            ("ご連絡ありがとうございます。当該製品に影響があることを確認しました。", .affected),
            ("修正済みではありません。", .affected),
            ("本件は対処済みです。", .fixed),
            ("ご連絡ありがとうございます。修正版 8.4.2 を 12月8日にリリースしました。", .fixed),
            ("修正版（3.2.7）を本日公開いたしました。", .fixed),
            ("2. 貴社製品への影響の有無: いいえ", .notAffected), ("2. 貴社製品への影響の有無: ございません", .notAffected),
            ("Is our product affected: no.", .notAffected),
            ("3.2.0 to 3.2.6 are affected; 3.2.7 fixes it.", .fixed),
            ("Thank you for the notification. None of our products is affected.", .notAffected),
            ("Nothing we ship is affected.", .notAffected),
            ("There is no possibility that our products are affected.", .notAffected),
            ("Affected products: none", .notAffected),
            ("Affected versions: None.", .notAffected),
            ("Thank you for the notification. We released a patch (3.2.7) on December 8.", .fixed),
            ("Version 3.2.7, released today, fixes this issue.", .fixed),
            ("Thank you for the notification. We plan to fix it in 3.2.8.", .affected),
            ("Thank you for the notification. We are investigating whether our products are affected.", .investigating),
            ("There is nothing to fix: the vulnerable code is not in our product.", .notAffected),
            ("2. 貴社製品への影響の有無: 影響あり\n3. 対策の予定: 12月8日公開の OoshimaCart 8.4.2 で修正済みです。\n", .fixed),
            ("Status: vulnerable", .affected), ("Status: impacted", .affected),
            // A status word as the label, yes or no as its value.
            ("Affected: Yes\nFixed: No\nPlanned fix: January 2027\n", .affected), ("Affected: yes\nPatched: no\n", .affected),
            ("影響の有無: あり\n修正済み: いいえ\n", .affected), ("Fixed: yes", .fixed), ("Not affected: yes", .notAffected),
            // A tracker's own workflow field beside the vendor's answer does not contradict it.
            ("2. 貴社製品への影響の有無: 影響なし\n\n----\n* Status: Resolved\n", .notAffected),
        ]
        for (text, expected) in cases { #expect(StatedResponse.response(in: text) == expected, "\(text)") }
    }

    /// A reply that thanks us and speaks of its status in words Liaison cannot read is no mere acknowledgement: a
    /// person reads it.
    @Test func aStatusInWordsTheVocabularyLacksIsNeverAMereAcknowledgement() {
        for text in ["ご連絡ありがとうございます。弊社製品への影響を現在精査する体制を整えました。",
                     "Thank you for the notification. The effect on our appliances depends on the patch level of the firmware.",
                     "Thanks for the report. We think version 2 might be affected."] {
            #expect(StatedResponse.reading(of: text) == .notUnderstood, "\(text)")
        }
        #expect(StatedResponse.reading(of: "Thank you for the notification. We will get back to you.") == .acknowledgement)
        // An acknowledgement names the vulnerability it received.
        for text in ["脆弱性情報を受領いたしました。", "We have received your vulnerability notification. Thank you.",
                     "Received the vulnerability information, thanks."] {
            #expect(StatedResponse.reading(of: text) == .acknowledgement, "\(text)")
        }
        #expect(StatedResponse.reading(of: "ご連絡ありがとうございます。内容を確認いたします。") == .acknowledgement)
    }

    @Test func everyShippedTemplatesImpactQuestionIsInTheVocabulary() throws {
        let files = ShippedTemplates.files.filter { $0.key.hasPrefix("vendor-initial.") }
        #expect(files.count >= 2)
        for (name, text) in files {
            let line = try #require(text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("2.") },
                                    "\(name) asks no question 2")
            var question = StatedResponse.stripNumbering(String(line))
            if let open = question.firstIndex(of: "(") { question = String(question[..<open]) }
            let label = ResponseVocabulary.normalized(question.trimmingCharacters(in: CharacterSet(charactersIn: " ;；")))
            #expect(ResponseVocabulary.impactQuestions.contains(label), "\(name): \(label)")
            #expect(StatedResponse.response(in: "\(line.trimmingCharacters(in: .whitespaces)): \(name.contains(".ja.") ? "影響なし" : "not affected")")
                    == .notAffected, "\(name)")
        }
    }
}
