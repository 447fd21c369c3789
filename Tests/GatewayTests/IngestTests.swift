import Foundation
import GRDB
import Mail
import OpenPGP
import Registry
import Testing
import TestSupport
@testable import Gateway

/// Replies in the forms vendors really send: PGP/MIME-signed, encrypted to us, from an unknown key, in an mbox.
@Suite struct IngestTests {
    static let caseId = "JVNVU#87654321"

    /// A case with one notified vendor whose contact has a key; returns the notification row.
    func notifiedVendor(_ f: GatewayFixture) throws -> NotificationRecord {
        try f.addOrganization("keyed", languages: ["en"], technologies: ["tls"], contacts: [("psirt@keyed.example", "to", "en", true)])
        try f.caseBook.open(id: Self.caseId, title: "Heap overflow", origin: "cert-cc", due: "2007-12-01")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["keyed"])
        try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        #expect(try f.dispatcher().run().sent == 1)
        return try #require(try f.notifications().first)
    }

    /// A reply built as the vendor's mail client would: RFC 3156 multipart/signed with the vendor's key.
    func signedReply(_ f: GatewayFixture, to notification: NotificationRecord, text: String, encryptTo: String? = nil) throws -> Data {
        let home = try #require(f.vendorHomes["psirt@keyed.example"])
        let pgp = try OpenPGPContext(homeDirectory: home.path)
        let vendorKey = try #require(try pgp.keys(matching: "psirt@keyed.example").first).fingerprint
        let content = MIMEEntity.text(text)
        let signature = try pgp.signDetached(content.serialized(), signer: vendorKey)
        var body = MIMEEntity.signed(content: content, signature: signature.armored, micalg: signature.micalg)
        if let encryptTo {
            try home.importKey(try f.gnupg.exportPublic(encryptTo))
            body = .encrypted(armoredCiphertext: try pgp.encrypt(body.serialized(), to: [encryptTo]))
        }
        var message = Message(from: try EmailAddress(parsing: "Keyed PSIRT <psirt@keyed.example>"),
                              to: [try EmailAddress(parsing: "vuls@jpcert.example")], subject: "Re: \(notification.subject)", body: body)
        message.inReplyTo = notification.messageId
        return try message.serialized()
    }

    @Test func pgpMimeSignedReplyIsVerifiedAgainstTheContactsKey() throws {
        let f = try GatewayFixture()
        let notification = try notifiedVendor(f)
        let outcome = try f.ingester.ingest(try signedReply(f, to: notification, text: "We are investigating.\n\nStatus: investigating\n"))
        #expect(outcome.disposition == .reply && outcome.signature == .verified && !outcome.encrypted)
        #expect(try f.participant(Self.caseId, "keyed").response == .investigating)
    }

    @Test func encryptedReplyIsDecryptedWithTheWorkspaceKey() throws {
        let f = try GatewayFixture()
        let notification = try notifiedVendor(f)
        let outcome = try f.ingester.ingest(try signedReply(f, to: notification, text: "Fixed in 2.4.1.\nStatus: fixed\n", encryptTo: f.signingKey))
        #expect(outcome.encrypted && outcome.signature == .verified)
        #expect(try f.participant(Self.caseId, "keyed").response == .fixed)
        #expect(try f.participant(Self.caseId, "keyed").statement?.contains("Fixed in 2.4.1.") == true)
    }

    @Test func replySignedByAnotherKeyIsNotVerified() throws {
        let f = try GatewayFixture()
        let notification = try notifiedVendor(f)
        let stranger = try GnuPGHome.make()
        defer { stranger.shutdown() }
        let strangerKey = try stranger.generateKey(name: "Impostor", email: "psirt@keyed.example")
        try f.gnupg.importKey(try stranger.exportPublic(strangerKey))
        let pgp = try OpenPGPContext(homeDirectory: stranger.path)
        let content = MIMEEntity.text("Status: not-affected\n")
        let signature = try pgp.signDetached(content.serialized(), signer: strangerKey)
        var message = Message(from: try EmailAddress(parsing: "psirt@keyed.example"), to: [try EmailAddress(parsing: "vuls@jpcert.example")],
                              subject: "Re: notice", body: .signed(content: content, signature: signature.armored, micalg: signature.micalg))
        message.inReplyTo = notification.messageId
        let outcome = try f.ingester.ingest(try message.serialized())
        #expect(outcome.signature == .unknownKey, "a good signature by a key not in the directory proves nothing")
    }

    @Test func tamperedSignedReplyIsBad() throws {
        let f = try GatewayFixture()
        let notification = try notifiedVendor(f)
        var bytes = String(decoding: try signedReply(f, to: notification, text: "Status: not-affected\n"), as: UTF8.self)
        bytes = bytes.replacingOccurrences(of: "Status: not-affected", with: "Status: affected")
        let outcome = try f.ingester.ingest(Data(bytes.utf8))
        #expect(outcome.signature == .bad)
    }

    @Test func mboxIsSplitIntoMessagesAndReadOnce() throws {
        let mbox = "From a@b Mon Sep  3 10:00:00 2007\nSubject: one\nMessage-ID: <1@b>\n\nline\n>From quoted\n\n"
            + "From a@b Mon Sep  3 10:00:01 2007\nSubject: two\nMessage-ID: <2@b>\n\nbody\n"
        let messages = MailboxReader.mbox(Data(mbox.utf8))
        #expect(messages.count == 2)
        #expect(String(decoding: messages[0], as: UTF8.self).contains("\nFrom quoted\n"))
        let f = try GatewayFixture()
        #expect(try messages.map { try f.ingester.ingest($0).disposition } == [.unmatched, .unmatched])
        #expect(try messages.map { try f.ingester.ingest($0).disposition } == [.duplicate, .duplicate])
    }
}
