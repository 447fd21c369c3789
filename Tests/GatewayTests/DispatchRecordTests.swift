import Foundation
import GRDB
@testable import Registry
import SMTP
import Synchronization
import Testing
import TestSupport
@testable import Gateway

/// The record of sending holds: leases, one event per transition, configuration faults that change nothing,
/// a busy database, concurrent queuing.
@Suite struct DispatchRecordTests {
    static let caseId = "JVNVU#12345678"

    func acme(_ f: GatewayFixture, contacts: [GatewayFixture.ContactSpec] = [("security@acme.example", "to", "en", nil)]) throws {
        try f.addOrganization("acme", languages: ["en"], technologies: ["tls"], contacts: contacts)
        try f.caseBook.open(id: Self.caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["acme"])
        try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
    }

    func events(_ f: GatewayFixture, _ action: String) throws -> Int {
        try f.store.engine.read { try $0.value("SELECT COUNT(*) FROM event WHERE action = ?", action, as: Int.self) } ?? 0
    }

    func recipientStatuses(_ f: GatewayFixture) throws -> [String] {
        try f.store.engine.read { try $0.values("SELECT status FROM notificationRecipient ORDER BY email", as: String.self) }
    }

    /// Runs `body` on its own thread; `wait()` returns its result.
    final class Background<T: Sendable>: Sendable {
        private let result = Mutex<Result<T, any Error>?>(nil)
        private let done = DispatchSemaphore(value: 0)
        init(_ body: @escaping @Sendable () throws -> T) {
            Thread { [self] in
                let outcome = Result { try body() }
                result.withLock { $0 = outcome }
                done.signal()
            }.start()
        }
        func wait() throws -> T {
            done.wait()
            return try result.withLock { $0! }.get()
        }
    }

    @Test func aLeaseThatRunsOutWhileTheFirstWorkerStillSendsIsHeldNotSentTwice() throws {
        var options = SMTPSink.Options()
        options.dataReplyDelay = 0.2     // the first worker waits for its reply while its lease runs out
        let f = try GatewayFixture(sink: options)
        try acme(f)
        // The first worker records only once the second run is over, whatever the machine's speed.
        let secondDone = DispatchSemaphore(value: 0)
        let first = f.dispatcher { event in
            if case .answered = event { secondDone.wait() }
        }
        let firstRun = Background { try first.run() }
        try f.sink.waitForMessages(count: 1, timeout: 20)     // in flight: saved by the server, not yet recorded
        f.clock.advance(seconds: first.leaseDuration + 1)

        let second = try f.dispatcher().run()
        secondDone.signal()
        #expect(second.sent == 0, "the message in flight is not sent a second time")
        #expect(second.held.map(\.id) == [1])
        #expect(second.held.first?.reason.contains("liaison outbox release 1") == true)
        let firstSummary = try firstRun.wait()
        #expect(firstSummary.sent == 1, "the first worker still held the lease: its result is recorded and settles the hold")

        #expect(f.sink.messages().count == 1, "sent once")
        let row = try #require(try f.notifications().first)
        #expect(row.state == .sent && row.attempts == 1 && row.leaseOwner == nil)
        #expect(try Outbox(store: f.store).list(heldOnly: true).isEmpty)
        #expect(try events(f, "notification.held") == 1)
        #expect(try events(f, "notification.sent") == 1)
        #expect(try events(f, "participant.delivery") == 1)
    }

