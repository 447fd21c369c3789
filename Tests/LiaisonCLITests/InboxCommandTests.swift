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
        // A message that is not stored: the same one line from dismiss and assign, exit 1.
        for args in [["inbox", "dismiss", "999", "--reason", "x"], ["inbox", "assign", "999", "JVNVU#1", "aozora"]] {
            let missing = try ws.liaison(args)
            #expect(missing.status == 1)
            #expect(missing.errorLines == ["no stored message 999; `liaison inbox` lists them"], "\(args)")
        }
        let all = try ws.liaison(["inbox", "--format", "json"])
        #expect((try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]] ?? []).count == 4)
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }

    /// `inbox assign` applies what the message says, as ingest would have had it matched, and only what the
    /// trust rule allows.
    @Test func assigningAStoredMessageAppliesItAsIngestWouldHave() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo", "sakura"])
        defer { ws.remove() }
        let vendor = try GnuPGHome.make()
        defer { vendor.shutdown() }
        let vendorKey = try vendor.generateKey(name: "Aozora PSIRT", email: "psirt@aozora.example")
        try ws.temp.write("Directory/keys/\(vendorKey).asc", String(decoding: try vendor.exportPublic(vendorKey), as: UTF8.self))
        try ws.temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora", pgp: vendorKey))
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 0)

        // Written from a home address with no reference: nothing but the signed text ties them to the case.
        let good = try vendor.gpg(["--clearsign", "--local-user", "psirt@aozora.example"],
                                  input: Data("\(Self.caseId): fixed in 3.1.5.\nStatus: fixed\n".utf8))
        let signedAgain = try vendor.gpg(["--clearsign", "--local-user", "psirt@aozora.example"], input: Data("Status: not-affected\n".utf8))
        let tampered = String(decoding: signedAgain.stdout, as: UTF8.self).replacingOccurrences(of: "not-affected", with: "fixed")
        let messages = [
            "From: Hanako Sato <hanako@home-mail.example>\nTo: vuls@csirt.example\nSubject: our statement\nMessage-ID: <good@home-mail.example>\n\n\(String(decoding: good.stdout, as: UTF8.self))",
            "From: Hanako Sato <hanako@home-mail.example>\nTo: vuls@csirt.example\nSubject: our statement\nMessage-ID: <bad@home-mail.example>\n\n\(tampered)",
            "From: taro@home-mail.example\nTo: vuls@csirt.example\nSubject: Out of Office\nAuto-Submitted: auto-replied\nMessage-ID: <away@home-mail.example>\n\nBack on Monday.\n",
            "Return-Path: <>\nFrom: MAILER-DAEMON@mx.hosting.example\nTo: vuls@csirt.example\nSubject: failure notice\nMessage-ID: <qmail@mx.hosting.example>\n\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up.\n\n<psirt@kumo.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n<psirt@sakura.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n",
        ]
        let mbox = ws.root.appendingPathComponent("unmatched.mbox")
        try Data(messages.map { "From someone@example Tue Dec  1 10:00:00 2026\n\($0)\n" }.joined().utf8).write(to: mbox)
        let ingest = try ws.liaison(["ingest", "--mbox", mbox.path])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.outputLines.last?.hasPrefix("read 4: 0 matched, 1 automatic, 1 bounce, 3 unmatched, 0 failed") == true, "\(ingest.stdout)")

        // A bad signature assigned changes nothing and waits for review.
        let bad = try ws.liaison(["inbox", "assign", "bad@home-mail.example", Self.caseId, "aozora"])
        #expect(bad.status == 0, "\(bad.stderr)")
        #expect(bad.stdout.contains("still listed for review (bad signature)"))
        #expect(try ws.participants(Self.caseId)["aozora"]?["response"] as? String == "none")
        let review = try ws.liaison(["inbox", "--review", "--format", "json"])
        let waiting = try JSONSerialization.jsonObject(with: Data(review.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(waiting.contains { $0["messageId"] as? String == "bad@home-mail.example" && $0["caseId"] as? String == Self.caseId })

        // The signed statement assigned is applied, and shown as signed.
        let assigned = try ws.liaison(["inbox", "assign", "good@home-mail.example", Self.caseId, "aozora"])
        #expect(assigned.status == 0, "\(assigned.stderr)")
        #expect(assigned.stdout.contains("signature verified; fixed"))
        let shown = try ws.liaison(["case", "show", Self.caseId])
        #expect(shown.outputLines.contains { $0.contains("aozora") && $0.contains("fixed (signed)") }, "\(shown.stdout)")

        // Assigning it again changes nothing, not even the log.
        let log = try ws.liaison(["audit", "verify"]).stdout
        let again = try ws.liaison(["inbox", "assign", "good@home-mail.example", Self.caseId, "aozora"])
        #expect(again.status == 0 && again.stdout.contains("nothing changed"))
        #expect(try ws.liaison(["audit", "verify"]).stdout == log)

        // An automatic reply never becomes a response; a bounce fails only that participant's recipients.
        #expect(try ws.liaison(["inbox", "assign", "away@home-mail.example", Self.caseId, "kumo"]).status == 0)
        #expect(try ws.liaison(["inbox", "assign", "qmail@mx.hosting.example", Self.caseId, "kumo"]).status == 0)
        let participants = try ws.participants(Self.caseId)
        #expect(participants["kumo"]?["response"] as? String == "none")
        #expect(participants["kumo"]?["delivery"] as? String == "undeliverable")
        #expect(participants["sakura"]?["delivery"] as? String == "notified")

        // Not a participant: one line, exit 1, nothing changed.
        let stranger = try ws.liaison(["inbox", "assign", "away@home-mail.example", Self.caseId, "krcert-cc"])
        #expect(stranger.status == 1 && stranger.stderr.contains("not a participant"))
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }

    /// A mistyped case or organisation id given to `inbox assign` or `case set` is answered with the id that was
    /// likely meant, in one line, and nothing changes; an unknown case is named as such, not as a missing participant.
    @Test func mistypedIdsInAssignAndSetSayWhichWasMeant() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let reply = "From: hanako@home-mail.example\nTo: vuls@csirt.example\nSubject: about your mail\nMessage-ID: <r1@home-mail.example>\n\nWe are not affected.\n"
        #expect(try ws.liaison(["ingest", "-"], input: Data(reply.utf8)).status == 0)
        let log = try ws.liaison(["audit", "verify"]).stdout

        let typoCase = String(Self.caseId.dropLast())
        let cases = try ws.liaison(["inbox", "assign", "r1@home-mail.example", typoCase, "aozora", "--response", "not-affected"])
        #expect(cases.status == 1)
        #expect(cases.errorLines == ["no case \(typoCase); did you mean \(Self.caseId)?; `liaison case list` shows the cases"], "\(cases.stderr)")
        for args in [["inbox", "assign", "r1@home-mail.example", Self.caseId, "aozor", "--response", "not-affected"],
                     ["case", "set", Self.caseId, "aozor", "not-affected"]] {
            let org = try ws.liaison(args)
            #expect(org.status == 1)
            #expect(org.errorLines == ["aozor is not a participant of \(Self.caseId); did you mean aozora? (`liaison case show \(Self.caseId)` lists them)"],
                    "\(args): \(org.stderr)")
        }
        #expect(try ws.participants(Self.caseId)["aozora"]?["response"] as? String == "none")
        #expect(try ws.liaison(["audit", "verify"]).stdout == log)

        // The outbox of a mistyped case is no empty list: it says which case was meant.
        let outbox = try ws.liaison(["outbox", "--case", typoCase])
        #expect(outbox.status == 1)
        #expect(outbox.errorLines == ["no case \(typoCase); did you mean \(Self.caseId)?; `liaison case list` shows the cases"], "\(outbox.stdout)")
    }

    /// A reply ingest credited to the vendor whose thread it came in, tied by a person to the participant that
    /// wrote it: the first vendor's answer from it is taken back to what it was before, the second gets it; a later
    /// answer of the first vendor would have been left alone.
    @Test func assigningAReplyToAnotherParticipantTakesBackWhatItGaveTheFirst() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 0)
        let notice = try #require(try ws.outbox().first { $0["organizationId"] as? String == "aozora" })
        func reply(_ id: String, _ body: String, date: String) -> String {
            """
            From: psirt@aozora.example
            To: vuls@csirt.example
            Subject: Re: \(notice["subject"] as? String ?? "")
            Date: \(date)
            Message-ID: <\(id)@aozora.example>
            In-Reply-To: <\(notice["messageId"] as? String ?? "")>

            \(body)
            """
        }
        #expect(try ws.liaison(["ingest", "-"], input: Data(reply("ack", "Received, thank you.", date: "Mon, 07 Dec 2026 10:00:00 +0900").utf8)).status == 0)
        #expect(try ws.liaison(["ingest", "-"], input: Data(reply("fwd", "Forwarding our supplier's answer:\n\nStatus: affected",
                                                                     date: "Tue, 08 Dec 2026 10:00:00 +0900").utf8)).status == 0)
        #expect(try ws.participants(Self.caseId)["aozora"]?["response"] as? String == "affected")

        let assign = try ws.liaison(["inbox", "assign", "fwd@aozora.example", Self.caseId, "kumo"])
        #expect(assign.status == 0, "\(assign.stderr)")
        #expect(assign.stdout.contains("aozora: its answer from this message taken back (now acknowledged)"), "\(assign.stdout)")
        let participants = try ws.participants(Self.caseId)
        #expect(participants["aozora"]?["response"] as? String == "acknowledged")
        #expect(participants["kumo"]?["response"] as? String == "affected")
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }

    /// A withdrawn case takes no assignment, refused in the words `case set` uses; a message dismissed once cannot be
    /// dismissed again (one event, and the line says by whom and when).
    @Test func aWithdrawnCaseTakesNoAssignmentAndADismissalIsNotRepeated() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let message = "From: hanako@home-mail.example\nTo: vuls@csirt.example\nSubject: our statement\nMessage-ID: <wd@home-mail.example>\n\nStatus: fixed\n"
        #expect(try ws.liaison(["ingest", "-"], input: Data(message.utf8)).status == 0)
        #expect(try ws.liaison(["case", "withdraw", Self.caseId, "--reason", "opened by mistake"]).status == 0)
        let set = try ws.liaison(["case", "set", Self.caseId, "aozora", "fixed"])
        let assign = try ws.liaison(["inbox", "assign", "wd@home-mail.example", Self.caseId, "aozora", "--response", "fixed"])
        #expect(assign.status == 1, "\(assign.stdout)")
        #expect(assign.stderr.contains("case \(Self.caseId) is withdrawn (opened by mistake)"), "\(assign.stderr)")
        #expect(assign.stderr == set.stderr)
        #expect(try ws.participants(Self.caseId)["aozora"]?["response"] as? String == "none")

        #expect(try ws.liaison(["inbox", "dismiss", "wd@home-mail.example", "--reason", "not ours"]).status == 0)
        let log = try ws.liaison(["audit", "verify"]).stdout
        let again = try ws.liaison(["inbox", "dismiss", "wd@home-mail.example", "--reason", "spam"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("was already dismissed by "), "\(again.stderr)")
        #expect(again.stderr.split(separator: "\n").count == 1)
        #expect(try ws.liaison(["audit", "verify"]).stdout == log, "no second event")
    }

    /// `--actor`, and the name taken from the environment when it is absent, is one printable line of at most 64
    /// characters: a bidi control, a line end or an endless name is refused in one line, and nothing is logged.
    @Test func theActorIsOnePrintableLineOfReasonableLength() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        #expect(try ws.liaison(["directory", "sync"]).status == 0)
        for name in ["alice\u{202E}evil", "alice\nbob", String(repeating: "a", count: 65), "\u{1}"] {
            let run = try ws.liaison(["case", "open", Self.caseId, "--title", "t", "--origin", "jvn-jp", "--actor", name])
            #expect(run.status == 1, "\(name)")
            #expect(run.stderr.contains("--actor must be a name on one printable line of at most 64 characters"), "\(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        }
        let fromEnvironment = try ws.liaison(["case", "open", Self.caseId, "--title", "t", "--origin", "jvn-jp"],
                                             environment: ["LIAISON_ACTOR": "<img src=x>\u{202E}"])
        #expect(fromEnvironment.status == 1 && fromEnvironment.stderr.contains("$LIAISON_ACTOR"), "\(fromEnvironment.stderr)")
        #expect(try ws.liaison(["case", "list"]).stdout.contains(Self.caseId) == false, "nothing was opened")
        let fine = try ws.liaison(["case", "open", Self.caseId, "--title", "t", "--origin", "jvn-jp", "--actor", "Hanako Sato"])
        #expect(fine.status == 0, "\(fine.stderr)")
    }

    /// A Maildir where one file cannot be read: the others are stored and applied, the summary counts it and the
    /// exit status says so; a file holding no header field is kept and listed, not lost.
    @Test func oneMessageThatCannotBeReadNeverStopsTheBatch() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 0)
        let sent = try ws.outbox()
        let tracking = { (org: String) in sent.first { $0["organizationId"] as? String == org }?["trackingRef"] as? String ?? "" }
        let maildir = ws.root.appendingPathComponent("Maildir")
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Data("From: psirt@aozora.example\nSubject: Re: [\(tracking("aozora"))]\nMessage-ID: <a@aozora.example>\n\nStatus: affected\n".utf8)
            .write(to: maildir.appendingPathComponent("new/1.host"))
        // Removed by another reader between listing and reading.
        try FileManager.default.createSymbolicLink(atPath: maildir.appendingPathComponent("new/2.host").path,
                                                   withDestinationPath: maildir.appendingPathComponent("tmp/gone").path)
        try Data("garbage without any header\n".utf8).write(to: maildir.appendingPathComponent("new/3.host"))
        try Data("From: psirt@kumo.example\nSubject: Re: [\(tracking("kumo"))]\nMessage-ID: <k@kumo.example>\n\nStatus: not-affected\n".utf8)
            .write(to: maildir.appendingPathComponent("new/4.host"))

        let run = try ws.liaison(["ingest", "--maildir", maildir.path])
        #expect(run.status == 75, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stderr.contains("new/2.host: not read: the file could not be read"))
        #expect(run.outputLines.last == "read 4: 2 matched, 0 automatic, 0 bounces, 1 unmatched, 1 failed; 1 listed for review (liaison inbox --review)")
        let participants = try ws.participants(Self.caseId)
        #expect(participants["aozora"]?["response"] as? String == "affected")
        #expect(participants["kumo"]?["response"] as? String == "not-affected")
        let review = try ws.liaison(["inbox", "--review"])
        #expect(review.stdout.contains("not readable as a message"))

        // Once the file is back, reading the Maildir again takes it and changes nothing else.
        try FileManager.default.removeItem(at: maildir.appendingPathComponent("new/2.host"))
        try Data("From: psirt@kumo.example\nSubject: Out of Office [\(tracking("kumo"))]\nAuto-Submitted: auto-replied\nMessage-ID: <oof@kumo.example>\n\nAway.\n".utf8)
            .write(to: maildir.appendingPathComponent("new/2.host"))
        let again = try ws.liaison(["ingest", "--maildir", maildir.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.outputLines.last == "read 4: 1 matched, 1 automatic, 0 bounces, 0 unmatched, 0 failed, 3 already read")
    }

    /// `liaison run --maildir`: a file that cannot be read is logged and the messages after it are still read.
    @Test func theServiceReadsPastAMaildirFileItCannotRead() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 0)
        let tracking = try ws.outbox().first?["trackingRef"] as? String ?? ""
        let maildir = ws.root.appendingPathComponent("Maildir")
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(atPath: maildir.appendingPathComponent("new/1.host").path,
                                                   withDestinationPath: maildir.appendingPathComponent("tmp/gone").path)
        try Data("From: psirt@aozora.example\nSubject: Re: [\(tracking)]\nMessage-ID: <run-1@aozora.example>\n\nStatus: fixed\n".utf8)
            .write(to: maildir.appendingPathComponent("new/2.host"))
        let service = try ws.start(["run", "--maildir", maildir.path, "--interval", "30", "--no-reminders"])
        #expect(waitUntil(timeout: 30) { service.stderrSoFar.contains("new/2.host: reply") || !service.isRunning }, "\(service.stderrSoFar)")
        service.send(signal: SIGTERM)
        let finished = try service.wait(timeout: 10)
        #expect(finished.stderr.contains("new/1.host: the file could not be read"), "\(finished.stderr)")
        #expect(try ws.participants(Self.caseId)["aozora"]?["response"] as? String == "fixed")
    }
}
