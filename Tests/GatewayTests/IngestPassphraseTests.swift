import Foundation
import Testing
import TestSupport
@testable import Gateway

/// An encrypted reply to a workspace key protected by a passphrase is opened with the passphrase that
/// `gnupg.passphrase_file` / `gnupg.passphrase_env` give (loopback pinentry), as signing is.
@Suite struct IngestPassphraseTests {
    static let passphrase = "correct horse battery staple"

    @Test func anEncryptedReplyToAProtectedKeyIsDecryptedWithThePassphrase() throws {
        let f = try GatewayFixture()
        let replies = IngestTests()
        let notification = try replies.notifiedVendor(f)
        // Our second key, whose secret key is protected: the vendor encrypts the reply to it.
        let protected = try f.gnupg.generateKey(name: "JPCERT/CC Replies", email: "replies@jpcert.example",
                                                passphrase: Self.passphrase)

        // Without the passphrase the reply cannot be opened: it is kept, and the case is not changed.
        let locked = try f.ingester.ingest(try replies.signedReply(f, to: notification, text: "Fixed in 2.4.0.\nStatus: fixed\n",
                                                                   encryptTo: protected))
        #expect(locked.encrypted && locked.signature != .verified)
        #expect(try f.participant(IngestTests.caseId, "keyed").response != .fixed)

        var ingester = f.ingester
        ingester.passphrase = Self.passphrase
        let opened = try ingester.ingest(try replies.signedReply(f, to: notification, text: "Fixed in 2.4.1.\nStatus: fixed\n",
                                                                 encryptTo: protected))
        #expect(opened.encrypted && opened.signature == .verified)
        #expect(try f.participant(IngestTests.caseId, "keyed").response == .fixed)
        #expect(try f.participant(IngestTests.caseId, "keyed").statement?.contains("Fixed in 2.4.1.") == true)
    }
}
