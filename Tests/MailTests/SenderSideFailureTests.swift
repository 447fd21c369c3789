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