    @Test func aMessageDeliveredOverTwoAttemptsWritesItsSentEvent() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["secure@acme.example": ["451 4.7.1 Greylisted, try again", "550 5.1.1 No such user"]]
        let f = try GatewayFixture(sink: options)
        try acme(f, contacts: [("security@acme.example", "to", "en", nil), ("secure@acme.example", "to", "en", nil)])
        let dispatcher = f.dispatcher(maxAttempts: 5)
        #expect(try dispatcher.run().deferred == 1)
        #expect(try events(f, "notification.sent") == 0)
        f.clock.advance(seconds: 60)
        let second = try dispatcher.run()
        #expect(second.sent == 1 && second.recipientsRefused == 1)
        let row = try #require(try f.notifications().first)
        #expect(row.state == .sent && row.attempts == 2)
        #expect(try events(f, "notification.sent") == 1, "every transition into sent is in the log")
        #expect(try f.participant(Self.caseId, "acme").delivery == .notified)
    }

    @Test func oneRunTriesEachMessageOnce() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["security@acme.example": Array(repeating: "451 4.3.0 Try later", count: 5)]
        let f = try GatewayFixture(sink: options)
        try acme(f)
        // The clock jumps past the backoff while the run goes on: the message is still not tried twice.
        let clock = f.clock
        let dispatcher = f.dispatcher(maxAttempts: 8) { event in
            if case .answered = event { clock.advance(days: 1) }
        }
        let summary = try dispatcher.run()
        #expect(summary.deferred == 1 && summary.sent + summary.failed == 0)
        #expect(try f.notifications().first?.attempts == 1)
    }

    /// A refused login, an untrusted certificate, our sender refused: `send` stops and nothing changes.
    func expectNothingChanged(_ f: GatewayFixture, _ error: GatewayError?, mentioning text: String) throws {
        #expect(error == .smtpConfiguration)
        #expect(error?.description.contains(text) == true, "\(error?.description ?? "no error")")
        let row = try #require(try f.notifications().first)
        #expect(row.state == .queued && row.attempts == 0 && row.lastError == nil && row.leaseOwner == nil)
        #expect(try recipientStatuses(f).allSatisfy { $0 == "pending" })
        #expect(try f.bounceCount("security@acme.example") == 0)
        #expect(try f.participant(Self.caseId, "acme").delivery == .pending)
        #expect(try events(f, "notification.deferred") + events(f, "notification.failed") == 0)
        #expect(f.sink.messages().isEmpty)
    }

    @Test func aRefusedLoginChangesNothing() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        options.auth = (user: "gateway", password: "right")
        let f = try GatewayFixture(sink: options)
        try acme(f)
        var smtp = SMTPConfiguration(url: f.sink.url)
        smtp.caFile = f.sink.caFile
        smtp.username = "gateway"
        smtp.password = "wrong"
        let error = #expect(throws: GatewayError.self) { try f.dispatcher(smtp: smtp).run() }
        try expectNothingChanged(f, error, mentioning: "535")
        #expect(error?.description.contains("wrong") == false, "the password is never shown")
    }

    @Test func anUntrustedCertificateChangesNothing() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        let f = try GatewayFixture(sink: options)
        try acme(f)
        let smtp = SMTPConfiguration(url: f.sink.url)      // the sink's private CA is not trusted
        let error = #expect(throws: GatewayError.self) { try f.dispatcher(smtp: smtp).run() }
        try expectNothingChanged(f, error, mentioning: "certificate")
    }

    @Test func aRefusedSenderIsReportedWithTheServersReplyAndChangesNothing() throws {
        var options = SMTPSink.Options()
        options.mailReplies = ["553 5.7.1 Sender address rejected: not owned by user gateway"]
        let f = try GatewayFixture(sink: options)
        try acme(f)
        let error = #expect(throws: GatewayError.self) { try f.dispatcher().run() }
        try expectNothingChanged(f, error, mentioning: "553 5.7.1 Sender address rejected: not owned by user gateway")
    }

    /// Our relay refusing our sender for now (out of storage, a rate limit) refuses every message alike: the run
    /// stops and no attempt is used up, so the vendors never end undeliverable for it.
    @Test(arguments: ["452 4.3.1 Insufficient system storage", "451 4.7.1 Sender rate limit exceeded, try again later"])
    func aTemporaryRefusalOfOurSenderStopsAndChangesNothing(_ reply: String) throws {
        var options = SMTPSink.Options()
        options.mailReplies = [reply]
        let f = try GatewayFixture(sink: options)
        try acme(f)
        let error = #expect(throws: GatewayError.self) { try f.dispatcher().run() }
        try expectNothingChanged(f, error, mentioning: reply)
    }

    /// Our relay refusing our host, our sender or our session at RCPT, for each recipient, in the words of
    /// Postfix, Exim, Google's and Microsoft's relays: ours, never the recipients'.
    @Test(arguments: ["554 5.7.1 <unknown[127.0.0.1]>: Client host rejected: Access denied",
                      "530 5.7.0 Must issue a STARTTLS command first",
                      "550 Sender verify failed",
                      "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.",
                      "454 4.7.1 <security@acme.example>: Relay access denied"])
    func ourHostOrSenderRefusedAtEveryRecipientChangesNothing(_ reply: String) throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["security@acme.example": [reply]]
        let f = try GatewayFixture(sink: options)
        try acme(f)
        let error = #expect(throws: GatewayError.self) { try f.dispatcher().run() }
        try expectNothingChanged(f, error, mentioning: reply)
    }

    /// A relay that refuses the message's declared SIZE at MAIL FROM refuses this message only: it fails as a
    /// problem of ours, and the vendor is not blamed.
    @Test func aMessageRefusedForItsSizeAtMailFromFailsAloneWithoutBlamingTheVendor() throws {
        var options = SMTPSink.Options()
        options.mailReplies = ["552 5.3.4 Message size exceeds fixed maximum message size"]
        let f = try GatewayFixture(sink: options)
        try acme(f)
        #expect(try f.dispatcher().run().failed == 1)
        #expect(try f.notifications().first?.state == .failed)
        #expect(try f.bounceCount("security@acme.example") == 0)
        #expect(try f.participant(Self.caseId, "acme").delivery == .pending, "the vendor is not undeliverable")
    }

    @Test func aMessageRefusedByOurRelayFailsWithoutBlamingTheVendor() throws {
        var options = SMTPSink.Options()
        options.dataReplies = ["554 5.7.1 Message rejected by content policy"]
        let f = try GatewayFixture(sink: options)
        try acme(f)
        #expect(try f.dispatcher().run().failed == 1)
        let row = try #require(try f.notifications().first)
        #expect(row.state == .failed)
        #expect(row.lastError?.contains("554 5.7.1 Message rejected by content policy") == true)
        #expect(try f.bounceCount("security@acme.example") == 0, "our relay refused it: no bounce on the vendor's address")
        #expect(try f.participant(Self.caseId, "acme").delivery == .pending, "the vendor is not undeliverable")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func twoNotifyOfTheSameTemplateAtOnceQueueItOnce(_ engine: StoreEngineKind) throws {
        let f = try GatewayFixture(engine: engine)
        try f.addOrganization("acme", languages: ["en"], technologies: ["tls"], contacts: [("security@acme.example", "to", "en", nil)])
        try f.caseBook.open(id: Self.caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["acme"])
        let request = NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification)
        // Both have checked and signed before either writes: the check inside the write decides.
        let first = try f.composer.prepare(request)
        let second = try f.composer.prepare(request)
        try f.composer.persist(first)
        let error = #expect(throws: GatewayProblems.self) { try f.composer.persist(second) }
        // The first is queued, not sent: the refusal says so.
        #expect(error?.problems == ["vendor-initial for \(Self.caseId) is already queued for acme (not sent yet); it is sent once"])
        #expect(try f.notifications().count == 1)
        #expect(try events(f, "notification.queued") == 1)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aProblemWithALaterOrganisationRollsBackThoseAlreadyStored(_ engine: StoreEngineKind) throws {
        let f = try GatewayFixture(engine: engine)
        let vendors = (1...8).map { "vendor\($0)" }
        for vendor in vendors {
            // vendor6 has only a cc contact: nobody to address the notice to.
            let role = vendor == "vendor6" ? "cc" : "to"
            try f.addOrganization(vendor, languages: ["en"], technologies: ["tls"],
                                  contacts: [("security@\(vendor).example", role, "en", nil)])
        }
        try f.caseBook.open(id: Self.caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: vendors)
        let request = NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification)
        let error = #expect(throws: GatewayProblems.self) { try f.composer.queue(request) }
        #expect(error?.problems.count == 1 && error?.problems.first?.contains("vendor6") == true, "\(error?.problems ?? [])")
        #expect(try f.notifications().isEmpty, "nothing is queued, not even the vendors before vendor6")
        #expect(try events(f, "notification.queued") == 0)
    }

    // SQLite only: a single-connection database is SQLite's (PostgreSQL always has a pool).
    @Test func notifyOnASingleConnectionDatabaseQueuesEveryMessage() throws {
        let f = try GatewayFixture(singleConnection: true)
        let vendors = (1...4).map { "vendor\($0)" }
        for vendor in vendors {
            try f.addOrganization(vendor, languages: ["en"], technologies: ["tls"],
                                  contacts: [("security@\(vendor).example", "to", "en", nil)])
        }
        try f.caseBook.open(id: Self.caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: vendors)
        let queued = try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        #expect(queued.map(\.organizationId) == vendors)
        #expect(try f.notifications().map(\.organizationId) == vendors)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aBatchIsInFlightOneMessageAtATime(_ engine: StoreEngineKind) throws {
        let f = try GatewayFixture(engine: engine)
        let vendors = (1...3).map { "vendor\($0)" }
        for vendor in vendors {
            try f.addOrganization(vendor, languages: ["en"], technologies: ["tls"],
                                  contacts: [("security@\(vendor).example", "to", "en", nil)])
        }
        try f.caseBook.open(id: Self.caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: vendors)
        try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        let outbox = f.store.outbox
        let inFlight = { try f.store.engine.read { try $0.values("SELECT inFlight FROM notification ORDER BY id", as: Bool.self) } }
        let start = f.clock.now

        let batch = try outbox.claim(owner: "worker-a", lease: 600, limit: 3, at: start, dueBy: start, markInFlight: 1)
        #expect(batch.map(\.id) == [1, 2, 3])
        #expect(try inFlight() == [true, false, false], "only the message about to be sent")
        let accepted = DeliveryAttempt(recipients: [.init(email: batch[0].recipients[0], outcome: .accepted, code: 250,
                                                          reply: "250 2.0.0 Ok", summary: "accepted")])
        let recorded = try outbox.record([AnsweredAttempt(id: 1, attempt: accepted, at: start)], owner: "worker-a",
                                         maxAttempts: 8, actor: "test", markingInFlight: 2)
        #expect(recorded.first??.state == .sent)
        #expect(try inFlight() == [false, true, false], "recording one marks the next, in the same transaction")

        // The worker stops for good: after its lease, the message it was sending is held, the one it never
        // touched is claimed by the next run.
        let later = start.addingTimeInterval(601)
        #expect(try outbox.holdAbandonedInFlight(actor: "test", at: later).map(\.id) == [2])
        #expect(try outbox.claim(owner: "worker-b", lease: 600, limit: 3, at: later, dueBy: later).map(\.id) == [3])
    }

    @Test func theLoggedOutcomeReadsAsSwiftPrintsIt() {
        let outcomes: [RecipientOutcome] = [
            .accepted(code: 250, reply: "250 2.0.0 Ok: queued as 4F2C"),
            .transientFailure(code: 451, reply: "451 4.7.1 \"Greylisted\", try again\tlater"),
            .transientFailure(code: nil, reply: "connection refused — サーバー"),
            .permanentFailure(code: 550, reply: "550 5.1.1 <x@example.org>: \\ unknown\u{7}"),
        ]
        for outcome in outcomes { #expect(DeliveryAttempt.summary(outcome) == "\(outcome)") }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func recipientsThatChangedMeanwhileQueueNothing(_ engine: StoreEngineKind) throws {
        let f = try GatewayFixture(engine: engine)
        try f.addOrganization("acme", languages: ["en"], technologies: ["tls"], contacts: [("security@acme.example", "to", "en", nil)])
        try f.caseBook.open(id: Self.caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["acme"])
        let prepared = try f.composer.prepare(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))
        _ = try f.store.engine.write { try $0.execute("UPDATE contact SET active = 0 WHERE email = 'security@acme.example'") }
        #expect(throws: GatewayProblems.self) { try f.composer.persist(prepared) }
        #expect(try f.notifications().isEmpty)
    }

    // SQLite only: another process holding the file's write lock (PostgreSQL's writers lock rows, not the database).
    @Test func recordingWaitsWhileAnotherProcessHoldsTheDatabase() throws {
        let f = try GatewayFixture()
        try acme(f)
        // Our own connection gives up on a busy lock after 0.1 s, so the dispatcher's own waiting is what holds.
        var configuration = Configuration()
        configuration.busyMode = .timeout(0.1)
        let databasePath = f.folder.appendingPathComponent("registry.sqlite").path
        let pool = try DatabasePool(path: databasePath, configuration: configuration)
        let locker = try DatabaseLocker(path: databasePath)
        defer { locker.stop() }
        let waiting = DispatchSemaphore(value: 0)
        let dispatcher = f.dispatcher(outbox: OutboxStore(engine: SQLiteEngine(writer: pool))) { event in
            switch event {
            case .answered: try? locker.lock()                 // another process takes the write lock now
            case .waitingForDatabase: waiting.signal()
            default: break
            }
        }
        let run = Background { try dispatcher.run() }
        #expect(waiting.wait(timeout: .now() + 30) == .success, "the dispatcher says it waits for the database")
        try locker.release()
        let summary = try run.wait()
        #expect(summary.sent == 1)
        let row = try #require(try f.notifications().first)
        #expect(row.state == .sent && row.attempts == 1)
        #expect(try Outbox(store: f.store).list().first?.heldReason == nil)
        #expect(try events(f, "notification.sent") == 1)
        try f.sink.waitForMessages(count: 1)
    }
}

