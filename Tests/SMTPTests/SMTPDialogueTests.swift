import Foundation
@testable import SMTP
import Testing

/// The per-recipient capture fed with dialogues as libcurl's debug callback delivers them.
@Suite struct SMTPDialogueTests {
    private enum Line {
        case client(String), server(String), curl(String)
    }

    private func dialogue(_ lines: [Line], recorder: LogRecorder = LogRecorder()) -> SMTPDialogue {
        let dialogue = SMTPDialogue(logger: recorder.logger())
        dialogue.startMessage()
        for line in lines {
            switch line {
            case .client(let text): Data((text + "\r\n").utf8).withUnsafeBytes { dialogue.sent($0) }
            case .server(let text): Data((text + "\r\n").utf8).withUnsafeBytes { dialogue.received($0) }
            case .curl(let text): Data((text + "\n").utf8).withUnsafeBytes { dialogue.note($0) }
            }
        }
        return dialogue
    }

    private let message = OutgoingMessage(messageID: "<m@csirt.test>", sender: "vuls@csirt.test",
                                          recipients: ["a@x.test", "b@x.test", "c@x.test"], bytes: Data())

    private func report(_ lines: [Line], failure: SMTPError?) -> DeliveryReport {
        DeliveryReport(message: message, exchanges: dialogue(lines).exchanges, transferError: failure,
                       server: "smtp://127.0.0.1:25", username: "gateway")
    }

    @Test func multiLineRepliesAreJoinedAndPairedWithTheirCommands() {
        let exchanges = dialogue([
            .curl("Connected to 127.0.0.1 (127.0.0.1) port 25 (#0)"),
            .server("220 mx ESMTP"),
            .client("EHLO gateway"), .server("250-mx"), .server("250-8BITMIME"), .server("250 SMTPUTF8"),
            .client("MAIL FROM:<vuls@csirt.test>"), .server("250 OK"),
            .client("RCPT TO:<a@x.test>"), .server("550-5.1.1 first"), .server("550 5.1.1 second"),
            .client("DATA"), .server("354 go"),
            .server("250 queued"),
        ]).exchanges

        #expect(exchanges.map(\.step) == [.greeting, .ehlo, .mailFrom, .rcptTo, .data, .endOfData])
        #expect(exchanges[1].reply?.lines == ["250-mx", "250-8BITMIME", "250 SMTPUTF8"])
        #expect(exchanges[3].reply == SMTPReply(code: 550, lines: ["550-5.1.1 first", "550 5.1.1 second"]))
        #expect(exchanges[5].reply?.code == 250)
    }

