import Foundation
import Mail
import OpenPGP
@testable import Registry
import Testing
import TestSupport
@testable import Gateway

/// The mail a coordination center really receives — bounces of many mail systems, automatic replies in many
/// languages, replies in many charsets and signature forms — each as a message written here against a case
/// notified in the test, and one more of the same kind for each.
@Suite struct FieldCaseTests {
    static let caseId = "JVNVU#12345678"
    static let vendors = ["hotaru-backup", "aozora-systems", "izumi-crypto", "kagayaki-browser", "kotori-chat",
                          "ooshima-ecommerce", "shirakawa-ldap", "sakuragi-db", "kasumi-mail", "tomoe-vpn", "kotori-chat-cn"]

    /// A case notified to every vendor (a `psirt@` or `security@` address and an `info@` copy each).
    final class Notified {
        let f: GatewayFixture
        var notices: [String: NotificationRecord] = [:]

        init(keyed: Set<String> = []) throws {
            f = try GatewayFixture()
            for id in FieldCaseTests.vendors {
                let main = ["kagayaki-browser", "ooshima-ecommerce", "shirakawa-ldap", "kasumi-mail", "tomoe-vpn"].contains(id)
                    ? "security@\(id).example" : id == "sakuragi-db" ? "dbsec@\(id).example" : "psirt@\(id).example"
                try f.addOrganization(id, languages: ["en"], technologies: ["tls"],
                                      domains: id == "ooshima-ecommerce" ? ["ooshima-ecommerce.example"] : nil,
                                      contacts: [(main, "to", "en", keyed.contains(id)), ("info@\(id).example", "cc", "en", false)])
            }
            try f.caseBook.open(id: FieldCaseTests.caseId, title: "TLS heap overflow", origin: "jvn-jp", due: "2007-12-01")
            try f.caseBook.addParticipants(caseId: FieldCaseTests.caseId, organizations: FieldCaseTests.vendors)
            try f.composer.queue(NotificationRequest(caseId: FieldCaseTests.caseId, template: "vendor-initial", purpose: .caseNotification))
            #expect(try f.dispatcher().run().sent == FieldCaseTests.vendors.count)
            for n in try f.notifications() { notices[n.organizationId] = n }
        }

        func mid(_ org: String) -> String { notices[org]!.messageId }
        func ref(_ org: String) -> String { notices[org]!.trackingRef }
        func response(_ org: String) throws -> Response { try f.participant(FieldCaseTests.caseId, org).response }
        func delivery(_ org: String) throws -> Delivery { try f.participant(FieldCaseTests.caseId, org).delivery }
        func ingest(_ text: String) throws -> IngestOutcome { try f.ingester.ingest(Data(text.utf8)) }
        func bounces(_ email: String) throws -> Int { try f.bounceCount(email) }
    }

    // MARK: - Delivery reports

    @Test(arguments: [true, false])
    func qmailFailureNoticeBouncesTheAddressAboveTheCopy(nullReturnPath: Bool) throws {
        let n = try Notified()
        let outcome = try n.ingest("""
            \(nullReturnPath ? "Return-Path: <>\n" : "")From: MAILER-DAEMON@mx.hotaru-backup.example
            To: vuls@jpcert.example
            Subject: failure notice
            Message-ID: <qmail-1@mx.hotaru-backup.example>

            Hi. This is the qmail-send program at mx.hotaru-backup.example.
            I'm afraid I wasn't able to deliver your message to the following addresses.
            This is a permanent error; I've given up. Sorry it didn't work out.

            <psirt@hotaru-backup.example>:
            Sorry, no mailbox here by that name. (#5.1.1)

            --- Below this line is a copy of the message.

            Message-ID: <\(n.mid("hotaru-backup"))>
            From: vuls@jpcert.example
            To: psirt@hotaru-backup.example
            Cc: info@hotaru-backup.example

            Dear Hotaru Backup,
            """)
        #expect(outcome.disposition == .bounce && outcome.kind == "delivery-report")
        #expect(try n.bounces("psirt@hotaru-backup.example") == 1)
        #expect(try n.bounces("info@hotaru-backup.example") == 0)
        #expect(try n.delivery("hotaru-backup") == .undeliverable)
        #expect(try n.response("hotaru-backup") == .none, "a bounce is never an acknowledgement")
    }

    @Test func postfixReportAfterAliasExpansionBouncesTheAddressWeWroteTo() throws {
        let n = try Notified()
        _ = try n.ingest("""
            Return-Path: <>
            From: MAILER-DAEMON@mx.aozora-systems.example (Mail Delivery System)
            To: vuls@jpcert.example
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <pf-1@mx.aozora-systems.example>
            Content-Type: multipart/report; report-type=delivery-status; boundary="B"

            --B
            Content-Type: text/plain

            <psirt-team@corp.aozora-systems.example> (expanded from <psirt@aozora-systems.example>): unknown user

            --B
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.aozora-systems.example

            Final-Recipient: rfc822; psirt-team@corp.aozora-systems.example
            Original-Recipient: rfc822;psirt@aozora-systems.example
            Action: failed
            Status: 5.1.1

            --B
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("aozora-systems"))>
            To: psirt@aozora-systems.example
            Cc: info@aozora-systems.example

            --B--
            """)
        #expect(try n.bounces("psirt@aozora-systems.example") == 1)
        #expect(try n.bounces("info@aozora-systems.example") == 0)
    }

