import Foundation
import Testing
@testable import Mail

/// Which failed recipients of a delivery report blame our message or domain rather than the address.
@Suite struct SenderSideFailureTests {
    static func reason(_ status: String, _ diagnostic: String?) -> SenderSideFailure.Reason? {
        InboundDeliveryReport.Recipient(address: "psirt@vendor.example", action: .failed, status: status, diagnostic: diagnostic)
            .senderSideFailure?.reason
    }

    @Test(arguments: [
        ("5.3.4", "552 5.3.4 Error: message file too big" as String?, SenderSideFailure.Reason.size),
        ("5.2.3", "552 5.2.3 Message size exceeds fixed maximum message size (10485760)", .size),
        ("5.0.0", "552 Message is too large for this mailbox", .size),
        ("5.7.26", "550-5.7.26 Unauthenticated email from csirt.example is not accepted due to domain's DMARC policy", .authentication),
        ("5.7.1", "554 5.7.1 Your message was rejected due to csirt.example's DMARC policy", .authentication),
        ("5.0.0", "550 Bad SPF records for [csirt.example:192.0.2.2]", .authentication),
        ("5.7.23", nil, .authentication),
        ("5.7.1", "550 5.7.1 Service unavailable; Client host [192.0.2.3] blocked using zen.spamhaus.org", .authentication),
        ("5.0.0", "550 5.7.606 Access denied, banned sending IP [192.0.2.3]", .authentication),
        ("5.7.1", "554 5.7.1 <psirt@vendor.example>: Relay access denied", .relay),
        ("5.7.1", "553 5.7.1 <vuls+LSN-7QK2M9XH@csirt.example>: Sender address rejected: not owned by user gateway", .relay),
        ("5.7.1", "554 5.7.1 Message rejected: virus found in attachment", .content),
        ("5.7.1", "550 5.7.1 Message content rejected, UBE", .content),
        // Our envelope sender, our relay's settings, our host's name and address.
        ("5.1.8", "553 5.1.8 <vuls@csirt.example>: Sender address rejected: Domain not found", .relay),
        ("5.1.0", "550 5.1.0 <vuls@csirt.example>: Sender address rejected: User unknown in local recipient table", .relay),
        ("5.0.0", "554 Mail from vuls+x@csirt.example rejected for policy reasons. (in reply to MAIL FROM command)", .relay),
        ("5.7.0", "530 5.7.0 Must issue a STARTTLS command first", .relay),
        ("4.7.5", "Server certificate not verified", .relay),
        ("5.7.1", "554 5.7.1 <unknown[192.0.2.3]>: Client host rejected: Access denied", .relay),
        ("5.7.1", "554 5.7.1 Service unavailable; Client host [192.0.2.3] is listed on b.barracudacentral.org", .authentication),
        ("5.7.1", "550 5.7.1 Your IP 192.0.2.3 is on our blocklist", .authentication),
        ("5.7.1", "550 5.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.3]", .relay),
        ("5.7.1", "550-5.7.1 [192.0.2.3] Our system has detected an unusual rate of unsolicited mail originating from your IP address.", .authentication),
        ("5.7.708", "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.", .authentication),
        ("4.7.1", "450 4.7.1 Error: too many messages from 192.0.2.3", .authentication),
        // Our message: its size in other words, its content, its form.
        ("5.0.0", "552 Your message exceeded the maximum message size allowed", .size),
        ("5.3.2", "552 5.3.2 message size too large", .size),
        ("5.0.0", "552 メールのサイズが大きすぎます", .size),
        ("5.0.0", "552 Die Nachricht ist zu groß", .size),
        ("5.7.1", "554 5.7.1 Message rejected as spam by Content Filtering", .content),
        ("5.7.9", "554 5.7.9 Message not accepted for policy reasons.", .content),
        ("5.7.1", "552 5.7.1 Attachment not allowed", .content),
        ("5.6.1", "554 5.6.1 Media not supported", .content),
    ])
    func failuresOfOurMailAreOurs(status: String, diagnostic: String?, expected: SenderSideFailure.Reason) {
        #expect(Self.reason(status, diagnostic) == expected, "\(status) \(diagnostic ?? "")")
    }

    @Test(arguments: [
        ("5.1.1", "550 5.1.1 <psirt@vendor.example>: Recipient address rejected: User unknown" as String?),
        ("5.2.1", "550 5.2.1 mailbox disabled"),
        ("5.2.2", "552 5.2.2 Mailbox full"),
        ("5.7.1", "550 5.7.1 <psirt@vendor.example>: Recipient address rejected: Access denied"),
        ("5.0.0", "The account or domain may not exist, they may be blacklisted, or missing the proper dns entries."),
        ("5.4.4", "Host or domain name not found"),
        ("5.0.0", nil),
        // A full mailbox or an unknown user, whatever else the words say (a security vendor's `virus@` address,
        // an `antivirus` mail host, a quota given in message sizes).
        ("5.2.2", "552 5.2.2 Mailbox size limit exceeded"),
        ("5.2.2", "552 5.2.2 Quota exceeded: message size exceeds the remaining quota of the mailbox"),
        ("5.0.0", "552 Quota exceeded: message size exceeds the remaining quota of the mailbox"),
        ("5.1.1", "550 5.1.1 <virus@vendor.example>: Recipient address rejected: User unknown"),
        ("5.1.1", "550 5.1.1 <dmarc-reports@vendor.example> does not exist. (spf pass)"),
        ("5.0.0", "host mx.antivirus-labs.example [192.0.2.120] said: 550 No such user here"),
        ("5.0.0", "552 Mailbox size exceeded"),
        ("5.0.0", "552 メールボックスのサイズ制限を超えているため受信できません"),
        // Microsoft's restrictions of the recipient group: the vendor's settings.
        ("5.7.1", "550 5.7.1 RESOLVER.RST.AuthRequired; authentication required"),
        ("5.7.129", "550 5.7.129 RESOLVER.RST.RestrictedToRecipientsPermission; not authorized to send to recipient"),
    ])
    func failuresOfTheAddressStayTheVendors(status: String, diagnostic: String?) {
        #expect(Self.reason(status, diagnostic) == nil, "\(status) \(diagnostic ?? "")")
    }

    @Test func aDelayIsNeverAFailureOfOurs() {
        let delayed = InboundDeliveryReport.Recipient(address: "psirt@vendor.example", action: .delayed, status: "4.3.4",
                                                      diagnostic: "452 4.3.4 message too big for now")
        #expect(delayed.senderSideFailure == nil)
    }
}
