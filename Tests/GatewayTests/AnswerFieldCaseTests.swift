import Foundation
import Mail
import Registry
import Testing
import TestSupport
@testable import Gateway

/// What a vendor meant: answers in its own words and charsets, machine mail that is no answer, and a person's
/// statement inside machine-sent mail — each kind with several examples, against a case notified in the test.
@Suite struct AnswerFieldCaseTests {
    typealias Notified = FieldCaseTests.Notified
    static let caseId = FieldCaseTests.caseId

    static func encoded(_ text: String, _ charset: String) throws -> Data { try TextAsWrittenTests.encoded(text, charset) }

    /// The `to` address `Notified` gives `org`.
    static func address(_ org: String) -> String {
        ["kagayaki-browser", "ooshima-ecommerce", "shirakawa-ldap", "kasumi-mail", "tomoe-vpn"].contains(org)
            ? "security@\(org).example" : org == "sakuragi-db" ? "dbsec@\(org).example" : "psirt@\(org).example"
    }

    /// A reply to `org`'s notice: `headers` (bytes, may hold raw 8-bit), a blank line, `body`.
    static func message(_ headers: Data, body: Data) -> Data {
        headers + Data("\n".utf8) + body
    }

    func review(_ n: Notified, _ messageId: String) throws -> String? {
        try n.f.store.inbound.entries(unmatchedOnly: false, reviewOnly: true)
            .first { $0.messageId == messageId }?.reviewReason
    }

    // MARK: - Answers in the vendor's words (issue 17, point 1)

