import Foundation
@testable import Registry
import TestSupport
import Testing

/// The case, answer-link and user stores give the same answers on SQLite and PostgreSQL: what a coordinator sees in
/// `case list`, `case show`, `org show`, the desk's case page, reminders, corrections, import, export and the answer
/// form, and the events each change writes.
@Suite struct CaseStoreTests {
    static let caseId = "JVNVU#12345678"
    static let opened = Date(timeIntervalSince1970: 1_780_000_000.25)

    /// A registry on `kind` with four organisations (two TLS developers, one retired, one CSIRT), no case yet.
    static func registry(_ kind: StoreEngineKind) throws -> RegistryStore {
        let store = try StoreEngineTests.store(kind)
        try store.engine.write { session in
            for organization in [
                Organization(id: "aozora", name: "Aozora Soft", kind: .productDeveloper, country: "JP", technologies: ["tls", "dns"]),
                Organization(id: "kumo", name: "Kumo Systems", kind: .productDeveloper, country: "JP", technologies: ["tls"]),
                Organization(id: "hoshi", name: "Hoshi Retired", kind: .productDeveloper, country: "JP", technologies: ["tls"],
                             status: .retired),
                Organization(id: "jpcert", name: "JPCERT/CC", kind: .nationalCSIRT, country: "JP"),
            ] { try session.insert(organization) }
        }
        return store
    }

    /// `registry` with the case opened and aozora and kumo notified a day after it opened.
    static func notifiedCase(_ kind: StoreEngineKind) throws -> RegistryStore {
        let store = try registry(kind)
        try store.cases.open(CaseRecord(id: caseId, title: "TLS check", origin: "jvn-jp", openedAt: opened, due: CalendarDate("2026-07-01")),
                             actor: "alice")
        _ = try store.cases.addParticipants(caseId: caseId, organizations: [], technologies: ["tls"], kind: nil, actor: "alice",
                                            at: opened)
        try store.engine.write { session in
            try session.execute("UPDATE participant SET delivery = 'notified', firstNotifiedAt = ?", opened.addingTimeInterval(86_400))
        }
        return store
    }

