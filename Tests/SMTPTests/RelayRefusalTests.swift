import Testing
@testable import SMTP

/// Replies to RCPT TO that mean our own relay will not relay for us or will not take our sender.
@Suite struct RelayRefusalReplyTests {
    @Test(arguments: [
        (554, "554 5.7.1 <psirt@vendor.example>: Relay access denied"),
        (550, "550 5.7.1 <psirt@vendor.example>... Relaying denied. Proper authentication required."),
        (550, "550 relay not permitted"),
        (550, "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain"),
        (553, "553 5.7.1 <vuls@csirt.example>: Sender address rejected: not owned by user gateway"),
        (550, "550 5.7.60 SMTP; Client does not have permissions to send as this sender"),
    ])
    func refusalsOfOurRelayAreRecognised(code: Int, reply: String) {
        #expect(RelayRefusal.isRelayRefusal(code: code, reply: reply))
    }

    @Test(arguments: [
        (550, "550 5.1.1 <psirt@vendor.example>: Recipient address rejected: User unknown in virtual mailbox table"),
        (450, "450 4.7.1 <psirt@vendor.example>: Relay access denied"),
        (552, "552 5.2.2 Mailbox full"),
        (550, "550 5.7.606 Access denied, banned sending IP [192.0.2.3]"),
    ])
    func otherRefusalsAreTheRecipients(code: Int, reply: String) {
        #expect(!RelayRefusal.isRelayRefusal(code: code, reply: reply))
    }
}
