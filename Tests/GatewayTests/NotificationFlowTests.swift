import Foundation
import Mail
@testable import Registry
import SMTP
import Testing
import TestSupport
@testable import Gateway

/// The coordinated notification, end to end, against aiosmtpd and GnuPG started by the test.
@Suite struct NotificationFlowTests {
    static let caseId = "JVNVU#12345678"

    /// Three TLS vendors (Japanese, English, and one whose contact has a key), one DNS vendor.
    func vendors(_ f: GatewayFixture) throws {
        try f.addOrganization("nihon-soft", localName: "日本ソフト株式会社", technologies: ["tls", "http-server"],
                              contacts: [("psirt@nihon-soft.example", "to", "ja", nil), ("cto@nihon-soft.example", "cc", "ja", nil)])
        try f.addOrganization("acme", languages: ["en"], technologies: ["tls"],
                              contacts: [("security@acme.example", "to", "en", nil), ("secure@acme.example", "to", "en", nil)])
        try f.addOrganization("keyed", languages: ["en"], technologies: ["tls"],
                              contacts: [("psirt@keyed.example", "to", "en", true)])
        try f.addOrganization("dnsco", technologies: ["dns"], contacts: [("sec@dnsco.example", "to", "ja", nil)])
    }

    func openCase(_ f: GatewayFixture) throws {
        try f.caseBook.open(id: Self.caseId, title: "TLS ライブラリにおける証明書検証不備", origin: "jvn-jp", due: "2007-10-15")
        let added = try f.caseBook.addParticipants(caseId: Self.caseId, technologies: ["tls"])
        #expect(added == ["acme", "keyed", "nihon-soft"])
    }

    /// Checks the RFC 3156 signature over the bytes the server received, with the gpg command line.
    func verifyReceived(_ bytes: Data, gnupg: GnuPGHome) throws -> String {
        let parsed = try ParsedMessage(bytes: bytes)
        #expect(parsed.root.contentType.subtype == "signed")
        #expect(parsed.root.contentType.parameters["protocol"] == "application/pgp-signature")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try parsed.root.parts[0].rawBytes.write(to: dir.appendingPathComponent("data"))
        try parsed.root.parts[1].decodedBody.write(to: dir.appendingPathComponent("data.asc"))
        let result = try gnupg.gpg(["--verify", dir.appendingPathComponent("data.asc").path, dir.appendingPathComponent("data").path])
        #expect(result.status == 0, "gpg --verify: \(result.stderr)")
        return parsed.root.parts[0].text ?? ""
    }

