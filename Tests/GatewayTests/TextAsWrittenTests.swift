import Foundation
import Mail
import Registry
import Testing
import TestSupport
@testable import Gateway

/// Header fields as the vendor's mailer wrote them: raw 8-bit bytes without RFC 2047, read in the charset of the
/// message's text, else by detection, against a case notified in the test.
@Suite struct TextAsWrittenTests {
    typealias Notified = FieldCaseTests.Notified

    /// `text` in `charset`, as the vendor's mailer wrote it (iconv).
    static func encoded(_ text: String, _ charset: String) throws -> Data {
        let result = try runProcess("/usr/bin/iconv", ["-f", "UTF-8", "-t", charset], input: Data(text.utf8))
        guard result.status == 0 else { throw IconvFailed(message: result.stderr) }
        return result.stdout
    }

    struct IconvFailed: Error { let message: String }

    /// A message: `headers` (bytes, may hold raw 8-bit), a blank line, `body`.
    static func message(_ headers: Data, body: Data) -> Data {
        headers + Data("\n".utf8) + body
    }

    @Test func rawEightBitHeadersAreReadInTheBodysCharsetElseByDetection() throws {
        let n = try Notified()
        // Field case 39: Taiwanese webmail, raw Big5 in Subject and the display name, Big5 body.
        let big5Subject = try Self.encoded("回覆: [JVNVU#12345678] 漏洞通知 ", "BIG5") + Data("[\(n.ref("izumi-crypto"))]".utf8)
        let big5Headers = Data("From: \"".utf8) + (try Self.encoded("陳文林 (泉加密台灣分公司)", "BIG5"))
            + Data("\" <chen.wl@tw.izumi-crypto.example>\nTo: vuls@jpcert.example\nSubject: ".utf8) + big5Subject
            + Data("\nMessage-ID: <big5@tw.izumi-crypto.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=big5\nContent-Transfer-Encoding: 8bit\n".utf8)
        let big5 = try n.f.ingester.ingest(Self.message(big5Headers, body: try Self.encoded("已修正，請更新至 3.2.7。\n\nStatus: fixed\n", "BIG5")))
        #expect(try n.response("izumi-crypto") == .fixed)
        #expect(big5.subject?.hasPrefix("回覆: [JVNVU#12345678] 漏洞通知") == true, "\(big5.subject ?? "")")
        let parsed = try ParsedMessage(bytes: Self.message(big5Headers, body: Data()))
        #expect(parsed.decodedHeader("From")?.contains("陳文林") == true)

        // Shift_JIS whose display name ends in a character with 0x5C as its second byte, right before the quote;
        // the address still parses and the name reads as written.
        let sjisHeaders = Data("From: \"".utf8) + (try Self.encoded("日立ソフト 品質保証部 能", "SHIFT_JIS"))
            + Data("\" <psirt@hotaru-backup.example>\nTo: vuls@jpcert.example\nSubject: ".utf8)
            + (try Self.encoded("返信: 脆弱性情報 表", "SHIFT_JIS")) + Data(" [\(n.ref("hotaru-backup"))]".utf8)
            + Data("\nMessage-ID: <sjis@hotaru-backup.example>\nContent-Type: text/plain; charset=Shift_JIS\n".utf8)
        let sjis = try n.f.ingester.ingest(Self.message(sjisHeaders, body: try Self.encoded("影響: なし\n", "SHIFT_JIS")))
        #expect(sjis.from == "psirt@hotaru-backup.example")
        #expect(sjis.subject?.hasPrefix("返信: 脆弱性情報 表") == true, "\(sjis.subject ?? "")")
        #expect(try n.response("hotaru-backup") == .notAffected)
        let sjisParsed = try ParsedMessage(bytes: Self.message(sjisHeaders, body: Data()))
        #expect(sjisParsed.from?.displayName?.hasSuffix("能") == true, "\(String(describing: sjisParsed.from))")

        // The same display name with no charset anywhere: recognised as Shift_JIS by its kana.
        let unlabelled = Data("From: \"".utf8) + (try Self.encoded("日立ソフト 品質保証部 能", "SHIFT_JIS"))
            + Data("\" <psirt@hotaru-backup.example>\nSubject: test\n".utf8)
        #expect(try ParsedMessage(bytes: Self.message(unlabelled, body: Data())).from?.displayName == "日立ソフト 品質保証部 能")
        // Western text in raw 8-bit with no charset stays as read (Latin-1), not turned into CJK.
        var western = Data("From: psirt@aozora-systems.example\nSubject: Gr".utf8)
        western.append(contentsOf: [0xFC, 0xDF])
        western.append(contentsOf: Array("e aus M".utf8))
        western.append(0xFC)
        western.append(contentsOf: Array("nchen und K".utf8))
        western.append(0xF6)
        western.append(contentsOf: Array("ln\n".utf8))
        #expect(try ParsedMessage(bytes: Self.message(western, body: Data())).subject == "Grüße aus München und Köln")

        // No charset anywhere (the body is ASCII): EUC-KR and GBK subjects are recognised by their bytes.
        for (org, charset, subject) in [("kotori-chat", "EUC-KR", "회신: 취약점 정보"), ("kotori-chat-cn", "GBK", "回复：漏洞信息通知")] {
            let headers = Data("From: psirt@\(org).example\nTo: vuls@jpcert.example\nSubject: ".utf8) + (try Self.encoded(subject, charset))
                + Data(" [\(n.ref(org))]\nMessage-ID: <raw-\(org)@\(org).example>\n".utf8)
            let outcome = try n.f.ingester.ingest(Self.message(headers, body: Data("Status: investigating\n".utf8)))
            #expect(outcome.subject?.hasPrefix(subject) == true, "\(charset): \(outcome.subject ?? "")")
            #expect(try n.response(org) == .investigating)
        }
    }
}
