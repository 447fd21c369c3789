import Foundation
@testable import Registry
import Testing
import TestSupport

/// The registry's answers behind the desk's directory and audit pages: an organisation's history with what it
/// answered and where that came from, the directory's key and bounce overview, the latest events; on both engines.
@Suite struct DeskQueriesTests {
    /// Three developers synced into a registry on `engine`; case `JVNVU#1` with all three, notified two days ago.
    private static func makeRegistry(_ engine: StoreEngineKind) throws -> (TemporaryWorkspace, RegistryStore) {
        let temp = try TemporaryWorkspace()
        for id in ["aozora", "kumo", "hoshi"] { try temp.writeOrganization(id, TemporaryWorkspace.organizationYAML(id: id)) }
        let store = engine == .sqlite ? try Workspace(root: temp.root).openStore(.init(creatingIfMissing: true))
            : try PostgresFixture.store()
        #expect(try DirectorySync(workspace: Workspace(root: temp.root), store: store, actor: "test").run().applied)
        let cases = store.cases
        let opened = Date().addingTimeInterval(-3 * 86_400)
        try cases.open(CaseRecord(id: "JVNVU#1", title: "TLS check", origin: "jvn-jp", openedAt: opened), actor: "alice")
        _ = try cases.addParticipants(caseId: "JVNVU#1", organizations: ["aozora", "kumo", "hoshi"], technologies: [], kind: nil,
                                      actor: "alice", at: opened)
        try store.engine.write { session in
            try session.execute("UPDATE participant SET delivery = 'notified', firstNotifiedAt = ?", Date().addingTimeInterval(-2 * 86_400))
        }
        return (temp, store)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func historySaysWhatWasAnsweredWhereItCameFromAndHowFast(_ engine: StoreEngineKind) throws {
        let (temp, store) = try Self.makeRegistry(engine)
        defer { temp.remove() }
        let cases = store.cases
        let answered = Date().addingTimeInterval(-86_400 - 3_600)
        try cases.setResponse(caseId: "JVNVU#1", organizationId: "aozora", response: .notAffected,
                              statement: "Our TLS stack is not affected.", at: answered, actor: "bob", source: "manual")
        try cases.setResponse(caseId: "JVNVU#1", organizationId: "kumo", response: .fixed, statement: nil, at: answered,
                              actor: "ingest", source: "reply <r1@kumo.example>")

        let aozora = try #require(try cases.history(organizationId: "aozora").first)
        #expect(aozora.response == .notAffected)
        #expect(aozora.statement == "Our TLS stack is not affected.")
        #expect(aozora.responseSource == "manual")
        #expect(aozora.responseSourceKind == .person)
        #expect(aozora.daysToRespond == 0)
        let notified = try #require(aozora.firstNotifiedAt)
        let seconds = try #require(aozora.firstResponseAt).timeIntervalSince(notified)
        #expect(abs(seconds - (86_400 - 3_600)) < 5)

        let kumo = try #require(try cases.history(organizationId: "kumo").first)
        #expect(kumo.responseSourceKind == .mail, "a reply not stored as verified is mail, not signed mail")
        #expect(kumo.responseSource == "reply <r1@kumo.example>")

        let hoshi = try #require(try cases.history(organizationId: "hoshi").first)
        #expect(hoshi.response == Response.none && hoshi.responseSource == nil && hoshi.responseSourceKind == nil && hoshi.statement == nil)
    }

    @Test func responseSourcesAreNamedAsAPersonReadsThem() {
        typealias Source = ProductStatement.Source
        #expect(Source.of(recorded: "manual", replySignature: nil) == .person)
        #expect(Source.of(recorded: "reply <a@b>", replySignature: .verified) == .signedMail)
        #expect(Source.of(recorded: "reply <a@b>", replySignature: .bad) == .mail)
        #expect(Source.of(recorded: "answer link", replySignature: nil) == .answerLink)
        #expect(Source.of(recorded: "CSAF VEX in reply <a@b>", replySignature: nil) == .vexFile)
        #expect(Source.of(recorded: "imported", replySignature: nil) == nil, "a source Liaison does not name is other")
        #expect(Source.allCases.map(\.code) == ["signed-mail", "mail", "answer-link", "vex", "person"],
                "the names `org show --format json` documents")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func directoryOverviewFlagsBouncesAndKeysPerOrganisation(_ engine: StoreEngineKind) throws {
        let (temp, store) = try Self.makeRegistry(engine)
        defer { temp.remove() }
        let now = Date()
        try store.engine.write { session in
            try session.execute("UPDATE contact SET bounceCount = 2, lastBounceAt = ? WHERE organizationId = 'kumo'", now)
            for (fingerprint, expires) in [("AAAA", now.addingTimeInterval(10 * 86_400)), ("BBBB", now.addingTimeInterval(-86_400))] {
                try session.execute("""
                    INSERT INTO key (fingerprint, armored, userIds, algorithm, createdAt, expiresAt, revoked)
                    VALUES (?, '', '[]', 'ed25519', ?, ?, 0)
                    """, fingerprint, now.addingTimeInterval(-400 * 86_400), expires)
            }
            try session.execute("UPDATE contact SET pgp = 'AAAA' WHERE organizationId = 'aozora'")
            try session.execute("UPDATE contact SET pgp = 'BBBB' WHERE organizationId = 'hoshi'")
        }
        let overview = Dictionary(uniqueKeysWithValues: try store.directory.overview(expiringWithin: 30, now: now)
            .map { ($0.organization.id, $0) })
        #expect(overview.keys.sorted() == ["aozora", "hoshi", "kumo"])
        #expect(overview["aozora"]?.expiringKeys == 1 && overview["aozora"]?.usableKeys == 0)
        #expect(overview["hoshi"]?.expiredKeys == 1)
        #expect(overview["kumo"]?.bouncingContacts == 1 && overview["kumo"]?.bounces == 2 && overview["kumo"]?.lastBounceAt != nil)
        #expect(overview["kumo"]?.usableKeys == 0 && overview["kumo"]?.missingKeys == 0, "a contact without a key has none to flag")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func latestEventsComeNewestFirstWithTheirActors(_ engine: StoreEngineKind) throws {
        let (temp, store) = try Self.makeRegistry(engine)
        defer { temp.remove() }
        try store.cases.setResponse(caseId: "JVNVU#1", organizationId: "aozora", response: .fixed, statement: nil,
                                         at: Date(), actor: "carol", source: "manual")
        let events = try store.events.latest(limit: 2)
        #expect(events.count == 2)
        #expect(events[0].id > events[1].id)
        #expect(events[0].actor == "carol" && events[0].action == "participant.response")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theCaseMatrixIsShowActivityAndTimelineReadAtOnce(_ engine: StoreEngineKind) throws {
        let (temp, store) = try Self.makeRegistry(engine)
        defer { temp.remove() }
        let cases = store.cases
        try cases.setResponse(caseId: "JVNVU#1", organizationId: "aozora", response: .notAffected, statement: "not affected",
                              at: Date().addingTimeInterval(-3_600), actor: "bob", source: "manual")
        try cases.setResponse(caseId: "JVNVU#1", organizationId: "kumo", response: .acknowledged, statement: nil,
                              at: Date().addingTimeInterval(-1_800), actor: "ingest", source: "reply <r1@kumo.example>")
        try cases.setResponse(caseId: "JVNVU#1", organizationId: "kumo", response: .fixed, statement: "fixed in 2.1",
                              at: Date(), actor: "carol", source: "manual")
        let now = Date()
        let matrix = try cases.matrix(caseId: "JVNVU#1", timelineLimit: 3)
        let shown = try cases.show(caseId: "JVNVU#1", now: now)
        let activity = try cases.activity(caseId: "JVNVU#1")
        #expect(matrix.record == shown.record)
        #expect(matrix.participants.map(\.organizationId) == shown.participants.map(\.record.organizationId))
        #expect(matrix.participants.map(\.organizationName) == ["Company aozora", "Company hoshi", "Company kumo"])
        for (row, status) in zip(matrix.participants, shown.participants) {
            #expect(row.delivery == status.record.delivery && row.response == status.record.response)
            #expect(row.statement == status.record.statement && row.firstNotifiedAt == status.record.firstNotifiedAt)
            #expect(row.reminderCount == status.record.reminderCount && row.escalated == (status.record.escalatedAt != nil))
            #expect(row.unreachable == (status.record.unreachableAt != nil) && row.verifiedReply == status.verifiedReply)
            #expect(row.products == status.products && row.automaticReplies == status.automaticReplies)
            #expect(row.activity == activity[row.organizationId] ?? ParticipantActivity())
        }
        #expect(matrix.participants.last?.activity.responseSource == "manual" && matrix.participants.last?.activity.responseActor == "carol",
                "the latest response's source and actor")
        #expect(matrix.timeline == (try cases.timeline(caseId: "JVNVU#1", limit: 3)))
        #expect(matrix.timeline.count == 3, "the three latest events")
        #expect(matrix.timeline.first?.actor == "carol", "newest first: carol's fixed comes first")
        #expect(matrix.timeline.map(\.id) == matrix.timeline.map(\.id).sorted(by: >), "newest first")
        #expect(throws: StoreError.unknownCase) { try cases.matrix(caseId: "JVNVU#2", timelineLimit: 3) }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func participantsReadByPositionAreTheRecordsReadByName(_ engine: StoreEngineKind) throws {
        let (temp, store) = try Self.makeRegistry(engine)
        defer { temp.remove() }
        let cases = store.cases
        var generator = SystemRandomNumberGenerator()
        // Instants between 1901 and 2100, to the millisecond as the store keeps them, in every date column.
        func instant() -> Date {
            Date(timeIntervalSince1970: Double(Int64.random(in: -2_170_000_000_000...4_100_000_000_000, using: &generator)) / 1_000)
        }
        for _ in 0..<200 {
            try store.engine.write { session in
                for org in ["aozora", "kumo", "hoshi"] {
                    try session.execute("""
                        UPDATE participant SET addedAt = ?, firstNotifiedAt = ?, firstResponseAt = ?, respondedAt = ?,
                               lastRemindedAt = ?, escalatedAt = ?, unreachableAt = ?, reminderCount = ?
                        WHERE organizationId = ?
                        """, instant(), instant(), Bool.random() ? instant() : nil, instant(), instant(),
                        Bool.random() ? instant() : nil, instant(), Int.random(in: 0...2), org)
                }
            }
            let decoded = try store.engine.read { session in
                try session.records(ParticipantRecord.self, "SELECT * FROM participant WHERE caseId = ? ORDER BY organizationId", "JVNVU#1")
            }
            let read = try cases.show(caseId: "JVNVU#1", now: Date()).participants.map(\.record)
            #expect(read == decoded)
            // The matrix reads its own narrow columns: the same instants as the records.
            let matrix = try cases.matrix(caseId: "JVNVU#1", timelineLimit: 1).participants
            #expect(matrix.map(\.firstNotifiedAt) == decoded.map(\.firstNotifiedAt))
            #expect(matrix.map(\.escalated) == decoded.map { $0.escalatedAt != nil })
            #expect(matrix.map(\.reminderCount) == decoded.map(\.reminderCount))
            if read != decoded || matrix.map(\.firstNotifiedAt) != decoded.map(\.firstNotifiedAt) { break }
        }
    }
}