    @Test func notifySendAndIngestTheWholeFlow() throws {
        let f = try GatewayFixture()
        try vendors(f)
        try openCase(f)

        let planned = try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        #expect(planned.map(\.organizationId) == ["acme", "keyed", "nihon-soft"])
        #expect(planned.first { $0.organizationId == "keyed" }?.encrypted == true)
        #expect(planned.first { $0.organizationId == "acme" }?.to == ["security@acme.example", "secure@acme.example"])
        #expect(planned.first { $0.organizationId == "nihon-soft" }?.cc == ["cto@nihon-soft.example"])
        #expect(try f.notifications().allSatisfy { $0.state == .queued })
        #expect(f.sink.messages().isEmpty, "nothing is sent before `send`")

        let summary = try f.dispatcher().run()
        #expect(summary.sent == 3 && summary.deferred == 0 && summary.failed == 0)
        let received = try f.sink.waitForMessages(count: 3)
        #expect(f.sink.connectionCount == 1, "one connection for the batch")

        // Japanese notice: signed, verifies with gpg on the received bytes, text in Japanese with the case.
        let japanese = try #require(received.first { Set($0.recipients) == ["psirt@nihon-soft.example", "cto@nihon-soft.example"] })
        let text = try verifyReceived(japanese.bytes, gnupg: f.gnupg)
        #expect(text.contains("日本ソフト株式会社"))
        #expect(text.contains(Self.caseId) && text.contains("2007-10-15"))
        let parsed = try ParsedMessage(bytes: japanese.bytes)
        #expect(parsed.subject?.hasPrefix("[TLP:AMBER+STRICT] [JVNVU#12345678] 脆弱性情報のご連絡") == true)
        let stored = try #require(try f.notifications().first { $0.organizationId == "nihon-soft" })
        #expect(parsed.messageID == stored.messageId && stored.messageId.hasPrefix(stored.trackingRef))
        #expect(parsed.subject?.contains("[\(stored.trackingRef)]") == true)
        #expect(japanese.bytes == (try f.store.outbox.bytes(messageId: stored.messageId)), "the outbox holds exactly the bytes that went on the wire")

        // Encrypted to the vendor's key: the vendor decrypts it and finds our signed notice inside.
        let keyed = try #require(received.first { $0.recipients == ["psirt@keyed.example"] })
        let outer = try ParsedMessage(bytes: keyed.bytes)
        #expect(outer.root.contentType.subtype == "encrypted")
        let vendorHome = try #require(f.vendorHomes["psirt@keyed.example"])
        let decrypted = try vendorHome.gpg(["--decrypt"], input: outer.root.parts[1].decodedBody)
        #expect(decrypted.status == 0, "\(decrypted.stderr)")
        #expect(String(decoding: decrypted.stdout, as: UTF8.self).contains("multipart/signed"))

        // Every participant notified; the DNS vendor was never part of the case.
        for org in ["acme", "keyed", "nihon-soft"] {
            #expect(try f.participant(Self.caseId, org).delivery == .notified)
        }

        // Replies: an acknowledgement by In-Reply-To, an out-of-office, a bounce, a signed statement, a stranger.
        f.clock.advance(days: 2)
        let acme = try #require(try f.notifications().first { $0.organizationId == "acme" })
        let ack = "From: Acme Security <security@acme.example>\r\nTo: vuls@jpcert.example\r\nSubject: Re: notice\r\n"
            + "Message-ID: <ack-1@acme.example>\r\nIn-Reply-To: <\(acme.messageId)>\r\nDate: Mon, 03 Sep 2007 10:00:00 +0000\r\n\r\nReceived, thanks.\r\n"
        #expect(try f.ingester.ingest(Data(ack.utf8)).effects == ["acknowledged"])
        #expect(try f.participant(Self.caseId, "acme").response == .acknowledged)
        #expect(try f.ingester.ingest(Data(ack.utf8)).disposition == .duplicate, "re-ingesting changes nothing")

        let ooo = "From: cto@nihon-soft.example\r\nTo: vuls@jpcert.example\r\nSubject: Automatic reply: [\(stored.trackingRef)]\r\n"
            + "Auto-Submitted: auto-replied\r\nMessage-ID: <ooo@nihon-soft.example>\r\n\r\nI am away.\r\n"
        #expect(try f.ingester.ingest(Data(ooo.utf8)).disposition == .autoReply)
        #expect(try f.participant(Self.caseId, "nihon-soft").response == .none, "an out-of-office is not an acknowledgement")

        let bounce = """
            From: MAILER-DAEMON@mx.acme.example\r
            To: vuls@jpcert.example\r
            Subject: Undelivered Mail Returned to Sender\r
            Message-ID: <bounce-1@mx.acme.example>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            User unknown\r
            --b\r
            Content-Type: message/delivery-status\r
            \r
            Reporting-MTA: dns; mx.acme.example\r
            \r
            Final-Recipient: rfc822; secure@acme.example\r
            Action: failed\r
            Status: 5.1.1\r
            Diagnostic-Code: smtp; 550 5.1.1 User unknown\r
            \r
            --b\r
            Content-Type: text/rfc822-headers\r
            \r
            Message-ID: <\(acme.messageId)>\r
            \r
            --b--\r

            """
        let bounced = try f.ingester.ingest(Data(bounce.utf8))
        #expect(bounced.disposition == .bounce && bounced.effects == ["bounced: secure@acme.example"])
        #expect(try f.bounceCount("secure@acme.example") == 1)
        #expect(try f.participant(Self.caseId, "acme").delivery == .notified, "the other `to` contact still got it")

        // A clearsigned statement from the vendor's key, matched by the tracking reference alone; its signed text
        // names the reference, so it is a verified answer to this case.
        let keyedRef = try #require(try f.notifications().first { $0.organizationId == "keyed" }).trackingRef
        let vendorKey = try vendorHome.gpg(["--clearsign"], input: Data("[\(keyedRef)] We are not affected.\n\nStatus: not-affected\n".utf8))
        let signedReply = "From: psirt@keyed.example\r\nTo: vuls@jpcert.example\r\nSubject: Our statement [\(keyedRef)]\r\n"
            + "Message-ID: <stmt@keyed.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + String(decoding: vendorKey.stdout, as: UTF8.self)
        let statement = try f.ingester.ingest(Data(signedReply.utf8))
        #expect(statement.signature == .verified)
        #expect(try f.participant(Self.caseId, "keyed").response == .notAffected)
        #expect(try f.participant(Self.caseId, "keyed").statement?.contains("We are not affected.") == true)

        let stranger = "From: someone@elsewhere.example\r\nTo: vuls@jpcert.example\r\nSubject: hello\r\nMessage-ID: <x@elsewhere.example>\r\n\r\nHi\r\n"
        #expect(try f.ingester.ingest(Data(stranger.utf8)).disposition == .unmatched)
        let kept = try f.store.engine.read { try $0.value("SELECT COUNT(*) FROM inboundMessage WHERE kind = 'unmatched'", as: Int.self) }
        #expect(kept == 1, "a message that matches nothing is kept for review")

        let detail = try f.caseBook.show(caseId: Self.caseId)
        #expect(detail.participants.map(\.record.response) == [.acknowledged, .notAffected, .none])
        #expect(detail.participants.first { $0.record.organizationId == "nihon-soft" }?.daysWaiting == 2)
        #expect(detail.participants.first { $0.record.organizationId == "keyed" }?.verifiedReply == true)
    }

