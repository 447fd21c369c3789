import Foundation
import Testing
import TestSupport

/// `liaison ingest` from a CRLF mbox, a Maildir and standard input, and `liaison inbox` on what it kept.
@Suite struct InboxCommandTests {
    static let caseId = "JVNVU#20261201"

    @Test func everyMessageIsClassifiedKeptAndListedForReviewWhenItMustBe() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 0)
        let sent = try ws.outbox()
        func notice(_ org: String) throws -> (messageId: String, tracking: String) {
            let row = try #require(sent.first { $0["organizationId"] as? String == org })
            return (row["messageId"] as? String ?? "", row["trackingRef"] as? String ?? "")
        }

        // Three messages in a CRLF mbox: an out-of-office, a qmail bounce, a human reply.
        let messages = [
            "From: psirt@kumo.example\r\nTo: vuls@csirt.example\r\nSubject: Out of Office: [\(try notice("kumo").tracking)]\r\nMessage-ID: <oof@kumo.example>\r\nIn-Reply-To: <\(try notice("kumo").messageId)>\r\n\r\nBack next week.\r\n",
            "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.sakura.example\r\nTo: vuls@csirt.example\r\nSubject: failure notice\r\nMessage-ID: <qmail@mx.sakura.example>\r\n\r\nI'm afraid I wasn't able to deliver your message to the following addresses.\r\nThis is a permanent error; I've given up.\r\n\r\n<psirt@sakura.example>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n--- Below this line is a copy of the message.\r\n\r\nMessage-ID: <\(try notice("sakura").messageId)>\r\nTo: psirt@sakura.example\r\n",
            "From: psirt@aozora.example\r\nTo: vuls@csirt.example\r\nSubject: Re: [\(try notice("aozora").tracking)]\r\nMessage-ID: <reply@aozora.example>\r\n\r\nStatus: affected\r\n",
        ]
        let mbox = ws.root.appendingPathComponent("crlf.mbox")
        try Data(messages.map { "From someone@example Tue Dec  1 10:00:00 2026\r\n\($0)\r\n" }.joined().utf8).write(to: mbox)
        let ingest = try ws.liaison(["ingest", "--mbox", mbox.path, "--format", "json"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let outcomes = try JSONSerialization.jsonObject(with: Data(ingest.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(outcomes.map { $0["kind"] as? String ?? "" } == ["automatic-reply", "delivery-report", "reply"])
        #expect(outcomes.map { $0["disposition"] as? String ?? "" } == ["auto-reply", "bounce", "reply"])
        let participants = try ws.participants(Self.caseId)
        #expect(participants["kumo"]?["response"] as? String == "none")
        #expect(participants["sakura"]?["delivery"] as? String == "undeliverable")
        #expect(participants["aozora"]?["response"] as? String == "affected")

        // Standard input: a message without header fields is refused so the MTA keeps it.
        let refused = try ws.liaison(["ingest", "-"], input: Data("just some text\nand more\n".utf8))
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("no header fields"))

        // A Maildir holding a stranger's question: kept, unmatched, listed for review.
        let maildir = ws.root.appendingPathComponent("Maildir")
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Data("From: someone@elsewhere.example\nTo: vuls@csirt.example\nSubject: Hello\nMessage-ID: <hello@elsewhere.example>\n\nIs this the right address?\n".utf8)
            .write(to: maildir.appendingPathComponent("new/1.host"))
        let fromMaildir = try ws.liaison(["ingest", "--maildir", maildir.path])
        #expect(fromMaildir.status == 0, "\(fromMaildir.stderr)")
        #expect(fromMaildir.outputLines.last == "read 1: 0 matched, 0 automatic, 0 bounces, 1 unmatched, 0 failed; 1 listed for review (liaison inbox --review)")

        let review = try ws.liaison(["inbox", "--review", "--format", "json"])
        #expect(review.status == 0, "\(review.stderr)")
        let waiting = try JSONSerialization.jsonObject(with: Data(review.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(waiting.map { $0["messageId"] as? String ?? "" } == ["hello@elsewhere.example"])
        #expect(try ws.liaison(["inbox", "dismiss", "hello@elsewhere.example", "--reason", "a question for the web form"]).status == 0)
        let after = try ws.liaison(["inbox", "--review"])
        #expect(after.outputLines.last == "0 messages")
        let all = try ws.liaison(["inbox", "--format", "json"])
        #expect((try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]] ?? []).count == 4)
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }
}
