import Foundation
import Testing
@testable import Mail

@Suite struct ParsingTests {
    func signedSample() throws -> (content: MIMEEntity, bytes: Data) {
        let content = MIMEEntity.mixed([
            .text("山田様\n\n署名付きのご連絡です。\nFrom here on, lines are protected.\n"),
            .attachment(Attachment(filename: "advisory.txt", data: Data("line one\nline two\n".utf8))),
        ])
        let signature = Data("-----BEGIN PGP SIGNATURE-----\n\niHUEARYIAB0WIQQ=\n=abcd\n-----END PGP SIGNATURE-----\n".utf8)
        let message = Message(from: sender, to: [vendor], subject: "署名", body: .signed(content: content, signature: signature, micalg: "pgp-sha256"))
        return (content, try message.serialized())
    }

    @Test func signedPartRawBytesAreExactlyWhatWasSigned() throws {
        let (content, bytes) = try signedSample()
        let parsed = try ParsedMessage(bytes: bytes)
        let (signedContent, signature) = try #require(parsed.root.signedParts)
        #expect(signedContent.rawBytes == content.serialized())
        #expect(signedContent.canonicalized() == content.serialized())
        #expect(signature.text?.hasPrefix("-----BEGIN PGP SIGNATURE-----") == true)
        #expect(signedContent.parts.count == 2)
        #expect(signedContent.parts[1].filename == "advisory.txt")
    }