    @Test func unknownVariableQueuesNothingAndNamesEveryProblem() throws {
        let f = try GatewayFixture()
        try vendors(f)
        // The escalation template needs {{escalation.organizationName}}, which only the reminder policy supplies.
        try f.caseBook.open(id: "VU#999", title: "DNS cache poisoning", origin: "cert-cc")
        try f.caseBook.addParticipants(caseId: "VU#999", organizations: ["acme", "nihon-soft"])
        let error = #expect(throws: GatewayProblems.self) {
            try f.composer.queue(NotificationRequest(caseId: "VU#999", template: "escalation", purpose: .caseNotification))
        }
        #expect(Set(error?.problems.map { String($0.prefix(while: { $0 != ":" })) } ?? []) == ["acme", "nihon-soft"])
        #expect(error?.problems.allSatisfy { $0.contains("{{escalation.") } == true)
        #expect(try f.notifications().isEmpty)
    }

    @Test func alreadyNotifiedNeedsAgain() throws {
        let f = try GatewayFixture()
        try vendors(f)
        try openCase(f)
        let request = NotificationRequest(caseId: Self.caseId, organizations: ["acme"], template: "vendor-initial", purpose: .caseNotification)
        try f.composer.queue(request)
        #expect(throws: GatewayProblems.self) { try f.composer.queue(request) }
        var again = request
        again.again = true
        #expect(try f.composer.queue(again).count == 1)
        #expect(try f.notifications().count == 2)
    }

    @Test func encryptAlwaysRefusesARecipientWithoutAKey() throws {
        let f = try GatewayFixture()
        try vendors(f)
        try openCase(f)
        f.encryption = .always
        let error = #expect(throws: GatewayProblems.self) {
            try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        }
        #expect(error?.problems.contains { $0.contains("security@acme.example") } == true)
        #expect(try f.notifications().isEmpty)
    }

    @Test func serverAnswering451TwiceThen250IsRetriedWithBackoff() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["security@acme.example": ["451 4.7.1 Greylisted, try again", "451 4.7.1 Greylisted, try again"]]
        let f = try GatewayFixture(sink: options)
        try f.addOrganization("acme", languages: ["en"], technologies: ["tls"], contacts: [("security@acme.example", "to", "en", nil)])
        try f.caseBook.open(id: Self.caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["acme"])
        try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        let dispatcher = f.dispatcher(maxAttempts: 5)

        #expect(try dispatcher.run().deferred == 1)
        var row = try #require(try f.notifications().first)
        #expect(row.state == .deferred && row.attempts == 1)
        #expect(row.lastError?.contains("451 4.7.1 Greylisted") == true)
        #expect(row.nextAttemptAt == f.clock.now.addingTimeInterval(60))
        let early = try dispatcher.run()
        #expect(early.sent + early.deferred + early.failed == 0 && early.remainingQueued == 1, "not due yet: nothing is tried")

        f.clock.advance(seconds: 60)
        #expect(try dispatcher.run().deferred == 1)
        row = try #require(try f.notifications().first)
        #expect(row.nextAttemptAt == f.clock.now.addingTimeInterval(120), "the delay doubles")

        f.clock.advance(seconds: 120)
        #expect(try dispatcher.run().sent == 1)
        row = try #require(try f.notifications().first)
        #expect(row.state == .sent && row.attempts == 3)
        #expect(try f.sink.waitForMessages(count: 1).count == 1)
        #expect(try f.participant(Self.caseId, "acme").delivery == .notified)
    }

    @Test func transientFailuresGiveUpAfterMaxAttempts() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["security@acme.example": Array(repeating: "421 4.3.2 Service not available", count: 5)]
        let f = try GatewayFixture(sink: options)
        try f.addOrganization("acme", languages: ["en"], technologies: ["tls"], contacts: [("security@acme.example", "to", "en", nil)])
        try f.caseBook.open(id: Self.caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["acme"])
        try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        let dispatcher = f.dispatcher(maxAttempts: 2)
        _ = try dispatcher.run()
        f.clock.advance(days: 1)
        #expect(try dispatcher.run().failed == 1)
        #expect(try f.notifications().first?.state == .failed)
    }

    @Test func permanent550FailsOneContactAndCountsABounce() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["secure@acme.example": ["550 5.1.1 No such user"]]
        let f = try GatewayFixture(sink: options)
        try f.addOrganization("acme", languages: ["en"], technologies: ["tls"],
                              contacts: [("security@acme.example", "to", "en", nil), ("secure@acme.example", "to", "en", nil)])
        try f.caseBook.open(id: Self.caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["acme"])
        try f.composer.queue(NotificationRequest(caseId: Self.caseId, organizations: ["acme"], template: "vendor-initial", purpose: .caseNotification))
        let summary = try f.dispatcher().run()
        #expect(summary.sent == 1 && summary.recipientsRefused == 1)
        let message = try f.sink.waitForMessages(count: 1)[0]
        #expect(message.recipients == ["security@acme.example"])
        #expect(try f.bounceCount("secure@acme.example") == 1)
        #expect(try f.bounceCount("security@acme.example") == 0)
        #expect(try f.participant(Self.caseId, "acme").delivery == .notified)
        let outbox = try Outbox(store: f.store).list()
        #expect(outbox[0].recipients.first { $0.email == "secure@acme.example" }?.smtpCode == 550)
    }

    @Test func everyRecipientRefusedMakesTheParticipantUndeliverable() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["nobody@gone.example": ["550 5.1.1 No such user"]]
        let f = try GatewayFixture(sink: options)
        try f.addOrganization("gone", languages: ["en"], technologies: ["tls"], contacts: [("nobody@gone.example", "to", "en", nil)])
        try f.caseBook.open(id: Self.caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["gone"])
        try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        #expect(try f.dispatcher().run().failed == 1)
        #expect(try f.participant(Self.caseId, "gone").delivery == .undeliverable)
    }

    @Test func remindersGoOnlyToThoseWhoDidNotAnswerAtMostOncePerPeriod() throws {
        let f = try GatewayFixture()
        try vendors(f)
        try openCase(f)
        try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        _ = try f.dispatcher().run()
        try f.caseBook.setResponse(caseId: Self.caseId, organizationId: "acme", response: .investigating)
        let reminders = Reminders(composer: f.composer)
        f.clock.advance(days: 6)
        #expect(try reminders.remind(caseId: Self.caseId, afterDays: 7).isEmpty, "not yet seven days")
        f.clock.advance(days: 1)
        let sent = try reminders.remind(caseId: Self.caseId, afterDays: 7)
        #expect(sent.map(\.organizationId) == ["keyed", "nihon-soft"])
        #expect(sent.first { $0.organizationId == "nihon-soft" }?.subject.contains("ご確認のお願い") == true)
        f.clock.advance(days: 3)
        #expect(try reminders.remind(caseId: Self.caseId, afterDays: 7).isEmpty, "at most once per period")
        f.clock.advance(days: 4)
        #expect(try reminders.remind(caseId: Self.caseId, afterDays: 7, dryRun: true).count == 2)
    }

    @Test func incidentNoticeToACountryGoesToItsNationalCSIRT() throws {
        let f = try GatewayFixture()
        try f.addOrganization("krcert-cc", name: "Korea Internet Security Center (KrCERT/CC)", kind: "national-csirt",
                              country: "KR", languages: ["en"], contacts: [("cert@krcert.example", "to", "en", nil)])
        let notices = IncidentNotices(composer: f.composer)
        let target = try notices.nationalCSIRT(country: "kr")
        #expect(target == "krcert-cc")
        let planned = try notices.notify(organization: target, category: .scan, variables: ["summary": "Scans from 192.0.2.0/24"])
        #expect(planned.count == 1 && planned[0].subject.contains("Incident notification (scan)"))
        let row = try #require(try f.notifications().first)
        #expect(row.purpose == .incident && row.incidentCategory == .scan && row.caseId == nil)
        #expect(throws: GatewayError.self) { try notices.nationalCSIRT(country: "MN") }
    }
}
