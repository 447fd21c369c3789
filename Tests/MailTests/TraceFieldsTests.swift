import Foundation
import Testing
@testable import Mail

/// Copies of one message that relays and mailboxes changed on the way compare equal once their trace fields are
/// left out; copies whose author's fields or text differ never do.
@Suite struct TraceFieldsTests {
    static let original = "From: psirt@vendor.example\nSubject: Re: notice\nMessage-ID: <a@vendor.example>\n\nStatus: fixed\n"

    @Test func aCopyWithTraceFieldsAndCRLFIsTheSameMessage() {
        let relayed = ("Received: from mx2.vendor.example\n\tby mx.csirt.example; Wed, 09 Dec 2026 10:00:00 +0900\n"
                       + "Delivered-To: vuls@csirt.example\nARC-Seal: i=1; a=rsa-sha256; cv=none\nX-Spam-Status: No\n"
                       + Self.original).replacingOccurrences(of: "\n", with: "\r\n")
        #expect(TraceFields.removed(from: Data(relayed.utf8)) == TraceFields.removed(from: Data(Self.original.utf8)))
    }

    @Test func aCopyWhoseAuthorsFieldsOrTextDifferIsAnotherMessage() {
        for other in [Self.original.replacingOccurrences(of: "Status: fixed", with: "Status: affected"),
                      Self.original.replacingOccurrences(of: "Subject: Re: notice", with: "Subject: Re: other"),
                      // A body line that looks like a trace field is text of the author's.
                      Self.original + "Received: from nowhere\n"] {
            #expect(TraceFields.removed(from: Data(other.utf8)) != TraceFields.removed(from: Data(Self.original.utf8)), "\(other)")
        }
    }
}
