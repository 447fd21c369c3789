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
        (450, "450 4.7.1 <psirt@vendor.example>: Relay access denied"),
        (554, "554 5.7.1 <unknown[192.0.2.3]>: Client host rejected: Access denied"),
        (550, "550-Verification failed for <vuls+x@csirt.example>\n550-Unrouteable address\n550 Sender verify failed"),
        (554, "554 5.7.1 Service unavailable; Client host [192.0.2.3] blocked using zen.spamhaus.org"),
        (450, "450 4.7.1 Error: too many recipients from 192.0.2.3"),
    ])
    func refusalsOfOurRelayAreRecognised(code: Int, reply: String) {
        #expect(RelayRefusal.isRelayRefusal(code: code, reply: reply))
    }

    @Test(arguments: [
        (550, "550 5.1.1 <psirt@vendor.example>: Recipient address rejected: User unknown in virtual mailbox table"),
        (552, "552 5.2.2 Mailbox full"),
        (451, "451 4.7.1 Greylisted, try again"),
        (550, "550 5.7.606 Access denied, banned sending IP [192.0.2.3]"),
    ])
    func otherRefusalsAreTheRecipients(code: Int, reply: String) {
        #expect(!RelayRefusal.isRelayRefusal(code: code, reply: reply))
    }
}
