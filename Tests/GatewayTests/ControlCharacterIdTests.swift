import Foundation
import Registry
import Testing
import TestSupport
@testable import Gateway

/// Ids holding a NUL or another control character: SQLite reads a bound text only up to a NUL, so without the rule a
/// change would land on one case or organisation while its event named another (PostgreSQL refuses such text outright:
/// the rule answers first, in the same words, on both engines).
@Suite struct ControlCharacterIdTests {
    static let caseId = "JVNVU#11110000"

    @Test(arguments: StoreEngineKind.allCases)
    func anIdHoldingANulChangesNothingAndWritesNoEvent(_ engine: StoreEngineKind) throws {
        let f = try GatewayFixture(engine: engine)
        try f.addOrganization("acme", languages: ["en"], contacts: [("security@acme.example", "to", "en", nil)])
        try f.caseBook.open(id: Self.caseId, title: "TLS certificate check", origin: "jvn-jp")
        try f.caseBook.addParticipants(caseId: Self.caseId, organizations: ["acme"])
        let before = try f.caseBook.show(caseId: Self.caseId)
        let events = try f.store.events.latest(limit: 1000).count

        do {
            _ = try f.caseBook.setTLP(caseId: Self.caseId + "\u{0}zzz", to: .amber)
            Issue.record("a case id with a NUL was taken")
        } catch {
            #expect("\(error)".contains("control character U+0000"), "\(error)")
            #expect(!"\(error)".contains("\u{0}"), "the line shows the NUL visibly")
        }
        #expect(throws: (any Error).self) {
            try f.caseBook.setResponse(caseId: Self.caseId, organizationId: "acme\u{0}-not-really", response: .fixed)
        }
        #expect(throws: (any Error).self) {
            try f.caseBook.setResponse(caseId: Self.caseId, organizationId: "acme\u{1}", response: .fixed)
        }
        let after = try f.caseBook.show(caseId: Self.caseId)
        #expect(after.record.tlp == before.record.tlp)
        #expect(after.participants.map(\.record.response) == before.participants.map(\.record.response))
        #expect(try f.store.events.latest(limit: 1000).count == events, "no event was written")
    }

    @Test func aNulInAReplysStatementIsKeptVisibly() {
        #expect(StatedResponse.statement(in: "nul\u{0}in body") == "nul\\u{0}in body")
    }
}