extension DispatchRecordTests {
    // SQLite only: a failing SQLite trigger stands in for a full disk.
    @Test func aDeliveryThatCannotBeRecordedIsHeldUntilReleased() throws {
        let f = try GatewayFixture()
        try acme(f)
        let engine = f.store.engine
        // Once the server has answered, recording the new state fails (as a full disk would make it).
        let dispatcher = f.dispatcher { event in
            if case .answered = event {
                _ = try? engine.write { session in
                    try session.execute("""
                        CREATE TRIGGER failing BEFORE UPDATE OF state ON notification
                        BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
                        """)
                }
            }
        }
        let error = #expect(throws: GatewayError.self) { try dispatcher.run() }
        #expect(error == .recordingFailed)
        #expect(error?.description.contains("liaison outbox release 1") == true, "\(error?.description ?? "")")
        try f.sink.waitForMessages(count: 1)
        let outbox = Outbox(store: f.store)
        #expect(try outbox.list(heldOnly: true).map(\.id) == [1])
        try f.store.engine.write { try $0.execute("DROP TRIGGER failing") }

        f.clock.advance(days: 1)      // long after the lease: still never taken without the operator
        let later = try f.dispatcher().run()
        #expect(later.sent + later.deferred + later.failed == 0)
        #expect(f.sink.messages().count == 1, "a held message is not sent again")

        #expect(try outbox.release(ids: [1]).count == 1)
        #expect(try f.dispatcher().run().sent == 1)
        #expect(try outbox.list(heldOnly: true).isEmpty)
        #expect(try events(f, "notification.held") == 1 && events(f, "notification.released") == 1)
    }
}

