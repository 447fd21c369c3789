import Foundation
import Gateway
import Registry
import Testing
import TestSupport

/// The inbox, outbox, directory, report and audit pages over real HTTP against `liaison serve`: sessions, CSRF,
/// roles, escaping of what comes from outside, TLP:RED withheld from auditors, and each action doing what the
/// command line does, in the desk user's name.
@Suite(.serialized) struct DeskPagesTests {
    static let script = "<script>alert(1)</script>"
    static let image = #""><img src=x onerror=alert(1)>"#
    static let hostile = script + " " + image

    /// A notified case with one reply whose status cannot be read, its subject, sender name and body hostile.
    static func withHostileReply() throws -> (NotifiedDesk, Int64) {
        let desk = try NotifiedDesk()
        do {
            let id = try desk.reply(from: "acme", id: "odd-1", fromName: hostile, subject: "Re: " + hostile,
                                    body: "We ship our own TLS code " + hostile + "; the analysis is in the attached spreadsheet.")
            return (desk, id)
        } catch {
            desk.remove()
            throw error
        }
    }

    @Test func everyPageAndActionNeedsASession() throws {
        let desk = try NotifiedDesk(send: false)
        defer { desk.remove() }
        let client = desk.anonymous()
        for path in ["/inbox", "/inbox?all=1", "/inbox/1", "/outbox", "/directory", "/directory/acme", "/reports/quarter/2026Q4",
                     "/reports/quarter/2026Q4?lang=ja", "/reports/report.css", "/audit"] {
            let page = try client.get(path)
            #expect(page.status == 303, "\(path)")
            #expect(page.header("location")?.hasPrefix("/login") == true, "\(path)")
        }
        for path in ["/api/inbox", "/api/inbox/1", "/api/outbox", "/api/directory", "/api/directory/acme",
                     "/api/reports/quarter/2026Q4", "/api/audit"] {
            #expect(try client.get(path).status == 401, "\(path)")
        }
        for path in ["/inbox/1/assign", "/inbox/1/dismiss", "/outbox/1/release"] {
            #expect(try client.post(path, form: [("reason", "x")], withCSRF: false).status == 401, "\(path)")
        }
    }

    @Test func noChangeWithoutACSRFTokenAndNoneByAnAuditor() throws {
        let (desk, id) = try Self.withHostileReply()
        defer { desk.remove() }
        let alice = try desk.client(as: "alice")
        let audrey = try desk.client(as: "audrey")
        let before = try desk.participant("acme")?.response
        for client in [alice, audrey] {
            let forms: [(String, [(String, String)])] = [
                ("/inbox/\(id)/assign", [("case", desk.caseId), ("org", "acme"), ("response", "fixed")]),
                ("/inbox/\(id)/dismiss", [("reason", "spam")]),
                ("/outbox/1/release", []),
            ]
            for (path, form) in forms {
                // Without the token, for anyone; with it, still refused for an auditor.
                #expect(try client.post(path, form: form, withCSRF: false).status == 403, "\(path)")
                if client === audrey { #expect(try client.post(path, form: form).status == 403, "\(path) as auditor") }
            }
        }
        #expect(try desk.participant("acme")?.response == before)
        let entry = try desk.fixture.store().inbound.read { try $0.entry(String(id)) }
        #expect(entry?.reviewState == .open)
        // An auditor sees no form to act with.
        let page = try audrey.get("/inbox/\(id)")
        #expect(page.status == 200)
        #expect(!page.body.contains("assign-form") && !page.body.contains("dismiss-form"))
    }

    @Test func hostileSubjectSenderAndBodyAreShownEscaped() throws {
        let (desk, id) = try Self.withHostileReply()
        defer { desk.remove() }
        let alice = try desk.client(as: "alice")
        let list = try alice.get("/inbox")
        let message = try alice.get("/inbox/\(id)")
        for page in [list, message] {
            #expect(page.status == 200)
            #expect(!page.body.contains(Self.script), "an unescaped script tag")
            #expect(!page.body.contains("<img src=x"), "an unescaped image")
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(page.header("content-security-policy")?.contains("script-src 'self'") == true)
        }
        #expect(list.body.contains("answer not understood"))
        // Subject, sender name and text each shown, escaped.
        #expect(message.body.components(separatedBy: "&lt;img src=x onerror=alert(1)&gt;").count - 1 >= 3, "\(message.body)")
        #expect(message.body.contains("We ship our own TLS code &lt;script&gt;"))
        // The JSON carries the same text as data.
        let json = try alice.get("/api/inbox/\(id)")
        let object = try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any]
        #expect((object?["subject"] as? String) == "Re: " + Self.hostile)
        #expect(json.header("content-type")?.hasPrefix("application/json") == true)
    }

