import Foundation
import Testing
@testable import Mail

@Suite struct QuotedPrintableTests {
    /// Every `=` is a complete `=XX` triplet or a soft break at the end of the line.
    func expectWellFormed(_ lines: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for line in lines {
            #expect(line.utf8.count <= 76, "line longer than 76: \(line)", sourceLocation: sourceLocation)
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "=") {
                let isSoftBreak = index == bytes.count - 1
                let isTriplet = index + 2 < bytes.count && Hex.pair(bytes[index + 1], bytes[index + 2]) != nil
                #expect(isSoftBreak || isTriplet, "broken = in \(line)", sourceLocation: sourceLocation)
            }
            #expect(!line.hasPrefix("From "), sourceLocation: sourceLocation)
            #expect(!line.hasPrefix("."), sourceLocation: sourceLocation)
            #expect(line.last != " " && line.last != "\t", sourceLocation: sourceLocation)
            #expect(bytes.allSatisfy { $0 < 0x80 }, sourceLocation: sourceLocation)
        }
    }

    @Test func riskyLinesAreEncoded() {
        let long = String(repeating: "0123456789", count: 20)
        let text = "From the vendor\n.hidden line\ntrailing space \ntrailing tab\t\n\(long)\na=b\n"
        let encoded = QuotedPrintable.encode(text)
        let lines = crlfLines(encoded)
        #expect(lines.contains("=46rom the vendor"))
        #expect(lines.contains("=2Ehidden line"))
        #expect(lines.contains("trailing space=20"))
        #expect(lines.contains("trailing tab=09"))
        #expect(lines.contains("a=3Db"))
        #expect(lines.filter { $0.first?.isNumber == true }.count == 3, "the 200-character line is soft-broken in three")
        expectWellFormed(lines)
        #expect(String(decoding: QuotedPrintable.decode(encoded), as: UTF8.self)
                == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func softBreakNeverLeavesFromOrDotAtLineStart() {
        // Put "From " and "." exactly where a soft break starts a new encoded line.
        for filler in 70...78 {
            let text = String(repeating: "x", count: filler) + "From here." + String(repeating: "y", count: filler) + ".dot\n"
            let encoded = QuotedPrintable.encode(text)
            expectWellFormed(crlfLines(encoded))
            #expect(String(decoding: QuotedPrintable.decode(encoded), as: UTF8.self) == text.replacingOccurrences(of: "\n", with: "\r\n"))
        }
    }

    @Test func japaneseLinesAreSoftBrokenBetweenCharacters() {
        let text = String(repeating: "脆弱性情報のご連絡、", count: 30) + "\n"
        let encoded = QuotedPrintable.encode(text)
        let lines = crlfLines(encoded)
        #expect(lines.count > 10)
        expectWellFormed(lines)
        // Each encoded line holds whole UTF-8 characters: its bytes decode on their own.
        for line in lines where !line.isEmpty {
            let piece = line.hasSuffix("=") ? String(line.dropLast()) : line
            #expect(String(data: QuotedPrintable.decode(Data(piece.utf8)), encoding: .utf8) != nil)
        }
    }

    @Test func lineEndsAreNormalisedToCRLF() {
        let encoded = QuotedPrintable.encode("é one\r\nä two\rö three\nend")
        #expect(String(decoding: encoded, as: UTF8.self) == "=C3=A9 one\r\n=C3=A4 two\r\n=C3=B6 three\r\nend")
    }

    @Test func decoderToleratesLFLowercaseHexAndStrayEquals() {
        let decoded = QuotedPrintable.decode(Data("caf=c3=a9 =\nsoft  \nprice = 5=\n".utf8))
        #expect(String(decoding: decoded, as: UTF8.self) == "café soft\nprice = 5")
    }

    @Test func japaneseTextRoundTripsThroughTheParser() throws {
        let text = """
        山田様

        JPCERT/CC の脆弱性情報のご連絡です。From now on, 以下をご確認ください。
        .config の設定 = 有効\t
        \(String(repeating: "長い行", count: 60))
        """
        let message = Message(from: sender, to: [vendor], subject: "テスト", body: .text(text))
        let parsed = try ParsedMessage(bytes: try message.serialized())
        #expect(parsed.root.transferEncoding == "quoted-printable")
        #expect(parsed.root.contentType.charset == "utf-8")
        let received = try #require(parsed.bodyText)
        #expect(received.replacingOccurrences(of: "\r\n", with: "\n") == text + "\n")
    }

    @Test func shortASCIITextIsSentAs7bit() {
        let entity = MIMEEntity.text("Hello,\n\nPlease find the advisory attached.\n")
        #expect(entity.headerFields.contains { $0.name == "Content-Transfer-Encoding" && $0.value == "7bit" })
        #expect(entity.headerFields.contains { $0.name == "Content-Type" && $0.value == "text/plain; charset=utf-8" })
        #expect(entity.body == Data("Hello,\r\n\r\nPlease find the advisory attached.\r\n".utf8))
    }

    @Test(arguments: ["trailing space \n", "From me\n", ".dot\n", "é\n", String(repeating: "a", count: 77) + "\n"])
    func riskyASCIITextIsQuotedPrintable(_ text: String) {
        let entity = MIMEEntity.text(text)
        #expect(entity.headerFields.contains { $0.name == "Content-Transfer-Encoding" && $0.value == "quoted-printable" })
    }
}
