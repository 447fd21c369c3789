import Foundation
import Gateway
import IMAP
@testable import Registry
import Testing
import TestSupport

/// Reading a real Dovecot over IMAPS with a test CA.
@Suite(.serialized) struct IMAPReadingTests {
    @Test func eachMessageIsReadOnceByteForByteAndStaysUnread() throws {
        let fixture = try IMAPFixture()
        try fixture.dovecot.deliver(IMAPFixture.message(1))
        try fixture.dovecot.deliver(IMAPFixture.message(2))
        let session = try fixture.session()
        let reader = fixture.reader()

        let first = try reader.readNew(from: session)
        // Dovecot gives UIDs in the order it finds the files; both are read, once.
        #expect(Set(first.outcomes.map(\.messageId)) == ["q1@vendor.example", "q2@vendor.example"])
        #expect(try fixture.storedBytes(messageId: "q1@vendor.example") == IMAPFixture.message(1))
        #expect(try reader.readNew(from: session).outcomes.isEmpty)

        try fixture.dovecot.deliver(IMAPFixture.message(3))
        let third = try reader.readNew(from: session)
        #expect(third.outcomes.map(\.messageId) == ["q3@vendor.example"])
        // Read by EXAMINE and UID FETCH: nobody's unread mail was marked seen.
        #expect(try fixture.dovecot.maildirFlags().allSatisfy { !$0.contains("S") })
        let state = try fixture.store.mailboxStates.state(mailboxURL: session.mailboxURL)
        #expect(state?.lastUID == 3)
        #expect(state?.uidValidity == third.uidValidity)
    }

    @Test func aChangedUIDValidityReadsAgainWithoutCountingTwice() throws {
        let fixture = try IMAPFixture()
        try fixture.dovecot.deliver(IMAPFixture.message(1))
        let session = try fixture.session()
        let reader = fixture.reader()
        let first = try reader.readNew(from: session)
        // As if the server had rebuilt the mailbox: the stored UIDs belong to another UIDVALIDITY.
        try fixture.store.mailboxStates
            .recordRead(mailboxURL: session.mailboxURL, uidValidity: first.uidValidity &+ 1, uid: 7)

        let again = try reader.readNew(from: session)
        #expect(again.uidValidityChanged)
        #expect(again.outcomes.map(\.disposition) == [.duplicate])
        #expect(try fixture.inboundCount() == 1)
    }

    @Test func aServerFailingMidBatchKeepsWhatWasReadAndResumesAfterIt() throws {
        let fixture = try IMAPFixture()
        for number in 1...4 { try fixture.dovecot.deliver(IMAPFixture.message(number)) }
        let session = try fixture.session()
        let reader = fixture.reader()

        // A connection lost on one message skips it for this pass; the next fetch reconnects.
        let first = try reader.readNew(from: FailingMailbox(session, failOnFetch: [3]))
        #expect(first.outcomes.map(\.disposition) == [.unmatched, .unmatched, .failed, .unmatched])
        #expect(first.firstFailedUID == 3)
        #expect(try fixture.inboundCount() == 3)
        #expect(try fixture.store.mailboxStates.state(mailboxURL: session.mailboxURL)?.lastUID == 2)

        let rest = try reader.readNew(from: session)
        #expect(rest.outcomes.map(\.disposition) == [.unmatched, .duplicate])
        #expect(try fixture.inboundCount() == 4)
        #expect(try fixture.store.mailboxStates.state(mailboxURL: session.mailboxURL)?.lastUID == 4)
    }

