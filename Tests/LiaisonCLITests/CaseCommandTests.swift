import Foundation
import Testing
import TestSupport

/// The coordinated notification as a coordinator runs it from the terminal: exit statuses, output, and what
/// reached the SMTP server.
@Suite struct CaseCommandTests {
    static let caseId = "JVNVU#12345678"
    static let developers = ["aozora", "hikari", "kumo", "sakura", "yuki"]

    @Test func theWholeCaseFlowFromTheCommandLine() throws {
        let ws = try GatewayWorkspace(developers: Self.developers)
        defer { ws.remove() }
        let caseId = Self.caseId

        let sync = try ws.liaison(["directory", "sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(try ws.liaison(["case", "open", caseId, "--title", "TLS ライブラリにおける証明書検証の不備", "--origin", "jvn-jp",
                                "--due", "2030-01-15"]).stdout == "opened \(caseId) (jvn-jp), TLP:AMBER+STRICT, due 2030-01-15\n")
        let added = try ws.liaison(["case", "add", caseId, "--technology", "tls"])
        #expect(added.stdout == "added 5 to \(caseId): aozora, hikari, kumo, sakura, yuki\n")

        // A dry run shows the five messages and queues nothing.
        let dryRun = try ws.liaison(["notify", caseId, "--template", "vendor-initial", "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("would queue 5 messages (dry run: nothing queued)"))
        #expect(try ws.outbox().isEmpty)

        let notify = try ws.liaison(["notify", caseId, "--template", "vendor-initial"])
        #expect(notify.status == 0, "\(notify.stderr)")
        #expect(notify.stdout.contains("queued 5 messages"))
        let queued = try ws.outbox()
        #expect(queued.count == 5)
        #expect(queued.allSatisfy { $0["state"] as? String == "queued" })
        #expect(ws.sink.messages().isEmpty, "nothing goes out before `send`")

        // Notifying again without --again: one line says how many already have it, nothing added.
        let again = try ws.liaison(["notify", caseId, "--template", "vendor-initial"])
        #expect(again.status == 1)
        #expect(again.stdout.isEmpty)
        #expect(again.errorLines == ["5 organisations (aozora, hikari, kumo and 2 more) already have vendor-initial for "
                                     + "\(caseId), queued or sent; use --again to send it once more"])
        #expect(try ws.outbox().count == 5)

