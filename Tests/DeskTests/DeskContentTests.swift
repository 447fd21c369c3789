import Foundation
import Gateway
import Registry
import Testing
import TestSupport

/// What the desk's pages and actions say and refuse, as a coordinator or an auditor sees it: withdrawn cases,
/// repeated dismissals, notifying vendors added late, TLP:RED withheld from auditors, checkboxes and labels.
@Suite(.serialized) struct DeskContentTests {
    @Test func aWithdrawnCaseIsNotOfferedAndItsAssignmentIsRefused() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        let id = try desk.reply(from: "acme", id: "wd-1", body: "Status: fixed")
        let before = try desk.participant("acme")?.response
        try desk.liaison(["case", "withdraw", desk.caseId, "--reason", "opened by mistake"])
        let alice = try desk.client(as: "alice")
        let page = try alice.get("/inbox/\(id)")
        #expect(page.status == 200)
        #expect(!page.body.contains(#"<option value="\#(desk.caseId)""#), "the withdrawn case is offered: \(page.body)")
        let refused = try alice.post("/inbox/\(id)/assign", form: [("case", desk.caseId), ("org", "acme"), ("response", "fixed"),
                                                                  ("return_to", "/inbox/\(id)")])
        #expect(refused.status == 303)
        let shown = try alice.get(refused.header("location") ?? "/inbox").body
        #expect(shown.contains("case \(desk.caseId) is withdrawn (opened by mistake)"), "\(shown)")
        #expect(try desk.participant("acme")?.response == before)
    }

    @Test func aMessageDismissedOnceCannotBeDismissedAgain() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        let id = try desk.reply(from: "acme", id: "dis-1", body: "Hello, what is this about?")
        let lena = try desk.client(as: "lena")
        let alice = try desk.client(as: "alice")
        #expect(try lena.post("/inbox/\(id)/dismiss", form: [("reason", "handled by phone")]).status == 303)
        let again = try alice.post("/inbox/\(id)/dismiss", form: [("reason", "spam"), ("return_to", "/inbox/\(id)")])
        let shown = try alice.get(again.header("location") ?? "/inbox").body
        #expect(shown.contains("message \(id) was already dismissed by lena at "), "\(shown)")
        let dismissals = try desk.fixture.store().events.latest(limit: 50).filter { $0.action == "inbound.dismissed" }
        #expect(dismissals.count == 1)
        #expect(try desk.fixture.store().inbound.read { try $0.entry(String(id)) }?.reviewReason == "handled by phone")
    }

    /// A vendor added after the first notification is notified alone from the desk: the form offers the
    /// participants, vendor-initial is chosen, none ticked means those not yet sent it, and "again" is `--again`.
    @Test func aVendorAddedLateIsNotifiedAloneFromTheDesk() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        try desk.liaison(["case", "add", desk.caseId, "initech"])
        let alice = try desk.client(as: "alice")
        let page = try alice.get(desk.casePath).body
        #expect(page.contains(#"<option value="vendor-initial" selected>"#), "vendor-initial is the default template")
        #expect(page.contains(#"<input type="checkbox" name="org" value="initech">"#))
        #expect(page.contains(#"name="again""#))

        // Nothing ticked: only those not yet sent vendor-initial.
        let preview = try alice.get(desk.casePath + "/notify?template=vendor-initial")
        #expect(preview.status == 200)
        #expect(preview.body.contains(#"<p id="preview-count">1 message would be queued</p>"#), "\(preview.body)")
        #expect(preview.body.contains("(1 vendor, initech)"))
        #expect(preview.body.contains(#"<input type="hidden" name="org" value="initech">"#))
        #expect(!preview.body.contains(#"<input type="hidden" name="org" value="acme">"#))
        // The reference is drawn when queued: the preview shows none a vendor would not get.
        #expect(preview.body.contains(NotificationComposer.trackingPlaceholder))
        #expect(preview.body.range(of: #"LSN-[0-9A-HJKMNP-TV-Z]{8}"#, options: .regularExpression) == nil, "\(preview.body)")

        let queued = try alice.post(desk.casePath + "/notify", form: [("template", "vendor-initial"), ("org", "initech"),
                                                                      ("return_to", desk.casePath)])
        #expect(queued.status == 303)
        #expect(try alice.get(queued.header("location") ?? desk.casePath).body.contains("queued 1 message;"))
        let outbox = try JSONSerialization.jsonObject(with: Data(try desk.liaison(["outbox", "--all", "--format", "json"]).utf8)) as? [[String: Any]] ?? []
        #expect(outbox.filter { $0["organizationId"] as? String == "initech" }.count == 1)
        #expect(outbox.count == 3, "acme and globex got no second copy")

        // Everyone has it now: the preview says so instead of offering to queue.
        let none = try alice.get(desk.casePath + "/notify?template=vendor-initial").body
        #expect(none.contains("every participant of \(desk.caseId) was already sent vendor-initial"), "\(none)")
        #expect(!none.contains(#"id="queue-form""#))
        // Ticked with again: queued once more, as `notify --again`.
        try desk.liaison(["send"])
        let again = try alice.get(desk.casePath + "/notify?template=vendor-initial&org=acme&again=1").body
        #expect(again.contains(#"<input type="hidden" name="again" value="1">"#), "\(again)")
        let requeued = try alice.post(desk.casePath + "/notify", form: [("template", "vendor-initial"), ("org", "acme"), ("again", "1")])
        #expect(requeued.status == 303)
        let after = try JSONSerialization.jsonObject(with: Data(try desk.liaison(["outbox", "--all", "--format", "json"]).utf8)) as? [[String: Any]] ?? []
        #expect(after.filter { $0["organizationId"] as? String == "acme" }.count == 2)
    }

    /// An auditor learns that an organisation was in a TLP:RED case, and nothing of its content; a coordinator sees it all.
    @Test func aRedCaseIsOnlyNamedAsSuchToAnAuditor() throws {
        let desk = try NotifiedDesk(caseId: "JVNVU#99999998", title: "Secret RED title", tlp: "RED")
        defer { desk.remove() }
        let id = try desk.reply(from: "acme", id: "red-2", body: "Status: fixed")
        let alice = try desk.client(as: "alice")
        let audrey = try desk.client(as: "audrey")
        for path in ["/directory/acme", "/api/directory/acme"] {
            let hidden = try audrey.get(path).body
            #expect(!hidden.contains(desk.caseId) && !hidden.contains("99999998"), "\(path): \(hidden)")
            #expect(hidden.contains("TLP:RED"), "\(path)")
            #expect(!hidden.contains("\"fixed\"") && !hidden.contains(">fixed<"), "\(path): \(hidden)")
            let seen = try alice.get(path).body
            #expect(seen.contains(desk.caseId) && seen.contains("fixed"), "\(path)")
        }
        let message = try JSONSerialization.jsonObject(with: Data(try audrey.get("/api/inbox/\(id)").body.utf8)) as? [String: Any] ?? [:]
        #expect(message["organizationId"] as? String == nil && message["messageId"] as? String == nil, "\(message)")
        let list = try audrey.get("/api/inbox?all=1").body
        #expect(!list.contains("red-2@acme.example") && !list.contains("\"organizationId\":\"acme\""), "\(list)")
        let shown = try JSONSerialization.jsonObject(with: Data(try alice.get("/api/inbox/\(id)").body.utf8)) as? [String: Any] ?? [:]
        #expect(shown["organizationId"] as? String == "acme" && (shown["messageId"] as? String)?.contains("red-2") == true)
        // The case list keeps the id and the due date (the calendar places it), not the origin or the counts.
        let cases = try audrey.get("/api/cases").body
        let rows = (try JSONSerialization.jsonObject(with: Data(cases.utf8)) as? [String: Any])?["cases"] as? [[String: Any]] ?? []
        let row = try #require(rows.first { $0["id"] as? String == desk.caseId }, "\(cases)")
        #expect(row["due"] as? String == "2030-01-15")
        #expect(row["origin"] == nil && row["vendors"] == nil && row["notified"] == nil, "\(row)")
        let coordinator = (try JSONSerialization.jsonObject(with: Data(try alice.get("/api/cases").body.utf8)) as? [String: Any])?["cases"] as? [[String: Any]] ?? []
        #expect(coordinator.first?["origin"] as? String == "jvn-jp" && coordinator.first?["vendors"] as? Int == 2)
        #expect(try audrey.get("/cases").body.contains("2 vendors") == false)
        #expect(try alice.get("/cases").body.contains("2 vendors"))
    }

    /// Checkboxes read one way for every action, and a due date years away is refused as a slip.
    @Test func aCheckboxSetToZeroIsOffAndAFarDueDateIsRefused() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        let alice = try desk.client(as: "alice")
        func notice(_ form: [(String, String)]) throws -> String {
            let posted = try alice.post(desk.casePath + "/due", form: form + [("return_to", desk.casePath)])
            return try alice.get(posted.header("location") ?? desk.casePath).body
        }
        #expect(try notice([("due", "2020-01-02"), ("force", "0")]).contains("is in the past"))
        #expect(try notice([("due", "2020-01-02"), ("force", "maybe")]).contains("force is a checkbox"))
        #expect(try notice([("due", "9999-12-31"), ("force", "on")]).contains("the due date 9999-12-31 is more than five years ahead"))
        #expect(try desk.liaison(["case", "show", desk.caseId, "--format", "json"]).contains("2030-01-15"))
        let cli = try runLiaison(["case", "set-due", desk.caseId, "9999-12-31"], workspace: desk.fixture.root)
        #expect(cli.status == 1 && cli.stderr.contains("more than five years ahead"), "\(cli.stderr)")
    }

    /// The inbox speaks the page's language for states and kinds, and says each thing once.
    @Test func theInboxLabelsItsStatesAndKindsInJapanese() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        let id = try desk.reply(from: "acme", id: "ja-1", body: "Hello, what is this about?")
        let alice = try desk.client(as: "alice")
        let page = try alice.get("/inbox/\(id)?lang=ja").body
        #expect(page.contains(#"<dd id="review-state">確認待ち</dd>"#), "\(page)")
        #expect(page.contains(#"<dd id="message-kind">返信"#), "\(page)")
        #expect(!page.contains("reply (reply), reply"))
        let english = try alice.get("/inbox/\(id)?lang=en").body
        #expect(english.contains(#"<dd id="review-state">open</dd>"#))
    }

    /// The outbox lists the failed messages it counts.
    @Test func theOutboxListsTheFailedMessagesItCounts() throws {
        let desk = try NotifiedDesk(send: false)
        defer { desk.remove() }
        let alice = try desk.client(as: "alice")
        try desk.sql("UPDATE notification SET state = 'failed', lastError = '550 5.1.1 mailbox unavailable' WHERE organizationId = 'acme'")
        let page = try alice.get("/outbox").body
        #expect(page.contains("failed: 1"))
        #expect(page.contains(#"<table id="failed">"#) && page.contains("550 5.1.1 mailbox unavailable"), "\(page)")
    }
}