extension DispatchRecordTests {
    // SQLite only: a failing SQLite trigger stands in for a full disk.
    @Test func aDeliveryThatCanNeitherBeRecordedNorHeldIsHeldByTheNextRun() throws {
        let f = try GatewayFixture()
        try acme(f)
        let engine = f.store.engine
        // Once the server has answered, every change of the message fails (as a full disk would make it), the
        // hold that would keep a later run from sending it again included.
        let dispatcher = f.dispatcher { event in
            if case .answered = event {
                _ = try? engine.write { session in
                    try session.execute("""
                        CREATE TRIGGER failing BEFORE UPDATE ON notification
                        BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
                        """)
                }
            }
        }
        let error = #expect(throws: GatewayError.self) { try dispatcher.run() }
        #expect(error == .recordingFailed)
        #expect(error?.description.contains("could not be held either") == true, "\(error?.description ?? "")")
        try f.sink.waitForMessages(count: 1)
        let outbox = Outbox(store: f.store)
        #expect(try outbox.list(heldOnly: true).isEmpty, "the hold failed too")
        try f.store.engine.write { try $0.execute("DROP TRIGGER failing") }

        f.clock.advance(days: 1)      // long after the lease: the message is still marked in flight
        let later = try f.dispatcher().run()
        #expect(later.sent + later.deferred + later.failed == 0)
        #expect(later.held.map(\.id) == [1])
        #expect(f.sink.messages().count == 1, "a message that may have been delivered is not sent again")
        let held = try #require(try outbox.list(heldOnly: true).first)
        #expect(held.heldReason?.contains("a run stopped while sending it") == true)
        #expect(try f.dispatcher().run().held.isEmpty, "held once, not again by every run")

        #expect(try outbox.release(ids: [1]).count == 1)
        #expect(try f.dispatcher().run().sent == 1, "the operator's release sends it again")
        #expect(f.sink.messages().count == 2)
        #expect(try events(f, "notification.held") == 1 && events(f, "notification.released") == 1)
        #expect(try events(f, "notification.sent") == 1)
    }

