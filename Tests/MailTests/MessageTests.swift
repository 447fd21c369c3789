import Foundation
import Testing
@testable import Mail

@Suite struct MessageTests {
    func sample() -> Message {
        var message = Message(from: sender, to: [vendor, address("psirt@other.example")], cc: [address("Team <team@csirt.example>")],
                              subject: "[JVNVU#12345678] 脆弱性情報のご連絡", body: .text("本文です。\n"),
                              date: Date(timeIntervalSince1970: 1_751_360_400), messageID: "abc.123@csirt.example")
        message.replyTo = address("Coordination <coord@csirt.example>")
        message.inReplyTo = "prev@vendor.example"
        message.references = ["root@csirt.example", "prev@vendor.example"]
        message.extraHeaders = [("X-Liaison-Tracking", "JVNVU#12345678/sample-vendor"), ("Auto-Submitted", "auto-generated")]
        return message
    }

    @Test func headersComeInAStableOrder() throws {
        let names = unfoldedHeaders(try sample().serialized()).map { String($0.prefix { $0 != ":" }) }
        #expect(names == ["Date", "From", "To", "Cc", "Reply-To", "Subject", "Message-ID", "In-Reply-To", "References",
                          "X-Liaison-Tracking", "Auto-Submitted", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"])
    }

    @Test func headerValuesAreWrittenAsExpected() throws {
        let headers = unfoldedHeaders(try sample().serialized())
        #expect(headers.contains("Date: Tue, 01 Jul 2025 09:00:00 +0000"))
        #expect(headers.contains("From: Example CSIRT <vuls@csirt.example>"))
        #expect(headers.contains("To: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@vendor.example>, psirt@other.example"))
        #expect(headers.contains("Message-ID: <abc.123@csirt.example>"))
        #expect(headers.contains("In-Reply-To: <prev@vendor.example>"))
        #expect(headers.contains("References: <root@csirt.example> <prev@vendor.example>"))
        #expect(headers.contains("MIME-Version: 1.0"))
        #expect(headers.contains("X-Liaison-Tracking: JVNVU#12345678/sample-vendor"))
    }

    @Test func parsedBackFieldByField() throws {
        let parsed = try ParsedMessage(bytes: try sample().serialized())
        #expect(parsed.from == sender)
        #expect(parsed.to == [vendor, address("psirt@other.example")])
        #expect(parsed.cc == [address("Team <team@csirt.example>")])
        #expect(parsed.subject == "[JVNVU#12345678] 脆弱性情報のご連絡")
        #expect(parsed.messageID == "abc.123@csirt.example")
        #expect(parsed.inReplyTo == ["prev@vendor.example"])
        #expect(parsed.references == ["root@csirt.example", "prev@vendor.example"])
        #expect(parsed.date == Date(timeIntervalSince1970: 1_751_360_400))
        #expect(parsed.header("x-liaison-tracking") == "JVNVU#12345678/sample-vendor")
        #expect(parsed.isAutomatic, "Auto-Submitted: auto-generated marks the message automatic")
    }

    @Test func neverWritesBccAndDeduplicatesEnvelope() throws {
        var message = sample()
        message.to = [address("A@Vendor.example"), address("b@vendor.example")]
        message.cc = [address("a@vendor.example"), address("c@vendor.example"), address("B@VENDOR.EXAMPLE")]
        let text = String(decoding: try message.serialized(), as: UTF8.self)
        #expect(!text.lowercased().contains("bcc"))
        #expect(message.envelopeRecipients == ["A@Vendor.example", "b@vendor.example", "c@vendor.example"])
        message.extraHeaders = [("Bcc", "hidden@x.example")]
        #expect(throws: MailError.invalidHeaderName) { try message.serialized() }
    }

    @Test func headerInjectionIsRefusedEverywhere() throws {
        var message = sample()
        message.subject = "Hello\r\nBcc: victim@x.example"
        #expect(throws: MailError.headerInjection) { try message.serialized() }
        message.subject = "bare LF\nX: y"
        #expect(throws: MailError.headerInjection) { try message.serialized() }
        message.subject = "bare CR\rX: y"
        #expect(throws: MailError.headerInjection) { try message.serialized() }
        message = sample()
        message.extraHeaders = [("X-Liaison-Tracking", "id\nBcc: victim@x.example")]
        #expect(throws: MailError.headerInjection) { try message.serialized() }

        message = sample()
        message.extraHeaders = [("X-Liaison-Tracking", "id\r\nBcc: victim@x.example")]
        do {
            _ = try message.serialized()
            Issue.record("expected headerInjection")
        } catch {
            #expect(error == .headerInjection)
            #expect(error.field == "X-Liaison-Tracking")
            #expect(error.description.contains("X-Liaison-Tracking"))
        }
        message.extraHeaders = [("X-Bad\r\nBcc", "v")]
        #expect(throws: MailError.headerInjection) { try message.serialized() }
        message.extraHeaders = [("X Bad", "v")]
        #expect(throws: MailError.invalidHeaderName) { try message.serialized() }
        message.extraHeaders = [("Content-Type", "text/html")]
        #expect(throws: MailError.invalidHeaderName) { try message.serialized() }

        message = sample()
        message.messageID = "id@x\r\nBcc: v@x.example"
        #expect(throws: MailError.headerInjection) { try message.serialized() }
        message.messageID = "two words@x.example"
        #expect(throws: MailError.invalidMessageID) { try message.serialized() }
        message = sample()
        message.references = ["ok@x.example", "bad>@x"]
        #expect(throws: MailError.invalidMessageID) { try message.serialized() }

        #expect(throws: MailError.headerInjection) { try EmailAddress(address: "a@b.example", displayName: "X\r\nBcc: v@x.example") }
        #expect(throws: MailError.headerInjection) { try EmailAddress(address: "a@b.example\r\nBcc: v@x.example") }
    }

