import Foundation
@testable import Registry
import TestSupport
import Testing

/// Recording a group commit's answers one message at a time (`OutboxStore.record` of one attempt, the rules' plain
/// form) and as a group commit does on both engines — the whole group in a few statements, on PostgreSQL with the
/// events chained by the server (`OutboxStore.recordTogether`) — leave the same rows and write
/// the same events in the same order, whatever the answers: delivered, deferred, refused for good (a bounce on the
/// contact), refused as a whole by our relay (no bounce, the participant not moved), a `cc` delivered beside a `to`
/// refused, two messages to one participant in one group, a lease another worker took over, attempts used up.
@Suite struct GroupRecordingTests {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)
    static let caseId = "JVNVU#12345678"

    /// Vendors 1…8 on `kind`, each with a `to` contact (vendor 5 also a `cc` one), all participants of one case, and
    /// one queued case notification each, vendor 6 two.
    static func registry(_ kind: StoreEngineKind) throws -> RegistryStore {
        let store = try PostgresFixture.store(kind)
        var contacts: [String: Int64] = [:]
        try store.engine.write { session in
            try session.execute(#"INSERT INTO "case" (id, title, origin, openedAt) VALUES (?, 'Title', 'jvn-jp', ?)"#, caseId, start)
            for index in 1...8 {
                let id = "vendor\(index)"
                try session.execute("""
                    INSERT INTO organization (id, name, kind, country, createdAt, updatedAt) VALUES (?, ?, 'product-developer', 'JP', ?, ?)
                    """, id, "Vendor \(index)", start, start)
                contacts["security@\(id).example"] = try #require(try session.insert(Contact(organizationId: id, email: "security@\(id).example")))
                try session.execute("INSERT INTO participant (caseId, organizationId, addedAt) VALUES (?, ?, ?)", caseId, id, start)
            }
            contacts["cc@vendor5.example"] = try #require(try session.insert(Contact(organizationId: "vendor5", email: "cc@vendor5.example", role: .cc)))
        }
        var messages: [QueuedNotification] = []
        for (number, vendor) in [1, 2, 3, 4, 5, 6, 6, 7, 8].enumerated() {
            var recipients: [QueuedNotification.Recipient] = [.init(email: "security@vendor\(vendor).example", kind: .to,
                                                                    contactId: contacts["security@vendor\(vendor).example"])]
            if vendor == 5 { recipients.append(.init(email: "cc@vendor5.example", kind: .cc, contactId: contacts["cc@vendor5.example"])) }
            messages.append(QueuedNotification(
                record: NotificationRecord(caseId: caseId, organizationId: "vendor\(vendor)", purpose: number == 6 ? .reminder : .caseNotification,
                                           incidentCategory: nil, template: "vendor-initial", language: "ja",
                                           messageId: "m\(number + 1)@csirt.example", trackingRef: "T\(number + 1)", subject: "Notice",
                                           mailFrom: "vuls@csirt.example", signed: true, encrypted: false, createdAt: start),
                bytes: Data("message \(number + 1)\r\n".utf8), recipients: recipients))
        }
        try store.outbox.enqueue(messages, refuseRepeats: false, followUps: [], actor: "alice")
        return store
    }

    static func recipient(_ email: String, _ outcome: DeliveryAttempt.Outcome) -> DeliveryAttempt.Recipient {
        switch outcome {
        case .accepted: return .init(email: email, outcome: .accepted, code: 250, reply: "250 2.0.0 Ok", summary: "accepted")
        case .transient: return .init(email: email, outcome: .transient, code: 451, reply: "451 4.7.1 try later", summary: "later")
        // Text the server chains as the client does: non-ASCII, quotes, a backslash, a tab, an emoji.
        case .permanent: return .init(email: email, outcome: .permanent, code: 550, reply: "550 5.1.1 <\(email)>: 宛先不明 \"no such user\" \\ \t 📮",
                                      summary: "permanentFailure(code: 550, reply: \"宛先不明 \\\"x\\\"\")")
        }
    }

    /// Claims every message for worker `w`, records one group of answers (one of them under a lease `w` no longer
    /// holds), a second whose refusals count as bounces, then a third whose message has used up its attempts.
    /// `together` records the groups as a group commit does (`OutboxStoring.record(_:maxAttempts:actor:)`); otherwise
    /// each answer and mark by itself, in order, in one transaction per group.
    static func record(_ store: RegistryStore, together: Bool) throws -> [String] {
        let claimed = try store.outbox.claim(owner: "w", lease: 600, limit: 20, at: start, dueBy: start, markInFlight: 20)
        #expect(claimed.count == 9)
        // Message 8's lease was taken over by another worker meanwhile.
        try store.engine.write { try $0.execute("UPDATE notification SET leaseOwner = 'v' WHERE messageId = 'm8@csirt.example'") }
        let at = start.addingTimeInterval(5)
        func answered(_ number: Int, _ recipients: [DeliveryAttempt.Recipient], refusedByRelay: Bool = false) -> AnsweredAttempt {
            AnsweredAttempt(id: claimed[number - 1].id,
                            attempt: DeliveryAttempt(recipients: recipients, messageError: refusedByRelay ? "554 5.7.1 relay refused the message" : nil,
                                                     refusedByRelay: refusedByRelay),
                            at: at.addingTimeInterval(Double(number)))
        }
        // The first group has nothing but rows of its own to change (on PostgreSQL, one statement with the events);
        // the second changes contacts (bounces), the third gives up on a message's other recipients.
        let first = [
            RecordingShare(owner: "w", answered: [
                answered(1, [recipient("security@vendor1.example", .accepted)]),
                answered(2, [recipient("security@vendor2.example", .transient)]),
                answered(4, [recipient("security@vendor4.example", .permanent)], refusedByRelay: true),
                answered(6, [recipient("security@vendor6.example", .transient)]),
                answered(7, [recipient("security@vendor6.example", .accepted)]),
            ], markingInFlight: []),
            RecordingShare(owner: "w", answered: [answered(8, [recipient("security@vendor7.example", .accepted)])],
                           markingInFlight: [claimed[8].id]),
        ]
        let second = [RecordingShare(owner: "w", answered: [
            answered(3, [recipient("security@vendor3.example", .permanent)]),
            answered(5, [recipient("security@vendor5.example", .permanent), recipient("cc@vendor5.example", .accepted)]),
        ], markingInFlight: [])]
        let third = [RecordingShare(owner: "w", answered: [answered(9, [recipient("security@vendor8.example", .transient)])],
                                    markingInFlight: [])]
        var lines: [String] = []
        for (shares, maxAttempts) in [(first, 8), (second, 8), (third, 1)] {
            let results = try together
                ? store.outbox.record(shares, maxAttempts: maxAttempts, actor: "bob")
                : store.engine.write { session in
                    try shares.map { share in
                        RecordedShare(recorded: try share.answered.map {
                                          try OutboxStore.record(session, $0.attempt, id: $0.id, owner: share.owner, maxAttempts: maxAttempts,
                                                                 actor: "bob", at: $0.at)
                                      },
                                      marked: Set(try share.markingInFlight.filter { try OutboxStore.markInFlight(session, id: $0, owner: share.owner) }))
                    }
                }
            lines += results.map { "recorded \($0.recorded.map { $0.map { "\($0.state.rawValue)/\($0.refused)" } ?? "nil" }) marked \($0.marked.sorted())" }
        }
        #expect(try store.events.verify().isIntact)
        return lines + (try snapshot(store))
    }

    /// What a person would see of the outcome: the messages, recipients, participants, contacts and the events (all but
    /// the time each was written), in order.
    static func snapshot(_ store: RegistryStore) throws -> [String] {
        try store.engine.read { session in
            func lines(_ sql: String) throws -> [String] {
                try session.rows(sql, []).map { row in
                    row.values.map { value -> String in
                        switch value {
                        case .null: return "NULL"
                        case .integer(let number): return String(number)
                        case .real(let number): return String(number)
                        case .text(let text): return text
                        case .blob(let bytes): return bytes.map { String(format: "%02x", $0) }.joined()
                        }
                    }.joined(separator: " | ")
                }
            }
            return try lines("""
                SELECT messageId, state, attempts, nextAttemptAt, sentAt, lastError, relayRefused, leaseOwner, inFlight, heldReason
                FROM notification ORDER BY id
                """)
                + lines("SELECT notificationId, email, kind, status, smtpCode, smtpReply, updatedAt FROM notificationRecipient ORDER BY notificationId, email")
                + lines("SELECT organizationId, delivery, firstNotifiedAt FROM participant ORDER BY organizationId")
                + lines("SELECT email, bounceCount, lastBounceAt FROM contact ORDER BY email")
                + lines("SELECT id, actor, action, objectType, objectId, data FROM event ORDER BY id")
        }
    }

    @Test func bothWaysLeaveTheSameRowsAndEventsOnBothEngines() throws {
        let oneAtATime = try Self.record(try Self.registry(.sqlite), together: false)
        let togetherOnSQLite = try Self.record(try Self.registry(.sqlite), together: true)
        let onPostgreSQL = try Self.record(try Self.registry(.postgresql), together: true)
        #expect(togetherOnSQLite == oneAtATime)
        #expect(onPostgreSQL == oneAtATime)
        // What the rules say, as a person reads it.
        #expect(oneAtATime[0] == "recorded [\"sent/0\", \"deferred/0\", \"failed/1\", \"deferred/0\", \"sent/0\"] marked []")
        #expect(oneAtATime[1] == "recorded [\"nil\"] marked [9]", "the lease of message 8 was taken over: not recorded")
        #expect(oneAtATime[2] == "recorded [\"failed/1\", \"sent/1\"] marked []")
        #expect(oneAtATime[3] == "recorded [\"failed/0\"] marked []")
        let participants = oneAtATime.filter { $0.hasPrefix("vendor") && $0.contains(" | ") && !$0.contains("@") }
        #expect(participants.map { $0.components(separatedBy: " | ").prefix(2).joined(separator: " ") } == [
            "vendor1 notified", "vendor2 pending", "vendor3 undeliverable", "vendor4 pending", "vendor5 undeliverable",
            "vendor6 notified", "vendor7 pending", "vendor8 undeliverable",
        ])
        #expect(oneAtATime.contains { $0.hasPrefix("m9@csirt.example | failed | 1") && $0.contains("gave up after 1 attempts") })
        #expect(oneAtATime.contains { $0.hasPrefix("security@vendor3.example | 1") }, "a bounce on the contact refused for good")
        #expect(oneAtATime.contains { $0.hasPrefix("security@vendor4.example | 0") }, "no bounce when our relay refused the message")
    }
}
