import Foundation
import Testing
@testable import Mail

/// Delivery reports, automatic replies and human replies as mail systems and clients really write them.
@Suite struct ClassificationTests {
    func classify(_ text: String) throws -> MessageClassification {
        try ParsedMessage(bytes: Data(text.utf8)).classify()
    }

    static let ourCopy = """
        Return-Path: <vuls+LSN-7Q2K9PXA@csirt.example>
        Message-ID: <lz3k1a.notice-hotaru@csirt.example>
        From: Example CSIRT <vuls@csirt.example>
        To: PSIRT <psirt@hotaru-backup.example>
        Cc: Info <info@hotaru-backup.example>
        Subject: [JVNVU#12345678] Vulnerability notification [LSN-7Q2K9PXA]

        Dear Hotaru Backup,
        """

    @Test(arguments: [true, false])
    func qmailFailureNoticeWithoutMIMEIsABounceOfTheAddressAboveTheCopy(nullReturnPath: Bool) throws {
        let result = try classify("""
            \(nullReturnPath ? "Return-Path: <>\n" : "")From: MAILER-DAEMON@mx.hotaru-backup.example
            To: vuls@csirt.example
            Subject: failure notice

            Hi. This is the qmail-send program at mx.hotaru-backup.example.
            I'm afraid I wasn't able to deliver your message to the following addresses.
            This is a permanent error; I've given up. Sorry it didn't work out.

            <psirt@hotaru-backup.example>:
            192.0.2.7 does not like recipient.
            Remote host said: 550 5.1.1 <psirt@hotaru-backup.example>: Recipient address rejected: User unknown
            Giving up on 192.0.2.7.

            --- Below this line is a copy of the message.

            \(Self.ourCopy)
            """)
        #expect(result.kind == .deliveryReport)
        let report = try #require(result.report)
        #expect(report.failedRecipients.map(\.address) == ["psirt@hotaru-backup.example"])
        #expect(report.failedRecipients.first?.status == "5.1.1")
        #expect(report.returnedMessageIDs == ["lz3k1a.notice-hotaru@csirt.example"])
    }

    @Test func eximReportNamesItsFailedRecipientsInAHeader() throws {
        let result = try classify("""
            Return-path: <>
            X-Failed-Recipients: dbsec@sakuragi-db.example
            Auto-Submitted: auto-replied
            From: Mail Delivery System <Mailer-Daemon@relay.csirt.example>
            To: vuls@csirt.example
            Subject: Mail delivery failed: returning message to sender

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              dbsec@sakuragi-db.example
                SMTP error from remote mail server after RCPT TO:<dbsec@sakuragi-db.example>:
                550 5.1.1 <dbsec@sakuragi-db.example>: Recipient address rejected: User unknown

            ------ This is a copy of the message, including all the headers. ------

            \(Self.ourCopy)
            """)
        #expect(result.kind == .deliveryReport, "Auto-Submitted does not make a bounce an automatic reply")
        #expect(result.report?.format == .failedRecipientsHeader)
        #expect(result.report?.failedRecipients.map(\.address) == ["dbsec@sakuragi-db.example"])
        #expect(result.report?.failedRecipients.first?.status == "5.1.1")
    }

