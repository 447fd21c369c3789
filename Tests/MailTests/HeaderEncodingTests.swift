import Foundation
import Testing
@testable import Mail

@Suite struct HeaderEncodingTests {
    func serialize(subject: String, to: [EmailAddress] = [vendor]) throws -> Data {
        try Message(from: sender, to: to, subject: subject, body: .text("x"),
                    date: Date(timeIntervalSince1970: 1_751_328_000), messageID: "id@csirt.example").serialized()
    }

    @Test func japaneseSubjectIsEncodedFoldedAndDecodedBack() throws {
        let subject = "[JVNVU#12345678] 脆弱性情報のご連絡：複数の製品における TLS 実装の証明書検証不備について（再送）"
        let bytes = try serialize(subject: subject)
        let header = headerSection(bytes)
        let lines = header.components(separatedBy: "\r\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("Subject: ") })
        var subjectLines = [lines[start]]
        for line in lines[(start + 1)...] where line.hasPrefix(" ") || line.hasPrefix("\t") { subjectLines.append(line) }
        #expect(subjectLines.count > 1, "a long subject is folded")
        #expect(subjectLines[0].hasPrefix("Subject: [JVNVU#12345678] "), "ASCII words stay readable")
        for line in lines { #expect(line.utf8.count < 78, "header line too long: \(line)") }
        let words = subjectLines.joined().split(separator: " ").filter { $0.hasPrefix("=?") }
        #expect(!words.isEmpty)
        for word in words {
            #expect(word.utf8.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            // Each word holds whole characters.
            let payload = word.dropFirst(10).dropLast(2)
            #expect(String(data: Data(base64Encoded: String(payload))!, encoding: .utf8) != nil)
        }
        #expect(header.utf8.allSatisfy { $0 < 0x80 })
        let parsed = try ParsedMessage(bytes: bytes)
        #expect(parsed.subject == subject)
    }

    @Test func asciiSubjectIsWrittenAsIsAndFoldedAtSpaces() throws {
        let subject = "Coordination of a vulnerability affecting several implementations of the same protocol stack"
        let bytes = try serialize(subject: subject)
        #expect(headerSection(bytes).contains("Subject: Coordination of a vulnerability"))
        #expect(!unfoldedHeaders(bytes).contains { $0.hasPrefix("Subject:") && $0.contains("=?") })
        #expect(try ParsedMessage(bytes: bytes).subject == subject)
    }

    @Test func subjectWhitespaceAndEncodedWordLookalikesSurvive() throws {
        for subject in ["  leading", "trailing  ", "two  spaces", "=?UTF-8?B?not-a-word?=", "tab\there", "",
                        "a" + String(repeating: "b", count: 120), "Re: 不在", "x" + String(repeating: " ", count: 40) + "y"] {
            let bytes = try serialize(subject: subject)
            #expect(try ParsedMessage(bytes: bytes).subject == subject, "subject \(subject.debugDescription)")
            for line in crlfLines(bytes) { #expect(line.utf8.count <= 78) }
        }
    }

    @Test func decodesQAndBWordsInSeveralCharsets() {
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "André Pirard")
        #expect(EncodedWord.decode("=?iso-2022-jp?B?GyRCOzNFRBsoQg==?=") == "山田")
        #expect(EncodedWord.decode("=?Shift_JIS?B?jlKTYw==?=") == "山田")
        #expect(EncodedWord.decode("=?EUC-JP?B?u7PFxA==?=") == "山田")
        #expect(EncodedWord.decode("=?utf-8?q?caf=C3=A9_cr=C3=A8me?=") == "café crème")
        // Whitespace between adjacent words goes; a character split across words still decodes.
        #expect(EncodedWord.decode("=?UTF-8?B?5bGx?=\r\n =?UTF-8?B?55Sw?=") == "山田")
        #expect(EncodedWord.decode("=?UTF-8?B?5Q==?= =?UTF-8?B?sbE=?=") == "山")
        #expect(EncodedWord.decode("Re: =?UTF-8?B?5bGx55Sw?= san") == "Re: 山田 san")
        #expect(EncodedWord.decode("=?bogus") == "=?bogus")
    }

    @Test func japaneseAddressListIsFoldedAfterCommas() throws {
        let recipients = (1...6).map { address("\"株式会社サンプル製作所 セキュリティ担当 \($0)\" <psirt\($0)@vendor\($0).example>") }
        let bytes = try serialize(subject: "x", to: recipients)
        for line in headerSection(bytes).components(separatedBy: "\r\n") { #expect(line.utf8.count < 78, "\(line)") }
        let parsed = try ParsedMessage(bytes: bytes)
        #expect(parsed.to == recipients)
    }
}