    @Test func extraHeadersKeepLongTokensReadableAndEncodeJapanese() throws {
        var message = sample()
        let url = "<https://csirt.example/notifications/unsubscribe?token=" + String(repeating: "a1b2c3d4", count: 12) + ">"
        message.extraHeaders = [("List-Unsubscribe", url), ("X-Liaison-Note", "  要確認 case  ")]
        let bytes = try message.serialized()
        #expect(unfoldedHeaders(bytes).contains("List-Unsubscribe: \(url)"))
        let parsed = try ParsedMessage(bytes: bytes)
        #expect(parsed.header("List-Unsubscribe") == url)
        #expect(parsed.decodedHeader("X-Liaison-Note") == "要確認 case")
        message.extraHeaders = [(String(repeating: "X", count: 80), "v")]
        #expect(throws: MailError.invalidHeaderName) { try message.serialized() }
    }

    @Test func noRecipientIsAnError() {
        var message = sample()
        message.to = []
        #expect(throws: MailError.noRecipients) { try message.serialized() }
    }

    @Test func longJapaneseTextAndBinaryAttachmentStaySevenBitWithShortLines() throws {
        var generator = SplitMix64(state: 42)
        let binary = Data((0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let paragraph = String(repeating: "本件は複数の製品に影響する脆弱性に関するご連絡です。", count: 40)
        let text = (0..<20).map { "\($0). \(paragraph)" }.joined(separator: "\n")
        let content = MIMEEntity.mixed([.text(text), .attachment(Attachment(filename: "証跡データ.bin", data: binary))])
        var message = sample()
        message.subject = String(repeating: "長い件名", count: 30)
        message.body = .signed(content: content, signature: Data("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n".utf8), micalg: "pgp-sha512")
        let bytes = try message.serialized()
        #expect(bytes.allSatisfy { $0 < 0x80 }, "every byte is 7-bit")
        let lines = crlfLines(bytes)
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "in practice every line folds under 78")
        #expect(!String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare LF")
        let parsed = try ParsedMessage(bytes: bytes)
        let mixed = parsed.root.parts[0]
        #expect(mixed.parts[0].text?.replacingOccurrences(of: "\r\n", with: "\n") == text + "\n")
        #expect(mixed.parts[1].decodedBody == binary)
        #expect(mixed.parts[1].filename == "証跡データ.bin")
        #expect(parsed.subject == message.subject)
    }

    @Test func generatedMessageIDsAreUniqueAndAtTheSendersDomain() {
        let ids = (0..<2000).map { _ in MessageID.generate(domain: "csirt.example") }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasSuffix("@csirt.example") && !$0.contains("<") && !$0.contains(" ") })
        let message = Message(from: sender, to: [vendor], subject: "s", body: .text("b"))
        #expect(message.messageID.hasSuffix("@csirt.example"))
        #expect(MessageID.generate(domain: "bad domain\r\n").hasSuffix("@localhost"))
    }

    @Test func dateIsRFC5322InUTC() {
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: 1_709_251_199)) == "Thu, 29 Feb 2024 23:59:59 +0000")
        #expect(RFC5322Date.parse("Tue,  1 Jul 2025 09:00:05 +0900 (JST)") == Date(timeIntervalSince1970: 1_751_328_005))
    }

    /// RFC 5322 section 4.3: a two-digit year below 50 is 20xx, from 50 it is 19xx; three digits count from 1900.
    @Test func obsoleteTwoAndThreeDigitYearsAreReadAsTheStandardSays() {
        #expect(RFC5322Date.parse("Mon, 07 Dec 26 03:56:44 +0000") == RFC5322Date.parse("Mon, 07 Dec 2026 03:56:44 +0000"))
        #expect(RFC5322Date.parse("Mon, 7 Dec 26 03:56 +0000") == RFC5322Date.parse("Mon, 07 Dec 2026 03:56:00 +0000"))
        #expect(RFC5322Date.parse("Thu, 01 Jan 98 00:00:00 +0000") == RFC5322Date.parse("Thu, 01 Jan 1998 00:00:00 +0000"))
        #expect(RFC5322Date.parse("Wed, 01 Jan 126 00:00:00 GMT") == RFC5322Date.parse("Thu, 01 Jan 2026 00:00:00 +0000"))
        #expect(RFC5322Date.parse("Mon, 07 Dec 26 03:56:44 +0000") != nil)
    }
}
