import Foundation
import Testing
import TestSupport

/// `liaison doctor` against a real Postfix (STARTTLS with a test CA, SASL login) and Dovecot (IMAPS) on loopback.
@Suite(.serialized, .enabled(if: PostfixServer.isAvailable, "Postfix needs root"))
struct DoctorMailSystemTests {
    @Test func doctorChecksTheRelayLoginAndTheMailboxWithoutSendingAnything() throws {
        let mail = try MailSystemFixture()
        #expect(try mail.ws.liaison(["directory", "sync"]).status == 0)
        let doctor = try mail.liaison(["doctor"])
        let lines = doctor.stdout.split(separator: "\n").map(String.init)
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        #expect(lines.contains { $0.hasPrefix("ok   relay: smtp://127.0.0.1:") && $0.contains("offers STARTTLS") && $0.contains("accepts the login of vuls") },
                "\(lines)")
        #expect(lines.contains { $0.hasPrefix("ok   imap: imaps://vuls@127.0.0.1:") && $0.contains("opens") }, "\(lines)")
        #expect(mail.postfix.delivered(to: MailSystemFixture.csirtMailbox).isEmpty, "doctor sends nothing")

        let wrong = try mail.liaison(["doctor"], environment: ["LIAISON_SMTP_PASSWORD": "wrong", "LIAISON_IMAP_PASSWORD": "wrong"])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL relay: ") || $0.hasPrefix("FAIL imap: ") }.count == 2,
                "\(wrong.stdout)")
    }
}
