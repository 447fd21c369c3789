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
        let dismissals = try desk.fixture.store().latestEvents(limit: 50).filter { $0.action == "inbound.dismissed" }
        #expect(dismissals.count == 1)
        #expect(try desk.fixture.store().inbound.read { try $0.entry(String(id)) }?.reviewReason == "handled by phone")
    }
}