    @Test func sendmailPlainTextBounceNamesTheRecipientInBrackets() throws {
        let result = try classify("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@mx.tomoe-vpn.example>
            To: <vuls@csirt.example>
            Subject: Returned mail: see transcript for details

            The original message was received at Tue, 1 Dec 2026 01:18:05 +0900 from mail.csirt.example [192.0.2.10]

               ----- The following addresses had permanent fatal errors -----
            <security@tomoe-vpn.example>
                (reason: 550 5.1.1 User unknown)

               ----- Transcript of session follows -----
            ... while talking to mx.tomoe-vpn.example.:
            >>> RCPT To:<security@tomoe-vpn.example>
            <<< 550 5.1.1 User unknown
            """)
        #expect(result.kind == .deliveryReport)
        #expect(result.report?.failedRecipients.map(\.address) == ["security@tomoe-vpn.example"])
        #expect(result.report?.failedRecipients.first?.status == "5.1.1")
    }

    @Test func postfixReportAfterAliasExpansionNamesTheAddressWeWroteTo() throws {
        let result = try classify("""
            Return-Path: <>
            From: MAILER-DAEMON@mx.aozora-systems.example (Mail Delivery System)
            To: vuls@csirt.example
            Subject: Undelivered Mail Returned to Sender
            Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

            --B1
            Content-Type: text/plain

            <psirt-team@internal.aozora-systems.example> (expanded from <psirt@aozora-systems.example>): user unknown

            --B1
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.aozora-systems.example

            Final-Recipient: rfc822; psirt-team@internal.aozora-systems.example
            Original-Recipient: rfc822;psirt@aozora-systems.example
            Action: failed
            Status: 5.1.1

            --B1
            Content-Type: text/rfc822-headers

            Message-ID: <n1.aozora@csirt.example>
            To: psirt@aozora-systems.example
            Cc: info@aozora-systems.example

            --B1--
            """)
        let report = try #require(result.report)
        #expect(report.format == .rfc3464)
        #expect(report.failedRecipients.map(\.address) == ["psirt@aozora-systems.example"])
        #expect(report.failedRecipients.first?.finalRecipient == "psirt-team@internal.aozora-systems.example")
        #expect(report.returnedMessageIDs == ["n1.aozora@csirt.example"])
    }

    @Test func delayWarningFailsNobodyAndAReportWithOneFailedAndOneDelayedFailsOnlyTheFirst() throws {
        let report = try #require(try classify("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example>
            To: vuls@csirt.example
            Subject: Warning: could not send message for past 4 hours
            Content-Type: multipart/report; report-type=delivery-status; boundary="D"

            --D
            Content-Type: text/plain

                **********************************************
                **      THIS IS A WARNING MESSAGE ONLY      **
                **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **
                **********************************************
            Will keep trying until message is 5 days old

            --D
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example

            Final-Recipient: RFC822; a@vendor-one.example
            Action: failed
            Status: 5.0.0

            Final-Recipient: RFC822; b@vendor-two.example
            Action: delayed
            Status: 4.0.0

            --D--
            """).report)
        #expect(report.failedRecipients.map(\.address) == ["a@vendor-one.example"])
        #expect(report.recipients.first { $0.address == "b@vendor-two.example" }?.action == .delayed)

        let warning = try #require(try classify("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example>
            To: vuls@csirt.example
            Subject: Warning: could not send message for past 4 hours

