import Foundation
import Testing
@testable import Mail

/// Notices about our message that are no answer and no bounce — quarantine, recall, read receipt — told apart
/// from the bounces and the people's replies that use the same words.
@Suite struct MachineNoticeTests {
    func classify(_ text: String) throws -> MessageClassification {
        try ParsedMessage(bytes: Data(text.utf8)).classify()
    }

    @Test func gatewayNoticesAreQuarantineNoticesNotBounces() throws {
        for text in [
            "From: Proofpoint Essentials <noreply@vendor.example>\nSubject: Message Quarantined\n\nThe message you sent has been quarantined by Proofpoint.\n",
            "From: quarantine@vendor.example\nSubject: Your message has NOT been delivered\nContent-Type: text/html\n\n<p>Your message has NOT been delivered. It was quarantined by Microsoft 365.</p>\n",
            "From: Barracuda <bes@vendor.example>\nSubject: Message you sent blocked by our bulk email filter\n\nYour message to: psirt@vendor.example was blocked by the Barracuda Email Security Service.\n",
            "From: sec@vendor.example\nSubject: =?UTF-8?B?44Oh44O844Or6ZqU6Zui44Gu44GK55+l44KJ44Gb?=\nContent-Type: text/plain; charset=utf-8\n\nお送りいただいたメールは隔離されました。\n",
        ] {
            let result = try classify(text)
            #expect(result.kind == .automaticReply && result.automaticKind == .quarantine, "\(result.reason): \(text)")
        }
    }

    @Test func bouncesThatNameAGatewayOrAQuarantineStayBounces() throws {
        let plain = try classify("""
            From: MAILER-DAEMON@relay.csirt.example
            Subject: Undelivered Mail Returned to Sender

            This is the mail system at host relay.csirt.example.
            I'm sorry to have to inform you that your message could not be delivered to one or more recipients.

            <psirt@vendor.example>: host mx.vendor.example said: 550 5.7.1 Message blocked by Barracuda
            """)
        #expect(plain.kind == .deliveryReport, "\(plain.reason)")
        let report = try classify("""
            From: MAILER-DAEMON@mx.vendor.example
            Subject: Delivery Status Notification (Failure)
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b"

            --b
            Content-Type: text/plain

            Your message was quarantined and will not be delivered.
            --b
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.vendor.example

            Final-Recipient: rfc822; psirt@vendor.example
            Action: failed
            Status: 5.7.1
            Diagnostic-Code: smtp; 550 5.7.1 quarantined by policy
            --b--
            """)
        #expect(report.kind == .deliveryReport, "\(report.reason)")
    }

    @Test func peoplesRepliesThatUseTheSameWordsStayReplies() throws {
        for text in [
            "From: psirt@vendor.example\nSubject: Re: notice\n\nThe attack is blocked by our firewall; our product is not affected.\n",
            "From: psirt@vendor.example\nSubject: Re: notice\n\nWe use Proofpoint for mail. Status: investigating\n",
            "From: psirt@vendor.example\nSubject: Re: read the advisory\n\nStatus: fixed\n",
        ] {
            #expect(try classify(text).kind == .humanReply, "\(text)")
        }
    }

    @Test func recallsAndReadReceiptsInSeveralLanguages() throws {
        for (subject, body, kind) in [
            ("Recall: RE: notice", "Sato Hanako would like to recall the message, \"RE: notice\".", AutomaticReplyKind.recall),
            ("Rückruf: AW: Hinweis", "Mori möchte die Nachricht zurückrufen.", .recall),
            ("Read: notice", "Your message was read on Monday.", .readReceipt),
            ("Gelesen: Hinweis", "Ihre Nachricht wurde gelesen.", .readReceipt),
            ("=?UTF-8?B?6ZaL5bCB5riI44G/Og==?= notice", "メッセージは開封されました。", .readReceipt),
        ] {
            let result = try classify("From: someone@vendor.example\nSubject: \(subject)\nContent-Type: text/plain; charset=utf-8\n\n\(body)\n")
            #expect(result.kind == .automaticReply && result.automaticKind == kind, "\(subject): \(result.reason)")
        }
    }
}
