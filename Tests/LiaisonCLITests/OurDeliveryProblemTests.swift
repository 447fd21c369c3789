import Foundation
import Testing
import TestSupport

/// A delivery report that blames our message or our domain (size, SPF/DKIM/DMARC, content, our relay) is a
/// delivery problem of ours: never a bounce on the vendor's address, never undeliverable, listed for a person,
/// shown in `case show` and counted apart in the quarterly report.
@Suite struct OurDeliveryProblemTests {
    static let caseId = "JVNVU#20261207"

    /// A Postfix DSN for the notification to `org`, refusing `recipient` with `status` and the remote `diagnostic`.
    static func postfixDSN(_ n: NotifiedCase, _ org: String, status: String, diagnostic: String, id: String) throws -> String {
        let notice = try n.notice(org)
        return """
            Return-Path: <>
            Date: Mon, 7 Dec 2026 10:00:00 +0900 (JST)
            From: MAILER-DAEMON@mx.csirt.example (Mail Delivery System)
            Subject: Undelivered Mail Returned to Sender
            To: vuls@csirt.example
            Auto-Submitted: auto-replied
            Message-Id: <\(id)@mx.csirt.example>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="B-\(id)"

            --B-\(id)
            Content-Type: text/plain; charset=us-ascii

            I'm sorry to have to inform you that your message could not
            be delivered to one or more recipients.

            <psirt@\(org).example>: host mx.\(org).example[192.0.2.9] said: \(diagnostic)

            --B-\(id)
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.csirt.example

            Final-Recipient: rfc822; psirt@\(org).example
            Original-Recipient: rfc822;psirt@\(org).example
            Action: failed
            Status: \(status)
            Diagnostic-Code: smtp; \(diagnostic)

            --B-\(id)
            Content-Type: text/rfc822-headers

            From: vuls@csirt.example
            To: psirt@\(org).example
            Subject: \(notice.subject)
            Message-ID: <\(notice.messageId)>

            --B-\(id)--
            """
    }

    @Test func reportsThatBlameOurMailNeverBounceTheVendor() throws {
        let n = try NotifiedCase(caseId: Self.caseId, developers: ["aozora", "kumo", "sakura", "tomoe", "hinode", "izumi"])
        // Too big (552 5.3.4), on standard input.
        let size = try n.ingest(try Self.postfixDSN(n, "tomoe", status: "5.3.4",
                                                    diagnostic: "552 5.3.4 Error: message file too big", id: "size-1"))
        #expect(size.status == 0, "\(size.stderr)")
        #expect(size.stdout.contains("1 delivery problem of ours"), "\(size.stdout)")
        // DMARC (5.7.26) and SPF (5.7.23) of our domain, and a virus scanner (5.7.1 with its words), in one mbox.
        let mbox = try n.ingestMbox([
            try Self.postfixDSN(n, "kumo", status: "5.7.26",
                                diagnostic: "550-5.7.26 Unauthenticated email from csirt.example is not accepted due to domain's DMARC policy", id: "dmarc-1"),
            try Self.postfixDSN(n, "hinode", status: "5.7.23",
                                diagnostic: "550 5.7.23 The message was rejected because of Sender Policy Framework violation", id: "spf-1"),
            try Self.postfixDSN(n, "izumi", status: "5.7.1",
                                diagnostic: "554 5.7.1 Message rejected: virus found in attachment", id: "virus-1"),
        ])
        #expect(mbox.status == 0, "\(mbox.stderr)")
        // Exim on our own smarthost refusing to relay the VERP sender, plain text with X-Failed-Recipients, from a Maildir.
        let exim = try n.ingestMaildir(["""
            From: Mail Delivery System <Mailer-Daemon@smarthost.csirt.example>
            To: vuls@csirt.example
            Subject: Mail delivery failed: returning message to sender
            Message-Id: <relay-1@smarthost.csirt.example>
            X-Failed-Recipients: psirt@sakura.example
            Auto-Submitted: auto-replied
            Date: Mon, 7 Dec 2026 10:05:00 +0900

            This message was created automatically by mail delivery software.

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              psirt@sakura.example
                SMTP error from remote mail server after RCPT TO:<psirt@sakura.example>:
                550 5.7.1 <psirt@sakura.example>: Relay access denied

            ------ This is a copy of the message, including all the headers. ------

            Message-ID: <\(try n.notice("sakura").messageId)>
            From: vuls@csirt.example
            To: psirt@sakura.example
            """])
        #expect(exim.status == 0, "\(exim.stderr)")
        // A vendor's own address that does not exist is still the vendor's bounce.
        let unknown = try n.ingest(try Self.postfixDSN(n, "aozora", status: "5.1.1",
                                                       diagnostic: "550 5.1.1 <psirt@aozora.example>: Recipient address rejected: User unknown", id: "unknown-1"))
        #expect(unknown.status == 0, "\(unknown.stderr)")

        let participants = try n.participants()
        let ours: [String: String] = ["tomoe": "size", "kumo": "authentication", "hinode": "authentication",
                                      "izumi": "content", "sakura": "relay"]
        for (org, reason) in ours {
            #expect(participants[org]?["delivery"] as? String == "notified", "\(org): \(participants[org] ?? [:])")
            #expect(participants[org]?["ourDeliveryProblems"] as? Int == 1, "\(org)")
            #expect((participants[org]?["ourDeliveryProblem"] as? String)?.contains(reason) == true, "\(org): \(participants[org] ?? [:])")
            #expect(try n.sql("SELECT bounceCount FROM contact WHERE email = 'psirt@\(org).example'") == "0", "\(org)")
            #expect(try n.sql("SELECT r.status FROM notificationRecipient r JOIN notification n ON n.id = r.notificationId WHERE r.email = 'psirt@\(org).example'") == "delivered", "\(org)")
        }
        #expect(participants["aozora"]?["delivery"] as? String == "undeliverable")
        #expect(participants["aozora"]?["ourDeliveryProblems"] as? Int == 0)
        let table = try n.ws.liaison(["case", "show", Self.caseId])
        #expect(table.outputLines.contains { $0.hasPrefix("tomoe") && $0.contains("notified (delivery problem of ours)") }, "\(table.stdout)")

        // Listed for a person, with what to do.
        let review = try n.review()
        for org in ours.keys {
            #expect(review.contains { ($0["reviewReason"] as? String)?.contains("delivery problem of ours") == true
                                      && ($0["reviewReason"] as? String)?.contains("psirt@\(org).example") == true }, "\(org): \(review)")
        }
        #expect(review.contains { ($0["reviewReason"] as? String)?.contains("send a smaller message") == true })

        // The quarterly report counts them apart from the vendors' bounces.
        let report = try n.ws.liaison(["report", "quarter", RelayRefusalTests.quarterNow(), "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any]
        let delivery = (json?["notifications"] as? [String: Any])?["delivery"] as? [String: Any]
        #expect((delivery?["bounced"] as? [String: Any])?["value"] as? Int == 1, "\(delivery ?? [:])")
        #expect((delivery?["ourDeliveryProblems"] as? [String: Any])?["value"] as? Int == 5, "\(delivery ?? [:])")
        let text = try n.ws.liaison(["report", "quarter", RelayRefusalTests.quarterNow()])
        #expect(text.stdout.contains("Delivery problems of ours"), "\(text.stdout)")

        // Still asked for an answer: the reminder policy keeps every vendor whose notice we failed to deliver.
        let reminded = try n.wouldRemind()
        #expect(Set(ours.keys).isSubset(of: reminded), "\(reminded)")
    }
}