    @Test func aConfigurationProblemLeavesNoMessageInFlight() throws {
        let f = try GatewayFixture()
        try acme(f)
        let closed = try LoopbackPort(listening: false)
        let refused = SMTPConfiguration(url: "smtp://127.0.0.1:\(closed.port)", tls: .none)
        let error = #expect(throws: GatewayError.self) { try f.dispatcher(smtp: refused).run() }
        #expect(error == .smtpConfiguration)
        f.clock.advance(days: 1)
        let later = try f.dispatcher().run()
        #expect(later.held.isEmpty && later.sent == 1, "given back untouched: the next run sends it")
    }
}

/// A second process (python3's sqlite3) holding the database's write lock until told to let go.
final class DatabaseLocker: @unchecked Sendable {
    // @unchecked: the pipes and process are set once in init; lock()/release() are called in turn by one test.
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    static let script = """
        import sqlite3, sys
        connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
        sys.stdin.readline()
        connection.execute("BEGIN IMMEDIATE")
        print("LOCKED", flush=True)
        sys.stdin.readline()
        connection.execute("COMMIT")
        print("RELEASED", flush=True)
        """

    init(path: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script, path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    /// Takes the write lock and returns once the process holds it.
    func lock() throws {
        input.fileHandleForWriting.write(Data("lock\n".utf8))
        try expectLine("LOCKED")
    }

    /// Commits and returns once the lock is gone.
    func release() throws {
        input.fileHandleForWriting.write(Data("release\n".utf8))
        try expectLine("RELEASED")
    }

    private func expectLine(_ expected: String) throws {
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text == expected else { throw SMTPSinkError("the database locker said \(text.debugDescription), not \(expected)") }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }
}
