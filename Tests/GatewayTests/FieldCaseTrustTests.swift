import Foundation
import Registry
import Testing
import TestSupport
@testable import Gateway

/// Field cases 41, 42, 44 and 46 (shared/field-cases): whose answer it is, which mail counts, statements in files,
/// and delivery problems of ours, written here as each mail system or client sends them.
@Suite struct FieldCaseTrustTests {
    typealias Notified = FieldCaseTests.Notified
    static let caseId = FieldCaseTests.caseId

    /// 41: a Gmail reply to the reminder (In-Reply-To the reminder) from a colleague at the vendor's domain,
    /// quoting both the reminder's and the first notice's reference.
    @Test func aReplyToTheReminderQuotingBothReferencesIsTheVendorsAnswer() throws {
        let n = try Notified()
        _ = try Reminders(composer: n.f.composer).remind(caseId: Self.caseId, afterDays: 0)
        _ = try n.f.dispatcher().run()
        let reminder = try #require(try n.f.notifications().first { $0.organizationId == "kagayaki-browser" && $0.purpose == .reminder })
        let outcome = try n.ingest("""
            From: Mika Hoshino <mika.hoshino@kagayaki-browser.example>
            To: vuls@jpcert.example
            Cc: security@kagayaki-browser.example
            Subject: Re: \(reminder.subject)
            Message-ID: <CAF7kq1x@mail.gmail.example>
            In-Reply-To: <\(reminder.messageId)>
            References: <\(reminder.messageId)>
            Content-Type: text/plain; charset=UTF-8

            Your first mail ("Vulnerability notification [\(n.ref("kagayaki-browser"))]") was filed in our tracker.

            Status: investigating

            > Please keep [\(reminder.trackingRef)] in the subject of your reply.
            """)
        #expect(outcome.organizationId == "kagayaki-browser" && outcome.review == nil, "\(outcome)")
        #expect(try n.response("kagayaki-browser") == .investigating)
    }

    /// 42: another participant (izumi-crypto, the supplier kotori-chat forwarded our notice to) answers in the
    /// forwarded thread with its own status.
    @Test func anotherParticipantAnsweringInTheForwardedThreadIsCreditedToItself() throws {
        let n = try Notified()
        let outcome = try n.ingest("""
            From: Izumi Cryptography Labs PSIRT <psirt@izumi-crypto.example>
            To: Kotori Messaging Security <psirt@kotori-chat.example>
            Cc: vuls@jpcert.example
            Subject: Re: Fwd: [JVNVU#12345678] Vulnerability notification [\(n.ref("kotori-chat"))]
            Message-ID: <a3c1e9f0@izumi-crypto.example>
            References: <\(n.mid("kotori-chat"))> <CAKotori.fwd.4471@kotori-chat.example>
            In-Reply-To: <CAKotori.fwd.4471@kotori-chat.example>
            Content-Type: text/plain; charset=UTF-8; format=flowed

            IzumiTLS 3.2.0 - 3.2.6 is affected. Our own answer goes out under [\(n.ref("izumi-crypto"))].

            Status: affected
            """)
        #expect(outcome.organizationId == "izumi-crypto", "\(outcome)")
        #expect(try n.response("izumi-crypto") == .affected)
        #expect(try n.response("kotori-chat") == .none)
    }