        // A few organisations are named one by one.
        let two = try ws.liaison(["notify", caseId, "--template", "vendor-initial", "--org", "kumo", "--org", "yuki"])
        #expect(two.status == 1)
        #expect(two.errorLines == ["kumo was already sent vendor-initial for \(caseId); use --again to send it once more",
                                   "yuki was already sent vendor-initial for \(caseId); use --again to send it once more"])
        #expect(try ws.outbox().count == 5)

        // Not a terminal: one summary line, nothing on stderr.
        let send = try ws.liaison(["send"])
        #expect(send.status == 0, "\(send.stderr)")
        #expect(send.stdout == "sent 5, deferred 0, failed 0\n")
        #expect(send.stderr.isEmpty)
        let received = try ws.sink.waitForMessages(count: 5)
        #expect(Set(received.map { SMTPSink.messageID(of: $0.bytes) }) == Set(queued.compactMap { $0["messageId"] as? String }))
        #expect(Set(received.flatMap(\.recipients)) == Set(Self.developers.map { "psirt@\($0).example" }))

        var participants = try ws.participants(caseId)
        #expect(participants.keys.sorted() == Self.developers)
        #expect(participants.values.allSatisfy { $0["delivery"] as? String == "notified" && $0["firstNotifiedAt"] != nil })
        #expect(try ws.liaison(["case", "show", caseId]).stdout.contains("aozora        notified  none"))

        // A reply on standard input, threaded to aozora's notice.
        let aozoraNotice = try #require(queued.first { $0["organizationId"] as? String == "aozora" })
        let reply = """
            From: Aozora PSIRT <psirt@aozora.example>\r
            To: vuls@csirt.example\r
            Subject: Re: \(aozoraNotice["subject"] as? String ?? "")\r
            Date: Mon, 03 Sep 2007 10:00:00 +0900\r
            Message-ID: <ack-1@aozora.example>\r
            In-Reply-To: <\(aozoraNotice["messageId"] as? String ?? "")>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=UTF-8\r
            \r
            Received, thank you. We are investigating.\r

            """
        let ingest = try ws.liaison(["ingest", "-"], input: Data(reply.utf8))
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.contains("investigating"), "the reply states it in its own words")
        #expect(ingest.stdout.hasSuffix("read 1: 1 matched, 0 automatic, 0 bounces, 0 unmatched, 0 failed\n"))
        participants = try ws.participants(caseId)
        #expect(participants["aozora"]?["response"] as? String == "investigating")
        #expect(participants["hikari"]?["response"] as? String == "none")

        let set = try ws.liaison(["case", "set", caseId, "kumo", "fixed", "--statement", "Fixed in version 2.0.1"])
        #expect(set.status == 0, "\(set.stderr)")
        participants = try ws.participants(caseId)
        #expect(participants["kumo"]?["response"] as? String == "fixed")
        #expect(participants["kumo"]?["statement"] as? String == "Fixed in version 2.0.1")

        // Reminders would go to the three who have not answered; a dry run queues nothing.
        let remind = try ws.liaison(["remind", caseId, "--after", "0", "--dry-run", "--format", "json"])
        #expect(remind.status == 0, "\(remind.stderr)")
        let reminders = try JSONSerialization.jsonObject(with: Data(remind.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(Set(reminders.compactMap { $0["organizationId"] as? String }) == ["hikari", "sakura", "yuki"])
        #expect(try ws.outbox().count == 5)

        let publish = try ws.liaison(["case", "publish", caseId, "--force"])
        #expect(publish.status == 0, "\(publish.stderr)")
        let publication = try ws.liaison(["notify", caseId, "--template", "publication"])
        #expect(publication.status == 0, "\(publication.stderr)")
        #expect(publication.stdout.contains("queued 5 messages"))

        // Once published, reminders are refused in one line.
        let lateReminder = try ws.liaison(["remind", caseId, "--after", "0", "--dry-run"])
        #expect(lateReminder.status == 1)
        #expect(lateReminder.errorLines == ["case \(caseId) is published; reminders are for open cases"])

        // An incident notice by country goes to that country's national CSIRT.
        let incident = try ws.liaison(["incident", "notify", "--country", "KR", "--category", "scan",
                                       "--var", "summary=Port scans from 192.0.2.0/24 since 2007-09-01"])
        #expect(incident.status == 0, "\(incident.stderr)")
        #expect(incident.stdout.contains("krcert-cc"))
        #expect(incident.stdout.contains("cert@krcert.example"))

        let second = try ws.liaison(["send"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == "sent 6, deferred 0, failed 0\n")
        let all = try ws.sink.waitForMessages(count: 11)
        #expect(all.count == 11)
        let notice = try #require(all.first { $0.recipients == ["cert@krcert.example"] })
        #expect(String(decoding: notice.bytes, as: UTF8.self).contains("Incident notification"))
        #expect(try ws.outbox().allSatisfy { $0["state"] as? String == "sent" })

        let audit = try ws.liaison(["audit", "verify"])
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(audit.stdout.contains("intact"))
    }

    /// Each mistake a coordinator can make on a gateway command: exit 1, one line on stderr saying what is wrong,
    /// nothing on stdout, never a stack trace.
    @Test func badInputGivesOneClearLineAndExitOne() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let caseId = Self.caseId

        let cases: [(args: [String], line: String)] = [
            (["case", "show", "JVNVU#99999999"], "no case JVNVU#99999999; `liaison case list` shows the cases"),
            (["case", "add", "JVNVU#99999999", "aozora"], "no case JVNVU#99999999; `liaison case list` shows the cases"),
            (["notify", "JVNVU#99999999", "--template", "vendor-initial"], "no case JVNVU#99999999; `liaison case list` shows the cases"),
            (["remind", "JVNVU#99999999", "--after", "7"], "no case JVNVU#99999999; `liaison case list` shows the cases"),
            (["case", "add", caseId, "nobody"],
             "no organisation nobody in the registry; run `liaison directory sync` after adding Directory/organizations/nobody.yaml"),
            (["notify", caseId, "--template", "vendor-initial", "--org", "nobody", "--again"],
             "no organisation nobody in the registry; run `liaison directory sync` after adding Directory/organizations/nobody.yaml"),
            (["incident", "notify", "--org", "nobody", "--category", "scan", "--var", "summary=x"],
             "no organisation nobody in the registry; run `liaison directory sync` after adding Directory/organizations/nobody.yaml"),
            (["case", "set", caseId, "nobody", "fixed"],
             "nobody is not a participant of \(caseId); add it with `liaison case add \(caseId) nobody`"),
            (["case", "set", caseId, "aozora", "maybe"],
             "response maybe is not one of acknowledged, investigating, affected, not-affected, fixed"),
            (["notify", caseId, "--template", "no-such-template", "--again"],
             "no template no-such-template in \(ws.root.path)/Templates (templates: due-changed, escalation, incident, publication, reminder, vendor-initial)"),
            (["incident", "notify", "--org", "krcert-cc", "--category", "worm", "--var", "summary=x"],
             "--category worm is not one of scan, forged, intrusion, phishing, other"),
            (["incident", "notify", "--country", "ZZ", "--category", "scan", "--var", "summary=x"],
             "no active national CSIRT for country ZZ in the registry"),
            (["incident", "notify", "--org", "krcert-cc", "--category", "scan", "--var", "summary"],
             "--var summary is not key=value"),
            (["send", "--concurrency", "0"], "--concurrency takes 1 to 16"),
            (["send", "--limit", "0"], "--limit takes a number of messages, 1 or more"),
            (["ingest"], "give one of --mbox FILE, --maildir DIR, --imap URL or -"),
            (["ingest", "--mbox", ws.root.appendingPathComponent("missing.mbox").path],
             "\(ws.root.appendingPathComponent("missing.mbox").path): cannot read the mbox file"),
            (["outbox", "--state", "lost"], "--state lost is not one of queued, sending, sent, deferred, failed, voided"),
            // A case id that reads differently from what it is (U+202E reverses what follows) is refused.
            (["case", "open", "JVNVU#1\u{202E}8765", "--title", "x", "--origin", "jvn-jp"],
             "the case id contains the invisible character U+202E (a bidi control or format character that can make text read differently from what it is); remove it"),
            (["case", "open", "JVNVU#\u{200B}1", "--title", "x", "--origin", "jvn-jp"],
             "the case id contains the invisible character U+200B (a bidi control or format character that can make text read differently from what it is); remove it"),
        ]
        for (args, line) in cases {
            let result = try ws.liaison(args)
            #expect(result.status == 1, "liaison \(args.joined(separator: " "))")
            #expect(result.errorLines == [line], "liaison \(args.joined(separator: " "))")
            #expect(result.stdout.isEmpty, "liaison \(args.joined(separator: " ")): \(result.stdout)")
        }
        // None of them opened a case, queued or sent anything.
        #expect(try ws.liaison(["case", "list"]).outputLines.filter { $0.hasPrefix("JVNVU#") }.count == 1)
        #expect(try ws.outbox().count == 1)
        #expect(ws.sink.messages().isEmpty)
    }

    @Test func helpOfNotifyAndSendExplainsTheirContract() throws {
        let send = try runLiaison(["send", "--help"], workspace: nil, environment: ["COLUMNS": "100"])
        #expect(send.status == 0)
        #expect(send.stdout.contains("USAGE: liaison send [--workspace <DIR>] [--actor <NAME>] [--limit <N>] [--concurrency <N>]"))
        let sendHelp = send.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(sendHelp.contains("Exit status: 0 when every message tried was sent (or nothing was due); 1 when a fault "
                                  + "of our relay or settings stopped the run, on any other error, or when a message failed "
                                  + "for good or was held for a person, even if others were deferred; 75 when messages were "
                                  + "deferred for a retry and none failed or was held."), "\(send.stdout)")
        #expect(send.stdout.contains("`liaison outbox --state deferred`"))
        let notify = try runLiaison(["notify", "--help"], workspace: nil, environment: ["COLUMNS": "100"])
        #expect(notify.status == 0)
        #expect(notify.stdout.contains("--template <NAME>"))
        #expect(notify.stdout.contains("All or nothing"))
        #expect(notify.stdout.contains("--again"))
        // Paragraphs are wrapped by the help formatter, not broken mid-sentence by line ends in the source text.
        #expect(send.stdout.contains("Messages are claimed with a lease, so two `send` processes never send the same message; a `send`"))
    }
}
