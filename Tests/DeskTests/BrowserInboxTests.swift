import Foundation
import Testing
import TestSupport

/// A coordinator triages a reply in a real headless Chromium: opens the case, reads the reply the gateway could not
/// understand in /inbox, assigns it to the case and organisation with a status, and sees the vendor matrix change;
/// the same in Japanese with a Japanese reply. A hostile subject never runs.
@Suite(.serialized, .enabled(if: BrowserScript.isAvailable)) struct BrowserInboxTests {
    @Test func coordinatorReadsAReplyUnderReviewAssignsItAndSeesTheMatrixChange() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        let id = try desk.reply(from: "acme", id: "odd-en", fromName: DeskPagesTests.hostile, subject: "Re: " + DeskPagesTests.hostile,
                                body: "We ship our own TLS code " + DeskPagesTests.hostile + "; the analysis is in the attached spreadsheet.")
        let shot = BrowserScript.artefact("desk-inbox-assign-en-\(UUID().uuidString.prefix(6)).png")
        let run = try BrowserScript.steps(base: desk.server.baseURL, [
            ["login": ["name": "alice", "password": DeskFixture.password]],
            ["open": desk.casePath],                                  // 1
            ["text": "h1"],                                           // 2
            ["open": "/inbox"],                                       // 3
            ["alert": true],                                          // 4
            ["count": "#inbox img, #inbox script"],                   // 5
            ["text": "#message-\(id) .subject"],                      // 6
            ["open": "/inbox/\(id)"],                                 // 7
            ["alert": true],                                          // 8
            ["count": "main img, main script"],                       // 9
            ["text": "#message-subject"],                             // 10
            ["text": "#message-text"],                                // 11
            ["text": "#why-listed"],                                  // 12
            ["fill": ["#assign-org": "acme", "#assign-response": "fixed"]], // 13
            ["submit": "#assign-button"],                             // 14
            ["text": "#notice"],                                      // 15
            ["open": desk.casePath],                                  // 16
            ["text": "#matrix tr[data-org='acme'] td.r"],             // 17
            ["screenshot": shot.path],                                // 18
            ["console": true],                                        // 19
        ])
        #expect(run.error == nil, "\(run.error ?? "")")
        #expect(run.text(2)?.contains(desk.caseId) == true, "\(run.text(2) ?? "")")
        #expect(run.bool(4) == false && run.bool(8) == false, "an alert ran")
        #expect(run.int(5) == 0 && run.int(9) == 0, "an injected element")
        #expect(run.text(6) == "Re: " + DeskPagesTests.hostile)
        #expect(run.text(10) == "Re: " + DeskPagesTests.hostile)
        #expect(run.text(11)?.contains("We ship our own TLS code <script>") == true)
        #expect(run.text(12)?.hasPrefix("answer not understood") == true, "\(run.text(12) ?? "")")
        #expect(run.text(15)?.contains("assigned to \(desk.caseId) / acme") == true, "\(run.text(15) ?? "")")
        #expect(try desk.participant("acme")?.response == .fixed)
        #expect(run.text(17) == "fixed", "\(run.text(17) ?? "")")
        #expect((run.results.count > 19 ? run.results[19] as? [Any] : nil)?.isEmpty == true, "console: \(run.results.last ?? "")")
        print("screenshot: \(shot.path)")
    }

    @Test func theSameInJapaneseWithAJapaneseReply() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        let id = try desk.reply(from: "globex", id: "odd-ja", fromName: "製品セキュリティ担当",
                                body: "いつもお世話になっております。\n弊社の TLS 実装については別添の資料にて詳しくご説明いたします。\nよろしくお願いいたします。")
        let shot = BrowserScript.artefact("desk-inbox-assign-ja-\(UUID().uuidString.prefix(6)).png")
        let run = try BrowserScript.steps(base: desk.server.baseURL, [
            ["language": "ja"],
            ["login": ["name": "alice", "password": DeskFixture.password]],
            ["open": desk.casePath + "?lang=ja"],                     // 1
            ["open": "/inbox?lang=ja"],                               // 2
            ["text": "h1"],                                           // 3
            ["open": "/inbox/\(id)?lang=ja"],                         // 4
            ["text": "#message-text"],                                // 5
            ["text": "#why-listed"],                                  // 6
            ["text": "#assign-button"],                               // 7
            ["fill": ["#assign-org": "globex", "#assign-response": "not-affected"]], // 8
            ["submit": "#assign-button"],                             // 9
            ["open": desk.casePath + "?lang=ja"],                     // 10
            ["text": "#matrix tr[data-org='globex'] td.r"],           // 11
            ["screenshot": shot.path],                                // 12
            ["attribute": ["#matrix tr[data-org='globex'] td.r", "data-v"]], // 13
        ])
        #expect(run.error == nil, "\(run.error ?? "")")
        #expect(run.text(3) == "受信箱: 確認が必要なもの")
        #expect(run.text(5)?.contains("弊社の TLS 実装") == true)
        #expect(run.text(6)?.hasPrefix("回答を読み取れず") == true, "\(run.text(6) ?? "")")
        #expect(run.text(7) == "割り当て")
        #expect(try desk.participant("globex")?.response == .notAffected)
        #expect(run.text(11) == "影響なし", "\(run.text(11) ?? "")")
        #expect(run.text(13) == "not-affected")
        print("screenshot: \(shot.path)")
    }
}