            This is only a warning. Will keep trying until message is 5 days old.
               ----- Transcript of session follows -----
            <security@slow.example>... Deferred: Connection timed out with mx.slow.example.
            """).report)
        #expect(warning.failedRecipients.isEmpty)
        #expect(!warning.isFailure)
    }

    @Test func office365ReportWithoutDeliveryStatusPartFailsOnlyTheAddressInTheText() throws {
        let result = try classify("""
            Return-Path: <>
            From: Microsoft Outlook <postmaster@izumi-crypto.example>
            To: <vuls@csirt.example>
            Subject: Undeliverable: [JVNVU#12345678] Vulnerability notification [LSN-7Q2K9PXB]
            Content-Type: multipart/report; report-type=delivery-status; boundary="R"

            --R
            Content-Type: multipart/alternative; boundary="A"

            --A
            Content-Type: text/plain; charset="Windows-1252"
            Content-Transfer-Encoding: quoted-printable

            Delivery has failed to these recipients or groups:

            psirt@izumi-crypto.example<mailto:psirt@izumi-crypto.example>
            The email address wasn=92t found at the destination domain.

            Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound'

            Original message headers:

            Message-ID: <n2.izumi@csirt.example>
            To: Product Security Team <psirt@izumi-crypto.example>
            Cc: Information Security Office <info@izumi-crypto.example>

            --A--

            --R--
            """)
        let report = try #require(result.report)
        #expect(report.failedRecipients.map(\.address) == ["psirt@izumi-crypto.example"])
        #expect(report.failedRecipients.first?.status == "5.1.10")
        #expect(report.returnedMessageIDs == ["n2.izumi@csirt.example"])
    }

    @Test func japaneseProviderReportInISO2022JPIsABounce() throws {
        // 「宛先のメールアドレスが見つかりません」 and the copy below 「元のメッセージ」, all in ISO-2022-JP.
        let body = "\u{1B}$B08@h$N%a!<%k%\"%I%l%9$,8+$D$+$j$^$;$s!#\u{1B}(B\n\n<kasumi@kasumi-mail.example>\n550 5.1.1 unknown user\n"
        let result = try classify("""
            Return-Path: <>
            From: postmaster@mail.provider.example
            To: vuls@csirt.example
            Subject: =?ISO-2022-JP?B?GyRCRzlBdyUoJWkhPBsoQg==?=
            Content-Type: text/plain; charset=ISO-2022-JP

            \(body)
            """)
        #expect(result.kind == .deliveryReport)
        #expect(result.report?.failedRecipients.map(\.address) == ["kasumi@kasumi-mail.example"])
    }

    @Test func gmailReportCarriesOurMessageIDInXOriginalMessageID() throws {
        let report = try #require(try classify("""
            Return-Path: <>
            From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>
            To: vuls@csirt.example
            Subject: Delivery Status Notification (Failure)
            Content-Type: multipart/report; boundary="G"; report-type=delivery-status

            --G
            Content-Type: text/plain; charset="UTF-8"

            ** Address not found **

            --G
            Content-Type: message/delivery-status

            Reporting-MTA: dns; googlemail.example
            X-Original-Message-ID: <n3.kagayaki@csirt.example>

            Final-Recipient: rfc822; security@kagayaki-browser.example
            Action: failed
            Status: 5.1.1

            --G--
            """).report)
        #expect(report.returnedMessageIDs == ["n3.kagayaki@csirt.example"])
        #expect(report.failedRecipients.map(\.address) == ["security@kagayaki-browser.example"])
    }

    @Test(arguments: [
        "Automatische Antwort: [JVNVU#12345678] Vulnerability notification",
        "Automatic reply: [JVNVU#12345678] Vulnerability notification",
        "RE: Out of Office: [JVNVU#12345678]",
        "Réponse automatique : [JVNVU#12345678]",
        "Respuesta automática: [JVNVU#12345678]",
        "【自動返信】Re: [JVNVU#12345678] 脆弱性情報のご連絡",
        "Re: 【不在】[JVNVU#12345678] 脆弱性情報のご連絡",
        "回复: 自动回复: [JVNVU#12345678] 漏洞通知",
        "자동 응답: [JVNVU#12345678]",
        "AW: Abwesenheitsnotiz",
    ])
    func outOfOfficeSubjectsInManyLanguagesAreAutomatic(subject: String) throws {
        let encoded = EncodedWord.encode(subject).joined(separator: " ")
        let result = try classify("From: a@vendor.example\nTo: vuls@csirt.example\nSubject: \(encoded)\n\nbody\n")
        #expect(result.kind == .automaticReply)
        #expect(result.automaticKind == .outOfOffice)
    }

    @Test func exchangeOutOfOfficeWithoutAutoSubmittedIsAutomatic() throws {
        let result = try classify("""
            From: "Weber, Katrin" <k.weber@kotori-chat.example>
            To: vuls@csirt.example
            Subject: Re: [JVNVU#12345678] Vulnerability notification
            X-Auto-Response-Suppress: All
            Content-Type: text/plain; charset="iso-8859-1"
            Content-Transfer-Encoding: quoted-printable

            Vielen Dank f=FCr Ihre Nachricht. Ich bin nicht im B=FCro.
            """)
        #expect(result.kind == .automaticReply)
    }

    @Test func humanReplyThroughATicketSystemWithPrecedenceBulkIsAHumanReply() throws {
        let result = try classify("""
            From: "Hanako Sato via RT" <security@shirakawa-ldap.example>
            To: vuls@csirt.example
            Subject: [shirakawa-ldap.example #4821] Re: [JVNVU#12345678] [LSN-7Q2K9PXC]
            Precedence: bulk
            X-RT-Ticket: shirakawa-ldap.example #4821

            Status: affected
            """)
        #expect(result.kind == .humanReply)
    }

    @Test func ticketAcknowledgementsReadReceiptsAndListNoticesAreAutomatic() throws {
        let ticket = try classify("From: support@vendor.example\nTo: vuls@csirt.example\nSubject: [Ticket#2026120110000123] Ticket received: [JVNVU#12345678]\n\nThank you.\n")
        #expect(ticket.kind == .automaticReply && ticket.automaticKind == .ticketAcknowledgement)
        let mdn = try classify("""
            From: a@vendor.example
            To: vuls@csirt.example
            Subject: Read: [JVNVU#12345678]
            Content-Type: multipart/report; report-type=disposition-notification; boundary="M"

            --M
            Content-Type: message/disposition-notification

            Final-Recipient: rfc822; a@vendor.example
            Disposition: manual-action/MDN-sent-manually; displayed

            --M--
            """)
        #expect(mdn.kind == .automaticReply && mdn.automaticKind == .readReceipt)
        let list = try classify("From: psirt-owner@lists.vendor.example\nTo: vuls@csirt.example\nSubject: Your message to psirt awaits moderator approval\n\nHeld.\n")
        #expect(list.kind == .automaticReply)
    }

    @Test func abuseFeedbackReportIsNeitherABounceNorAReply() throws {
        let result = try classify("""
            From: abuse@isp.example
            To: abuse@csirt.example
            Subject: FW: report
            Content-Type: multipart/report; report-type=feedback-report; boundary="F"

            --F
            Content-Type: message/feedback-report

            Feedback-Type: abuse

            --F--
            """)
        #expect(result.kind == .unrelated)
    }

    // MARK: - Charsets through iconv

    @Test(arguments: [
        ("gb2312", "bbd8b8b43a205b4c534e2d41424344313233345d20c2a9b6b4cda8d6aa", "回复: [LSN-ABCD1234] 漏洞通知"),
        ("GBK", "bbd8b8b43a205b4c534e2d41424344313233345d20c2a9b6b4cda8d6aa", "回复: [LSN-ABCD1234] 漏洞通知"),
        ("big5", "a65ec2d03a205b4c534e2d41424344313233345d20ba7cac7db371aabe", "回覆: [LSN-ABCD1234] 漏洞通知"),
        ("euc-kr", "c8b8bdc53a205b4c534e2d41424344313233345d20c3ebbee0c1a120c5ebc1f6", "회신: [LSN-ABCD1234] 취약점 통지"),
        ("koi8-r", "efd4d7c5d43a20d5d1dad7c9cdcfd3d4d8", "Ответ: уязвимость"),
        ("windows-1251", "cef2e2e5f23a20f3ffe7e2e8eceef1f2fc", "Ответ: уязвимость"),
        ("Shift_JIS", "89658bbf3a2082c882b5", "影響: なし"),
        ("EUC-JP", "bcabc6b0b1fec5faa4c7a4b9", "自動応答です"),
        ("iso-2022-jp", "1b24422d212d6a1b2842", "①㈱"),
    ])
    func charsetsOfTheRegionDecodeInBodiesAndEncodedWords(charset: String, hex: String, expected: String) throws {
        let bytes = Data(stride(from: 0, to: hex.count, by: 2).map {
            UInt8(hex[hex.index(hex.startIndex, offsetBy: $0)..<hex.index(hex.startIndex, offsetBy: $0 + 2)], radix: 16)!
        })
        #expect(Charset.decode(bytes, charset: charset) == expected)
        // Split every 5 bytes, mid-character: adjacent words are joined before decoding.
        let words = stride(from: 0, to: bytes.count, by: 5).map {
            "=?\(charset)?B?\(bytes[$0..<min($0 + 5, bytes.count)].base64EncodedString())?="
        }
        let message = "From: a@vendor.example\nSubject: \(words.joined(separator: "\n "))\nContent-Type: text/plain; charset=\(charset)\nContent-Transfer-Encoding: base64\n\n\(bytes.base64EncodedString())\n"
        let parsed = try ParsedMessage(bytes: Data(message.utf8))
        #expect(parsed.subject == expected)
        #expect(parsed.bodyText == expected)
    }

    @Test func undecodableBodyKeepsItsBytesAndSaysSo() throws {
        let parsed = try ParsedMessage(bytes: Data("From: a@vendor.example\nContent-Type: text/plain; charset=euc-kr\n\n".utf8) + Data([0xFF, 0xFE, 0x41, 0x0A]))
        #expect(parsed.root.text == nil)
        #expect(parsed.root.isUndecodable)
        #expect(parsed.root.decodedBody.count == 4)
    }
}
