import Foundation
import Gateway
import Registry
import Testing
import TestSupport

/// The case page's content is kept while the store does not change (`liaison serve` serves it again): these tests
/// show that what another process commits is on the very next page load, and that a page kept for one viewer is
/// never served to a viewer who must see another one (an auditor, another language).
@Suite(.serialized) struct CasePageCacheTests {
    static let caseId = "JVNVU#31313131"
    static let path = "/cases/JVNVU%2331313131"
    static let redPath = "/cases/VU%23777"

    /// A case with acme, globex and initech, and a TLP:RED case with acme.
    static func fixture() throws -> DeskFixture {
        try DeskFixture { store in
            var book = CaseBook(store: store, actor: "opener")
            book.origins = WorkspaceConfiguration.Cases.shippedOrigins
            try book.open(id: caseId, title: "Kept page check", origin: "jvn-jp", due: "2031-03-31")
            try book.addParticipants(caseId: caseId, organizations: ["acme", "globex", "initech"])
            try book.open(id: "VU#777", title: "Red kept secret", origin: "cert-cc", due: "2031-01-15", tlp: .red)
            try book.addParticipants(caseId: "VU#777", organizations: ["acme"])
            try book.setResponse(caseId: "VU#777", organizationId: "acme", response: .affected, statement: "red statement of acme")
        }
    }

    /// The matrix row of `org` in a case page, up to the end of its line.
    static func row(_ org: String, in page: String) -> String? {
        guard let start = page.range(of: "<tr data-org=\"\(org)\">") else { return nil }
        return String(page[start.lowerBound...].prefix { $0 != "\n" })
    }

    @Test func aResponseSetOnTheCommandLineIsOnTheVeryNextPageLoad() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let alice = try fixture.client(as: "alice")
        // Shown twice: the second load is served what the first one made.
        for _ in 0..<2 {
            let row = try #require(Self.row("globex", in: try alice.get(Self.path + "?lang=en").body))
            #expect(row.contains(#"<td class="r" data-v="none">none"#), "\(row)")
        }
        let set = try runLiaison(["case", "set", Self.caseId, "globex", "not-affected", "--statement", "checked on the command line"],
                                 workspace: fixture.root)
        #expect(set.status == 0, "\(set.stderr)")
        let page = try alice.get(Self.path + "?lang=en").body
        let row = try #require(Self.row("globex", in: page))
        #expect(row.contains(#"<td class="r" data-v="not-affected">not affected"#), "\(row)")
        #expect(row.contains("checked on the command line"), "\(row)")
        #expect(page.contains("participant.response"), "the timeline shows the new event")
        #expect(try alice.get("/api" + Self.path).body.contains("checked on the command line"), "the JSON too")

        // A second change, as quickly: shown again on the next load.
        #expect(try runLiaison(["case", "set", Self.caseId, "globex", "fixed"], workspace: fixture.root).status == 0)
        let again = try #require(Self.row("globex", in: try alice.get(Self.path + "?lang=en").body))
        #expect(again.contains(#"<td class="r" data-v="fixed">fixed"#), "\(again)")
    }

    @Test func aMessageSentByAnotherProcessIsOnTheVeryNextPageLoad() throws {
        let desk = try NotifiedDesk(send: false)
        defer { desk.remove() }
        let alice = try desk.client(as: "alice")
        for _ in 0..<2 {
            let row = try #require(Self.row("acme", in: try alice.get(desk.casePath + "?lang=en").body))
            #expect(row.contains(#"<td class="d" data-v="pending">not notified"#), "queued, not yet sent: \(row)")
        }
        try desk.liaison(["send"])
        let row = try #require(Self.row("acme", in: try alice.get(desk.casePath + "?lang=en").body))
        #expect(row.contains(#"<td class="d" data-v="notified">notified"#), "\(row)")
        let today = WorkspaceDates.utc.dayText(Date())
        #expect(row.contains("<td>" + today), "the last message out is today's: \(row)")
        #expect(row.contains("first reminder"), "the next reminder step is counted from the notification: \(row)")
    }

    @Test func anAuditorIsNeverServedACoordinatorsRedPage() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let alice = try fixture.client(as: "alice")
        let audrey = try fixture.client(as: "audrey")
        let full = try alice.get(Self.redPath).body
        #expect(full.contains("Red kept secret") && full.contains("red statement of acme"), "a coordinator reads the red case")
        for page in [try audrey.get(Self.redPath).body, try audrey.get("/api" + Self.redPath).body] {
            #expect(!page.contains("Red kept secret"))
            #expect(!page.contains("red statement of acme"))
            #expect(!page.contains("<tr data-org="))
        }
        #expect(try audrey.get(Self.redPath).body.contains("id=\"red-hidden\""))
        #expect(!(try audrey.get("/api" + Self.redPath).body.contains("\"acme\"")), "which vendors take part is not said either")
        // And the other way round: what was made for the auditor is not what the coordinator gets.
        let again = try alice.get(Self.redPath).body
        #expect(again.contains("Red kept secret") && again.contains("red statement of acme"))
        #expect(!again.contains("id=\"red-hidden\""))
    }

    @Test func theJapanesePageIsNotServedTheEnglishOne() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let alice = try fixture.client(as: "alice")
        let english = try #require(Self.row("acme", in: try alice.get(Self.path + "?lang=en").body))
        #expect(english.contains(#"<td class="d" data-v="pending">not notified"#), "\(english)")
        let japanesePage = try alice.get(Self.path + "?lang=ja").body
        let japanese = try #require(Self.row("acme", in: japanesePage))
        #expect(japanese.contains(#"<td class="d" data-v="pending">未通知"#), "\(japanese)")
        #expect(japanese.contains(#"<td class="r" data-v="none">なし"#), "\(japanese)")
        #expect(japanesePage.contains("<html lang=\"ja\""))
        let englishAgain = try #require(Self.row("acme", in: try alice.get(Self.path + "?lang=en").body))
        #expect(englishAgain == english)
    }

    @Test func eachSessionKeepsItsOwnFormTokensOnAKeptPage() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let alice = try fixture.client(as: "alice")
        let lena = try fixture.client(as: "lena")
        let first = try alice.get(Self.path)
        let second = try lena.get(Self.path)
        let aliceToken = try #require(first.csrfToken), lenaToken = try #require(second.csrfToken)
        #expect(aliceToken != lenaToken)
        #expect(!second.body.contains(aliceToken), "another session's token is never on the page")
        #expect(second.body.contains(#"<strong id="user-name">lena</strong>"#))
        #expect(first.body.contains(#"<strong id="user-name">alice</strong>"#))
        // Lena's token works for lena: a change through the kept page's form.
        let changed = try lena.post(Self.path + "/response", form: [("org", "initech"), ("response", "acknowledged"), ("return_to", Self.path)])
        #expect(changed.status == 303)
        let row = try #require(Self.row("initech", in: try alice.get(Self.path + "?lang=en").body))
        #expect(row.contains(#"data-v="acknowledged">acknowledged"#), "\(row)")
        #expect(row.contains("(lena)"), "the desk's own write is on alice's next load, with its actor: \(row)")
    }
}