    @Test func repliesSplitAcrossCallbacksAreReassembled() {
        let dialogue = SMTPDialogue(logger: LogRecorder().logger())
        dialogue.startMessage()
        Data("RCPT TO:<a@x.test>\r\n".utf8).withUnsafeBytes { dialogue.sent($0) }
        Data("451 4.7.1 Try ".utf8).withUnsafeBytes { dialogue.received($0) }
        Data("again later\r\n".utf8).withUnsafeBytes { dialogue.received($0) }
        #expect(dialogue.exchanges == [.init(step: .rcptTo, reply: SMTPReply(code: 451,
                                                                            lines: ["451 4.7.1 Try again later"]))])
    }

    @Test func credentialsNeverReachTheLog() {
        let recorder = LogRecorder()
        _ = dialogue([
            .client("AUTH LOGIN"), .server("334 VXNlcm5hbWU6"),
            .client("Z2F0ZXdheQ=="), .server("334 UGFzc3dvcmQ6"),
            .client("aHVudGVyMg=="), .server("235 2.7.0 Authentication successful"),
            .client("AUTH PLAIN AGdhdGV3YXkAaHVudGVyMg=="), .server("503 Already authenticated"),
            .client("MAIL FROM:<vuls@csirt.test>"), .server("250 OK"),
        ], recorder: recorder)

        #expect(!recorder.text.contains("Z2F0ZXdheQ"))
        #expect(!recorder.text.contains("aHVudGVyMg"))
        #expect(!recorder.text.contains("AGdhdGV3YXkAaHVudGVyMg"))
        #expect(recorder.text.contains("AUTH LOGIN"))
        #expect(recorder.text.contains("MAIL FROM:<vuls@csirt.test>"))
    }

    @Test func aFreshConnectionWithinAMessageForgetsTheDeadOne() {
        let exchanges = dialogue([
            .client("MAIL FROM:<vuls@csirt.test>"),  // on a reused connection the server had closed
            .curl("Connected to 127.0.0.1 (127.0.0.1) port 25 (#1)"),
            .server("220 mx ESMTP"),
            .client("EHLO gateway"), .server("250 mx"),
            .client("MAIL FROM:<vuls@csirt.test>"), .server("250 OK"),
        ]).exchanges

        #expect(exchanges.map(\.step) == [.greeting, .ehlo, .mailFrom])
        #expect(exchanges.allSatisfy { $0.reply != nil })
    }

    @Test func refusedSenderFailsEveryRecipientWithTheServersReply() {
        let report = report([
            .client("MAIL FROM:<vuls@csirt.test>"), .server("553 5.7.1 Sender address rejected"),
        ], failure: .connectionLost)

        #expect(report.error == .serverRejected)
        #expect(report.error?.description.contains("MAIL FROM:<vuls@csirt.test>") == true)
        #expect(report.outcomes.allSatisfy {
            $0.outcome == .permanentFailure(code: 553, reply: "553 5.7.1 Sender address rejected")
        })
    }

    @Test func refusedDataCommandFailsTheAcceptedRecipients() {
        let report = report([
            .client("MAIL FROM:<vuls@csirt.test>"), .server("250 OK"),
            .client("RCPT TO:<a@x.test>"), .server("250 OK"),
            .client("RCPT TO:<b@x.test>"), .server("550 5.1.1 unknown"),
            .client("RCPT TO:<c@x.test>"), .server("250 OK"),
            .client("DATA"), .server("554 5.5.1 No valid recipients"),
        ], failure: .connectionLost)

        #expect(report.outcome(for: "a@x.test") == .permanentFailure(code: 554, reply: "554 5.5.1 No valid recipients"))
        #expect(report.outcome(for: "b@x.test") == .permanentFailure(code: 550, reply: "550 5.1.1 unknown"))
        #expect(report.outcome(for: "c@x.test")?.code == 554)
        #expect(report.error == .serverRejected)
    }

    @Test func connectionLostAfterDataLeavesAcceptedRecipientsTransient() {
        let report = report([
            .client("MAIL FROM:<vuls@csirt.test>"), .server("250 OK"),
            .client("RCPT TO:<a@x.test>"), .server("250 OK"),
            .client("RCPT TO:<b@x.test>"), .server("550 5.1.1 unknown"),
            .client("RCPT TO:<c@x.test>"), .server("250 OK"),
            .client("DATA"), .server("354 go"),
        ], failure: .connectionLost(server: "smtp://127.0.0.1:25", reason: "Connection reset by peer"))

        #expect(report.error == .connectionLost)
        #expect(report.outcome(for: "a@x.test") == .transientFailure(
            code: nil, reply: "The connection to the SMTP server at smtp://127.0.0.1:25 was lost (Connection reset by peer)."))
        #expect(report.outcome(for: "b@x.test")?.isPermanent == true)
        #expect(report.outcome(for: "c@x.test")?.isTransient == true)
    }

    @Test func serviceClosingInTheMiddleIsTransientForTheRest() {
        let report = report([
            .client("MAIL FROM:<vuls@csirt.test>"), .server("250 OK"),
            .client("RCPT TO:<a@x.test>"), .server("250 OK"),
            .client("RCPT TO:<b@x.test>"), .server("421 4.3.2 Shutting down"),
        ], failure: .connectionLost)

        #expect(report.outcome(for: "a@x.test")?.isTransient == true)
        #expect(report.outcome(for: "b@x.test") == .transientFailure(code: 421, reply: "421 4.3.2 Shutting down"))
        #expect(report.outcome(for: "c@x.test")?.isTransient == true)
        #expect(!report.allAccepted)
    }

    @Test func greetingRefusalIsTheMessageError() {
        let report = report([
            .curl("Connected to 127.0.0.1 (127.0.0.1) port 25 (#0)"),
            .server("554 5.3.2 No service for you"),
        ], failure: .connectionLost)

        #expect(report.error == .serverRejected)
        #expect(report.error?.isTransient == false)
        #expect(report.outcomes.allSatisfy { $0.outcome.code == 554 })
    }
}