    @Test func signedPartFromLFStorageCanonicalizesBackToTheSignedBytes() throws {
        let (content, bytes) = try signedSample()
        let lf = Data(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").utf8)
        let parsed = try ParsedMessage(bytes: lf)
        let (signedContent, _) = try #require(parsed.root.signedParts)
        #expect(signedContent.rawBytes != content.serialized())
        #expect(signedContent.canonicalized() == content.serialized())
        #expect(parsed.subject == "署名")
    }

    @Test func deliveryStatusNotificationIsRead() throws {
        let parsed = try ParsedMessage(bytes: Data(Fixtures.postfixBounce.utf8))
        #expect(parsed.isAutomatic)
        let report = try #require(parsed.deliveryStatus)
        #expect(report.reportingMTA == "mx.csirt.example")
        #expect(report.originalMessageID == "lz3k1a.5f8e2c9a1b7d4e6f@csirt.example")
        #expect(report.recipients.count == 2)
        let rejected = report.recipients[0]
        #expect(rejected.finalRecipient == "nobody@vendor.example")
        #expect(rejected.originalRecipient == "nobody@vendor.example")
        #expect(rejected.action == "failed")
        #expect(rejected.status == "5.1.1")
        #expect(rejected.remoteMTA == "mx.vendor.example")
        #expect(rejected.diagnosticCode == "550 5.1.1 <nobody@vendor.example>: Recipient address rejected: User unknown in local recipient table")
        #expect(rejected.isPermanentFailure)
        let expired = report.recipients[1]
        #expect(expired.finalRecipient == "psirt@slow.example")
        #expect(expired.status == "4.4.1")
        // Action: failed with a 4.x.x status: the queue gave up, which is final.
        #expect(expired.isPermanentFailure)
        #expect(parsed.bodyText?.contains("Recipient address rejected") == true)
    }

    @Test func ordinaryMessageHasNoDeliveryStatus() throws {
        let parsed = try ParsedMessage(bytes: Data(Fixtures.iso2022JPReply.utf8))
        #expect(parsed.deliveryStatus == nil)
    }

    @Test func outOfOfficeReplyIsAutomatic() throws {
        let parsed = try ParsedMessage(bytes: Data(Fixtures.outOfOffice.utf8))
        #expect(parsed.isAutomatic)
        #expect(parsed.subject == "自動応答: [JVNVU#12345678] 脆弱性情報のご連絡")
        #expect(parsed.inReplyTo == ["lz3k1a.5f8e2c9a1b7d4e6f@csirt.example"])
        #expect(parsed.bodyText == "不在のため、7月7日まで返信できません。")
    }

    @Test(arguments: [
        ("Auto-Submitted: auto-generated", true), ("Auto-Submitted: no", false), ("Precedence: bulk", false),
        ("Precedence: junk", true), ("Precedence: list", false), ("X-Autoreply: yes", true), ("X-Autorespond: on", true),
        ("Subject: Out of Office: JVNVU#1", true), ("Subject: Automatic reply: JVNVU#1", true),
        ("Subject: =?UTF-8?B?5LiN5ZyoOiBKVk5WVSMx?=", true), ("Subject: Re: JVNVU#1", false),
        ("Subject: =?UTF-8?B?UmU6IOaLheW9k+iAheS4jeWcqOOBruOBn+OCgQ==?=", false),
    ])
    func automaticRepliesAreRecognised(_ header: String, _ automatic: Bool) throws {
        let bytes = Data("From: a@vendor.example\nTo: vuls@csirt.example\n\(header)\n\nbody\n".utf8)
        #expect(try ParsedMessage(bytes: bytes).isAutomatic == automatic)
    }

    @Test func iso2022JPReplyIsDecoded() throws {
        let parsed = try ParsedMessage(bytes: Data(Fixtures.iso2022JPReply.utf8))
        #expect(parsed.from?.displayName == "山田 太郎")
        #expect(parsed.from?.address == "yamada@vendor.example")
        #expect(parsed.subject == "Re: [JVNVU#12345678] 脆弱性情報のご連絡")
        #expect(parsed.messageID == "20250702101500.ABC1@vendor.example")
        #expect(parsed.inReplyTo == ["lz3k1a.5f8e2c9a1b7d4e6f@csirt.example"])
        #expect(parsed.references == ["root.1@csirt.example", "lz3k1a.5f8e2c9a1b7d4e6f@csirt.example"])
        #expect(!parsed.isAutomatic)
        let text = try #require(parsed.bodyText)
        #expect(text.contains("株式会社サンプルの山田です。"))
        #expect(text.contains("弊社製品への影響を調査いたします。"))
        #expect(parsed.root.contentType.charset == "iso-2022-jp")
    }

    @Test func shiftJISAndEUCJPBodiesAreDecoded() throws {
        let sjis = "From: a@vendor.example\nContent-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: base64\n\nklOTlo7SlXON3YLMgr2C34FBjOOT+onxk5qCooK9grWC3IK3gUIK\n"
        #expect(try ParsedMessage(bytes: Data(sjis.utf8)).bodyText == "担当者不在のため、後日回答いたします。\n")
        let euc = "From: a@vendor.example\nContent-Type: text/plain; charset=\"euc-jp\"\nContent-Transfer-Encoding: base64\n\nRVVDLUpQpM7L3Mq4pMekuaGjjraOwI62jsWk4rTepN+k3qS5oaMK\n"
        #expect(try ParsedMessage(bytes: Data(euc.utf8)).bodyText == "EUC-JPの本文です。ｶﾀｶﾅも含みます。\n")
        let latin1 = Data("From: a@vendor.example\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9\n".utf8)
        #expect(try ParsedMessage(bytes: latin1).bodyText == "Café\n")
    }

    @Test func toleratesMissingHeadersAndOddInput() throws {
        let minimal = try ParsedMessage(bytes: Data("Subject: hi\n\nbody".utf8))
        #expect(minimal.from == nil)
        #expect(minimal.messageID == nil)
        #expect(minimal.inReplyTo.isEmpty)
        #expect(minimal.root.contentType == .textPlain)
        #expect(minimal.bodyText == "body")
        let mbox = try ParsedMessage(bytes: Data("From yamada@vendor.example Tue Jul  1 09:00:00 2025\nFrom: yamada@vendor.example\nSubject :  spaced  \n\nx\n".utf8))
        #expect(mbox.from?.address == "yamada@vendor.example")
        #expect(mbox.subject == "spaced")
        #expect(throws: MailError.malformedMessage) { try ParsedMessage(bytes: Data()) }
        #expect(throws: MailError.malformedMessage) { try ParsedMessage(bytes: Data("just text, no headers\n".utf8)) }
        // A multipart whose close delimiter is missing still yields its parts.
        let open = try ParsedMessage(bytes: Data("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n".utf8))
        #expect(open.root.parts.map(\.text) == ["one", "two\n"])
        // Random bytes never crash the parser.
        var generator = SplitMix64(state: 7)
        for _ in 0..<200 {
            let bytes = Data((0..<Int.random(in: 0...400, using: &generator)).map { _ in
                "Content-Type: multipart/mixed; boundary=x\n--x\n\r=?:;\"<>@ ab".utf8.randomElement(using: &generator)!
            })
            if let parsed = try? ParsedMessage(bytes: bytes) { _ = (parsed.subject, parsed.from, parsed.bodyText, parsed.deliveryStatus, parsed.isAutomatic) }
        }
    }

    @Test func foreignAttachmentNamesAreDecoded() throws {
        let text = """
        From: a@vendor.example
        Content-Type: multipart/mixed; boundary="XX"

        --XX
        Content-Type: application/pdf; name="=?UTF-8?B?5aCx5ZGKLnBkZg==?="
        Content-Disposition: attachment

        x
        --XX
        Content-Type: application/octet-stream
        Content-Disposition: attachment;
         filename*0*=iso-2022-jp''%1B%24B%4A%73%39%70%1B%28%42;
         filename*1=".txt"

        y
        --XX--
        """
        let parsed = try ParsedMessage(bytes: Data(text.utf8))
        #expect(parsed.root.parts.map(\.filename) == ["報告.pdf", "報告.txt"])
    }

    @Test func inlinePGPIsDetected() throws {
        let signed = "From: a@vendor.example\n\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nok\n-----BEGIN PGP SIGNATURE-----\n"
        #expect(try ParsedMessage(bytes: Data(signed.utf8)).root.inlinePGP == .signed)
        let encrypted = "From: a@vendor.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\n> quoted\n-----BEGIN PGP MESSAGE-----\n\nhF4D\n--b--\n"
        let parsed = try ParsedMessage(bytes: Data(encrypted.utf8))
        #expect(parsed.root.inlinePGP == nil)
        #expect(parsed.root.parts[0].inlinePGP == .encrypted)
        #expect(parsed.inlinePGP == .encrypted)
        #expect(try ParsedMessage(bytes: Data("From: a@b.example\n\nplain\n".utf8)).inlinePGP == nil)
    }
}