    static func actions(_ store: RegistryStore) throws -> [String] {
        try store.engine.read { try $0.values("SELECT action FROM event ORDER BY id", as: String.self) }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func openingAddingAndListingACase(_ kind: StoreEngineKind) throws {
        let store = try Self.registry(kind)
        let cases = store.cases
        try cases.open(CaseRecord(id: Self.caseId, title: "TLS check", origin: "jvn-jp", openedAt: Self.opened, tlp: .amber),
                       actor: "alice")
        #expect(throws: StoreError.caseExists) {
            try cases.open(CaseRecord(id: Self.caseId, title: "again", origin: "jvn-jp", openedAt: Self.opened), actor: "alice")
        }
        #expect(try cases.existing(Self.caseId).tlp == .amber)
        #expect(try cases.existing(Self.caseId).openedAt == Self.opened, "the opening instant, to the millisecond")
        #expect(throws: StoreError.unknownCase) { try cases.existing("JVNVU#12345679") }
        #expect(try cases.record("nope") == nil)

        #expect(throws: StoreError.unknownOrganization) {
            try cases.addParticipants(caseId: Self.caseId, organizations: ["aozora", "hoshi", "nobody"], technologies: [], kind: nil,
                                      actor: "alice", at: Self.opened)
        }
        #expect(try cases.participantIds(caseId: Self.caseId).isEmpty, "one refused organisation adds none")
        let added = try cases.addParticipants(caseId: Self.caseId, organizations: ["jpcert"], technologies: ["tls"], kind: nil,
                                              actor: "alice", at: Self.opened)
        #expect(added == ["jpcert", "aozora", "kumo"], "the active TLS developers, the retired one left out")
        #expect(try cases.addParticipants(caseId: Self.caseId, organizations: ["kumo"], technologies: [], kind: nil,
                                          actor: "alice", at: Self.opened).isEmpty, "a participant is added once")
        #expect(try cases.participantIds(caseId: Self.caseId) == ["aozora", "jpcert", "kumo"])
        #expect(try cases.participant(caseId: Self.caseId, organizationId: "kumo")?.delivery == .pending)

        try cases.setResponse(caseId: Self.caseId, organizationId: "aozora", response: .notAffected, statement: "No TLS here.",
                              at: Self.opened.addingTimeInterval(3_600), actor: "bob", source: "manual")
        let listed = try #require(try cases.list(openOnly: true).first)
        #expect(listed.record.id == Self.caseId && listed.participants == 3 && listed.responded == 1 && listed.stated == 1)
        #expect(listed.notified == 0 && listed.noAnswer == 0 && listed.acknowledged == 0)
        #expect(try Self.actions(store) == ["case.opened", "participant.added", "participant.added", "participant.added",
                                            "participant.products", "participant.response"])

        try cases.publish(caseId: Self.caseId, at: Self.opened.addingTimeInterval(86_400), actor: "alice", dates: .utc,
                          tlp: .clear, advisoryURL: "https://jvn.jp/vu/JVNVU12345678/")
        #expect(try cases.list(openOnly: true).isEmpty)
        let published = try cases.existing(Self.caseId)
        #expect(published.tlp == .clear && published.advisoryURL == "https://jvn.jp/vu/JVNVU12345678/")
        #expect(throws: StoreError.alreadyPublished) {
            try cases.publish(caseId: Self.caseId, at: Date(), actor: "alice")
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func responsesShowInTheCaseTheMatrixAndTheOrganisationsHistory(_ kind: StoreEngineKind) throws {
        let store = try Self.notifiedCase(kind)
        let cases = store.cases
        let replied = Self.opened.addingTimeInterval(2 * 86_400)
        try store.engine.write { session in
            try session.execute("""
                INSERT INTO inboundMessage (messageId, receivedAt, kind, caseId, organizationId, signature, encrypted, bytes,
                                            appliedResponse, signedForCase)
                VALUES ('r1@kumo.example', ?, 'reply', ?, 'kumo', 'verified', 0, ?, 'fixed', 1)
                """, replied, Self.caseId, Data("reply".utf8))
        }
        try cases.setResponse(caseId: Self.caseId, organizationId: "kumo", response: .fixed, statement: "Fixed in 2.1.",
                              at: replied, actor: "ingest", source: "reply r1@kumo.example")
        try cases.setResponse(caseId: Self.caseId, organizationId: "aozora", response: .acknowledged, statement: nil,
                              at: replied, actor: "carol", source: "manual")
        #expect(throws: StoreError.notParticipant) {
            try cases.setResponse(caseId: Self.caseId, organizationId: "jpcert", response: .fixed, statement: nil, at: replied,
                                  actor: "carol", source: "manual")
        }

        let detail = try cases.show(caseId: Self.caseId, now: Self.opened.addingTimeInterval(5 * 86_400))
        #expect(detail.participants.map(\.record.organizationId) == ["aozora", "kumo"])
        let kumo = try #require(detail.participants.last)
        #expect(kumo.organizationName == "Kumo Systems" && kumo.verifiedReply, "signed for the case by the organisation's key")
        #expect(kumo.daysToRespond == 1 && kumo.daysWaiting == nil)
        #expect(kumo.allProducts?.status == .fixed && kumo.allProducts?.source == .person)
        #expect(detail.participants.first?.daysToRespond == 1 && detail.participants.first?.verifiedReply == false)

        let matrix = try cases.matrix(caseId: Self.caseId, timelineLimit: 2)
        #expect(matrix.participants.map(\.organizationId) == ["aozora", "kumo"])
        let kumoRow = try #require(matrix.participants.last)
        #expect(kumoRow.activity.lastIn == replied)
        #expect(kumoRow.activity.responseSource == "reply r1@kumo.example" && kumoRow.activity.responseActor == "ingest")
        #expect(kumoRow.verifiedReply && kumoRow.response == .fixed && kumoRow.statement == "Fixed in 2.1.")
        #expect(matrix.participants.first?.activity.responseActor == "carol")
        #expect(matrix.timeline.map(\.action) == ["participant.response", "participant.response"])
        #expect(matrix.timeline == (try cases.timeline(caseId: Self.caseId, limit: 2)))
        #expect(try cases.timeline(caseId: Self.caseId).count == 6, "opened, two added, kumo's statement and response, aozora's response")

        let history = try #require(try cases.history(organizationId: "kumo").first)
        #expect(history.response == .fixed && history.statement == "Fixed in 2.1." && history.daysToRespond == 1)
        #expect(history.responseSource == "reply r1@kumo.example" && history.responseSourceKind == .signedMail)
        #expect(try cases.history(organizationId: "aozora").first?.responseSourceKind == .person)
        #expect(try cases.history(organizationId: "jpcert").isEmpty)
        #expect(try cases.productStatements(caseId: Self.caseId, organizationId: nil).map(\.organizationId) == ["kumo"])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theReminderLadderFindsWhoWaitsAndMarksTheUnreachableOnce(_ kind: StoreEngineKind) throws {
        let store = try Self.notifiedCase(kind)
        let cases = store.cases
        let later = Self.opened.addingTimeInterval(10 * 86_400)
        #expect(try cases.dueForReminder(caseId: Self.caseId, cutoff: later, today: CalendarDate("2026-06-01")!) == ["aozora", "kumo"])
        try cases.setResponse(caseId: Self.caseId, organizationId: "kumo", response: .acknowledged, statement: nil, at: later,
                              actor: "carol", source: "manual")
        #expect(try cases.dueForReminder(caseId: Self.caseId, cutoff: later, today: CalendarDate("2026-06-01")!) == ["aozora", "kumo"],
                "acknowledged, and the due day not past")
        #expect(try cases.dueForReminder(caseId: Self.caseId, cutoff: later, today: CalendarDate("2026-07-02")!) == ["aozora"])
        try store.engine.write { try CaseStore.recordReminder($0, caseId: Self.caseId, organizationId: "aozora", at: later) }
        #expect(try cases.dueForReminder(caseId: Self.caseId, cutoff: later.addingTimeInterval(-1), today: CalendarDate("2026-07-02")!).isEmpty)

        let waiting = try cases.waitingParticipants()
        #expect(waiting.map(\.organizationId) == ["aozora", "kumo"])
        let aozora = try #require(waiting.first)
        #expect(aozora.reminderCount == 1 && aozora.lastRemindedAt == later && aozora.due == CalendarDate("2026-07-01"))
        #expect(try cases.markUnreachable(aozora, at: later, actor: "policy"))
        #expect(try !cases.markUnreachable(aozora, at: later, actor: "policy"), "marked once")
        #expect(try cases.waitingParticipants(caseId: Self.caseId).map(\.organizationId) == ["kumo"])
        try cases.setResponse(caseId: Self.caseId, organizationId: "aozora", response: .affected, statement: nil, at: later,
                              actor: "carol", source: "manual")
        #expect(try cases.participant(caseId: Self.caseId, organizationId: "aozora")?.unreachableAt == nil, "a response clears it")
        #expect(try Self.actions(store).suffix(3) == ["participant.products", "participant.reachable", "participant.response"])
        #expect(try cases.openCaseIds() == [Self.caseId])
        #expect(try cases.notifiedParticipants(caseId: Self.caseId) == ["aozora", "kumo"])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func correctionsChangeTheCaseWithTheirEvents(_ kind: StoreEngineKind) throws {
        let store = try Self.notifiedCase(kind)
        let cases = store.cases
        let now = Self.opened.addingTimeInterval(3 * 86_400)
        #expect(try cases.setDue(caseId: Self.caseId, to: CalendarDate("2026-08-01")!, at: now, actor: "alice") == CalendarDate("2026-07-01"))
        #expect(try cases.setTLP(caseId: Self.caseId, to: .red, at: now, actor: "alice") == nil)
        try cases.setTitles(caseId: Self.caseId, title: nil, titleJa: "TLS 検証", at: now, actor: "alice")
        var record = try cases.existing(Self.caseId)
        #expect(record.due == CalendarDate("2026-08-01") && record.tlp == .red && record.title == "TLS check" && record.titleJa == "TLS 検証")

        let withdrawal = try cases.withdraw(caseId: Self.caseId, reason: "opened by mistake", at: now, actor: "alice")
        #expect(withdrawal.cancelled.isEmpty)
        #expect(throws: StoreError.invalidArgument) { try cases.setTLP(caseId: Self.caseId, to: .green, at: now, actor: "alice") }
        #expect(try cases.openCaseIds().isEmpty)
        try cases.reopen(caseId: Self.caseId, at: now, actor: "alice")
        record = try cases.existing(Self.caseId)
        #expect(record.withdrawnAt == nil && record.withdrawnReason == nil)
        #expect(throws: StoreError.invalidArgument) { try cases.reopen(caseId: Self.caseId, at: now, actor: "alice") }
        #expect(try Self.actions(store).suffix(5) == ["case.due-changed", "case.tlp-changed", "case.title-changed", "case.withdrawn",
                                                      "case.reopened"])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func importIsAllOrNothingAndAgainChangesNothing(_ kind: StoreEngineKind) throws {
        let store = try Self.registry(kind)
        let file = """
            id,title,origin,opened,published,due,participants
            JVNVU#1,Old TLS,jvn-jp,2007-07-02,2007-08-01,,aozora kumo
            VU#2,DNS,cert-cc,2007-08-10,,2007-12-01,aozora
            """
        let imported = try CaseImportFile.parse(file, file: "past.csv", timeZone: TimeZone(identifier: "Asia/Tokyo")!)
        let outcome = try store.cases.importCases(imported, file: "past.csv", actor: "alice")
        #expect(outcome == CaseImportOutcome(added: 2, unchanged: 0, participantsAdded: 3))
        #expect(try store.cases.importCases(imported, file: "past.csv", actor: "alice")
                == CaseImportOutcome(added: 0, unchanged: 2, participantsAdded: 0))
        let wrong = try CaseImportFile.parse(file.replacingOccurrences(of: "aozora kumo", with: "aozora nobody"), file: "past.csv",
                                             timeZone: TimeZone(identifier: "Asia/Tokyo")!)
        #expect(throws: RegistryError.self) { try store.cases.importCases(wrong, file: "past.csv", actor: "alice") }
        #expect(try store.cases.list(openOnly: false).map(\.record.id) == ["VU#2", "JVNVU#1"])

        let snapshot = try #require(try store.cases.exportSnapshot(caseId: "JVNVU#1", publisherId: "jpcert"))
        #expect(snapshot.participants.map(\.organization.name) == ["Aozora Soft", "Kumo Systems"])
        #expect(snapshot.events.map(\.action) == ["case.opened", "case.published", "participant.added", "participant.added"])
        #expect(snapshot.publisher?.id == "jpcert")
        #expect(try store.cases.exportSnapshot(caseId: "JVNVU#3", publisherId: nil) == nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func answerLinksAreIssuedRevokedAndAnswered(_ kind: StoreEngineKind) throws {
        let store = try Self.notifiedCase(kind)
        let links = store.answerLinks
        let now = Self.opened.addingTimeInterval(2 * 86_400)
        let link = try links.issue(caseId: Self.caseId, organizationId: "aozora", nonce: "00ff", expiresAt: now.addingTimeInterval(86_400),
                                   at: now, actor: "alice")
        #expect(link.id > 0)
        #expect(try links.link(nonce: "00ff") == link)
        #expect(try links.current(caseId: Self.caseId, organizationId: "aozora", now: now) == link)
        #expect(throws: StoreError.notParticipant) {
            try links.issue(caseId: Self.caseId, organizationId: "jpcert", nonce: "0100", expiresAt: now, at: now, actor: "alice")
        }
        let facts = try #require(try links.caseFacts(caseId: Self.caseId, organizationId: "aozora"))
        #expect(facts.organizationName == "Aozora Soft" && facts.due == CalendarDate("2026-07-01") && !facts.withdrawn)

        let products = [
            ProductStatement(caseId: Self.caseId, organizationId: "aozora", product: "Aozora TLS 3", productId: nil, status: .fixed,
                             justification: nil, fixedVersion: "3.1", detail: nil, source: .answerLink, reference: "answer form",
                             statedAt: now, recordedAt: now),
            ProductStatement(caseId: Self.caseId, organizationId: "aozora", product: "Aozora DNS", productId: nil, status: .notAffected,
                             justification: "component_not_present", detail: nil, source: .answerLink, reference: "answer form",
                             statedAt: now, recordedAt: now),
        ]
        #expect(try links.recordAnswer(caseId: Self.caseId, organizationId: "aozora", products: products, statement: "see products",
                                       contact: "psirt@aozora.example", document: nil, at: now, actor: "answer-link:aozora") == .investigating)
        let latest = try #require(try links.latestAnswer(caseId: Self.caseId, organizationId: "aozora"))
        #expect(latest.answer.contact == "psirt@aozora.example" && latest.products.map(\.product) == ["Aozora DNS", "Aozora TLS 3"])
        #expect(try store.cases.participant(caseId: Self.caseId, organizationId: "aozora")?.response == .investigating)
        #expect(try store.cases.history(organizationId: "aozora").first?.responseSourceKind == .answerLink)

        #expect(try links.revoke(caseId: Self.caseId, organizationId: "aozora", at: now, actor: "alice") == 1)
        #expect(try links.current(caseId: Self.caseId, organizationId: "aozora", now: now) == nil)
        #expect(try links.revoke(caseId: Self.caseId, organizationId: "aozora", at: now, actor: "alice") == 0)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func usersAreNamedWithoutRegardToCase(_ kind: StoreEngineKind) throws {
        let store = try StoreEngineTests.store(kind)
        let users = store.users
        try users.add(name: "Bob", role: .coordinator, passwordHash: "$2b$12$abc", actor: "alice")
        try users.add(name: "alice", role: .lead, passwordHash: "$2b$12$def", actor: "root")
        #expect(throws: RegistryError.self) { try users.add(name: "BOB", role: .auditor, passwordHash: "$2b$12$x", actor: "alice") }
        #expect(throws: RegistryError.self) { try users.add(name: "-x", role: .auditor, passwordHash: "$2b$12$x", actor: "alice") }
        #expect(try users.list().map(\.name) == ["alice", "Bob"])
        #expect(try users.user(named: "bob")?.role == .coordinator)
        try users.disable(name: "BOB", actor: "alice")
        try users.disable(name: "bob", actor: "alice")
        #expect(try users.user(named: "Bob")?.disabled == true)
        #expect(throws: RegistryError.self) { try users.disable(name: "carol", actor: "alice") }
        #expect(try Self.actions(store) == ["user.added", "user.added", "user.disabled"], "disabling twice writes one event")
    }

    /// What `notify` plans from, read for every organisation at once: for each one asked (once, however often
    /// asked), the organisation (none for an unknown id), its participation, its messages of the template for the
    /// case that went or are going (failed and voided ones aside) and its active contacts in the order they were added.
    @Test(arguments: StoreEngineKind.allCases)
    func planningFactsForManyOrganisationsAreEachOnesFacts(_ kind: StoreEngineKind) throws {
        let store = try Self.notifiedCase(kind)
        try store.engine.write { session in
            for (organization, email, active) in [("kumo", "psirt@kumo.example", true), ("aozora", "b@aozora.example", true),
                                                  ("aozora", "a@aozora.example", true), ("aozora", "old@aozora.example", false)] {
                try session.insert(Contact(organizationId: organization, email: email, active: active))
            }
            for (index, state) in ["sent", "failed", "queued", "voided"].enumerated() {
                try session.execute("""
                    INSERT INTO notification (caseId, organizationId, purpose, template, language, messageId, trackingRef, subject,
                                              mailFrom, signed, encrypted, state, createdAt)
                    VALUES (?, 'kumo', 'case-notification', 'vendor-initial', 'en', ?, ?, 's', 'vuls@csirt.example', 1, 0, ?, ?)
                    """, Self.caseId, "m\(index)@csirt.example", "T\(index)", state, Self.opened)
            }
        }
        let planning = store.notificationPlanning
        let ids = ["kumo", "aozora", "nobody", "jpcert", "kumo"]
        let facts = try planning.planningFacts(organizationIds: ids, caseId: Self.caseId, template: "vendor-initial")
        #expect(Set(facts.keys) == Set(ids))
        #expect(facts["kumo"]?.earlierNotifications == 2, "sent and queued, not failed nor voided")
        #expect(facts["aozora"]?.activeContacts.map(\.email) == ["b@aozora.example", "a@aozora.example"])
        #expect(facts["aozora"]?.participant?.delivery == .notified && facts["jpcert"]?.participant == nil)
        #expect(facts["nobody"]?.organization == nil && facts["jpcert"]?.organization?.name == "JPCERT/CC")
        #expect(facts["kumo"]?.activeContacts.map(\.email) == ["psirt@kumo.example"] && facts["kumo"]?.participant?.organizationId == "kumo")
        #expect(facts["jpcert"]?.activeContacts == [] && facts["aozora"]?.earlierNotifications == 0)
        let alone = try planning.planningFacts(organizationId: "kumo", caseId: Self.caseId, template: "vendor-initial")
        #expect(alone.earlierNotifications == 2 && alone.activeContacts.count == 1, "one organisation alone")
        #expect(try planning.earlierNotifications(caseId: Self.caseId, organizationIds: ids, template: "vendor-initial") == ["kumo": 2])
        #expect(try planning.planningFacts(organizationIds: ["kumo"], caseId: nil, template: "vendor-initial")["kumo"]?
            .earlierNotifications == 0, "outside a case")
    }

}
