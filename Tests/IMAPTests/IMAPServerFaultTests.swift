import Foundation
import Registry
import Testing
import TestSupport

/// `liaison ingest --imap` against servers that fail on one message: the faulty IMAP server of TestSupport
/// (Python, loopback) and a real Dovecot with a file it cannot read. Nothing is lost: a message the server did not
/// serve is named, the kept UID stays below it and the next pass reads it.
@Suite(.serialized) struct IMAPServerFaultTests {
    /// A workspace and the `liaison ingest --imap` command line against `url`.
    final class Reader {
        let workspace: TemporaryWorkspace
        let url: String
        let password: String
        let extraArguments: [String]

        init(url: String, password: String, extraArguments: [String]) throws {
            workspace = try TemporaryWorkspace()
            self.url = url
            self.password = password
            self.extraArguments = extraArguments
            let sync = try runLiaison(["directory", "sync"], workspace: workspace.root)
            guard sync.status == 0 else { throw FixtureError("directory sync failed: \(sync.stderr)") }
        }

        deinit { workspace.remove() }

        func ingest() throws -> (status: Int32, stdout: String, stderr: String) {
            try runLiaison(["ingest", "--imap", url] + extraArguments, workspace: workspace.root,
                           environment: ["LIAISON_IMAP_PASSWORD": password])
        }

        /// What `liaison inbox --format json` lists.
        func inbox() throws -> String {
            try runLiaison(["inbox", "--format", "json"], workspace: workspace.root).stdout
        }

        /// The last UID kept for the mailbox (every mailbox of the workspace has the same one here).
        func keptUID() throws -> UInt32? {
            let store = try RegistryStore(path: workspace.root.appendingPathComponent(".liaison/registry.sqlite").path)
            return try store.mailboxStates.all().first?.lastUID
        }
    }

    static func faultyReader(_ server: FaultyIMAPServer) throws -> Reader {
        try Reader(url: server.url, password: server.password, extraArguments: ["--tls", "none"])
    }