    @Test func aServerDroppingEveryConnectionStopsThePassAndKeepsWhatWasRead() throws {
        let fixture = try IMAPFixture()
        let session = try fixture.session()
        for number in 1...5 { try fixture.dovecot.deliver(IMAPFixture.message(number)); _ = try session.examine() }
        let reader = fixture.reader()
        #expect(throws: IMAPError.connectionLost) {
            try reader.readNew(from: FailingMailbox(session, failOnFetch: [2, 3, 4]))
        }
        #expect(try fixture.inboundCount() == 1)
        #expect(try fixture.store.mailboxStates.state(mailboxURL: session.mailboxURL)?.lastUID == 1)
    }

    @Test func aMessageThatCannotBeStoredIsCountedAsFailedAndTheRestAreRead() throws {
        let fixture = try IMAPFixture()
        let session = try fixture.session()
        // One at a time, so that message n gets UID n.
        for number in 1...4 { try fixture.dovecot.deliver(IMAPFixture.message(number)); _ = try session.examine() }
        // The registry refuses the second message as a full disk would.
        try fixture.store.engine.write { session in
            try session.execute("""
                CREATE TRIGGER full_disk BEFORE INSERT ON inboundMessage WHEN NEW.messageId = 'q2@vendor.example'
                BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
                """)
        }
        var seen: [UInt32] = []
        let first = try fixture.reader().readNew(from: session, each: { uid, _ in seen.append(uid) })
        #expect(first.outcomes.map(\.disposition) == [.unmatched, .failed, .unmatched, .unmatched])
        #expect(seen == [1, 2, 3, 4])
        #expect(first.failed == 1 && first.firstFailedUID == 2)
        #expect(first.outcomes[1].source == "\(session.mailboxURL);UID=2")
        #expect(first.outcomes[1].effects.first?.contains("full") == true, "\(first.outcomes[1].effects)")
        #expect(try fixture.inboundCount() == 3)
        // The kept UID stays below the failed message, so the next pass reads it again.
        let states = fixture.store.mailboxStates
        #expect(try states.state(mailboxURL: session.mailboxURL)?.lastUID == 1)

        // Still failing: read again, the ones after it are duplicates, nothing is counted twice.
        let still = try fixture.reader().readNew(from: session)
        #expect(still.outcomes.map(\.disposition) == [.failed, .duplicate, .duplicate])
        #expect(try states.state(mailboxURL: session.mailboxURL)?.lastUID == 1)

        // Once the cause is gone, it is stored and the reading state moves past the batch.
        try fixture.store.engine.write { try $0.execute("DROP TRIGGER full_disk") }
        let fixed = try fixture.reader().readNew(from: session)
        #expect(fixed.outcomes.map(\.disposition) == [.unmatched, .duplicate, .duplicate])
        #expect(fixed.failed == 0 && fixed.firstFailedUID == nil)
        #expect(try fixture.storedBytes(messageId: "q2@vendor.example") == IMAPFixture.message(2))
        #expect(try fixture.inboundCount() == 4)
        #expect(try states.state(mailboxURL: session.mailboxURL)?.lastUID == 4)
        #expect(try fixture.reader().readNew(from: session).outcomes.isEmpty)
    }

    @Test func storedMessagesAreMovedToTheFolderAndNothingIsDeleted() throws {
        let fixture = try IMAPFixture()
        try fixture.dovecot.deliver(IMAPFixture.message(1))
        let session = try fixture.session()
        let summary = try fixture.reader(after: .move(to: "Liaison/Processed")).readNew(from: session)
        #expect(summary.outcomes.count == 1)
        #expect(try session.examine().exists == 0)
        let moved = try fixture.session(fixture.configuration(mailbox: "Liaison.Processed"))
        let status = try moved.examine()
        #expect(status.exists == 1)
        #expect(try moved.searchUIDs(after: 0).count == 1)
    }

    @Test func idleWakesWhenMailArrives() throws {
        let fixture = try IMAPFixture()
        let session = try fixture.session()
        let status = try session.examine()
        #expect(session.offersIdle)
        // shouldStop is first asked once IDLE is running: deliver then, so only IDLE can tell of it.
        var delivered = false
        let started = Date()
        let arrived = try session.idle(upTo: 20, knownUIDNext: status.uidNext, shouldStop: {
            if !delivered { delivered = true; _ = try? fixture.dovecot.deliver(IMAPFixture.message(1)) }
            return false
        })
        #expect(arrived)
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func idleStopsWhenAsked() throws {
        let fixture = try IMAPFixture()
        let session = try fixture.session()
        let started = Date()
        let arrived = try session.idle(upTo: 30, shouldStop: { Date().timeIntervalSince(started) > 0.3 })
        #expect(!arrived)
        #expect(Date().timeIntervalSince(started) < 1.5)
    }

    @Test func imapWithStartTLSAndTheTestCAReads() throws {
        let fixture = try IMAPFixture()
        try fixture.dovecot.deliver(IMAPFixture.message(1))
        let configuration = IMAPConfiguration(url: "imap://\(fixture.dovecot.user)@localhost:\(fixture.dovecot.imapPort)/INBOX",
                                              password: fixture.dovecot.password, caFile: fixture.certificate.caFile)
        let summary = try fixture.reader().readNew(from: try fixture.session(configuration))
        #expect(summary.outcomes.count == 1)
    }

    @Test func aFiftyMegabyteMessageIsReadAndStored() throws {
        let fixture = try IMAPFixture()
        // 50 MB of base64-like lines, as a large attachment would arrive.
        let line = String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx", count: 1) + "\r\n"
        let body = String(repeating: line, count: 50 * 1024 * 1024 / line.utf8.count)
        let message = IMAPFixture.message(50, body: body)
        try fixture.dovecot.deliver(message)
        let summary = try fixture.reader().readNew(from: try fixture.session())
        #expect(summary.bytes == message.count)
        #expect(summary.bytes > 50_000_000)
        #expect(try fixture.storedBytes(messageId: "q50@vendor.example") == message)
    }
}

