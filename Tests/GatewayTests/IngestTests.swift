import Foundation
import Mail
import OpenPGP
@testable import Registry
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

    @Test func anMboxFileIsSplitALineAtATimeExactlyAsWhenReadWhole() throws {
        let mboxes = [
            "From a@b Mon Sep  3 10:00:00 2007\nSubject: one\nMessage-ID: <1@b>\n\nline\n>From quoted\n\n"
                + "From a@b Mon Sep  3 10:00:01 2007\nSubject: two\nMessage-ID: <2@b>\n\nbody\n",
            "From a@b Mon Sep  3 10:00:00 2007\r\nSubject: crlf\r\n\r\nFrom the vendor.\r\n\r\n\r\n"
                + "From a@b Mon Sep  3 10:00:01 2007\r\nSubject: last\r\n\r\nno final line break",
            "preamble\n\nFrom a@b Mon Sep  3 10:00:00 2007\n\n\nFrom a@b Mon Sep  3 10:00:01 2007\nX: y\n\n>>From twice\n\n\n",
            "",
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-mbox-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, mbox) in mboxes.enumerated() {
            let file = folder.appendingPathComponent("\(index).mbox")
            try Data(mbox.utf8).write(to: file)
            var streamed: [Data] = []
            try MailboxReader.mbox(file: file, scratch: folder.appendingPathComponent("scratch")) { number, message in
                #expect(number == streamed.count + 1)
                streamed.append((try? Data(contentsOf: message)) ?? Data())
            }
            #expect(streamed == MailboxReader.mbox(Data(mbox.utf8)), "mbox \(index)")
        }
    }

    @Test func aMessageTheDatabaseCannotHoldFailsAloneAndTheBatchGoesOn() throws {
        let f = try GatewayFixture()
        let notification = try notifiedVendor(f)
        func reply(_ id: String, _ body: String) -> Data {
            Data("From: psirt@keyed.example\nTo: vuls@jpcert.example\nSubject: Re: notice\nMessage-ID: <\(id)@keyed.example>\nIn-Reply-To: <\(notification.messageId)>\n\n\(body)".utf8)
        }
        // The registry may grow by about 256 KiB more: a reply carrying 2 MB of logs fails to store, as on a full disk.
        try f.store.engine.write { session in
            let pages = try session.value("PRAGMA page_count", as: Int.self) ?? 0
            try session.execute("PRAGMA max_page_count = \(pages + 64)")
        }
        let batch: [(source: String, bytes: Data)] = [
            ("replies#1", reply("first", "We are looking into it.\nStatus: investigating\n")),
            ("replies#2", reply("huge", "Status: fixed\n\n" + String(repeating: "log line 0123456789abcdef\n", count: 80_000))),
            ("replies#3", Data("just some text, no header at all\n".utf8)),
            ("replies#4", reply("third", "Status: affected\n")),
        ]
        let outcomes = f.ingester.ingest(batch: batch)
        #expect(outcomes.map(\.disposition) == [.reply, .failed, .unreadable, .reply])
        #expect(outcomes[1].source == "replies#2" && outcomes[1].effects.first?.contains("disk holding the registry database is full") == true,
                "\(outcomes[1].effects)")
        #expect(try f.participant(Self.caseId, "keyed").response == .affected, "the failed reply's statement was not applied")
        let stored = try f.store.inbound.entries(unmatchedOnly: false, reviewOnly: false)
        #expect(Set(stored.map(\.messageId)) == ["first@keyed.example", "third@keyed.example", outcomes[2].messageId])
        #expect(try f.store.inbound.read { try $0.bytes(id: stored.first { $0.messageId == outcomes[2].messageId }!.id) } == batch[2].bytes)
        let summary = IngestSummary(outcomes)
        #expect(summary.line == "read 4: 2 matched, 0 automatic, 0 bounces, 1 unmatched, 1 failed; 1 listed for review (liaison inbox --review)")
    }

    @Test func assignedStatementStillNeedsTheSignatureTheWorkspaceRequires() throws {
        let f = try GatewayFixture()
        _ = try notifiedVendor(f)
        var ingester = f.ingester
        ingester.requireSignature = .statements
        let unsigned = Data("From: someone@home.example\nTo: vuls@jpcert.example\nSubject: statement\nMessage-ID: <u-1@home.example>\n\nStatus: fixed\n".utf8)
        #expect(try ingester.ingest(unsigned).disposition == .unmatched)
        let (outcome, changed) = try ingester.assign("u-1@home.example", caseId: Self.caseId, organizationId: "keyed")
        #expect(changed && outcome.disposition == .review)
        #expect(outcome.review == "fixed needs a verified signature (ingest.require_signature: statements)")
        #expect(try f.participant(Self.caseId, "keyed").response == .none)
        // Without the requirement the same assignment applies it, once.
        #expect(try f.ingester.assign("u-1@home.example", caseId: Self.caseId, organizationId: "keyed").outcome.effects == ["fixed"])
        #expect(try f.participant(Self.caseId, "keyed").response == .fixed)
        #expect(try f.ingester.assign("u-1@home.example", caseId: Self.caseId, organizationId: "keyed").changed == false)

        // A reply ingest applied, assigned again after a later answer, does not undo that answer.
        let notification = try #require(try f.notifications().first)
        let early = Data("From: psirt@keyed.example\nTo: vuls@jpcert.example\nSubject: Re: notice\nMessage-ID: <early@keyed.example>\nIn-Reply-To: <\(notification.messageId)>\n\nStatus: investigating\n".utf8)
        #expect(try f.ingester.ingest(early).effects == ["investigating"])
        #expect(try f.ingester.assign("u-1@home.example", caseId: Self.caseId, organizationId: "keyed").changed == false)
        let later = Data("From: psirt@keyed.example\nTo: vuls@jpcert.example\nSubject: Re: notice\nMessage-ID: <later@keyed.example>\nIn-Reply-To: <\(notification.messageId)>\n\nStatus: fixed\n".utf8)
        #expect(try f.ingester.ingest(later).effects == ["fixed"])
        #expect(try f.ingester.assign("early@keyed.example", caseId: Self.caseId, organizationId: "keyed").changed == false)
        #expect(try f.participant(Self.caseId, "keyed").response == .fixed)
        #expect(throws: GatewayError.self) { try f.ingester.assign("nothing@home.example", caseId: Self.caseId, organizationId: "keyed") }
    }
}