    @Test func assigningAReplySetsTheResponseInTheDeskUsersName() throws {
        let (desk, id) = try Self.withHostileReply()
        defer { desk.remove() }
        let alice = try desk.client(as: "alice")
        let page = try alice.get("/inbox/\(id)")
        #expect(page.body.contains(#"<option value="acme" selected>"#), "the matched organisation is chosen")
        #expect(page.body.contains(#"<option value="globex">"#), "every participant of the case is offered")
        // A status that is none is refused in one line; nothing changes.
        let refused = try alice.post("/inbox/\(id)/assign", form: [("case", desk.caseId), ("org", "acme"), ("response", "maybe")])
        #expect(refused.status == 303)
        #expect(try alice.get(refused.header("location") ?? "/inbox").body.contains("response maybe is not one of"))
        #expect(try desk.participant("acme")?.response != .fixed)
        // An organisation outside the case is refused as the command line refuses it.
        let outsider = try alice.post("/inbox/\(id)/assign", form: [("case", desk.caseId), ("org", "initech"), ("response", "fixed")])
        #expect(try alice.get(outsider.header("location") ?? "/inbox").body.contains("initech"))
        #expect(try desk.participant("acme")?.response != .fixed)

        let assigned = try alice.post("/inbox/\(id)/assign", form: [("case", desk.caseId), ("org", "acme"), ("response", "fixed"),
                                                                   ("return_to", "/inbox/\(id)")])
        #expect(assigned.status == 303)
        #expect(assigned.header("location") == "/inbox/\(id)")
        let after = try alice.get("/inbox/\(id)")
        #expect(after.body.contains("assigned to \(desk.caseId) / acme"), "\(after.body)")
        #expect(try desk.participant("acme")?.response == .fixed)
        let events = try desk.fixture.store().events.latest(limit: 20)
        #expect(events.contains { $0.action == "participant.response" && $0.actor == "alice" })
        #expect(events.contains { $0.action == "inbound.assigned" && $0.actor == "alice" })
        // No longer waiting: gone from the review list.
        #expect(!(try alice.get("/inbox").body.contains("id=\"message-\(id)\"")))
        // The case's vendor matrix and the organisation's history show it.
        let matrix = try alice.get(desk.casePath).body
        #expect(matrix.contains(#"<tr data-org="acme">"#) && matrix.contains(#"<td class="r" data-v="fixed">fixed<td class="s">"#), "\(matrix)")
        #expect(try alice.get("/directory/acme").body.contains("fixed"))
    }

    @Test func dismissingNeedsAReasonAndIsRecordedWithTheUser() throws {
        let (desk, id) = try Self.withHostileReply()
        defer { desk.remove() }
        let lena = try desk.client(as: "lena")
        let blank = try lena.post("/inbox/\(id)/dismiss", form: [("reason", "  "), ("return_to", "/inbox/\(id)")])
        #expect(try lena.get(blank.header("location") ?? "/").body.contains("must say why"))
        #expect(try desk.fixture.store().inbound.read { try $0.entry(String(id)) }?.reviewState == .open)
        let dismissed = try lena.post("/inbox/\(id)/dismiss", form: [("reason", "handled by phone")])
        #expect(dismissed.status == 303 && dismissed.header("location") == "/inbox")
        let entry = try desk.fixture.store().inbound.read { try $0.entry(String(id)) }
        #expect(entry?.reviewState == .dismissed && entry?.reviewReason == "handled by phone")
        #expect(try desk.fixture.store().events.latest(limit: 5).contains { $0.action == "inbound.dismissed" && $0.actor == "lena" })
    }