/// The errors a user sees, one sentence each, and nothing recorded.
@Suite(.serialized) struct IMAPFailureTests {
    @Test func aWrongPasswordIsRefusedWithOneClearLine() throws {
        let fixture = try IMAPFixture()
        let session = try fixture.session(fixture.configuration(password: "wrong"))
        #expect {
            try fixture.reader().readNew(from: session)
        } throws: { error in
            let error = error as? IMAPError
            return error == .authenticationFailed && error!.description.contains("refused the login of vuls")
                && !error!.description.contains("\n") && !error!.description.contains("wrong")
        }
        #expect(try fixture.store.mailboxStates.all().isEmpty)
    }

    @Test func anUntrustedCertificateIsRefused() throws {
        let fixture = try IMAPFixture()
        let other = fixture.root.appendingPathComponent("other-ca")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        var configuration = fixture.configuration()
        configuration.caFile = try SMTPSinkCertificate.make(in: other).caFile
        #expect(throws: IMAPError.certificate) { try fixture.session(configuration).examine() }
    }

    @Test func aMailboxThatDoesNotExistIsNamed() throws {
        let fixture = try IMAPFixture()
        #expect {
            try fixture.session(fixture.configuration(mailbox: "Nope")).examine()
        } throws: { error in
            (error as? IMAPError) == .noSuchMailbox && "\(error)".contains("no mailbox \"Nope\"")
        }
    }

    @Test func plainIMAPToAnotherHostIsRefusedBeforeConnecting() {
        let configuration = IMAPConfiguration(url: "imap://vuls@imap.csirt.example/INBOX", tls: .none, password: "x")
        #expect(throws: IMAPError.plainToNonLoopback) { try configuration.validate() }
        let loopback = IMAPConfiguration(url: "imap://vuls@127.0.0.1:1143/INBOX", tls: .none, password: "x")
        #expect(throws: Never.self) { try loopback.validate() }
        let password = IMAPConfiguration(url: "imaps://vuls:secret@imap.csirt.example/INBOX", password: "x")
        #expect(throws: IMAPError.unsupportedURL) { try password.validate() }
    }
}
