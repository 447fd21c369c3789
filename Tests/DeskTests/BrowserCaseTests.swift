import Foundation
import Testing
import TestSupport

/// A case page in a real headless Chromium: the matrix changes when a response is set through the form, in English
/// and in Japanese, and hostile text never runs.
@Suite(.serialized, .enabled(if: BrowserScript.isAvailable)) struct BrowserCaseTests {
    static let row = "#matrix tr[data-org=\"acme\"] td.r"

    @Test(arguments: ["en", "ja"])
    func setAResponseThroughTheFormAndSeeTheMatrixChange(language: String) throws {
        let fixture = try CasePagesTests.fixture()
        defer { fixture.remove() }
        let shot = BrowserScript.artefact("case-page-\(language)-\(UUID().uuidString.prefix(6)).png")
        let run = try BrowserScript.steps(base: fixture.server.baseURL, [
            ["language": language],
            ["login": ["name": "alice", "password": DeskFixture.password]],
            ["open": CasePagesTests.path + "?lang=\(language)"],
            ["text": Self.row],
            ["text": "#response-save"],
            ["fill": ["#response-org": "acme", "#response-value": "not-affected", "#response-statement": "not shipped in Japan"]],
            ["submit": "#response-save"],
            ["text": Self.row],
            ["text": "#matrix tr[data-org=\"acme\"] td.t"],
            ["text": "#notice"],
            ["text": "#matrix tr[data-org=\"acme\"] td.s"],
            ["screenshot": shot.path],
            ["alert": true],
            ["count": "img[src=x]"],
            ["count": "script:not([src])"],
            ["console": true],
            ["attribute": [Self.row, "data-v"]],
            ["text": "#matrix tr[data-org=\"acme\"] td.d"],
            ["attribute": ["#matrix tr[data-org=\"acme\"] td.d", "data-v"]],
            ["text": "#tlp-value option:checked"],
        ])
        #expect(run.error == nil, "\(run.error ?? "")")
        // The response and delivery in the page language, their values kept in data-v.
        #expect(run.text(2) == (language == "ja" ? "なし" : "none"))
        #expect(run.text(3) == (language == "ja" ? "保存" : "Save"))
        #expect(run.text(6) == (language == "ja" ? "影響なし" : "not affected"))
        #expect(run.text(15) == "not-affected")
        #expect(run.text(16) == (language == "ja" ? "未通知" : "not notified"))
        #expect(run.text(17) == "pending")
        // The TLP select starts on the case's level.
        #expect(run.text(18) == "AMBER+STRICT")
        #expect(run.text(7) == "not shipped in Japan")
        #expect(run.text(8) == "JVNVU#12345678 acme: not-affected")
        #expect(run.text(9) == (language == "ja" ? "担当者が設定 (alice)" : "set by a person (alice)"))
        #expect(run.bool(11) == false)
        #expect(run.int(12) == 0)
        #expect(run.int(13) == 0)
        #expect((run.results.count > 14 ? run.results[14] as? [Any] : nil)?.isEmpty == true, "console: \(run.results.count > 14 ? run.results[14] : "")")
        #expect(FileManager.default.fileExists(atPath: shot.path))
        print("screenshot of the case page: \(shot.path)")
    }

    @Test func hostileTitleAndNamesDoNotRunInTheListOrTheCase() throws {
        let fixture = try CasePagesTests.fixture()
        defer { fixture.remove() }
        let run = try BrowserScript.steps(base: fixture.server.baseURL, [
            ["login": ["name": "alice", "password": DeskFixture.password]],
            ["alert": true],
            ["count": "img[src=x]"],
            ["text": "#cases tr[data-case=\"JVNVU#12345678\"] td.title"],
            ["open": CasePagesTests.path],
            ["alert": true],
            ["count": "img[src=x]"],
            ["text": "#case-title"],
        ])
        #expect(run.error == nil, "\(run.error ?? "")")
        #expect(run.bool(1) == false)
        #expect(run.int(2) == 0)
        #expect(run.text(3) == CasePagesTests.hostileTitle)
        #expect(run.bool(5) == false)
        #expect(run.int(6) == 0)
        #expect(run.text(7) == CasePagesTests.hostileTitle)
    }
}