    @Test func answersToOurNumberedQuestionsInTheVendorsLanguageAndCharset() throws {
        let n = try Notified()
        // Field case 37: Becky! in ISO-2022-JP, our questions answered in Japanese, the original quoted below.
        let japanese = """
            JPCERT/CC 脆弱性コーディネーショングループ ご担当者様

            いつもお世話になっております。
            JVNVU#12345678 につきまして、ご依頼の事項に以下のとおり回答いたします。

              1. 受領確認: 受領いたしました。
              2. 貴社製品への影響の有無: 影響なし
                 弊社の OoshimaCart (全バージョン) は当該 TLS 実装を使用しておらず、
                 本脆弱性には該当しません。
              3. 対策の予定: 該当しないため、予定はございません。

            --
            大島イーコマースプラットフォーム株式会社

            ----- Original Message -----
            >   2. 貴社製品への影響の有無 (影響あり / 影響なし / 調査中)
            >   3. 影響がある場合、対策の予定 (修正版の提供時期、回避策など)
            """
        // Korean in EUC-KR, Chinese in GBK and Big5, German in ISO-8859-1: each a status in its own words.
        let replies: [(org: String, charset: String, text: String, expected: Response)] = [
            ("ooshima-ecommerce", "ISO-2022-JP", japanese, .notAffected),
            ("kotori-chat", "EUC-KR", "안녕하세요.\n\n2. 영향 여부: 영향 없음\n당사 제품은 해당 TLS 구현을 사용하지 않습니다.\n", .notAffected),
            ("kotori-chat-cn", "GBK", "您好，\n\n经确认，该问题已修复（3.1.4 版本）。\n", .fixed),
            ("tomoe-vpn", "BIG5", "您好，\n\n我們的產品不受影響。\n", .notAffected),
            ("aozora-systems", "ISO-8859-1", "Guten Tag,\n\nunsere Produkte sind nicht betroffen.\n\nMit freundlichen Grüßen\n", .notAffected),
            ("hotaru-backup", "SHIFT_JIS", "お世話になっております。\n\n弊社製品への影響はありません。\n", .notAffected),
            ("izumi-crypto", "UTF-8", "> 2. whether your products are affected (affected / not affected / investigating);\n\nYes, versions 2.0 to 2.3.\n",
             .affected),
        ]
        for (index, reply) in replies.enumerated() {
            let headers = """
                From: PSIRT <\(Self.address(reply.org))>
                To: vuls@jpcert.example
                Subject: Re: notice
                Message-ID: <answer-\(index)@\(reply.org).example>
                In-Reply-To: <\(n.mid(reply.org))>
                MIME-Version: 1.0
                Content-Type: text/plain; charset="\(reply.charset)"
                Content-Transfer-Encoding: 8bit

                """
            let outcome = try n.f.ingester.ingest(Self.message(Data(headers.utf8), body: try Self.encoded(reply.text, reply.charset)))
            #expect(outcome.disposition == .reply, "\(reply.org): \(outcome)")
            #expect(try n.response(reply.org) == reply.expected, "\(reply.org) (\(reply.charset))")
            #expect(try review(n, outcome.messageId) == nil, "\(reply.org): a readable answer needs no review")
        }
        let statement = try n.f.participant(Self.caseId, "ooshima-ecommerce").statement ?? ""
        #expect(statement.contains("影響なし") && !statement.contains("Original Message") && !statement.contains("大島イーコマース"),
                "the statement is the vendor's own words: \(statement)")
    }

    @Test func aReplyThatStatesNothingReadableIsKeptAndListedAndAPersonSetsItsStatusInOneStep() throws {
        let n = try Notified()
        let replies = [("aozora-systems", "We use our own TLS stack, not the library named in your report. Details are attached."),
                       ("shirakawa-ldap", "弊社では当該ライブラリを使用しておりません。詳細は添付資料をご参照ください。"),
                       ("sakuragi-db", "Some builds are affected, others are not affected.")]
        for (index, (org, text)) in replies.enumerated() {
            let outcome = try n.ingest("""
                From: \(Self.address(org))
                To: vuls@jpcert.example
                Subject: Re: notice
                Message-ID: <unread-\(index)@\(org).example>
                In-Reply-To: <\(n.mid(org))>
                Content-Type: text/plain; charset=utf-8

                \(text)
                """)
            #expect(try n.response(org) == .acknowledged, "\(org): it came back, so it was received")
            #expect(try review(n, outcome.messageId)?.hasPrefix("answer not understood") == true, "\(org)")
            #expect(try n.f.participant(Self.caseId, org).statement == text, "\(org): its words are kept")
        }
        // A person reads it and sets the status in one step; the review closes.
        let stored = try n.f.store.inbound.entries(unmatchedOnly: false, reviewOnly: true)
        let aozora = try #require(stored.first { $0.organizationId == "aozora-systems" })
        let (outcome, changed) = try n.f.ingester.assign(String(aozora.id), caseId: Self.caseId, organizationId: "aozora-systems",
                                                         response: .notAffected)
        #expect(changed && outcome.review == nil)
        #expect(try n.response("aozora-systems") == .notAffected)
        #expect(try review(n, aozora.messageId) == nil)
        #expect(throws: GatewayError.self) {
            try n.f.ingester.assign(String(aozora.id), caseId: Self.caseId, organizationId: "aozora-systems", response: Response.none)
        }
    }

    // MARK: - Machine mail is not an answer (point 6)

    @Test func quarantineNoticesOfSeveralGatewaysNeverAcknowledgeAndAreListed() throws {
        let n = try Notified()
        let notices: [(org: String, text: String)] = [
            ("aozora-systems", """
                From: Barracuda Email Security <quarantine@aozora-systems.example>
                Subject: Message you sent blocked by our bulk email filter
                Content-Type: text/plain

                Your message to: psirt@aozora-systems.example
                Subject: [JVNVU#12345678] Vulnerability notification [\(n.ref("aozora-systems"))]
                was blocked by the Barracuda Email Security Service and placed in quarantine.
                """),
            ("kagayaki-browser", """
                From: Proofpoint Essentials <noreply@kagayaki-browser.example>
                Subject: Message Quarantined: [\(n.ref("kagayaki-browser"))]
                Content-Type: text/plain

                The message you sent to security@kagayaki-browser.example has been quarantined by Proofpoint.
                """),
            ("kasumi-mail", """
                From: postmaster@kasumi-mail.example
                Subject: Mimecast: Your message has been held for review [\(n.ref("kasumi-mail"))]
                Content-Type: text/plain

                Your message has been held by Mimecast and has not been delivered to the recipient.
                """),
            ("tomoe-vpn", """
                From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@tomoe-vpn.example>
                Subject: Your message has NOT been delivered [\(n.ref("tomoe-vpn"))]
                Content-Type: text/html; charset=utf-8

                <p>Your message to security@tomoe-vpn.example has NOT been delivered. It was quarantined by Microsoft 365
                as possible high confidence phishing.</p>
                """),
            ("hotaru-backup", """
                From: mailsecurity@hotaru-backup.example
                Subject: =?UTF-8?B?44Oh44O844Or6ZqU6Zui44Gu44GK55+l44KJ44Gb?= [\(n.ref("hotaru-backup"))]
                Content-Type: text/plain; charset=utf-8

                お送りいただいたメールはセキュリティポリシーにより隔離されました。
                """),
        ]
        for (index, notice) in notices.enumerated() {
            let outcome = try n.ingest("Message-ID: <quarantine-\(index)@gateway.example>\nTo: vuls@jpcert.example\n" + notice.text)
            #expect(outcome.kind == "automatic-reply", "\(notice.org): \(outcome)")
            #expect(try n.response(notice.org) == .none, "\(notice.org): a quarantine acknowledges nothing")
            #expect(try n.bounces(Self.address(notice.org)) == 0, "\(notice.org): the address is fine")
            let reason = try review(n, outcome.messageId) ?? ""
            #expect(reason.hasPrefix("not an answer: quarantine") && reason.contains("did not reach"), "\(notice.org): \(reason)")
        }
    }

    @Test func recallRequestsAndReadReceiptsNeverAcknowledgeAndAreListed() throws {
        let n = try Notified()
        let messages: [(org: String, text: String, kind: String)] = [
            // Field case 49: Outlook "Recall:" of an earlier reply.
            ("shirakawa-ldap", """
                From: =?utf-8?B?5L2Q6JekIOiKseWtkA==?= <h.sato@shirakawa-ldap.example>
                Subject: Recall: RE: [JVNVU#12345678] [\(n.ref("shirakawa-ldap"))]
                Thread-Topic: [JVNVU#12345678]
                Content-Type: text/plain; charset=utf-8

                佐藤 花子 would like to recall the message, "RE: [JVNVU#12345678] [\(n.ref("shirakawa-ldap"))]".
                """, "recall"),
            ("sakuragi-db", """
                From: dbsec@sakuragi-db.example
                Subject: Rückruf: AW: [JVNVU#12345678] [\(n.ref("sakuragi-db"))]
                Content-Type: text/plain; charset=utf-8

                Mori Kenji möchte die Nachricht "AW: [JVNVU#12345678]" zurückrufen.
                """, "recall"),
            // RFC 8098 MDN.
            ("aozora-systems", """
                From: psirt@aozora-systems.example
                Subject: Read: [JVNVU#12345678] [\(n.ref("aozora-systems"))]
                In-Reply-To: <\(n.mid("aozora-systems"))>
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"

                --mdn
                Content-Type: text/plain

                The message was displayed on the recipient's computer.
                --mdn
                Content-Type: message/disposition-notification

                Final-Recipient: rfc822; psirt@aozora-systems.example
                Original-Message-ID: <\(n.mid("aozora-systems"))>
                Disposition: manual-action/MDN-sent-manually; displayed
                --mdn--
                """, "read-receipt"),
            // Non-standard receipts (Outlook in English and Japanese).
            ("izumi-crypto", """
                From: psirt@izumi-crypto.example
                Subject: Read: [JVNVU#12345678] Vulnerability notification [\(n.ref("izumi-crypto"))]
                Content-Type: text/plain

                Your message was read on Tuesday, December 8, 2026 10:14:07 AM (UTC+09:00) Osaka, Sapporo, Tokyo.
                """, "read-receipt"),
            ("kotori-chat", """
                From: psirt@kotori-chat.example
                Subject: =?UTF-8?B?6ZaL5bCB5riI44G/Og==?= [JVNVU#12345678] [\(n.ref("kotori-chat"))]
                Content-Type: text/plain; charset=utf-8

                メッセージは 2026/12/08 10:14 に開封されました。
                """, "read-receipt"),
        ]
        for (index, message) in messages.enumerated() {
            let outcome = try n.ingest("Message-ID: <machine-\(index)@client.example>\nTo: vuls@jpcert.example\n" + message.text)
            #expect(outcome.kind == "automatic-reply", "\(message.org): \(outcome)")
            #expect(try n.response(message.org) == .none, "\(message.org): \(message.kind) acknowledges nothing")
            let reason = try review(n, outcome.messageId) ?? ""
            #expect(reason.hasPrefix("not an answer: \(message.kind == "recall" ? "recall request" : "read receipt")"),
                    "\(message.org): \(reason)")
        }
    }

    /// Field case 51's S/MIME envelope (enveloped-data for a certificate Liaison does not hold).
    static let smimeEnvelope = """
        MIIDYwYJKoZIhvcNAQcDoIIDVDCCA1ACAQAxggGHMIIBgwIBADBrMFMxLTArBgNVBAMMJEpQQ0VS
        VCBDQyBWdWxuZXJhYmlsaXR5IENvb3JkaW5hdGlvbjEiMCAGCSqGSIb3DQEJARYTdnVsc0BqcGNl
        cnQuZXhhbXBsZQIUDJcUBO5SnNjo/7Zh1EMInW1yT44wDQYJKoZIhvcNAQEBBQAEggEAl+YGLLmf
        PjMpNeQbe3BDcgmZcNst0utRS9wd4yy8iejiuWywv9QEVbuMPENn5EQfpUDSqfzDEoOinnKx7Rxg
        """

    @Test func encryptedRepliesNobodyCouldDecryptAcknowledgeNothingAndAreListed() throws {
        let n = try Notified()
        // S/MIME, with and without smime-type (Outlook leaves it out).
        for (index, (org, parameter)) in [("ooshima-ecommerce", ""), ("kotori-chat", "; smime-type=enveloped-data")].enumerated() {
            let outcome = try n.ingest("""
                From: \(Self.address(org))
                To: vuls@jpcert.example
                Subject: RE: [JVNVU#12345678] [\(n.ref(org))]
                Message-ID: <smime-\(index)@\(org).example>
                In-Reply-To: <\(n.mid(org))>
                MIME-Version: 1.0
                Content-Type: application/pkcs7-mime; name="smime.p7m"\(parameter)
                Content-Disposition: attachment; filename="smime.p7m"
                Content-Transfer-Encoding: base64

                \(Self.smimeEnvelope)
                """)
            #expect(outcome.encrypted && outcome.disposition == .review, "\(org): \(outcome)")
            #expect(try n.response(org) == .none, "\(org): content nobody read acknowledges nothing")
            #expect(outcome.signature == .none, "\(org): an envelope is no signature, never a bad one")
            let reason = try review(n, outcome.messageId) ?? ""
            #expect(reason.hasPrefix("not an answer: encrypted reply that nobody read") && reason.contains("S/MIME"), "\(reason)")
        }
        // PGP/MIME, encrypted to a key that is not ours.
        let stranger = try GnuPGHome.make()
        defer { stranger.shutdown() }
        _ = try stranger.generateKey(name: "Elsewhere", email: "someone@elsewhere.example")
        let armored = try stranger.gpg(["--armor", "--trust-model", "always", "--encrypt", "-r", "someone@elsewhere.example"],
                                       input: Data("Status: not-affected\n".utf8))
        #expect(armored.status == 0, "\(armored.stderr)")
        let outcome = try n.ingest("""
            From: psirt@izumi-crypto.example
            To: vuls@jpcert.example
            Subject: Re: [\(n.ref("izumi-crypto"))]
            Message-ID: <pgp-unreadable@izumi-crypto.example>
            In-Reply-To: <\(n.mid("izumi-crypto"))>
            MIME-Version: 1.0
            Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc"

            --enc
            Content-Type: application/pgp-encrypted

            Version: 1
            --enc
            Content-Type: application/octet-stream

            \(String(decoding: armored.stdout, as: UTF8.self))
            --enc--
            """)
        #expect(outcome.encrypted && outcome.disposition == .review, "\(outcome)")
        #expect(try n.response("izumi-crypto") == .none)
        #expect(try review(n, outcome.messageId)?.hasPrefix("not an answer: encrypted reply that nobody read") == true)
    }

    @Test func aStatusStatedInIssueTrackerMailCountsThoughTheMailIsMachineSent() throws {
        let n = try Notified()
        // Field case 55: a Redmine note; then GitLab and Jira notes of other vendors.
        let notes: [(org: String, text: String, expected: Response)] = [
            ("sakuragi-db", """
                From: Sakuragi DB Redmine <redmine@sakuragi-db.example>
                Subject: [Security Intake - Vulnerability #4711] (Resolved) [JVNVU#12345678] [\(n.ref("sakuragi-db"))]
                X-Mailer: Redmine
                X-Redmine-Issue-Id: 4711
                X-Auto-Response-Suppress: All
                Auto-Submitted: auto-generated
                Content-Type: text/plain; charset=UTF-8

                Issue #4711 has been updated by 森 健二.

                Status changed from New to Resolved

                7.4.2 で修正済みです。

                Status: fixed

                ----------------------------------------
                * Status: Resolved
                """, .fixed),
            ("kasumi-mail", """
                From: GitLab <gitlab@kasumi-mail.example>
                Subject: Re: Security | JVNVU#12345678 TLS (#88) [\(n.ref("kasumi-mail"))]
                Auto-Submitted: auto-generated
                X-GitLab-Project: security
                Content-Type: text/plain; charset=UTF-8

                Kenta Ito commented:

                影響: なし
                """, .notAffected),
            ("tomoe-vpn", """
                From: Jira <jira@tomoe-vpn.example>
                Subject: [JIRA] (PSIRT-12) JVNVU#12345678 [\(n.ref("tomoe-vpn"))]
                Auto-Submitted: auto-generated
                X-JIRA-FingerPrint: 0e7d2f
                Content-Type: text/plain; charset=UTF-8

                Aiko Ueda commented on PSIRT-12:

                2. whether your products are affected: investigating
                """, .investigating),
        ]
        for (index, note) in notes.enumerated() {
            let outcome = try n.ingest("Message-ID: <tracker-\(index)@tracker.example>\nTo: vuls@jpcert.example\n" + note.text)
            #expect(outcome.kind == "reply" && outcome.disposition == .reply, "\(note.org): \(outcome)")
            #expect(try n.response(note.org) == note.expected, "\(note.org)")
        }
        // A help desk's acknowledgement that repeats our questions states nothing: still automatic.
        let ack = try n.ingest("""
            Message-ID: <helpdesk@aozora-systems.example>
            From: support@aozora-systems.example
            To: vuls@jpcert.example
            Subject: [Ticket #5531] Request received [\(n.ref("aozora-systems"))]
            Auto-Submitted: auto-replied
            Content-Type: text/plain

            Your request has been received. You wrote:
              2. whether your products are affected (affected / not affected / investigating);
            """)
        #expect(ack.kind == "automatic-reply")
        #expect(try n.response("aozora-systems") == .none)
    }
}
