import Foundation
import Testing
import TestSupport

/// The case page's notification actions against a workspace that can sign (a throwaway key, the repository's
/// templates): the preview of each language's message before queuing, and a due date moved with `--notify`.
@Suite(.serialized) struct CaseNotifyTests {
    static let hostileTitle = "TLS <script>alert(1)</script> & \"check\""

    /// The outbox's rows (`liaison outbox --all --format json`).
    static func outbox(_ desk: NotifiedDesk) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(try desk.liaison(["outbox", "--all", "--format", "json"]).utf8)) as? [[String: Any]] ?? []
    }

    @Test func thePreviewShowsEachLanguagesRenderedMessageEscapedAndItsButtonQueuesThem() throws {
        let desk = try NotifiedDesk(title: Self.hostileTitle, notify: false, english: ["globex"])
        defer { desk.remove() }
        let client = try desk.client(as: "alice")
        let casePage = try client.get(desk.casePath + "?lang=ja").body
        #expect(casePage.contains(#"<option value="vendor-initial" selected>vendor-initial</option>"#), "the workspace's templates are offered, vendor-initial first")
        #expect(casePage.contains(#"<option value="due-changed">due-changed</option>"#))
        #expect(!casePage.contains(#"<option value="_signature">"#))
        #expect(try Self.outbox(desk).isEmpty)

        let preview = try client.get(desk.casePath + "/notify?template=vendor-initial&lang=en")
        #expect(preview.status == 200)
        let page = preview.body
        #expect(!page.contains("class=\"notice error problem\""), "\(page)")
        #expect(page.contains(#"<p id="preview-count">2 messages would be queued</p>"#))
        // One section per language, each with its rendered subject and body.
        let sections = page.components(separatedBy: #"<section class="panel preview" data-language=""#).dropFirst()
        #expect(sections.count == 2)
        let japanese = try #require(sections.first { $0.hasPrefix("ja\"") })
        let english = try #require(sections.first { $0.hasPrefix("en\"") })
        #expect(japanese.contains("(1 vendor, acme)"))
        #expect(english.contains("(1 vendor, globex)"))
        #expect(japanese.contains(#"<span class="subject">[TLP:AMBER+STRICT] [JVNVU#20202020] 脆弱性情報のご連絡 (非公開)"#), "\(japanese)")
        #expect(english.contains(#"<span class="subject">[TLP:AMBER+STRICT] [JVNVU#20202020] Vulnerability notification (embargoed)"#), "\(english)")
        #expect(japanese.contains("製品開発者ご担当者様"))
        #expect(english.contains("Dear Company globex product security team,"))
        // The case's title is in both bodies, escaped: nothing of it is markup.
        let escapedTitle = "TLS &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;check&quot;"
        #expect(japanese.contains(escapedTitle), "\(japanese)")
        #expect(english.contains(escapedTitle), "\(english)")
        #expect(!page.contains("<script>alert"))
        #expect(try Self.outbox(desk).isEmpty, "a preview queues nothing")

        // The button queues exactly what was previewed, as alice.
        #expect(page.contains(#"<button type="submit" id="queue">"#))
        let queued = try client.post(desk.casePath + "/notify", form: [("template", "vendor-initial"), ("return_to", desk.casePath)])
        #expect(queued.status == 303)
        #expect(try client.get(desk.casePath).body.contains("queued 2 messages"))
        let rows = try Self.outbox(desk)
        #expect(rows.count == 2)
        #expect(Set(rows.compactMap { $0["organizationId"] as? String }) == ["acme", "globex"])
        #expect(Set(rows.compactMap { $0["language"] as? String }) == ["ja", "en"])
        let events = try AuditTrail.rows(workspace: desk.fixture.root).filter { $0.action.hasPrefix("notification.") }
        #expect(!events.isEmpty && events.allSatisfy { $0.actor == "alice" }, "\(events)")
        // Previewing again names the problem, as `notify --dry-run` would: both were notified.
        let again = try client.get(desk.casePath + "/notify?template=vendor-initial").body
        #expect(again.contains("class=\"notice error problem\""))
        #expect(!again.contains("id=\"queue\""))
    }

    @Test func movingTheDueDateWithNotifyQueuesDueChangedToTheVendorsNotified() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        let client = try desk.client(as: "alice")
        let page = try client.get(desk.casePath).body
        #expect(page.contains(#"<input type="checkbox" name="notify" value="1" id="due-notify">"#))
        let before = try Self.outbox(desk).count
        // Without the box ticked: the date moves, nothing is queued.
        _ = try client.post(desk.casePath + "/due", form: [("due", "2030-02-01"), ("return_to", desk.casePath)])
        let quiet = try client.get(desk.casePath).body
        #expect(quiet.contains(#"<span id="case-due">2030-02-01</span>"#))
        #expect(try Self.outbox(desk).count == before)
        // Ticked: as `case set-due --notify`, the due-changed template to each vendor already notified.
        _ = try client.post(desk.casePath + "/due", form: [("due", "2030-03-01"), ("notify", "1"), ("return_to", desk.casePath)])
        let told = try client.get(desk.casePath).body
        #expect(told.contains(#"<span id="case-due">2030-03-01</span>"#))
        #expect(told.contains("queued 2 due-changed messages"), "\(told)")
        let rows = try Self.outbox(desk)
        let dueChanged = rows.filter { $0["purpose"] as? String == "due-changed" }
        #expect(rows.count == before + 2)
        #expect(Set(dueChanged.compactMap { $0["organizationId"] as? String }) == ["acme", "globex"])
        let moves = try AuditTrail.rows(workspace: desk.fixture.root, objectType: "case").filter { $0.action == "case.due-changed" }
        #expect(moves.map(\.actor) == ["alice", "alice"])
    }
}