    @Test func aTemporaryNoToOneFetchIsNamedAndReadOnTheNextPass() throws {
        let server = try FaultyIMAPServer.start()
        defer { server.stop() }
        for uid: UInt32 in 1...3 { try server.deliver(uid: uid, IMAPFixture.message(Int(uid))) }
        try server.setBehaviour(.init(fetchReplies: [2: "NO [UNAVAILABLE] Message temporarily unavailable"]))
        let reader = try Self.faultyReader(server)

        let first = try reader.ingest()
        #expect(first.status == 75, "\(first.stderr)")
        #expect(first.stderr.contains(";UID=2") && first.stderr.contains("UNAVAILABLE"), "\(first.stderr)")
        #expect(!(first.stdout + first.stderr).contains(server.password))
        let inbox = try reader.inbox()
        #expect(inbox.contains("q1@vendor.example") && inbox.contains("q3@vendor.example"))
        #expect(!inbox.contains("q2@vendor.example"))
        #expect(try reader.keptUID() == 1)

        try server.setBehaviour(.init())
        let second = try reader.ingest()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try reader.inbox().contains("q2@vendor.example"))
        #expect(try reader.keptUID() == 3)
    }

    @Test func onlyAnEmptyOKOrExpungeIssuedMeansTheMessageIsGone() throws {
        let server = try FaultyIMAPServer.start()
        defer { server.stop() }
        for uid: UInt32 in 1...4 { try server.deliver(uid: uid, IMAPFixture.message(Int(uid))) }
        try server.setBehaviour(.init(fetchReplies: [2: "OK Fetch completed",
                                                     3: "NO [EXPUNGEISSUED] Some messages were expunged"]))
        let reader = try Self.faultyReader(server)

        let pass = try reader.ingest()
        #expect(pass.status == 0, "\(pass.stderr)")
        let inbox = try reader.inbox()
        #expect(inbox.contains("q1@vendor.example") && inbox.contains("q4@vendor.example"))
        #expect(try reader.keptUID() == 4)
    }

    @Test func uidsAtOrAboveTheAnnouncedUIDNextAreIgnoredAndNamed() throws {
        let server = try FaultyIMAPServer.start()
        defer { server.stop() }
        for uid: UInt32 in 1...2 { try server.deliver(uid: uid, IMAPFixture.message(Int(uid))) }
        try server.setBehaviour(.init(extraSearchUIDs: [4_000_000_000]))
        let reader = try Self.faultyReader(server)

        let first = try reader.ingest()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("UID 4000000000") && first.stderr.contains("UIDNEXT 3"), "\(first.stderr)")
        #expect(try reader.keptUID() == 2)

        // A reply arriving later is still read.
        try server.deliver(uid: 3, IMAPFixture.message(3))
        let second = try reader.ingest()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try reader.inbox().contains("q3@vendor.example"))
        #expect(try reader.keptUID() == 3)
    }

    @Test func aKeptUIDAboveUIDNextLeftByAnEarlierServerIsRewoundAndTheMailboxReadAgain() throws {
        let server = try FaultyIMAPServer.start()
        defer { server.stop() }
        for uid: UInt32 in 1...2 { try server.deliver(uid: uid, IMAPFixture.message(Int(uid))) }
        let reader = try Self.faultyReader(server)
        // What the reader kept before it ignored such UIDs: one named by a hostile search, far beyond UIDNEXT.
        let store = try RegistryStore(path: reader.workspace.root.appendingPathComponent(".liaison/registry.sqlite").path)
        try store.mailboxStates
            .recordRead(mailboxURL: "imap://vuls@127.0.0.1:\(server.port)/INBOX", uidValidity: 7, uid: 4_000_000_000)

        let pass = try reader.ingest()
        #expect(pass.status == 0, "\(pass.stderr)")
        #expect(pass.stderr.contains("kept UID 4000000000") && pass.stderr.contains("UIDNEXT 3"), "\(pass.stderr)")
        let inbox = try reader.inbox()
        #expect(inbox.contains("q1@vendor.example") && inbox.contains("q2@vendor.example"))
        #expect(try reader.keptUID() == 2)
    }

    @Test func aMessageDovecotCannotServeIsSkippedForThePassAndReadOnceFixed() throws {
        let fixture = try IMAPFixture()
        let session = try fixture.session()
        // One at a time, so that message n gets UID n.
        for number in 1...3 { try fixture.dovecot.deliver(IMAPFixture.message(number)); _ = try session.examine() }
        let file = try #require(fixture.dovecot.maildirFile(containing: "<q2@vendor.example>"))
        // Dovecot runs as nobody when the tests run as root, else as the test's user: mode 000 stops both.
        #expect(chmod(file.path, 0) == 0)
        let reader = try Reader(url: "imaps://\(fixture.dovecot.user)@127.0.0.1:\(fixture.dovecot.imapsPort)/INBOX",
                                password: fixture.dovecot.password, extraArguments: ["--ca-file", fixture.certificate.caFile])

        let first = try reader.ingest()
        #expect(first.status == 75, "\(first.stderr)")
        #expect(first.stderr.contains(";UID=2"), "\(first.stderr)")
        // What was read after the reconnection is the message itself, never IMAP responses.
        #expect(!first.stdout.contains("unreadable"), "\(first.stdout)")
        let inbox = try reader.inbox()
        #expect(inbox.contains("q1@vendor.example") && inbox.contains("q3@vendor.example"), "\(first.stdout) \(first.stderr) \(fixture.dovecot.log())")
        #expect(try reader.keptUID() == 1)

        // Dovecot renames the file as it moves it from new/ to cur/: find it again.
        let moved = try #require(fixture.dovecot.maildirFile(containing: "<q2@vendor.example>"))
        #expect(chmod(moved.path, 0o600) == 0)
        let second = try reader.ingest()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try reader.inbox().contains("q2@vendor.example"))
        #expect(try reader.keptUID() == 3)
    }

    @Test func aPasswordWrittenIntoTheURLIsNeverPrinted() throws {
        let secret = "s3cret-in-the-url"
        let reader = try Reader(url: "imaps://vuls:\(secret)@127.0.0.1:1/INBOX", password: "x", extraArguments: [])
        let pass = try reader.ingest()
        #expect(pass.status == 1)
        #expect(pass.stderr.contains("imaps://vuls:***@127.0.0.1:1/INBOX"), "\(pass.stderr)")
        #expect(!(pass.stdout + pass.stderr).contains(secret))

        // The same in liaison.yaml: one line naming the field, the password masked.
        try reader.workspace.write("liaison.yaml", TemporaryWorkspace.defaultConfiguration
                                   + "imap:\n  url: imaps://vuls:\(secret)@imap.csirt.example/INBOX\n")
        let configured = try runLiaison(["ingest", "--imap", "imaps://vuls@127.0.0.1:1/INBOX"], workspace: reader.workspace.root,
                                        environment: ["LIAISON_IMAP_PASSWORD": "x"])
        #expect(configured.status == 1)
        #expect(configured.stderr.contains("imap.url") && configured.stderr.contains("vuls:***@"), "\(configured.stderr)")
        #expect(!(configured.stdout + configured.stderr).contains(secret))
    }
}