    @Test func redCaseContentIsShownToCoordinatorsOnly() throws {
        let desk = try NotifiedDesk(caseId: "JVNVU#99999999", title: "Secret RED title", tlp: "RED")
        defer { desk.remove() }
        let id = try desk.reply(from: "acme", id: "red-1", subject: "Re: secret subject", body: "Secret body text, analysis attached.")
        try desk.liaison(["case", "set", desk.caseId, "globex", "affected", "--statement", "Secret statement"])
        let alice = try desk.client(as: "alice")
        let audrey = try desk.client(as: "audrey")
        for path in ["/inbox", "/inbox/\(id)", "/api/inbox", "/api/inbox/\(id)", "/directory/globex", "/api/directory/globex", "/outbox", "/api/outbox"] {
            let seen = try alice.get(path).body
            let hidden = try audrey.get(path).body
            for secret in ["secret subject", "Secret body text", "Secret RED title", "Secret statement"] {
                #expect(!hidden.contains(secret), "\(secret) shown to an auditor on \(path)")
            }
            if path.contains("inbox") { #expect(seen.contains("secret subject"), "\(path)") }
            if path.contains("directory") { #expect(seen.contains("Secret statement") && seen.contains("Secret RED title"), "\(path)") }
        }
    }

    @Test func outboxListsHeldAndDeferredMessagesAndReleasesAHeldOne() throws {
        let desk = try NotifiedDesk(send: false)
        defer { desk.remove() }
        try desk.sql("UPDATE notification SET state = 'sending', heldReason = 'accepted by the server; recording failed' WHERE organizationId = 'acme'")
        try desk.sql("UPDATE notification SET state = 'deferred', attempts = 2, nextAttemptAt = '2030-01-01 00:00:00.000', lastError = '451 4.3.0 Try later' WHERE organizationId = 'globex'")
        let held = try #require(try Outbox(store: desk.fixture.store()).list(heldOnly: true).first)
        let alice = try desk.client(as: "alice")
        let page = try alice.get("/outbox")
        #expect(page.body.contains("accepted by the server; recording failed"))
        #expect(page.body.contains("451 4.3.0 Try later"))
        #expect(page.body.contains("2030-01-01"))
        #expect(page.body.contains("id=\"release-\(held.id)\""))
        let api = try JSONSerialization.jsonObject(with: Data(try alice.get("/api/outbox").body.utf8)) as? [String: Any]
        #expect((api?["held"] as? [[String: Any]])?.count == 1)
        #expect((api?["deferred"] as? [[String: Any]])?.first?["attempts"] as? Int == 2)

        let released = try alice.post("/outbox/\(held.id)/release", form: [("return_to", "/outbox")])
        #expect(released.status == 303)
        #expect(try alice.get("/outbox").body.contains("released 1 message"))
        #expect(try Outbox(store: desk.fixture.store()).list(heldOnly: true).isEmpty)
        #expect(try desk.fixture.store().events.latest(limit: 5).contains { $0.action == "notification.released" && $0.actor == "alice" })
        // Releasing it again is refused in one line.
        let again = try alice.post("/outbox/\(held.id)/release", form: [("return_to", "/outbox")])
        #expect(try alice.get(again.header("location") ?? "/outbox").body.contains("is not held"))
    }

    @Test func directoryShowsKeysBouncesAndAnOrganisationsHistoryWithResponseTimes() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        try desk.liaison(["case", "set", desk.caseId, "acme", "not-affected", "--statement", "Our TLS stack is not affected."])
        try desk.sql("UPDATE contact SET bounceCount = 3, lastBounceAt = '2026-01-02 03:04:05.000' WHERE organizationId = 'globex'")
        let alice = try desk.client(as: "alice")
        let list = try alice.get("/directory")
        #expect(list.status == 200)
        #expect(list.body.contains("id=\"org-acme\"") && list.body.contains("id=\"org-globex\""))
        #expect(list.body.contains("3 bounces"))
        let acme = try alice.get("/directory/acme")
        #expect(acme.body.contains(desk.caseId))
        #expect(acme.body.contains("Our TLS stack is not affected."))
        #expect(acme.body.contains("set by a person"))
        #expect(acme.body.contains("1 / 1"), "answered in one case of one notified")
        let api = try JSONSerialization.jsonObject(with: Data(try alice.get("/api/directory/acme").body.utf8)) as? [String: Any]
        let history = try #require((api?["history"] as? [[String: Any]])?.first)
        #expect(history["response"] as? String == "not-affected")
        #expect(history["sourceKind"] as? String == "person")
        #expect((history["secondsToRespond"] as? Double).map { $0 >= 0 } == true)
        #expect(try alice.get("/directory/nobody").status == 404)
    }

    @Test func quarterlyReportIsServedInEitherLanguageUnderTheDesksPolicy() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        let alice = try desk.client(as: "alice")
        let quarter = Self.quarter(Date())
        let english = try alice.get("/reports/quarter/\(quarter)")
        #expect(english.status == 200)
        #expect(english.body.contains("<html lang=\"en\""))
        #expect(english.body.contains("href=\"/reports/report.css\""))
        #expect(!english.body.contains("<style>"), "no inline style: the policy would block it")
        let japanese = try alice.get("/reports/quarter/\(quarter)?lang=ja")
        #expect(japanese.body.contains("<html lang=\"ja\""))
        let css = try alice.get("/reports/report.css")
        #expect(css.status == 200 && css.header("content-type")?.hasPrefix("text/css") == true)
        let json = try JSONSerialization.jsonObject(with: Data(try alice.get("/api/reports/quarter/\(quarter)").body.utf8)) as? [String: Any]
        #expect(json != nil)
        let bad = try alice.get("/reports/quarter/2026Q5")
        #expect(bad.status == 400)
        #expect(!bad.body.contains("Swift"))
    }