    /// 44: the statement only in an attached CSAF 2.0 VEX document (`application/csaf+json`, base64).
    @Test func aStatementOnlyInAnAttachedCSAFVEXIsReadWithItsProducts() throws {
        let n = try Notified()
        let csaf = """
            {"document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "Kagayaki Browser status for JVNVU#12345678",
              "publisher": {"category": "vendor", "name": "Kagayaki Browser Lab", "namespace": "https://kagayaki-browser.example"},
              "tracking": {"id": "KBL-VEX-2026-0042", "status": "final", "version": "1",
                "current_release_date": "2026-12-11T02:00:00.000Z", "initial_release_date": "2026-12-11T02:00:00.000Z",
                "revision_history": [{"date": "2026-12-11T02:00:00.000Z", "number": "1", "summary": "Initial statement."}]}},
             "product_tree": {"branches": [{"category": "vendor", "name": "Kagayaki Browser Lab", "branches": [
               {"category": "product_name", "name": "Kagayaki Browser", "branches": [
                 {"category": "product_version_range", "name": "vers:generic/>=12.0|<=12.4",
                  "product": {"name": "Kagayaki Browser 12.0 - 12.4", "product_id": "KB-12"}}]}]}]},
             "vulnerabilities": [{"ids": [{"system_name": "JVN", "text": "JVNVU#12345678"}],
               "product_status": {"known_not_affected": ["KB-12"]},
               "flags": [{"label": "vulnerable_code_not_present", "product_ids": ["KB-12"]}]}]}
            """
        let outcome = try n.ingest("""
            From: Kagayaki Browser Lab PSIRT <security@kagayaki-browser.example>
            To: vuls@jpcert.example
            Subject: Re: [JVNVU#12345678] Vulnerability notification
            Message-ID: <6f0d2b9e@kagayaki-browser.example>
            In-Reply-To: <\(n.mid("kagayaki-browser"))>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="v0dKq3"

            --v0dKq3
            Content-Type: text/plain; charset=UTF-8

            Our statement for JVNVU#12345678 is in the attached CSAF VEX document.

            --v0dKq3
            Content-Type: application/csaf+json; name="KBL-VEX-2026-0042.json"
            Content-Disposition: attachment; filename="KBL-VEX-2026-0042.json"
            Content-Transfer-Encoding: base64

            \(Data(csaf.utf8).base64EncodedString(options: .lineLength76Characters))
            --v0dKq3--
            """)
        #expect(outcome.effects.contains("1 product statement"), "\(outcome.effects)")
        #expect(try n.response("kagayaki-browser") == .notAffected)
        let shown = try n.f.caseBook.show(caseId: Self.caseId).participants.first { $0.record.organizationId == "kagayaki-browser" }
        #expect(shown?.products.map(\.product) == ["Kagayaki Browser 12.0 - 12.4"])
        #expect(shown?.products.first?.justification == "vulnerable_code_not_present")
    }

