import Foundation
import Testing
import TestSupport

/// notify, send, ingest and run through a real Postfix and Dovecot on loopback.
@Suite(.serialized, .enabled(if: PostfixServer.isAvailable, "Postfix needs root"))
struct MailSystemTests {
    static let caseId = MailSystemFixture.caseId

    @Test func notificationsGoThroughPostfixSignedAndBouncesComeBackThroughIMAP() throws {
        let mail = try MailSystemFixture()
        try mail.ws.openAndNotify(Self.caseId)
        let send = try mail.liaison(["send"])
        #expect(send.stdout.contains("sent 2, deferred 1, failed 1"), "\(send.stdout) \(send.stderr)")

        // aozora's copy arrives; gone's is accepted, then Postfix bounces it to the envelope sender.
        #expect(waitUntil(timeout: 20) { mail.postfix.delivered(to: "psirt@aozora.example").count == 1
                                          && mail.postfix.delivered(to: MailSystemFixture.csirtMailbox).count == 1 },
                "\(mail.postfix.log)")
        let delivered = try Data(contentsOf: mail.postfix.delivered(to: "psirt@aozora.example")[0])
        try mail.expectVerifiesEverywhere(delivered)
        // Postfix adds Return-Path and Received above; below them are the outbox's bytes (stored with LF in a Maildir).
        let outbox = try mail.outboxBytes(organization: "aozora")
        #expect(MailSystemFixture.crlf(delivered).range(of: outbox) != nil)
        #expect(String(decoding: delivered, as: UTF8.self).contains("Return-Path: <vuls"))

        let ingest = try mail.liaison(["ingest", "--imap", "imaps://vuls@127.0.0.1:\(mail.dovecot.imapsPort)/INBOX",
                                       "--ca-file", mail.certificate.caFile])
        #expect(ingest.status == 0, "\(ingest.stdout) \(ingest.stderr)")
        #expect(ingest.stdout.contains("read 1 new message"), "\(ingest.stdout)")

        let recipients = try mail.sql("SELECT n.organizationId, r.status FROM notificationRecipient r JOIN notification n ON n.id = r.notificationId ORDER BY 1")
        #expect(recipients == "aozora|delivered\ngone|bounced\nkumo|deferred\nsakura|failed", "\(recipients)")
        let participants = try mail.sql("SELECT organizationId, delivery FROM participant ORDER BY 1")
        #expect(participants.contains("gone|undeliverable") && participants.contains("sakura|undeliverable")
                && participants.contains("aozora|notified"), "\(participants)")
        #expect(try mail.sql("SELECT bounceCount FROM contact WHERE email = 'psirt@gone.example'") == "1")

        // Nothing new the second time; a reply added in between is read.
        let again = try mail.liaison(["ingest"])
        #expect(again.stdout.contains("read 0 new messages"), "\(again.stdout) \(again.stderr)")
        try mail.dovecot.deliver(try mail.reply(from: "aozora", text: "We received your notice."))
        let reply = try mail.liaison(["ingest"])
        #expect(reply.stdout.contains("read 1 new message"), "\(reply.stdout) \(reply.stderr)")
        #expect(try mail.sql("SELECT response FROM participant WHERE organizationId = 'aozora'") == "acknowledged")
    }

    @Test func aWrongPasswordOrAnUntrustedCertificateIsOneLineAndChangesNothing() throws {
        let mail = try MailSystemFixture(developers: ["aozora"])
        #expect(try mail.liaison(["directory", "sync"]).status == 0)
        try mail.dovecot.deliver(Data("From: a@aozora.example\r\nMessage-ID: <x1@aozora.example>\r\nSubject: hi\r\n\r\nhello\r\n".utf8))
        let wrong = try mail.liaison(["ingest"], environment: ["LIAISON_IMAP_PASSWORD": "not-the-password"])
        #expect(wrong.status == 1)
        #expect(wrong.errorLines.count == 1 && wrong.errorLines[0].contains("refused the login of vuls"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("not-the-password"))

        let otherCA = mail.folder.appendingPathComponent("other-ca")
        try FileManager.default.createDirectory(at: otherCA, withIntermediateDirectories: true)
        let untrusted = try mail.liaison(["ingest", "--ca-file", try SMTPSinkCertificate.make(in: otherCA).caFile])
        #expect(untrusted.status == 1)
        #expect(untrusted.errorLines.count == 1 && untrusted.errorLines[0].contains("certificate"), "\(untrusted.stderr)")
        #expect(try mail.sql("SELECT COUNT(*) FROM inboundMessage") == "0")
        #expect(try mail.sql("SELECT COUNT(*) FROM mailboxState") == "0")

        let missing = try mail.liaison(["ingest", "--imap", "imaps://vuls@127.0.0.1:\(mail.dovecot.imapsPort)/Nope"])
        #expect(missing.status == 1)
        #expect(missing.errorLines == ["imaps://127.0.0.1:\(mail.dovecot.imapsPort) has no mailbox \"Nope\" (the server said: NO Mailbox doesn't exist: Nope (0.001 + 0.000 secs).)."]
                || (missing.errorLines.count == 1 && missing.errorLines[0].contains("has no mailbox \"Nope\"")), "\(missing.stderr)")

        let plain = try mail.liaison(["ingest", "--imap", "imap://vuls@imap.csirt.example/INBOX", "--tls", "none"])
        #expect(plain.status == 1)
        #expect(plain.errorLines.count == 1 && plain.errorLines[0].contains("Plain IMAP to imap.csirt.example is refused"), "\(plain.stderr)")

        let right = try mail.liaison(["ingest"])
        #expect(right.stdout.contains("read 1 new message"), "\(right.stdout) \(right.stderr)")
    }

    @Test func aMessageTheRegistryCannotStoreFailsAloneAndIsReadAgainNextTime() throws {
        let mail = try MailSystemFixture(developers: ["aozora"])
        #expect(try mail.liaison(["directory", "sync"]).status == 0)
        for number in 1...3 {
            try mail.dovecot.deliver(Data("From: a@aozora.example\r\nMessage-ID: <m\(number)@aozora.example>\r\nSubject: note \(number)\r\n\r\nhello\r\n".utf8))
        }
        // The registry refuses one message as a full disk would.
        func database(_ statement: String) throws {
            let database = mail.ws.root.appendingPathComponent(".liaison/registry.sqlite").path
            let result = try runProcess("/usr/bin/python3", ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()",
                                                             database, statement])
            #expect(result.status == 0, "\(result.stderr)")
        }
        try database("CREATE TRIGGER full_disk BEFORE INSERT ON inboundMessage WHEN NEW.messageId = 'm2@aozora.example' "
                     + "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")

        let first = try mail.liaison(["ingest"])
        #expect(first.status == 75, "\(first.stdout) \(first.stderr)")
        #expect(first.errorLines.count == 1 && first.errorLines[0].contains(";UID=") && first.errorLines[0].contains("not stored"),
                "\(first.stderr)")
        #expect(first.stdout.contains("read 2 new messages") && first.stdout.contains("; 1 failed"), "\(first.stdout)")
        #expect(try mail.sql("SELECT messageId FROM inboundMessage ORDER BY 1") == "m1@aozora.example\nm3@aozora.example")

        try database("DROP TRIGGER full_disk")
        let again = try mail.liaison(["ingest"])
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        #expect(try mail.sql("SELECT COUNT(*) FROM inboundMessage") == "3")
        #expect(try mail.liaison(["ingest"]).stdout.contains("read 0 new messages"))
    }

    @Test func theServiceSendsIngestsAReplyAndStopsOnSIGTERMWithinASecond() throws {
        let mail = try MailSystemFixture(developers: ["aozora"])
        try mail.ws.openAndNotify(Self.caseId)
        let service = try mail.ws.start(["run", "--interval", "30"], environment: mail.environment)
        #expect(waitUntil(timeout: 20) { mail.postfix.delivered(to: "psirt@aozora.example").count == 1 }, "\(mail.postfix.log)")

        let second = try mail.liaison(["run"])
        #expect(second.status == 1)
        #expect(second.errorLines.count == 1 && second.errorLines[0].contains("already running"), "\(second.stderr)")

        // The reply arrives while the service waits; IDLE wakes it.
        try mail.dovecot.deliver(try mail.reply(from: "aozora", text: "Thanks, we are investigating.\r\nStatus: investigating"))
        #expect(try waitUntil(timeout: 20) {
            try mail.sql("SELECT response FROM participant WHERE organizationId = 'aozora'") == "investigating"
        })

        let stopping = Date()
        service.send(signal: SIGTERM)
        let finished = try service.wait(timeout: 10)
        #expect(Date().timeIntervalSince(stopping) < 1.0)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stderr.contains("send: sent 1, deferred 0, failed 0"), "\(finished.stderr)")
        #expect(finished.stderr.contains("stopping on SIGTERM"), "\(finished.stderr)")
    }

    @Test func ingestWatchReadsWhatArrivesAndStopsOnSIGINT() throws {
        let mail = try MailSystemFixture(developers: ["aozora"])
        #expect(try mail.liaison(["directory", "sync"]).status == 0)
        let watch = try mail.ws.start(["ingest", "--watch", "--move-to", "Liaison/Processed"], environment: mail.environment)
        try mail.dovecot.deliver(Data("From: a@aozora.example\r\nMessage-ID: <w1@aozora.example>\r\nSubject: one\r\n\r\nhello\r\n".utf8))
        #expect(try waitUntil(timeout: 20) { try mail.sql("SELECT COUNT(*) FROM inboundMessage") == "1" })
        try mail.dovecot.deliver(Data("From: a@aozora.example\r\nMessage-ID: <w2@aozora.example>\r\nSubject: two\r\n\r\nhello\r\n".utf8))
        #expect(try waitUntil(timeout: 20) { try mail.sql("SELECT COUNT(*) FROM inboundMessage") == "2" })

        let stopping = Date()
        watch.send(signal: SIGINT)
        let finished = try watch.wait(timeout: 10)
        #expect(Date().timeIntervalSince(stopping) < 1.0)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stdout.contains("stopped on SIGINT after reading 2 messages"), "\(finished.stdout)")
        // Both were moved once stored; nothing is left in the inbox and nothing was deleted.
        #expect(mail.postfix.delivered(to: MailSystemFixture.csirtMailbox).isEmpty)
        let processed = mail.postfix.maildir(MailSystemFixture.csirtMailbox).appendingPathComponent(".Liaison.Processed")
        let moved = ["new", "cur"].flatMap { (try? FileManager.default.contentsOfDirectory(atPath: processed.appendingPathComponent($0).path)) ?? [] }
        #expect(moved.count == 2, "\(moved)")
    }

    @Test func ingestWatchPollsAServerWithoutIdle() throws {
        let mail = try MailSystemFixture(developers: ["aozora"], imapOffersIdle: false)
        #expect(try mail.liaison(["directory", "sync"]).status == 0)
        let watch = try mail.ws.start(["ingest", "--watch", "--poll-interval", "1"], environment: mail.environment)
        try mail.dovecot.deliver(Data("From: a@aozora.example\r\nMessage-ID: <p1@aozora.example>\r\nSubject: one\r\n\r\nhello\r\n".utf8))
        #expect(try waitUntil(timeout: 20) { try mail.sql("SELECT COUNT(*) FROM inboundMessage") == "1" })
        let stopping = Date()
        watch.send(signal: SIGTERM)
        let finished = try watch.wait(timeout: 10)
        #expect(Date().timeIntervalSince(stopping) < 1.0)
        #expect(finished.stdout.contains("stopped on SIGTERM after reading 1 message"), "\(finished.stdout) \(finished.stderr)")
    }
}