    @Test func auditPageShowsTheLogsStateAndWhoDidWhat() throws {
        let desk = try NotifiedDesk()
        defer { desk.remove() }
        try desk.liaison(["case", "set", desk.caseId, "acme", "fixed"])
        let lena = try desk.client(as: "lena")
        let page = try lena.get("/audit")
        #expect(page.status == 200)
        #expect(page.body.contains("The event log is intact"))
        #expect(page.body.contains("participant.response"))
        let api = try JSONSerialization.jsonObject(with: Data(try lena.get("/api/audit").body.utf8)) as? [String: Any]
        #expect(api?["verified"] as? Bool == true)
        let events = api?["events"] as? [[String: Any]] ?? []
        #expect(events.contains { $0["action"] as? String == "participant.response" && $0["actor"] as? String != nil })
        #expect(api?["latestSeal"] == nil, "no seal yet")
        // Sealed: the page names the seal.
        try desk.liaison(["audit", "seal"])
        let sealed = try JSONSerialization.jsonObject(with: Data(try lena.get("/api/audit").body.utf8)) as? [String: Any]
        #expect(((sealed?["latestSeal"] as? [String: Any])?["eventCount"] as? Int ?? 0) > 0)
        #expect(try lena.get("/audit").body.contains("id=\"last-seal\""))
    }

    static func quarter(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: date)
        return "\(parts.year!)Q\((parts.month! - 1) / 3 + 1)"
    }
}
