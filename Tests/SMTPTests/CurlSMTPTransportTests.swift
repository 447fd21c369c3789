import Foundation
import SMTP
import TestSupport
import Testing

/// CurlSMTPTransport against a real aiosmtpd server started by each test on 127.0.0.1.
@Suite struct CurlSMTPTransportTests {
    private func transport(_ sink: SMTPSink, tls: SMTPConfiguration.TLSPolicy = .required,
                           username: String? = nil, password: String? = nil,
                           recorder: LogRecorder = LogRecorder()) throws -> CurlSMTPTransport
    {
        let configuration = SMTPConfiguration(url: sink.url, tls: tls, username: username, password: password,
                                              caFile: sink.caFile, connectTimeout: 10, timeout: 30,
                                              heloName: "gateway.csirt.test")
        return try CurlSMTPTransport(configuration: configuration, logger: recorder.logger())
    }

    @Test func startTLSWithPrivateCADeliversExactBytes() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        options.requireTLS = true
        let sink = try SMTPSink.start(options)
        let message = testMessage(to: ["psirt@vendor.test"])

        let reports = try transport(sink).send([message])

        #expect(reports.count == 1)
        #expect(reports[0].allAccepted)
        #expect(reports[0].error == nil)
        guard case .accepted(250, let reply) = reports[0].outcome(for: "psirt@vendor.test") else {
            Issue.record("not accepted: \(reports[0].outcomes)")
            return
        }
        #expect(reply.contains("queued"))
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].bytes == message.bytes)  // dot-stuffed once by libcurl, unstuffed once by the server
        #expect(received[0].tls)
        #expect(received[0].mailFrom == "vuls@csirt.test")
        #expect(received[0].recipients == ["psirt@vendor.test"])
        #expect(received[0].helo == "gateway.csirt.test")
    }

    @Test func implicitTLSDelivers() throws {
        var options = SMTPSink.Options()
        options.implicitTLS = true
        let sink = try SMTPSink.start(options)
        #expect(sink.url.hasPrefix("smtps://"))
        let message = testMessage(to: ["psirt@vendor.test"])

        let reports = try transport(sink).send([message])

        #expect(reports[0].allAccepted)
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].bytes == message.bytes)
        #expect(received[0].tls)
    }

    @Test func localhostNameIsVerifiedAgainstTheCertificate() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        let sink = try SMTPSink.start(options)
        let configuration = SMTPConfiguration(url: sink.url(host: "localhost"), caFile: sink.caFile, timeout: 30)

        let reports = try CurlSMTPTransport(configuration: configuration).send([testMessage(to: ["a@vendor.test"])])

        #expect(reports[0].allAccepted)
    }

    @Test func untrustedCertificateIsRefusedAndNothingSent() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        let sink = try SMTPSink.start(options)
        let configuration = SMTPConfiguration(url: sink.url, timeout: 30)  // no caFile: the system CAs only

        let report = try CurlSMTPTransport(configuration: configuration).send([testMessage(to: ["a@vendor.test"])])[0]

        #expect(report.error == .certificate)
        #expect(report.error?.description.contains("127.0.0.1") == true)
        #expect(report.outcomes[0].outcome.isTransient)
        #expect(sink.messages().isEmpty)
    }

    @Test func authenticationSucceeds() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        options.auth = (user: "gateway", password: "s3cret-Pässword")
        let sink = try SMTPSink.start(options)
        let recorder = LogRecorder()

        let reports = try transport(sink, username: "gateway", password: "s3cret-Pässword", recorder: recorder)
            .send([testMessage(to: ["psirt@vendor.test"])])

        #expect(reports[0].allAccepted)
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].user == "gateway")
        #expect(recorder.text.contains("AUTH PLAIN"))
        #expect(!recorder.text.contains("s3cret"))
        #expect(!recorder.text.contains(Data("\0gateway\0s3cret-Pässword".utf8).base64EncodedString()))
    }

    @Test func wrongPasswordIsPermanentAuthenticationFailure() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        options.auth = (user: "gateway", password: "right")
        let sink = try SMTPSink.start(options)
        let recorder = LogRecorder()

        let report = try transport(sink, username: "gateway", password: "wrong-guess", recorder: recorder)
            .send([testMessage(to: ["a@vendor.test", "b@vendor.test"])])[0]

        let error = try #require(report.error)
        #expect(error == .authenticationFailed)
        #expect(!error.isTransient)
        #expect(error.replyCode == 535)
        #expect(error.description.contains("\"gateway\""))
        #expect(!error.description.contains("wrong-guess"))
        for (_, outcome) in report.outcomes {
            guard case .permanentFailure(535, let reply) = outcome else {
                Issue.record("expected a permanent 535, got \(outcome)")
                continue
            }
            #expect(reply.contains("Authentication credentials invalid"))
        }
        #expect(!recorder.text.contains("wrong-guess"))
        #expect(sink.messages().isEmpty)
    }

    @Test func serverWithoutStartTLSIsRefusedAndReceivesNothing() throws {
        let sink = try SMTPSink.start()  // plain, no STARTTLS offered

        let report = try transport(sink, tls: .required).send([testMessage(to: ["a@vendor.test"])])[0]

        #expect(report.error == .startTLSNotOffered)
        #expect(report.error?.description.contains("nothing was sent") == true)
        #expect(report.outcomes.map(\.outcome.isTransient) == [true])
        #expect(sink.messages().isEmpty)
    }

    @Test func plainSMTPToLoopbackWorks() throws {
        let sink = try SMTPSink.start()
        let message = testMessage(to: ["a@vendor.test"])

        let reports = try transport(sink, tls: .none).send([message])

        #expect(reports[0].allAccepted)
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].bytes == message.bytes)
        #expect(!received[0].tls)
    }

    @Test func plainSMTPToNonLoopbackHostIsRefusedBeforeConnecting() throws {
        let configuration = SMTPConfiguration(url: "smtp://mail.vendor.example:25", tls: .none)

        #expect(throws: SMTPError.plainToNonLoopback) { try configuration.validate() }
        #expect(throws: SMTPError.plainToNonLoopback) { try CurlSMTPTransport(configuration: configuration) }
        do {
            _ = try makeTransport(configuration, logger: LogRecorder().logger())
            Issue.record("makeTransport accepted plain SMTP to a remote host")
        } catch {
            #expect(error == .plainToNonLoopback)
            #expect(error.description.contains("mail.vendor.example"))
        }
    }

    @Test func transientRecipientFailureIsReportedThenRetrySucceeds() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["later@vendor.test": ["451 4.7.1 Try again later"]]
        let sink = try SMTPSink.start(options)
        let transport = try transport(sink, tls: .none)
        let message = testMessage(to: ["later@vendor.test"])

        let first = transport.send([message])[0]

        #expect(first.outcome(for: "later@vendor.test") == .transientFailure(code: 451,
                                                                            reply: "451 4.7.1 Try again later"))
        #expect(first.anyTransient)
        #expect(first.error == nil)  // the recipient's own reply says it all
        #expect(sink.messages().isEmpty)

        let retry = transport.send([message])[0]

        #expect(retry.allAccepted)
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].recipients == ["later@vendor.test"])
        #expect(received[0].bytes == message.bytes)
    }

    @Test func oneRefusedRecipientOfThreeDoesNotStopTheOthers() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["gone@vendor.test": ["550 5.1.1 No such user"]]
        let sink = try SMTPSink.start(options)
        let recipients = ["first@vendor.test", "gone@vendor.test", "third@vendor.test"]

        let report = try transport(sink, tls: .none).send([testMessage(to: recipients)])[0]

        #expect(report.outcomes.map(\.recipient) == recipients)
        #expect(report.outcome(for: "first@vendor.test")?.isAccepted == true)
        #expect(report.outcome(for: "third@vendor.test")?.isAccepted == true)
        #expect(report.outcome(for: "gone@vendor.test") == .permanentFailure(code: 550,
                                                                            reply: "550 5.1.1 No such user"))
        #expect(!report.allAccepted)
        #expect(!report.anyTransient)
        #expect(report.error == nil)
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].recipients == ["first@vendor.test", "third@vendor.test"])
    }

    @Test func everyRecipientRefusedReportsEachOwnReply() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = [
            "a@vendor.test": ["550 5.1.1 No such user"],
            "b@vendor.test": ["452-4.2.2 Mailbox full\r\n452 4.2.2 Try again tomorrow"],
        ]
        let sink = try SMTPSink.start(options)
        let transport = try transport(sink, tls: .none)

        let report = transport.send([testMessage(to: ["a@vendor.test", "b@vendor.test"])])[0]

        #expect(report.outcome(for: "a@vendor.test") == .permanentFailure(code: 550, reply: "550 5.1.1 No such user"))
        #expect(report.outcome(for: "b@vendor.test")
            == .transientFailure(code: 452, reply: "452-4.2.2 Mailbox full\n452 4.2.2 Try again tomorrow"))
        #expect(report.error == nil)
        #expect(sink.messages().isEmpty)

        // libcurl closed that connection after the failure; the next message opens a new one and goes through.
        #expect(transport.send([testMessage(to: ["c@vendor.test"])])[0].allAccepted)
        #expect(try sink.waitForMessages(count: 1)[0].recipients == ["c@vendor.test"])
    }

    @Test func refusalAtEndOfDataAppliesToEveryAcceptedRecipient() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["gone@vendor.test": ["550 5.1.1 No such user"]]
        options.dataReplies = ["451 4.3.0 Queue write failed"]
        let sink = try SMTPSink.start(options)

        let report = try transport(sink, tls: .none)
            .send([testMessage(to: ["a@vendor.test", "gone@vendor.test", "b@vendor.test"])])[0]

        let queueFailure = RecipientOutcome.transientFailure(code: 451, reply: "451 4.3.0 Queue write failed")
        #expect(report.outcome(for: "a@vendor.test") == queueFailure)
        #expect(report.outcome(for: "b@vendor.test") == queueFailure)
        #expect(report.outcome(for: "gone@vendor.test")?.isPermanent == true)
        #expect(report.error == .serverRejected)
        #expect(report.error?.isTransient == true)
        #expect(sink.messages().isEmpty)
    }

    @Test func batchOfThreeUsesOneConnection() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        let sink = try SMTPSink.start(options)
        let messages = (1...3).map { testMessage(to: ["psirt\($0)@vendor.test"]) }

        let reports = try transport(sink).send(messages)

        #expect(reports.map(\.messageID) == messages.map(\.messageID))
        #expect(reports.allSatisfy { $0.allAccepted })
        let received = try sink.waitForMessages(count: 3)
        #expect(received.map(\.bytes) == messages.map(\.bytes))
        #expect(Set(received.map(\.connectionNumber)) == [1])
        #expect(sink.connectionCount == 1)
    }

    @Test func refusedConnectionIsAConfigurationProblemNotTheMessages() throws {
        let closed = try LoopbackPort(listening: false)
        let configuration = SMTPConfiguration(url: "smtp://127.0.0.1:\(closed.port)", tls: .none,
                                              connectTimeout: 5, timeout: 10)

        let report = try CurlSMTPTransport(configuration: configuration)
            .send([testMessage(to: ["a@vendor.test", "b@vendor.test"])])[0]

        let error = try #require(report.error)
        #expect(error == .connectionFailed)
        #expect(error.isTransient)
        #expect(error.isConfigurationProblem, "nothing was handed over: the relay, not the message, is at fault")
        #expect(error.description.contains("127.0.0.1:\(closed.port)"))
        #expect(report.outcomes.allSatisfy { $0.outcome.isTransient && $0.outcome.code == nil })
    }

    @Test func anUnresolvableHostIsAConfigurationProblem() throws {
        let configuration = SMTPConfiguration(url: "smtp://relay.invalid:587", connectTimeout: 5, timeout: 10)

        let report = try CurlSMTPTransport(configuration: configuration).send([testMessage(to: ["a@vendor.test"])])[0]

        let error = try #require(report.error)
        #expect(error == .connectionFailed && error.isConfigurationProblem)
        #expect(error.description.contains("smtp://relay.invalid:587"), "\(error.description)")
    }

    @Test func aRelayThatTurnsUsAwayInItsGreetingIsAConfigurationProblemWithItsReply() throws {
        let relay = try StallingRelay.start(.busy)
        defer { relay.stop() }
        let configuration = SMTPConfiguration(url: relay.url, tls: .none, connectTimeout: 5, timeout: 10)

        let report = try CurlSMTPTransport(configuration: configuration).send([testMessage(to: ["a@vendor.test"])])[0]

        let error = try #require(report.error)
        #expect(error == .serverRejected && error.isConfigurationProblem)
        #expect(error.replyCode == 421)
        #expect(error.description.contains("421 4.3.2 relay.example Too many connections, try again later"), "\(error.description)")
    }

    @Test func aRelayThatHangsUpBeforeTheMailTransactionIsAConfigurationProblem() throws {
        let relay = try StallingRelay.start(.greetThenHangUp)
        defer { relay.stop() }
        let configuration = SMTPConfiguration(url: relay.url, tls: .none, connectTimeout: 5, timeout: 10)

        let report = try CurlSMTPTransport(configuration: configuration).send([testMessage(to: ["a@vendor.test"])])[0]

        let error = try #require(report.error)
        #expect(error == .connectionLost && error.isConfigurationProblem)
        #expect(error.description.contains("closed the connection after its greeting, before any message was handed over"),
                "\(error.description)")
    }

    @Test func silentServerTimesOutAsAConfigurationProblem() throws {
        let silent = try LoopbackPort(listening: true)
        let configuration = SMTPConfiguration(url: "smtp://127.0.0.1:\(silent.port)", tls: .none,
                                              connectTimeout: 1, timeout: 30)

        let report = try CurlSMTPTransport(configuration: configuration).send([testMessage(to: ["a@vendor.test"])])[0]

        let error = try #require(report.error)
        #expect(error == .timeout)
        #expect(error.isTransient)
        #expect(error.isConfigurationProblem)
        #expect(error.description == "The SMTP server at smtp://127.0.0.1:\(silent.port) accepted the connection but did "
                + "not greet within 1 s, so nothing was sent.")
        #expect(report.outcomes.allSatisfy { $0.outcome.isTransient })
    }

    @Test func aServerThatGreetsAndThenStallsIsAConfigurationProblem() throws {
        let relay = try StallingRelay.start(.greetThenStall)
        defer { relay.stop() }
        let configuration = SMTPConfiguration(url: relay.url, tls: .none, connectTimeout: 1, timeout: 30)

        let report = try CurlSMTPTransport(configuration: configuration).send([testMessage(to: ["a@vendor.test"])])[0]

        let error = try #require(report.error)
        #expect(error == .timeout && error.isConfigurationProblem)
        #expect(error.description.contains("greeted, then did not answer EHLO within 1 s"), "\(error.description)")
        #expect(relay.connectionCount == 1)
    }

    @Test func aServerThatStallsAfterTheDataIsTheMessagesTransientFailure() throws {
        var options = SMTPSink.Options()
        options.dataReplyDelay = 5          // saved, but the reply comes after our timeout: the message is in flight
        let sink = try SMTPSink.start(options)
        defer { sink.stop() }
        let configuration = SMTPConfiguration(url: sink.url, tls: .none, connectTimeout: 5, timeout: 1)

        let report = try CurlSMTPTransport(configuration: configuration).send([testMessage(to: ["a@vendor.test"])])[0]

        let error = try #require(report.error)
        #expect(error == .timeout)
        #expect(!error.isConfigurationProblem, "the message may have been delivered: a failure of this message")
        #expect(report.outcomes.allSatisfy { $0.outcome.isTransient })
    }

    @Test func envelopeRecipientsAreExactlyThoseGiven() throws {
        let sink = try SMTPSink.start()
        // The To header names someone else; a blind copy exists only in the envelope.
        let message = testMessage(to: ["psirt@vendor.test", "blind-copy@csirt.test"], headerTo: "other@elsewhere.test")

        let report = try transport(sink, tls: .none).send([message])[0]

        #expect(report.allAccepted)
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].recipients == ["psirt@vendor.test", "blind-copy@csirt.test"])
        #expect(received[0].bytes == message.bytes)
    }

    @Test func internationalisedAddressesGoThroughSMTPUTF8() throws {
        let sink = try SMTPSink.start()
        let message = testMessage(from: "脆弱性@csirt.test", to: ["担当者@vendor.test"])

        let report = try transport(sink, tls: .none).send([message])[0]

        #expect(report.allAccepted)
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].mailFrom == "脆弱性@csirt.test")
        #expect(received[0].recipients == ["担当者@vendor.test"])
    }

    @Test func largeMessageArrivesIntact() throws {
        let sink = try SMTPSink.start()
        let line = String(repeating: "0123456789abcdef", count: 4)
        let body = (0..<80_000).map { $0 % 100 == 0 ? ".\(line)" : line }.joined(separator: "\r\n")
        let message = testMessage(to: ["a@vendor.test"], body: body)  // about 5 MB

        let report = try transport(sink, tls: .none).send([message])[0]

        #expect(report.allAccepted)
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].bytes == message.bytes)
    }

    @Test func invalidEnvelopeAddressIsRefusedWithoutSending() throws {
        let sink = try SMTPSink.start()
        let injected = testMessage(to: ["a@vendor.test>\r\nRCPT TO:<evil@attacker.test"])

        let report = try transport(sink, tls: .none).send([injected, testMessage(to: [])])

        #expect(report[0].error == .invalidAddress)
        #expect(report[0].outcomes.map(\.outcome.code) == [553])
        #expect(report[1].error == .noRecipients)
        #expect(report[1].outcomes.isEmpty)
        #expect(sink.connectionCount == 0)
    }
}

extension CurlSMTPTransportTests {
    @Test func connectionClosedByTheServerWhileIdleIsReplaced() throws {
        var options = SMTPSink.Options()
        options.idleTimeout = 0.3
        let sink = try SMTPSink.start(options)
        let transport = try transport(sink, tls: .none)

        #expect(transport.send([testMessage(to: ["a@vendor.test"])])[0].allAccepted)
        try sink.waitForClosedConnections(count: 1)
        let later = transport.send([testMessage(to: ["b@vendor.test"])])[0]

        #expect(later.allAccepted)
        let received = try sink.waitForMessages(count: 2)
        #expect(received.map(\.connectionNumber) == [1, 2])
    }

    @Test func closingTheTransportSaysQuit() throws {
        let sink = try SMTPSink.start()
        do {
            let transport = try transport(sink, tls: .none)
            #expect(transport.send([testMessage(to: ["a@vendor.test"])])[0].allAccepted)
            #expect(sink.closedConnectionCount == 0)  // kept open for the next message
        }
        try sink.waitForClosedConnections(count: 1)
        #expect(sink.log().contains("QUIT"))
    }
}