    /// 46 in other mail systems' words: Microsoft 365 gives the remote server's reply far below the address, and
    /// Exim the reason lines after its "SMTP error" line; a report whose only code is in its human text; each is a
    /// problem of ours, while a vendor's full mailbox in size words stays the vendor's bounce.
    @Test func ourProblemsInOtherReportShapesAreOursAndAFullMailboxIsTheVendors() throws {
        let n = try Notified()
        let o365 = try n.ingest("""
            Return-Path: <>
            From: Microsoft Outlook <postmaster@izumi-crypto.example>
            To: <vuls@jpcert.example>
            Subject: Undeliverable: [JVNVU#12345678] Vulnerability notification [\(n.ref("izumi-crypto"))]
            Message-ID: <ndr-size@izumi-crypto.example>
            Content-Type: multipart/report; report-type=delivery-status; boundary="R"

            --R
            Content-Type: text/plain; charset="us-ascii"

            Delivery has failed to these recipients or groups:

            psirt@izumi-crypto.example<mailto:psirt@izumi-crypto.example>
            Your message couldn't be delivered because it's too large for the recipient's email provider.

            Diagnostic information for administrators:

            Generating server: mail.izumi-crypto.example

            psirt@izumi-crypto.example
            Remote Server returned '552 5.3.4 Message size exceeds fixed maximum message size'

            Original message headers:

            Message-ID: <\(n.mid("izumi-crypto"))>
            --R--
            """)
        #expect(o365.disposition == .ourDeliveryProblem, "\(o365)")
        #expect(try n.bounces("psirt@izumi-crypto.example") == 0)
        #expect(try n.delivery("izumi-crypto") != .undeliverable)

        let exim = try n.ingest("""
            From: Mail Delivery System <Mailer-Daemon@smarthost.jpcert.example>
            To: vuls@jpcert.example
            Subject: Mail delivery failed: returning message to sender
            Message-Id: <exim-unsol@smarthost.jpcert.example>
            X-Failed-Recipients: security@tomoe-vpn.example

            This message was created automatically by mail delivery software.

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              security@tomoe-vpn.example
                host aspmx.l.google.example [192.0.2.27]
                SMTP error from remote mail server after end of data:
                550-5.7.1 [192.0.2.3      12] Our system has detected that this message is
                550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,
                550 5.7.1 this message has been blocked.

            ------ This is a copy of the message, including all the headers. ------

            Message-ID: <\(n.mid("tomoe-vpn"))>
            """)
        #expect(exim.disposition == .ourDeliveryProblem, "\(exim)")
        #expect(try n.bounces("security@tomoe-vpn.example") == 0)

        // RFC 3464 with no Diagnostic-Code: the reason only in the report's human text.
        let textOnly = try n.ingest("""
            Return-Path: <>
            From: MAILER-DAEMON@mail.jpcert.example (Mail Delivery System)
            To: vuls@jpcert.example
            Subject: Undelivered Mail Returned to Sender
            Message-Id: <nodiag-1@mail.jpcert.example>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="N"

            --N
            Content-Type: text/plain

            <security@kagayaki-browser.example>: host mx.kagayaki-browser.example[192.0.2.9] said: 552 5.3.4 Error:
                message file too big (in reply to end of DATA command)

            --N
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mail.jpcert.example

            Final-Recipient: rfc822; security@kagayaki-browser.example
            Action: failed
            Status: 5.0.0

            --N
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("kagayaki-browser"))>
            --N--
            """)
        #expect(textOnly.disposition == .ourDeliveryProblem, "\(textOnly)")
        #expect(try n.bounces("security@kagayaki-browser.example") == 0)

        let full = try n.ingest("""
            Return-Path: <>
            From: MAILER-DAEMON@mail.jpcert.example (Mail Delivery System)
            To: vuls@jpcert.example
            Subject: Undelivered Mail Returned to Sender
            Message-Id: <full-1@mail.jpcert.example>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="F"

            --F
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mail.jpcert.example

            Final-Recipient: rfc822; psirt@hotaru-backup.example
            Action: failed
            Status: 5.2.2
            Diagnostic-Code: smtp; 552 5.2.2 Quota exceeded: message size exceeds the remaining quota of the mailbox

            --F
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("hotaru-backup"))>
            --F--
            """)
        #expect(full.disposition == .bounce, "\(full)")
        #expect(try n.bounces("psirt@hotaru-backup.example") == 1)
    }

    /// 46: the vendor's MX refuses our notice as too big (552 5.3.4) for both recipients.
    @Test func ourNoticeRefusedAsTooBigIsOurProblemNotTheVendorsAddresses() throws {
        let n = try Notified()
        let outcome = try n.ingest("""
            Return-Path: <>
            From: MAILER-DAEMON@mail.jpcert.example (Mail Delivery System)
            Subject: Undelivered Mail Returned to Sender
            To: vuls@jpcert.example
            Auto-Submitted: auto-replied
            Message-Id: <20261207001203.7C8D9E0F1A@mail.jpcert.example>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="7C8D"

            --7C8D
            Content-Type: text/plain; charset=utf-8

            <security@tomoe-vpn.example>: host mx.tomoe-vpn.example[192.0.2.120] said: 552 5.3.4
                Error: message file too big (in reply to end of DATA command)

            <info@tomoe-vpn.example>: host mx.tomoe-vpn.example[192.0.2.120] said: 552 5.3.4
                Error: message file too big (in reply to end of DATA command)

            --7C8D
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mail.jpcert.example

            Final-Recipient: rfc822; security@tomoe-vpn.example
            Action: failed
            Status: 5.3.4
            Diagnostic-Code: smtp; 552 5.3.4 Error: message file too big

            Final-Recipient: rfc822; info@tomoe-vpn.example
            Action: failed
            Status: 5.3.4
            Diagnostic-Code: smtp; 552 5.3.4 Error: message file too big

            --7C8D
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("tomoe-vpn"))>

            --7C8D--
            """)
        #expect(outcome.disposition == .ourDeliveryProblem, "\(outcome)")
        #expect(outcome.review?.contains("send a smaller message") == true, "\(outcome.review ?? "")")
        #expect(try n.bounces("security@tomoe-vpn.example") == 0 && n.bounces("info@tomoe-vpn.example") == 0)
        #expect(try n.delivery("tomoe-vpn") == .notified)
    }
}
