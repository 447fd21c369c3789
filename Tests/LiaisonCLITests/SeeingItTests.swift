import Foundation
import Testing
import TestSupport

/// What a coordinator sees from the terminal: bounces and automatic replies in `case show`, an organisation's
/// history, a received message decoded, the embargo calendar, long lists summarised.
@Suite struct SeeingItTests {
    static let caseId = "JVNVU#12345678"

    @Test func caseShowNamesBouncesAndAutomaticRepliesAndInboxShowDecodes() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["psirt@kumo.example": ["550 5.1.1 No such user"]]
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo", "sakura"], sink: options)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 1)
        let sakura = try #require(try ws.outbox(state: "sent").first { $0["organizationId"] as? String == "sakura" })
        let reply = """
            From: psirt@sakura.example
            To: vuls@csirt.example
            Subject: =?UTF-8?B?5LiN5Zyo44Gu44GK55+l44KJ44Gb?=
            Date: Mon, 10 Sep 2007 11:00:00 +0900
            Message-ID: <ooo-1@sakura.example>
            In-Reply-To: <\(sakura["messageId"] as? String ?? "")>
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: base64

            5LiN5Zyo44Gn44GZ44CC
            --b1
            Content-Type: application/pdf
            Content-Disposition: attachment; filename="away.pdf"
            Content-Transfer-Encoding: base64

            JVBERi0xLjQK
            --b1--

            """.replacingOccurrences(of: "\n", with: "\r\n")
        let ingest = try ws.liaison(["ingest", "-"], input: Data(reply.utf8))
        #expect(ingest.status == 0, "\(ingest.stderr)")

        let show = try ws.liaison(["case", "show", Self.caseId])
        #expect(show.stdout.contains("undeliverable, 1 bounced"), "\(show.stdout)")
        #expect(show.stdout.contains("kumo: psirt@kumo.example failed (550 5.1.1 No such user)"), "\(show.stdout)")
        #expect(show.stdout.contains("sakura: automatic reply"), "\(show.stdout)")
        let participants = try #require(try ws.caseDetail(Self.caseId)["participants"] as? [[String: Any]])
        let kumo = try #require(participants.first { ($0["record"] as? [String: Any])?["organizationId"] as? String == "kumo" })
        #expect((kumo["bouncedAddresses"] as? [[String: Any]])?.first?["email"] as? String == "psirt@kumo.example")
        let sakuraStatus = try #require(participants.first { ($0["record"] as? [String: Any])?["organizationId"] as? String == "sakura" })
        let automatic = try #require((sakuraStatus["automaticReplies"] as? [[String: Any]])?.first)
        let inboundId = try #require(automatic["inboundId"] as? Int)

        let message = try ws.liaison(["inbox", "show", String(inboundId)])
        #expect(message.status == 0, "\(message.stderr)")
        #expect(message.stdout.contains("subject      不在のお知らせ"), "\(message.stdout)")
        #expect(message.stdout.contains("signature    none"))
        #expect(message.stdout.contains("attachments  away.pdf (application/pdf, 9 bytes)"), "\(message.stdout)")
        #expect(message.stdout.contains("不在です。"))
        let missing = try ws.liaison(["inbox", "show", "999"])
        #expect(missing.status == 1)
        #expect(missing.errorLines == ["no received message 999; `liaison inbox` lists them"])

        let org = try ws.liaison(["org", "show", "sakura"])
        #expect(org.stdout.contains("Cases") && org.stdout.contains(Self.caseId), "\(org.stdout)")
        #expect(org.stdout.contains("responded in 0 of 1 case notified"), "\(org.stdout)")
    }

    @Test func theEmbargoCalendarAndLongListsSummarised() throws {
        let developers = (1...14).map { String(format: "dev%02d", $0) }
        let ws = try GatewayWorkspace(developers: developers)
        defer { ws.remove() }
        #expect(try ws.liaison(["directory", "sync"]).status == 0)
        for (id, due) in [("JVNVU#1", "2030-03-01"), ("JVNVU#2", "2030-01-15"), ("JVNVU#3", "2031-01-01")] {
            #expect(try ws.liaison(["case", "open", id, "--title", "t", "--origin", "jvn-jp", "--due", due]).status == 0)
        }
        let calendar = try ws.liaison(["case", "list", "--due-before", "2030-12-31", "--sort", "due", "--format", "json"])
        let ids = (try JSONSerialization.jsonObject(with: Data(calendar.stdout.utf8)) as? [[String: Any]])?
            .compactMap { ($0["record"] as? [String: Any])?["id"] as? String }
        #expect(ids == ["JVNVU#2", "JVNVU#1"])
        let badDay = try ws.liaison(["case", "list", "--due-before", "soon"])
        #expect(badDay.status == 1 && badDay.errorLines.count == 1 && badDay.stderr.hasPrefix("--due-before:"))

        let added = try ws.liaison(["case", "add", "JVNVU#1", "--technology", "tls"])
        #expect(added.stdout == "added 14 to JVNVU#1: dev01, dev02, dev03, dev04, dev05, dev06, dev07, dev08, dev09, dev10 … and 4 more\n")

        #expect(try ws.liaison(["notify", "JVNVU#1", "--template", "vendor-initial"]).status == 0)
        let page = try ws.liaison(["outbox", "--limit", "10"])
        #expect(page.stdout.contains("more messages follow: --after"), "\(page.stdout)")
        let firstPage = try ws.liaison(["outbox", "--limit", "10", "--format", "json"])
        let lastId = try #require((try JSONSerialization.jsonObject(with: Data(firstPage.stdout.utf8)) as? [[String: Any]])?.last?["id"] as? Int)
        let next = try ws.liaison(["outbox", "--after", String(lastId), "--format", "json"])
        #expect((try JSONSerialization.jsonObject(with: Data(next.stdout.utf8)) as? [[String: Any]])?.count == 4)
    }

    @Test func aNotificationToManyVendorsIsSummarised() throws {
        let developers = (1...55).map { String(format: "vendor%02d", $0) }
        let ws = try GatewayWorkspace(developers: developers)
        defer { ws.remove() }
        for args in [["directory", "sync"], ["case", "open", Self.caseId, "--title", "t", "--origin", "jvn-jp", "--due", "2030-01-15"],
                     ["case", "add", Self.caseId, "--technology", "tls"]] {
            #expect(try ws.liaison(args).status == 0)
        }
        let plan = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial", "--dry-run"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("… and 5 more messages to 5 organisations; --format json lists every one"), "\(plan.stdout.suffix(300))")
        #expect(!plan.stdout.contains("vendor55"))
        #expect(plan.stdout.hasSuffix("would queue 55 messages (dry run: nothing queued)\n"))
    }
}
