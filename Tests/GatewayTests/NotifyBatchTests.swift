import Foundation
@testable import Registry
import Testing
import TestSupport
@testable import Gateway

/// `notify` stores its finished, signed messages in one transaction on both engines: a problem found inside it
/// (an organisation's contacts changed, or another notify queued the same template first) stores nothing at all,
/// and a notify to many organisations stores every message, recipient and event, in order.
@Suite struct NotifyBatchTests {
    static let caseId = "JVNVU#77770001"

    /// `count` vendors (`vendor001`, …), each with a `to` contact and every third with a `cc` contact too, all
    /// participants of the case; answer links on.
    static func fixture(_ kind: StoreEngineKind, vendors count: Int) throws -> (GatewayFixture, NotificationComposer, [String]) {
        let f = try GatewayFixture(engine: kind)
        let vendors = (1...count).map { "vendor" + String(format: "%03d", $0) }
        try f.store.engine.write { session in
            for (index, vendor) in vendors.enumerated() {
                try session.insert(Organization(id: vendor, name: "Vendor \(index + 1)", kind: .productDeveloper, country: "JP",
                                                domains: ["\(vendor).example"], languages: ["en"], technologies: ["tls"]))
                try session.insert(Contact(organizationId: vendor, email: "security@\(vendor).example", name: "\(vendor) PSIRT",
                                           role: .to, language: "en"))
                if index % 3 == 0 {
                    try session.insert(Contact(organizationId: vendor, email: "cto@\(vendor).example", role: .cc, language: "en"))
                }
            }
        }
        try f.caseBook.open(id: caseId, title: "TLS", origin: "jvn-jp", due: "2007-10-15")
        try f.caseBook.addParticipants(caseId: caseId, organizations: vendors)
        var settings = f.settings
        settings.answer = .init(baseURL: "https://csirt.example")
        settings.stateDirectory = f.folder
        var composer = NotificationComposer(store: f.store, settings: settings)
        let clock = f.clock
        composer.now = { clock.now }
        return (f, composer, vendors)
    }

    static var request: NotificationRequest {
        NotificationRequest(caseId: caseId, template: "vendor-initial", purpose: .caseNotification)
    }

    static func events(_ f: GatewayFixture) throws -> [Event] {
        try f.store.engine.read { try $0.records(Event.self, "SELECT * FROM event ORDER BY id") }
    }

    static func answerLinkCount(_ f: GatewayFixture) throws -> Int {
        try f.store.engine.read { try $0.value("SELECT COUNT(*) FROM answerLink", as: Int.self) } ?? -1
    }

    @Test(arguments: StoreEngineKind.allCases)
    func contactsThatChangedInTheMiddleStoreNothing(_ kind: StoreEngineKind) throws {
        let (f, composer, vendors) = try Self.fixture(kind, vendors: 8)
        let prepared = try composer.prepare(Self.request)
        #expect(prepared.messages.count == 8 && prepared.answerLinks.count == 8)
        let before = try Self.events(f)
        try f.store.engine.write { try $0.execute("UPDATE contact SET active = 0 WHERE email = 'security@vendor005.example'") }

        let error = #expect(throws: GatewayProblems.self) { try composer.persist(prepared) }
        #expect(error?.problems == ["vendor005: its contacts changed while the messages were being prepared; nothing was queued, run the command again"])
        #expect(try f.notifications().isEmpty, "not even the four vendors before vendor005")
        #expect(try Self.events(f) == before, "no notification.queued, no answer-link.issued")
        #expect(try Self.answerLinkCount(f) == 0, "no answer link is issued for messages never stored")
        #expect(try vendors.allSatisfy { try f.participant(Self.caseId, $0).delivery == .pending })
        #expect(try f.store.events.verify() == .intact(count: before.count))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func anOrganisationQueuedMeanwhileStoresNothingOfTheOthers(_ kind: StoreEngineKind) throws {
        let (f, composer, _) = try Self.fixture(kind, vendors: 8)
        let prepared = try composer.prepare(Self.request)
        // Another notify queues vendor004's message after this one was signed.
        var alone = Self.request
        alone.organizations = ["vendor004"]
        try composer.queue(alone)
        let before = try Self.events(f)

        let error = #expect(throws: GatewayProblems.self) { try composer.persist(prepared) }
        #expect(error?.problems == ["vendor-initial for \(Self.caseId) is already queued for vendor004 (not sent yet); it is sent once"])
        #expect(try f.notifications().map(\.organizationId) == ["vendor004"], "only the other notify's message")
        #expect(try Self.events(f) == before)
        #expect(try Self.answerLinkCount(f) == 1, "only vendor004's link, issued with its message")
        #expect(try f.store.events.verify() == .intact(count: before.count))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aNotifyToManyOrganisationsStoresEveryMessageRecipientAndEventInOrder(_ kind: StoreEngineKind) throws {
        // More rows than one multi-row insert writes, so the batches cross a statement boundary.
        let count = SQLBatch.maxRowsPerInsert + 44
        let (f, composer, vendors) = try Self.fixture(kind, vendors: count)
        let eventsBefore = try Self.events(f).count

        let planned = try composer.queue(Self.request)
        #expect(planned.map(\.organizationId) == vendors)

        let rows = try f.notifications()
        #expect(rows.map(\.organizationId) == vendors, "stored in the order planned")
        #expect(rows.map(\.messageId) == planned.map(\.messageId))
        #expect(rows.allSatisfy { $0.state == .queued && $0.caseId == Self.caseId })
        let listed = try f.store.outbox.list()
        #expect(listed.map(\.messageId) == planned.map(\.messageId))
        for (index, entry) in listed.enumerated() {
            let vendor = vendors[index]
            let expected = ["security@\(vendor).example"] + (index % 3 == 0 ? ["cto@\(vendor).example"] : [])
            #expect(entry.recipients.map(\.email) == expected, "\(vendor)")
            #expect(entry.recipients.map(\.kind) == (index % 3 == 0 ? [.to, .cc] : [.to]), "\(vendor)")
            let bytes = try #require(try f.store.outbox.bytes(messageId: entry.messageId))
            #expect(String(decoding: bytes, as: UTF8.self).contains("Message-ID: <\(entry.messageId)>"), "\(vendor)'s own bytes")
        }

        let added = try Self.events(f).dropFirst(eventsBefore)
        let links = added.filter { $0.action == "answer-link.issued" }
        let queued = added.filter { $0.action == "notification.queued" }
        #expect(links.count == count && queued.count == count && added.count == 2 * count)
        #expect(added.prefix(count).allSatisfy { $0.action == "answer-link.issued" }, "each link before the messages carrying it")
        #expect(queued.map(\.objectId) == planned.map(\.messageId), "one event per message, in the messages' order")
        #expect(queued.allSatisfy { $0.actor == "test" })
        #expect(added.map(\.id) == Array((Int64(eventsBefore) + 1)...Int64(eventsBefore + 2 * count)), "numbered without a gap")
        #expect(try Self.answerLinkCount(f) == count)
        #expect(try f.store.events.verify() == .intact(count: eventsBefore + 2 * count))
    }
}