    @Test func delayWarningsChangeNothingAndAMixedReportBouncesOnlyTheFailedRecipient() throws {
        let n = try Notified()
        let delay = try n.ingest("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@mx.tomoe-vpn.example>
            To: vuls@jpcert.example
            Subject: Warning: could not send message for past 4 hours
            Message-ID: <delay-1@mx.tomoe-vpn.example>
            Content-Type: multipart/report; report-type=delivery-status; boundary="D"

            --D
            Content-Type: text/plain

                **      THIS IS A WARNING MESSAGE ONLY      **
            Will keep trying until message is 5 days old

            --D
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.tomoe-vpn.example

            Final-Recipient: RFC822; security@tomoe-vpn.example
            Action: delayed
            Status: 4.4.7

            --D
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("tomoe-vpn"))>

            --D--
            """)
        #expect(delay.disposition == .bounce && delay.effects.contains("delayed"))
        #expect(try n.bounces("security@tomoe-vpn.example") == 0)
        #expect(try n.delivery("tomoe-vpn") == .notified)
        #expect(try n.response("tomoe-vpn") == .none)

        _ = try n.ingest("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@relay.jpcert.example>
            To: vuls@jpcert.example
            Subject: Delivery Status Notification
            Message-ID: <mixed-1@relay.jpcert.example>
            Content-Type: multipart/report; report-type=delivery-status; boundary="M"

            --M
            Content-Type: message/delivery-status

            Reporting-MTA: dns; relay.jpcert.example

            Final-Recipient: rfc822; psirt@kotori-chat.example
            Action: failed
            Status: 5.0.0

            Final-Recipient: rfc822; info@kotori-chat.example
            Action: delayed
            Status: 4.0.0

            --M
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("kotori-chat"))>

            --M--
            """)
        #expect(try n.bounces("psirt@kotori-chat.example") == 1)
        #expect(try n.bounces("info@kotori-chat.example") == 0)
    }

    @Test func office365AndExchangeReportsWithoutDeliveryStatusBounceOnlyTheAddressInTheText() throws {
        let n = try Notified()
        _ = try n.ingest("""
            Return-Path: <>
            From: Microsoft Outlook <postmaster@izumi-crypto.example>
            To: <vuls@jpcert.example>
            Subject: Undeliverable: [JVNVU#12345678] Vulnerability notification [\(n.ref("izumi-crypto"))]
            Message-ID: <ndr-1@izumi-crypto.example>
            Content-Type: multipart/report; report-type=delivery-status; boundary="R"

            --R
            Content-Type: text/plain; charset="Windows-1252"
            Content-Transfer-Encoding: quoted-printable

            Delivery has failed to these recipients or groups:

            psirt@izumi-crypto.example<mailto:psirt@izumi-crypto.example>
            The email address wasn=92t found at the destination domain.

            Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound'

            Original message headers:

            Message-ID: <\(n.mid("izumi-crypto"))>
            To: Product Security Team <psirt@izumi-crypto.example>
            Cc: Information Security Office <info@izumi-crypto.example>

            --R--
            """)
        #expect(try n.bounces("psirt@izumi-crypto.example") == 1)
        #expect(try n.bounces("info@izumi-crypto.example") == 0)
        // Exchange 2003 wording, no MIME at all, tied only by the reference in the subject.
        _ = try n.ingest("""
            From: System Administrator <postmaster@mail.tomoe-vpn.example>
            To: vuls@jpcert.example
            Subject: Undeliverable: [JVNVU#12345678] [\(n.ref("tomoe-vpn"))]
            Message-ID: <ndr-2@mail.tomoe-vpn.example>

            Your message did not reach some or all of the intended recipients.

                  Subject:  [JVNVU#12345678] [\(n.ref("tomoe-vpn"))]

            The following recipient(s) cannot be reached:

                  security@tomoe-vpn.example on 12/1/2026 9:12 AM
                        The e-mail account does not exist at the organization this message was sent to.
                        <mail.tomoe-vpn.example #5.1.1>
            """)
        #expect(try n.bounces("security@tomoe-vpn.example") == 1)
    }

    @Test func gmailReportTiedOnlyByXOriginalMessageIDAndEximPlainBounce() throws {
        let n = try Notified()
        _ = try n.ingest("""
            Return-Path: <>
            From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>
            To: vuls@jpcert.example
            Subject: Delivery Status Notification (Failure)
            Message-ID: <gm-1@mx.google.example>
            X-Failed-Recipients: security@kagayaki-browser.example
            Content-Type: multipart/report; boundary="G"; report-type=delivery-status

            --G
            Content-Type: text/plain; charset="UTF-8"

            ** Address not found **

            --G
            Content-Type: message/delivery-status

            Reporting-MTA: dns; googlemail.example
            X-Original-Message-ID: <\(n.mid("kagayaki-browser"))>

            Final-Recipient: rfc822; security@kagayaki-browser.example
            Action: failed
            Status: 5.1.1

            --G--
            """)
        #expect(try n.bounces("security@kagayaki-browser.example") == 1)
        #expect(try n.delivery("kagayaki-browser") == .undeliverable)

        _ = try n.ingest("""
            Return-path: <>
            X-Failed-Recipients: dbsec@sakuragi-db.example
            Auto-Submitted: auto-replied
            From: Mail Delivery System <Mailer-Daemon@relay.jpcert.example>
            To: vuls@jpcert.example
            Subject: Mail delivery failed: returning message to sender
            Message-Id: <E1v7Xk2-000FL1-4q@relay.jpcert.example>

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              dbsec@sakuragi-db.example
                550 5.1.1 <dbsec@sakuragi-db.example>: Recipient address rejected: User unknown

            ------ This is a copy of the message, including all the headers. ------

            Message-ID: <\(n.mid("sakuragi-db"))>
            To: dbsec@sakuragi-db.example
            Cc: info@sakuragi-db.example
            """)
        #expect(try n.bounces("dbsec@sakuragi-db.example") == 1)
        #expect(try n.bounces("info@sakuragi-db.example") == 0)
    }

    @Test func aReportIsEvidenceOnlyAboutItsOwnMessage() throws {
        let n = try Notified()
        // A report listing many addresses, among them every directory contact, for our message to one vendor.
        let others = FieldCaseTests.vendors.map { "Final-Recipient: rfc822; info@\($0).example\nAction: failed\nStatus: 5.1.1\n" }
        let many = (0..<300).map { "Final-Recipient: rfc822; user\($0)@elsewhere.example\nAction: failed\nStatus: 5.1.1\n" }
        let outcome = try n.ingest("""
            From: MAILER-DAEMON@relay.example
            To: vuls@jpcert.example
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <huge-1@relay.example>
            Content-Type: multipart/report; report-type=delivery-status; boundary="H"

            --H
            Content-Type: message/delivery-status

            Reporting-MTA: dns; relay.example

            \((others + many).joined(separator: "\n"))
            --H
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("hotaru-backup"))>

            --H--
            """)
        #expect(outcome.effects.filter { $0.hasPrefix("bounced") } == ["bounced: info@hotaru-backup.example"])
        for vendor in FieldCaseTests.vendors where vendor != "hotaru-backup" {
            #expect(try n.bounces("info@\(vendor).example") == 0)
        }
        let events = try n.f.store.engine.read { try $0.value("SELECT COUNT(*) FROM event WHERE action = 'recipient.bounced'", as: Int.self) }
        #expect(events == 1)
    }

    @Test func unreadableBounceToTheVERPAddressIsTiedToItsNotification() throws {
        let n = try Notified()
        let sender = try #require(n.notices["hotaru-backup"]?.mailFrom)
        #expect(sender == "vuls+\(n.ref("hotaru-backup"))@jpcert.example")
        let outcome = try n.ingest("""
            Return-Path: <>
            Delivered-To: \(sender)
            From: MAILER-DAEMON@mx.hotaru-backup.example
            To: \(sender)
            Subject: Returned mail
            Message-ID: <verp-1@mx.hotaru-backup.example>
            Content-Type: text/plain; charset=unknown-8bit

            Undeliverable: \u{00BF}\u{00BF}\u{00BF}
            """)
        #expect(outcome.disposition == .bounce && outcome.matchedBy == "VERP")
        #expect(outcome.caseId == Self.caseId && outcome.organizationId == "hotaru-backup")
        #expect(try n.response("hotaru-backup") == .none)
    }

    // MARK: - Automatic replies

    @Test func outOfOfficeRepliesInGermanAndJapaneseNeverAcknowledge() throws {
        let n = try Notified()
        let german = try n.ingest("""
            From: "Weber, Katrin" <psirt@kotori-chat.example>
            To: vuls@jpcert.example
            Subject: Automatische Antwort: [JVNVU#12345678] Vulnerability notification [\(n.ref("kotori-chat"))]
            Message-ID: <oof-1@kotori-chat.example>
            In-Reply-To: <\(n.mid("kotori-chat"))>
            X-Auto-Response-Suppress: All
            Content-Type: text/plain; charset="iso-8859-1"
            Content-Transfer-Encoding: quoted-printable

            Vielen Dank f=FCr Ihre Nachricht. Ich bin nicht im B=FCro.
            """)
        #expect(german.disposition == .autoReply && german.kind == "automatic-reply")
        #expect(try n.response("kotori-chat") == .none)

        let subject = "【自動返信】Re: [JVNVU#12345678] 脆弱性情報のご連絡 [\(n.ref("ooshima-ecommerce"))]"
        let japanese = try n.ingest("""
            From: security@ooshima-ecommerce.example
            To: vuls@jpcert.example
            Subject: \(Self.iso2022Words(subject, split: 0))
            Message-ID: <ar-1@ooshima-ecommerce.example>
            In-Reply-To: <\(n.mid("ooshima-ecommerce"))>
            Content-Type: text/plain; charset=ISO-2022-JP

            \u{1B}$B$3$N%a!<%k$O<+F0JV?.$G$9!#\u{1B}(B
            """)
        #expect(japanese.disposition == .autoReply)
        #expect(try n.response("ooshima-ecommerce") == .none)

        let chinese = try n.ingest("""
            From: psirt@kotori-chat-cn.example
            To: vuls@jpcert.example
            Subject: =?GB2312?B?\(Data([0xBB, 0xD8, 0xB8, 0xB4, 0x3A, 0x20, 0xD7, 0xD4, 0xB6, 0xAF, 0xBB, 0xD8, 0xB8, 0xB4]).base64EncodedString())?=
            Message-ID: <ar-2@kotori-chat-cn.example>
            In-Reply-To: <\(n.mid("kotori-chat-cn"))>

            I am away.
            """)
        #expect(chinese.disposition == .autoReply, "回复: 自动回复")
        #expect(try n.response("kotori-chat-cn") == .none)
    }

    // MARK: - Human replies

    @Test func humanRepliesAreMatchedAndApplied() throws {
        let n = try Notified()
        // A ticket system's Precedence: bulk on a person's reply.
        let rt = try n.ingest("""
            From: "Hanako Sato via RT" <security@shirakawa-ldap.example>
            To: vuls@jpcert.example
            Subject: [shirakawa-ldap.example #4821] Re: [JVNVU#12345678] [\(n.ref("shirakawa-ldap"))]
            In-Reply-To: <\(n.mid("shirakawa-ldap"))>
            Message-ID: <rt-1@shirakawa-ldap.example>
            Precedence: bulk
            Content-Type: text/plain; charset="utf-8"

            弊社製品が影響を受けることを確認しました。

            Status: affected
            """)
        #expect(rt.disposition == .reply)
        #expect(try n.response("shirakawa-ldap") == .affected)

        // Outlook, from a colleague (not a contact), no In-Reply-To, the reference in the subject.
        _ = try n.ingest("""
            From: "Yamada, Taro" <t.yamada@izumi-crypto.example>
            To: vuls@jpcert.example
            Subject: RE: [JVNVU#12345678] Vulnerability notification [\(n.ref("izumi-crypto"))]
            Message-ID: <ol-1@izumi-crypto.example>
            Content-Type: text/plain; charset="us-ascii"

            We have started our investigation.

            Status: investigating
            """)
        #expect(try n.response("izumi-crypto") == .investigating)

        // ISO-2022-JP subject split mid-character, from a group domain: matched by the reference alone.
        let subject = "Re: [JVNVU#12345678] 脆弱性情報のご連絡 (非公開) [\(n.ref("ooshima-ecommerce"))]"
        let group = try n.ingest("""
            From: s-tanaka@ooshima-group.example
            To: vuls@jpcert.example
            Subject: \(Self.iso2022Words(subject, split: 25))
            Message-Id: <grp-1@ooshima-group.example>
            Content-Type: text/plain; charset="ISO-2022-JP"

            \u{1B}$B1F6A$O$4$6$$$^$;$s!#\u{1B}(B

            Status: not-affected
            """)
        #expect(group.matchedBy == "reference")
        #expect(try n.response("ooshima-ecommerce") == .notAffected)

        // Gmail: only References links it; HTML-only replies state their status in a paragraph.
        _ = try n.ingest("""
            From: psirt@aozora-systems.example
            To: vuls@jpcert.example
            Subject: Re: notice
            References: <\(n.mid("aozora-systems"))>
            Message-ID: <gm-r-1@aozora-systems.example>
            Content-Type: text/html; charset="UTF-8"

            <div dir="ltr"><p>Thank you.</p><p>Status: not-affected</p></div>
            """)
        #expect(try n.response("aozora-systems") == .notAffected)

        // GB2312 and Big5 subjects holding the reference, no In-Reply-To.
        for (org, charset, prefix) in [("kotori-chat-cn", "GB2312", Data([0xBB, 0xD8, 0xB8, 0xB4])), ("tomoe-vpn", "Big5", Data([0xA6, 0x5E, 0xC2, 0xD0]))] {
            let raw = prefix + Data(": [JVNVU#12345678] [\(n.ref(org))]".utf8)
            _ = try n.ingest("""
                From: someone@partner-\(org).example
                To: vuls@jpcert.example
                Subject: =?\(charset)?B?\(raw.base64EncodedString())?=
                Message-ID: <cn-\(org)@partner.example>

                Status: not-affected
                """)
            #expect(try n.response(org) == .notAffected)
        }
    }

    @Test func eightBitShiftJISReplyInAnMboxIsStoredByteForByte() throws {
        let n = try Notified()
        let body = Data([0x89, 0x65, 0x8B, 0xBF, 0x3A, 0x20, 0x82, 0xA0, 0x82, 0xE8, 0x0A])  // 影響: あり
        let message = Data("From: psirt@hotaru-backup.example\r\nTo: vuls@jpcert.example\r\nSubject: Re: [\(n.ref("hotaru-backup"))]\r\nMessage-ID: <sjis-1@hotaru-backup.example>\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".utf8) + body
        let mbox = Data("From psirt@hotaru-backup.example Tue Dec  1 10:00:00 2026\r\n".utf8) + message + Data("\r\n".utf8)
        let split = MailboxReader.mbox(mbox)
        #expect(split.count == 1)
        _ = try n.f.ingester.ingest(split[0])
        #expect(try n.response("hotaru-backup") == .affected)
        let stored = try n.f.store.inbound.read { tx in try tx.entry("sjis-1@hotaru-backup.example").flatMap { try tx.bytes(id: $0.id) } }
        #expect(stored == message)
    }

    @Test func crlfMboxOfThreeRepliesIsReadAsThree() throws {
        let messages = (1...3).map { "From: a\($0)@vendor.example\r\nSubject: reply \($0)\r\nMessage-ID: <crlf-\($0)@vendor.example>\r\n\r\nFrom the vendor.\r\n>From quoted\r\n" }
        let mbox = messages.map { "From a@vendor.example Tue Dec  1 10:00:00 2026\r\n\($0)\r\n" }.joined()
        let split = MailboxReader.mbox(Data(mbox.utf8))
        #expect(split.count == 3)
        #expect(split.map { String(decoding: $0, as: UTF8.self) } == messages.map { $0.replacingOccurrences(of: ">From quoted", with: "From quoted") })
    }

    // MARK: - Signatures and the trust rule

    @Test func inlineClearsignedISO2022JPReplyIsVerifiedOverTheBytesAsSent() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        let home = try #require(n.f.vendorHomes["security@kasumi-mail.example"])
        let text = Data("JPCERT/CC \u{1B}$B8fCf\u{1B}(B\n\nStatus: not-affected\n".utf8)
        let signed = try home.gpg(["--clearsign", "--local-user", "security@kasumi-mail.example"], input: text)
        #expect(signed.status == 0, "\(signed.stderr)")
        let outcome = try n.ingest("""
            From: security@kasumi-mail.example
            To: vuls@jpcert.example
            Subject: Re: [\(n.ref("kasumi-mail"))]
            Message-ID: <inline-1@kasumi-mail.example>
            Content-Type: text/plain; charset=ISO-2022-JP
            Content-Transfer-Encoding: 7bit

            \(String(decoding: signed.stdout, as: UTF8.self))
            """)
        #expect(outcome.signature == .verified)
        #expect(try n.response("kasumi-mail") == .notAffected)
    }

    @Test func signedReplyRelayedByAListWithAFooterIsVerified() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        let home = try #require(n.f.vendorHomes["security@kasumi-mail.example"])
        let pgp = try OpenPGPContext(homeDirectory: home.path)
        let key = try #require(try pgp.keys(matching: "security@kasumi-mail.example").first).fingerprint
        let content = MIMEEntity.text("Not affected.\n\nStatus: not-affected\n")
        let signature = try pgp.signDetached(content.serialized(), signer: key)
        let signed = MIMEEntity.signed(content: content, signature: signature.armored, micalg: signature.micalg)
        let inner = String(decoding: signed.serialized(), as: UTF8.self)
        let outcome = try n.ingest("""
            From: security@kasumi-mail.example
            To: vuls@jpcert.example
            Subject: Re: [\(n.ref("kasumi-mail"))]
            Message-ID: <list-1@kasumi-mail.example>
            List-Id: <psirt.lists.kasumi-mail.example>
            Precedence: list
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="LIST"

            --LIST
            \(inner)
            --LIST
            Content-Type: text/plain; charset="us-ascii"

            _______________________________________________
            psirt mailing list
            --LIST--
            """)
        #expect(outcome.signature == .verified, "\(outcome.effects)")
        #expect(try n.response("kasumi-mail") == .notAffected)
    }

    @Test func badOrForeignSignatureNeverChangesAResponseAndWaitsForReview() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        let home = try #require(n.f.vendorHomes["security@kasumi-mail.example"])
        let signed = try home.gpg(["--clearsign", "--local-user", "security@kasumi-mail.example"], input: Data("Status: not-affected\n".utf8))
        let tampered = String(decoding: signed.stdout, as: UTF8.self).replacingOccurrences(of: "not-affected", with: "fixed")
        let outcome = try n.ingest("""
            From: security@kasumi-mail.example
            To: vuls@jpcert.example
            Subject: Re: [\(n.ref("kasumi-mail"))]
            Message-ID: <bad-1@kasumi-mail.example>

            \(tampered)
            """)
        #expect(outcome.signature == .bad && outcome.disposition == .review)
        #expect(try n.response("kasumi-mail") == .none)
        let queue = try n.f.store.inbound.entries(unmatchedOnly: false, reviewOnly: true)
        #expect(queue.map(\.messageId) == ["bad-1@kasumi-mail.example"])
        #expect(try n.f.caseBook.show(caseId: Self.caseId).participants.first { $0.record.organizationId == "kasumi-mail" }?.verifiedReply == false)
    }

    @Test func requiredSignatureHoldsUnsignedStatementsForReview() throws {
        let n = try Notified()
        var ingester = n.f.ingester
        ingester.requireSignature = .statements
        let outcome = try ingester.ingest(Data("""
            From: psirt@hotaru-backup.example
            To: vuls@jpcert.example
            Subject: Re: [\(n.ref("hotaru-backup"))]
            Message-ID: <unsigned-1@hotaru-backup.example>

            Status: fixed
            """.utf8))
        #expect(outcome.disposition == .review)
        #expect(try n.response("hotaru-backup") == .none)
    }

    @Test func smimeSignedReplyIsVerifiedThroughGpgsmAndNeverReportedBad() throws {
        let n = try Notified()
        let dir = n.f.folder.appendingPathComponent("smime")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func openssl(_ args: [String], input: Data? = nil) throws -> Data {
            let run = try runProcess("/usr/bin/openssl", args, input: input)
            #expect(run.status == 0, "openssl \(args.first ?? ""): \(run.stderr)")
            return run.stdout
        }
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        // A throwaway CA and the vendor's certificate, made for this test.
        _ = try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "30",
                         "-subj", "/CN=Izumi Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        _ = try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("user.key"), "-out", path("user.csr"),
                         "-subj", "/CN=Izumi PSIRT/emailAddress=psirt@izumi-crypto.example"])
        try Data("subjectAltName=email:psirt@izumi-crypto.example\nkeyUsage=digitalSignature\nextendedKeyUsage=emailProtection\n".utf8)
            .write(to: dir.appendingPathComponent("ext.cnf"))
        _ = try openssl(["x509", "-req", "-in", path("user.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
                         "-out", path("user.pem"), "-days", "30", "-extfile", path("ext.cnf")])
        // Our gpgsm trusts the CA (no CRL service on a test machine).
        let home = n.f.gnupg.path
        try Data("disable-crl-checks\n".utf8).write(to: URL(fileURLWithPath: home).appendingPathComponent("gpgsm.conf"))
        let imported = try runProcess("/usr/bin/gpgsm", ["--batch", "--import", path("ca.pem"), path("user.pem")], environment: ["GNUPGHOME": home])
        #expect(imported.status == 0, "\(imported.stderr)")
        let fingerprint = String(decoding: try openssl(["x509", "-in", path("ca.pem"), "-noout", "-fingerprint", "-sha1"]), as: UTF8.self)
            .split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        try Data("\(fingerprint) S relax\n".utf8).write(to: URL(fileURLWithPath: home).appendingPathComponent("trustlist.txt"))
        _ = try runProcess("/usr/bin/gpgconf", ["--reload", "gpg-agent"], environment: ["GNUPGHOME": home])

        let content = Data("Content-Type: text/plain; charset=us-ascii\r\n\r\nWe are investigating.\r\n\r\nStatus: investigating\r\n".utf8)
        let signed = try openssl(["smime", "-sign", "-signer", path("user.pem"), "-inkey", path("user.key"), "-binary"], input: content)
        let message = Data("From: Izumi PSIRT <psirt@izumi-crypto.example>\r\nTo: vuls@jpcert.example\r\nSubject: RE: [\(n.ref("izumi-crypto"))]\r\nMessage-ID: <smime-1@izumi-crypto.example>\r\nIn-Reply-To: <\(n.mid("izumi-crypto"))>\r\n".utf8) + signed
        let outcome = try n.f.ingester.ingest(message)
        #expect(outcome.signature != .bad, "\(outcome.effects)")
        #expect(outcome.signature == .verified, "\(outcome.effects)")
        #expect(try n.response("izumi-crypto") == .investigating)

        // The same reply altered in transit is bad and changes nothing.
        let tampered = String(decoding: message, as: UTF8.self).replacingOccurrences(of: "investigating.", with: "not affected.")
            .replacingOccurrences(of: "smime-1@", with: "smime-2@")
        let bad = try n.f.ingester.ingest(Data(tampered.utf8))
        #expect(bad.signature == .bad && bad.disposition == .review)

        // Another client's layout: the RFC 5751 label application/pkcs7-signature (openssl cms, as Thunderbird
        // writes it), a base64 UTF-8 body.
        let japanese = Data("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
            + Data(Data("再調査の結果、影響を受けることを確認しました。\nStatus: affected\n".utf8).base64EncodedString(options: .lineLength76Characters).utf8)
            + Data("\r\n".utf8)
        let cms = try openssl(["cms", "-sign", "-signer", path("user.pem"), "-inkey", path("user.key"), "-binary", "-md", "sha256"], input: japanese)
        #expect(String(decoding: cms, as: UTF8.self).contains("application/pkcs7-signature"))
        let second = Data("From: Izumi PSIRT <psirt@izumi-crypto.example>\r\nTo: vuls@jpcert.example\r\nSubject: RE: [\(n.ref("izumi-crypto"))]\r\nMessage-ID: <smime-3@izumi-crypto.example>\r\n".utf8) + cms
        let thunderbird = try n.f.ingester.ingest(second)
        #expect(thunderbird.signature == .verified, "\(thunderbird.effects)")
        #expect(try n.response("izumi-crypto") == .affected)
    }

    /// Thunderbird's signed reply (field case 19): protected headers in the signed `multipart/mixed`, a base64
    /// UTF-8 body, delivered into a Maildir with LF line ends. Also as Enigmail and K-9 write it, with a
    /// `text/rfc822-headers` legacy-display part before the text.
    @Test(arguments: [false, true])
    func thunderbirdSignedReplyWithProtectedHeadersIsVerified(legacyDisplay: Bool) throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        let home = try #require(n.f.vendorHomes["security@kasumi-mail.example"])
        let headers = Self.thunderbirdHeaders(n, org: "kasumi-mail", messageId: "3b8f0c2e@kasumi-mail.example", subject: nil)
        let inner = Self.protectedHeadersEntity(headers, boundary: "------------Xk1QfDz0eOqWg5yq3bLxZ9Ym", legacyDisplay: legacyDisplay,
                                                text: "JPCERT/CC 御中\n\nかすみメールソフトの山口です。\n弊社製品 KasumiMTA は該当の機能を使用しておりません。\n\nStatus: not-affected\n\n-- \n山口 / Kasumi Mail PSIRT\n")
        let signature = try home.gpg(["--armor", "--detach-sign", "--digest-algo", "SHA256", "--local-user", "security@kasumi-mail.example"],
                                     input: inner)
        #expect(signature.status == 0, "\(signature.stderr)")
        let boundary = "------------2F0E7C1A9B8D6E5F4A3B2C1D"
        let signed = Data("Content-Type: multipart/signed; micalg=pgp-sha256;\r\n protocol=\"application/pgp-signature\";\r\n boundary=\"\(boundary)\"\r\n\r\nThis is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n--\(boundary)\r\n".utf8)
            + inner + Data("\r\n--\(boundary)\r\nContent-Type: application/pgp-signature; name=\"OpenPGP_signature.asc\"\r\nContent-Description: OpenPGP digital signature\r\nContent-Disposition: attachment; filename=\"OpenPGP_signature.asc\"\r\n\r\n".utf8)
            + signature.stdout + Data("\r\n--\(boundary)--\r\n".utf8)
        let message = Self.lf(Data(headers.utf8) + signed)
        let outcome = try n.f.ingester.ingest(message)
        #expect(outcome.signature == .verified && outcome.disposition == .reply, "\(outcome.effects)")
        #expect(outcome.subject == "Re: [JVNVU#12345678] 脆弱性情報のご連絡 (非公開) [\(n.ref("kasumi-mail"))]")
        #expect(try n.response("kasumi-mail") == .notAffected)
        #expect(try n.f.caseBook.show(caseId: Self.caseId).participants.first { $0.record.organizationId == "kasumi-mail" }?.verifiedReply == true)
    }

    /// Thunderbird's signed and encrypted reply (field case 23): one OpenPGP message signed and encrypted to us,
    /// the real subject only inside (`Subject: ...` outside). Also without In-Reply-To: the reference in the
    /// hidden subject alone ties it.
    @Test(arguments: [true, false])
    func encryptedReplyWithHiddenSubjectIsDecryptedVerifiedAndMatched(threaded: Bool) throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        let home = try #require(n.f.vendorHomes["security@kasumi-mail.example"])
        try home.importKey(try n.f.gnupg.exportPublic(n.f.signingKey))
        let real = Self.thunderbirdHeaders(n, org: "kasumi-mail", messageId: "9e4c1a7b@kasumi-mail.example", subject: nil, threaded: threaded)
        let inner = Self.protectedHeadersEntity(real, boundary: "------------9Yk2RfEz1fPrXh6zr4cMyA0Z",
                                                text: "JPCERT/CC 御中\n\n補足です。再調査の結果、KasumiMTA 4.2 のサブモジュールが影響を受けます。\n\nStatus: affected\n\n-- \n山口 / Kasumi Mail PSIRT\n")
        let encrypted = try home.gpg(["--armor", "--sign", "--encrypt", "--trust-model", "always", "--recipient", n.f.signingKey,
                                      "--digest-algo", "SHA256", "--local-user", "security@kasumi-mail.example"], input: inner)
        #expect(encrypted.status == 0, "\(encrypted.stderr)")
        let boundary = "------------7E3D9A0C1B2F4E6D8C0A2B4F"
        let outer = Self.thunderbirdHeaders(n, org: "kasumi-mail", messageId: "9e4c1a7b@kasumi-mail.example", subject: "...", threaded: threaded)
        let message = Self.lf(Data((outer + "Content-Type: multipart/encrypted;\r\n protocol=\"application/pgp-encrypted\";\r\n boundary=\"\(boundary)\"\r\n\r\nThis is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n--\(boundary)\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n--\(boundary)\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\nContent-Description: OpenPGP encrypted message\r\nContent-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n").utf8)
            + encrypted.stdout + Data("\r\n--\(boundary)--\r\n".utf8))
        let outcome = try n.f.ingester.ingest(message)
        #expect(outcome.encrypted && outcome.signature == .verified, "\(outcome.effects)")
        #expect(outcome.matchedBy == (threaded ? "In-Reply-To" : "reference"))
        #expect(outcome.subject == "Re: [JVNVU#12345678] 脆弱性情報のご連絡 (非公開) [\(n.ref("kasumi-mail"))]", "the subject a person reads is the hidden one")
        #expect(try n.response("kasumi-mail") == .affected)
    }

    /// The old `application/pgp` label (PGP 2.x, `x-action=sign`) on an inline-signed reply in ISO-8859-1, 8bit.
    @Test func inlineSignedReplyLabelledApplicationPGPIsVerified() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        let home = try #require(n.f.vendorHomes["security@kasumi-mail.example"])
        let text = Data("Sehr geehrte Damen und Herren,\n\nwir haben den Fehler in Version 3.2 behoben. Grüße\n\nStatus: fixed\n".utf8)
        let latin1 = try #require(String(decoding: text, as: UTF8.self).data(using: .isoLatin1))
        let signed = try home.gpg(["--clearsign", "--digest-algo", "SHA256", "--local-user", "security@kasumi-mail.example"], input: latin1)
        #expect(signed.status == 0, "\(signed.stderr)")
        let message = Data("""
            From: security@kasumi-mail.example
            To: vuls@jpcert.example
            Subject: Re: [\(n.ref("kasumi-mail"))]
            Message-ID: <pgp2-1@kasumi-mail.example>
            MIME-Version: 1.0
            Content-Type: application/pgp; format=text; x-action=sign; charset=ISO-8859-1
            Content-Transfer-Encoding: 8bit


            """.utf8) + signed.stdout
        let outcome = try n.f.ingester.ingest(message)
        #expect(outcome.signature == .verified, "\(outcome.effects)")
        #expect(try n.response("kasumi-mail") == .fixed)
        let statement = try n.f.participant(Self.caseId, "kasumi-mail").statement ?? ""
        #expect(statement.contains("Grüße"), "\(statement)")
    }

    /// Thunderbird's header block of a reply to `org` (CRLF, ending before the Content-Type); the subject is the
    /// real one encoded in UTF-8 unless given.
    static func thunderbirdHeaders(_ n: Notified, org: String, messageId: String, subject: String?, threaded: Bool = true) -> String {
        let real = "Re: [JVNVU#12345678] =?UTF-8?B?\(Data("脆弱性情報のご連絡 (非公開)".utf8).base64EncodedString())?= [\(n.ref(org))]"
        return [
            "Message-ID: <\(messageId)>", "Date: Mon, 7 Dec 2026 11:02:02 +0900", "MIME-Version: 1.0", "User-Agent: Mozilla Thunderbird",
            "Subject: \(subject ?? real)", "Content-Language: ja", "To: JPCERT/CC Vulnerability Coordination <vuls@jpcert.example>",
        ].joined(separator: "\r\n") + "\r\n"
            + (threaded ? "References: <\(n.mid(org))>\r\n" : "")
            + "From: Kasumi Mail PSIRT <security@kasumi-mail.example>\r\n"
            + (threaded ? "In-Reply-To: <\(n.mid(org))>\r\n" : "")
    }

    /// The `multipart/mixed; protected-headers="v1"` entity Thunderbird signs: the headers again, then the text
    /// as base64 UTF-8; CRLF throughout, as signed.
    static func protectedHeadersEntity(_ headers: String, boundary: String, legacyDisplay: Bool = false, text: String) -> Data {
        let body = Data(text.utf8).base64EncodedString(options: .lineLength76Characters)
        let legacy = "\r\n--\(boundary)\r\nContent-Type: text/rfc822-headers; protected-headers=\"v1\"\r\nContent-Disposition: inline\r\n\r\n"
            + "Subject: Re: [JVNVU#12345678] Status: fixed?\r\n"
        return Data(("Content-Type: multipart/mixed; boundary=\"\(boundary)\";\r\n protected-headers=\"v1\"\r\n" + headers
                     + (legacyDisplay ? legacy : "")
                     + "\r\n--\(boundary)\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                     + body + "\r\n\r\n--\(boundary)--\r\n").utf8)
    }

    /// CRLF line ends made LF, as a Maildir delivery keeps them.
    static func lf(_ data: Data) -> Data {
        Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").utf8)
    }

    /// `text` as ISO-2022-JP encoded words, split every `split` bytes (0: one word), mid-character where it falls.
    static func iso2022Words(_ text: String, split: Int) -> String {
        var bytes: [UInt8] = []
        var inKanji = false
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                if inKanji { bytes += [0x1B, 0x28, 0x42]; inKanji = false }
                bytes.append(UInt8(scalar.value))
            } else {
                let sjis = Array(String(scalar).data(using: .shiftJIS)!)
                if !inKanji { bytes += [0x1B, 0x24, 0x42]; inKanji = true }
                // Shift_JIS → JIS X 0208.
                var (s1, s2) = (Int(sjis[0]), Int(sjis[1]))
                s1 = s1 >= 0xE0 ? s1 - 0xB0 : s1 - 0x70
                s1 = s1 * 2 - (s2 >= 0x9F ? 0 : 1)
                s2 = s2 >= 0x9F ? s2 - 0x7E : (s2 >= 0x80 ? s2 - 0x20 : s2 - 0x1F)
                bytes += [UInt8(s1), UInt8(s2)]
            }
        }
        if inKanji { bytes += [0x1B, 0x28, 0x42] }
        let chunk = split == 0 ? bytes.count : split
        return stride(from: 0, to: bytes.count, by: chunk).map {
            "=?ISO-2022-JP?B?\(Data(bytes[$0..<min($0 + chunk, bytes.count)]).base64EncodedString())?="
        }.joined(separator: "\n ")
    }
}
