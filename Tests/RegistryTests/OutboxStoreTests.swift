import Foundation
@testable import Registry
import TestSupport
import Testing

/// The outbox's rules on both engines: queued messages are claimed under a lease, recorded once, held when a run
/// stops mid-send, voided and queued again; several workers claiming at once lose nothing and send nothing twice;
/// the event chain they write verifies and seals the same on SQLite and PostgreSQL.
@Suite struct OutboxStoreTests {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    /// A registry on `kind` with `organizations` vendors, each with one `to` contact, and one queued incident notice
    /// to each (`m1@csirt.example`, `m2@…`, in order).
    static func outbox(_ kind: StoreEngineKind, organizations: Int) throws -> RegistryStore {
        let store = try StoreEngineTests.store(kind)
        var contacts: [Int64] = []
        try store.engine.write { session in
            for index in 1...organizations {
                try session.execute("""
                    INSERT INTO organization (id, name, kind, country, createdAt, updatedAt) VALUES (?, ?, 'product-developer', 'JP', ?, ?)
                    """, "vendor\(index)", "Vendor \(index)", start, start)
                contacts.append(try #require(try session.insert(Contact(organizationId: "vendor\(index)",
                                                                        email: "security@vendor\(index).example"))))
            }
        }
        let messages = (1...organizations).map { index in
            QueuedNotification(
                record: NotificationRecord(caseId: nil, organizationId: "vendor\(index)", purpose: .incident, incidentCategory: .scan,
                                           template: "incident", language: "en", messageId: "m\(index)@csirt.example",
                                           trackingRef: "T\(index)", subject: "Notice \(index)", mailFrom: "vuls@csirt.example",
                                           signed: true, encrypted: false, createdAt: start),
                bytes: Data("signed message \(index)\r\n".utf8) + Data((0..<300).map { UInt8($0 % 251) }),
                recipients: [.init(email: "security@vendor\(index).example", kind: .to, contactId: contacts[index - 1])])
        }
        try store.outbox.enqueue(messages, refuseRepeats: false, followUps: [], actor: "alice")
        return store
    }

    static func accepted(_ claimed: ClaimedNotification) -> DeliveryAttempt {
        DeliveryAttempt(recipients: claimed.recipients.map {
            .init(email: $0, outcome: .accepted, code: 250, reply: "250 2.0.0 Ok", summary: "accepted")
        })
    }

    static func events(_ store: RegistryStore, _ action: String) throws -> [Event] {
        try store.events.events(objectType: "notification", objectId: nil).filter { $0.action == action }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aClaimedMessageIsSentOnceWithItsExactBytes(_ kind: StoreEngineKind) throws {
        let store = try Self.outbox(kind, organizations: 2)
        let outbox = store.outbox
        #expect(try outbox.dueCount(at: Self.start) == 2)
        let claimed = try outbox.claim(owner: "worker-a", lease: 600, limit: 2, at: Self.start, dueBy: Self.start, markInFlight: 1)
        #expect(claimed.map(\.messageId) == ["m1@csirt.example", "m2@csirt.example"])
        #expect(claimed[0].recipients == ["security@vendor1.example"])
        #expect(claimed[0].bytes == (try outbox.bytes(messageId: "m1@csirt.example")))
        #expect(try outbox.claim(owner: "worker-b", lease: 600, limit: 2, at: Self.start, dueBy: Self.start).isEmpty,
                "leased rows are not claimed again")
        #expect(try outbox.renew(ids: claimed.map(\.id), owner: "worker-a", until: Self.start.addingTimeInterval(900))
                == Set(claimed.map(\.id)))
        #expect(try outbox.renew(ids: claimed.map(\.id), owner: "worker-b", until: Self.start.addingTimeInterval(900)).isEmpty)

        let answered = claimed.map { AnsweredAttempt(id: $0.id, attempt: Self.accepted($0), at: Self.start) }
        let recorded = try outbox.record(answered, owner: "worker-a", maxAttempts: 8, actor: "test", markingInFlight: nil)
        #expect(recorded.map { $0?.state } == [.sent, .sent])
        #expect(try outbox.record(answered, owner: "worker-a", maxAttempts: 8, actor: "test", markingInFlight: nil)
                .allSatisfy { $0 == nil }, "a second record of the same attempt changes nothing")
        #expect(try outbox.stateCounts() == [.sent: 2])
        let listed = try outbox.list(state: .sent)
        #expect(listed.map(\.messageId) == ["m1@csirt.example", "m2@csirt.example"])
        #expect(listed[0].recipients.map(\.status) == [.delivered])
        #expect(try Self.events(store, "notification.sent").count == 2)
        #expect(try store.events.verify() == .intact(count: 4))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aRunThatStopsMidSendHoldsWhatItWasSendingAndFreesTheRest(_ kind: StoreEngineKind) throws {
        let store = try Self.outbox(kind, organizations: 3)
        let outbox = store.outbox
        let batch = try outbox.claim(owner: "worker-a", lease: 600, limit: 3, at: Self.start, dueBy: Self.start, markInFlight: 1)
        #expect(batch.map(\.id) == [1, 2, 3])
        // The worker stops for good: after its lease, the message it was sending is held, the others claimed again.
        let later = Self.start.addingTimeInterval(601)
        #expect(try outbox.holdAbandonedInFlight(actor: "test", at: later).map(\.id) == [1])
        #expect(try outbox.claim(owner: "worker-b", lease: 600, limit: 3, at: later, dueBy: later).map(\.id) == [2, 3])
        #expect(try outbox.list(heldOnly: true).map(\.id) == [1])
        #expect(try outbox.releaseHeld(ids: [1], actor: "alice", at: later) == ["m1@csirt.example"])
        #expect(throws: StoreError.self) { try outbox.releaseHeld(ids: [1], actor: "alice", at: later) }
        #expect(try outbox.claim(owner: "worker-c", lease: 600, limit: 3, at: later, dueBy: later).map(\.id) == [1])
        #expect(try store.events.verify().isIntact)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aFailedMessageIsVoidedAndQueuedAgainWithItsBounceTakenBack(_ kind: StoreEngineKind) throws {
        let store = try Self.outbox(kind, organizations: 1)
        let outbox = store.outbox
        let claimed = try #require(try outbox.claim(owner: "w", lease: 600, limit: 1, at: Self.start, dueBy: Self.start).first)
        let refused = DeliveryAttempt(recipients: [.init(email: claimed.recipients[0], outcome: .permanent, code: 550,
                                                         reply: "550 5.7.1 relaying denied", summary: "refused")])
        #expect(try outbox.record(refused, id: claimed.id, owner: "w", maxAttempts: 8, actor: "test", at: Self.start)?.state == .failed)
        let bounces = { try store.engine.read { try $0.value("SELECT bounceCount FROM contact", as: Int.self) } }
        #expect(try bounces() == 1)
        let voided = try outbox.void(.failedSince(Self.start), reason: "our relay refused relaying", actor: "alice", at: Self.start)
        #expect(voided.map(\.previousState) == ["failed"])
        #expect(try bounces() == 0, "the bounce was ours, not the vendor's")
        #expect(try outbox.retry(ids: [claimed.id], actor: "alice", at: Self.start).map(\.previousState) == ["voided"])
        #expect(try outbox.stateCounts() == [.queued: 1])
        #expect(throws: StoreError.self) { try outbox.void(.ids([claimed.id]), reason: "again", actor: "alice", at: Self.start) }
        #expect(try store.events.verify().isIntact)
    }

    /// The concurrency harness: several workers, each with its own lease token, claim one message at a time and
    /// record it, all at once. Every message is sent exactly once: none left, none recorded twice.
    @Test(arguments: StoreEngineKind.allCases)
    func workersClaimingAtOnceLoseNothingAndDoubleNothing(_ kind: StoreEngineKind) throws {
        let messages = 120
        let store = try Self.outbox(kind, organizations: messages)
        let outbox = store.outbox
        let sent = SentLog()
        let failures = ErrorList()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let owner = "host:\(worker):worker"
            do {
                while true {
                    let batch = try outbox.claim(owner: owner, lease: 600, limit: 1 + worker % 2, at: Self.start,
                                                 dueBy: Self.start, markInFlight: 1)
                    if batch.isEmpty { break }
                    for (index, claimed) in batch.enumerated() {
                        sent.add(claimed.messageId)
                        let next = index + 1 < batch.count ? batch[index + 1].id : nil
                        let recorded = try outbox.record([AnsweredAttempt(id: claimed.id, attempt: Self.accepted(claimed), at: Self.start)],
                                                         owner: owner, maxAttempts: 8, actor: "worker \(worker)", markingInFlight: next)
                        if recorded.first??.state != .sent { failures.append(Lost(messageId: claimed.messageId)) }
                    }
                }
            } catch {
                failures.append(error)
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(sent.count == messages, "each message went out once")
        #expect(sent.distinct == messages, "no message went out twice")
        #expect(try outbox.stateCounts() == [.sent: messages], "none was lost")
        #expect(try Self.events(store, "notification.sent").count == messages)
        #expect(try store.events.verify() == .intact(count: 2 * messages))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theMailboxStateMovesOnlyForward(_ kind: StoreEngineKind) throws {
        let states = try StoreEngineTests.store(kind).mailboxStates
        let url = "imaps://ingest@127.0.0.1:993/INBOX"
        #expect(try states.resumePoint(mailboxURL: url, uidValidity: 7) == 0)
        try states.recordRead(mailboxURL: url, uidValidity: 7, uid: 5, at: Self.start)
        try states.recordRead(mailboxURL: url, uidValidity: 7, uid: 3, at: Self.start)
        #expect(try states.resumePoint(mailboxURL: url, uidValidity: 7) == 5, "a lower UID changes nothing")
        #expect(try states.resumePoint(mailboxURL: url, uidValidity: 8) == 0, "a new UIDVALIDITY reads again")
        try states.recordRead(mailboxURL: url, uidValidity: 8, uid: 2, at: Self.start)
        #expect(try states.state(mailboxURL: url) == MailboxState(mailboxURL: url, uidValidity: 8, lastUID: 2, updatedAt: Self.start))
        try states.rewind(mailboxURL: url, uidValidity: 8, to: 1, at: Self.start)
        #expect(try states.all().map(\.lastUID) == [1])
    }

    struct Lost: Error { let messageId: String }
}

/// The Message-IDs workers sent, from several threads.
final class SentLog: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String] = []
    func add(_ id: String) { lock.lock(); ids.append(id); lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return ids.count }
    var distinct: Int { lock.lock(); defer { lock.unlock() }; return Set(ids).count }
}
