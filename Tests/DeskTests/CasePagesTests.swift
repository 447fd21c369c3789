import Foundation
import Gateway
import Registry
import Testing
import TestSupport

/// The cases area over real HTTP against `liaison serve`: sessions, CSRF, roles, escaping, TLP:RED, actors.
@Suite(.serialized) struct CasePagesTests {
    static let caseId = "JVNVU#12345678"
    static let path = "/cases/JVNVU%2312345678"
    static let hostileTitle = "\"><img src=x onerror=alert(1)> <script>alert(1)</script>"
    static let hostileName = "Acme <script>alert(1)</script>"

    /// A case with three vendors (one with a hostile name), and a TLP:RED case.
    static func fixture() throws -> DeskFixture {
        try DeskFixture(names: ["acme": hostileName]) { store in
            var book = CaseBook(store: store, actor: "opener")
            book.origins = WorkspaceConfiguration.Cases.shippedOrigins
            try book.open(id: caseId, title: hostileTitle, origin: "jvn-jp", due: "2031-03-31")
            try book.addParticipants(caseId: caseId, organizations: ["acme", "globex", "initech"])
            try book.setResponse(caseId: caseId, organizationId: "globex", response: .affected,
                                 statement: "\"><img src=x onerror=alert(2)>")
            try book.open(id: "VU#999", title: "Red secret title", origin: "cert-cc", due: "2031-01-15", tlp: .red)
            try book.addParticipants(caseId: "VU#999", organizations: ["acme"])
        }
    }

    @Test func everyCaseRouteNeedsASession() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = fixture.anonymous()
        for page in ["/cases", "/cases/calendar", Self.path, Self.path + "/notify?template=vendor-initial"] {
            #expect(try client.get(page).status == 303, "\(page)")
            #expect(try client.get("/api" + page).status == 401, "/api\(page)")
        }
        for action in ["response", "participants", "due", "tlp", "publish", "notify"] {
            #expect(try client.post(Self.path + "/" + action, form: [("org", "acme")], withCSRF: false).status == 401, "\(action)")
        }
    }

    @Test func noChangeWithoutTheCSRFToken() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        for (action, form) in [("response", [("org", "acme"), ("response", "fixed")]), ("participants", [("orgs", "initech")]),
                               ("due", [("due", "2031-06-30")]), ("tlp", [("tlp", "RED")]), ("publish", [("force", "1")]),
                               ("notify", [("template", "vendor-initial")])] {
            #expect(try client.post(Self.path + "/" + action, form: form, withCSRF: false).status == 403, "\(action)")
            #expect(try client.post(Self.path + "/" + action, form: form + [("csrf", "forged")], withCSRF: false).status == 403, "\(action)")
            #expect(try client.post("/api" + Self.path + "/" + action, form: form, withCSRF: false).status == 403, "/api \(action)")
        }
        let json = try client.get("/api" + Self.path)
        #expect(json.body.contains("\"response\":\"none\""))
        #expect(!json.body.contains("\"response\":\"fixed\""))
        #expect(json.body.contains("\"due\":\"2031-03-31\""))
    }

    @Test func auditorsReadButCannotChange() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "audrey")
        let page = try client.get(Self.path)
        #expect(page.status == 200)
        #expect(page.body.contains("Read only: auditors change nothing."))
        #expect(!page.body.contains("id=\"response-form\""))
        for (action, form) in [("response", [("org", "acme"), ("response", "fixed")]), ("due", [("due", "2031-06-30")]),
                               ("tlp", [("tlp", "GREEN")]), ("publish", [("force", "1")])] {
            #expect(try client.post(Self.path + "/" + action, form: form).status == 403, "\(action)")
            #expect(try client.post("/api" + Self.path + "/" + action, form: form, headers: ["X-CSRF-Token": client.csrfToken ?? ""]).status == 403)
        }
        #expect(try client.get("/api" + Self.path).body.contains("\"due\":\"2031-03-31\""))
    }

    @Test func hostileTextIsEscapedEverywhere() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        for page in ["/cases", "/cases/calendar", Self.path] {
            let body = try client.get(page).body
            #expect(!body.contains("<script>alert"), "\(page)")
            #expect(!body.contains("<img src=x"), "\(page)")
        }
        let detail = try client.get(Self.path).body
        #expect(detail.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(detail.contains("Acme &lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(detail.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
    }

    @Test func redCaseContentIsHiddenFromAuditorsOnly() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let auditor = try fixture.client(as: "audrey")
        for page in ["/cases", "/cases/VU%23999", "/api/cases", "/api/cases/VU%23999", "/cases/calendar"] {
            let body = try auditor.get(page).body
            #expect(!body.contains("Red secret title"), "\(page)")
            #expect(body.contains("VU#999"), "\(page)")
        }
        #expect(try auditor.get("/cases/VU%23999").body.contains("TLP:RED: shown to coordinators and leads only."))
        #expect(!(try auditor.get("/cases/VU%23999").body.contains("data-org=\"acme\"")))
        for name in ["alice", "lena"] {
            let reader = try fixture.client(as: name)
            #expect(try reader.get("/cases/VU%23999").body.contains("Red secret title"), "\(name)")
            #expect(try reader.get("/cases").body.contains("Red secret title"), "\(name)")
        }
    }

    @Test func casesAreSortedByDueWithTheirSummaryLineAndFilters() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        let body = try client.get("/cases").body
        let red = try #require(body.range(of: "data-case=\"VU#999\""))
        let other = try #require(body.range(of: "data-case=\"JVNVU#12345678\""))
        #expect(red.lowerBound < other.lowerBound)  // due 2031-01-15 before 2031-03-31
        #expect(body.contains("<span>3 vendors</span><span>0 notified</span><span>0 acknowledged</span><span>1 stated</span><span>0 undeliverable</span><span>0 no answer</span>"))
        #expect(!(try client.get("/cases?origin=cert-cc").body.contains("data-case=\"JVNVU#12345678\"")))
        #expect(try client.get("/cases?tlp=RED").body.contains("data-case=\"VU#999\""))
        #expect(!(try client.get("/cases?tlp=AMBER%2BSTRICT").body.contains("data-case=\"VU#999\"")))
        #expect(try client.get("/cases?tlp=AMBER%2BSTRICT").body.contains("data-case=\"JVNVU#12345678\""))
        #expect(try client.get("/cases?overdue=1").body.contains("No open case matches."))
        #expect(try client.get("/cases?q=secret").body.contains("data-case=\"VU#999\""))
        let calendar = try client.get("/cases/calendar").body
        #expect(calendar.contains("data-week=\"2031-01-13\""))  // the Monday of 2031-01-15
        #expect(calendar.contains("data-week=\"2031-03-31\""))
        let json = try client.get("/api/cases").body
        #expect(json.contains("\"vendors\":3"))
        #expect(try client.get("/api/cases/calendar").body.contains("\"start\":\"2031-01-13\""))
    }

    @Test func settingAResponseInTheDeskIsTheCommandLinesOperationWithTheDeskUserAsActor() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        let answer = try client.post(Self.path + "/response", form: [("org", "acme"), ("response", "fixed"), ("statement", "fixed in 2.1"),
                                                                     ("return_to", Self.path)])
        #expect(answer.status == 303)
        #expect(answer.header("location") == Self.path)
        let page = try client.get(Self.path).body
        #expect(page.contains("JVNVU#12345678 acme: fixed"))
        #expect(page.contains(#"<td class="r" data-v="fixed">fixed<td class="s">set by a person <span class="muted">(alice)</span><td class="t">fixed in 2.1<td>"#))
        // Refused as on the command line: one line, nothing changed.
        _ = try client.post(Self.path + "/response", form: [("org", "nobody"), ("response", "fixed"), ("return_to", Self.path)])
        let refused = try client.get(Self.path).body
        #expect(refused.contains("class=\"notice error\""))
        #expect(refused.contains("nobody is not a participant of JVNVU#12345678"))
        let show = try runLiaison(["case", "show", Self.caseId, "--format", "json"], workspace: fixture.root)
        #expect(show.stdout.contains("\"statement\" : \"fixed in 2.1\""))
        let actors = try AuditTrail.rows(workspace: fixture.root, objectType: "participant").filter { $0.action == "participant.response" }
        #expect(actors.map(\.actor) == ["opener", "alice"])
        #expect(page.contains(#"<td class="actor">alice</td><td class="action">participant.response</td>"#))
    }

    @Test func dueTLPAddAndPublishActAsTheDeskUserWithTheSameChecks() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "lena")
        _ = try client.post(Self.path + "/due", form: [("due", "2031-05-31"), ("return_to", Self.path)])
        #expect(try client.get(Self.path).body.contains(#"<span id="case-due">2031-05-31</span>"#))
        _ = try client.post(Self.path + "/due", form: [("due", "2001-01-01"), ("return_to", Self.path)])
        let past = try client.get(Self.path).body
        #expect(past.contains("class=\"notice error\""))
        #expect(past.contains(#"<span id="case-due">2031-05-31</span>"#))
        _ = try client.post(Self.path + "/tlp", form: [("tlp", "GREEN"), ("return_to", Self.path)])
        #expect(try client.get(Self.path).body.contains(#"id="case-tlp">TLP:GREEN</span>"#))
        _ = try client.post(Self.path + "/participants", form: [("orgs", "nosuch"), ("return_to", Self.path)])
        #expect(try client.get(Self.path).body.contains("no organisation nosuch"))
        _ = try client.post(Self.path + "/publish", form: [("return_to", Self.path)])
        let early = try client.get(Self.path).body
        #expect(early.contains("class=\"notice error\""))
        #expect(early.contains("not published"))
        let api = try client.post("/api" + Self.path + "/publish", form: [("force", "1")], withCSRF: false,
                                  headers: ["X-CSRF-Token": client.csrfToken ?? ""])
        #expect(api.status == 200)
        #expect(api.body.contains("\"ok\":true"))
        let events = try AuditTrail.rows(workspace: fixture.root, objectType: "case").filter { $0.objectId == Self.caseId }
        #expect(events.map(\.action).contains("case.published"))
        #expect(events.filter { $0.action != "case.opened" }.allSatisfy { $0.actor == "lena" })
        #expect(events.first?.actor == "opener")
    }

    @Test func theMatrixShowsResponsesAndDeliveryInThePageLanguageWithTheirValuesKept() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        let japanese = try client.get(Self.path + "?lang=ja").body
        #expect(japanese.contains(#"<tr data-org="globex"><td><a href="/directory/globex">globex</a><small>Company globex</small><td class="d" data-v="pending">未通知<td class="r" data-v="affected">影響あり<td class="s">担当者が設定 <span class="muted">(opener)</span><td class="t">&quot;&gt;&lt;img src=x onerror=alert(2)&gt;<td>"#))
        #expect(japanese.contains(#"<td class="r" data-v="none">なし"#))
        #expect(!japanese.contains(">not-affected<") && !japanese.contains(">pending<"))
        #expect(japanese.contains(#"<option value="not-affected">影響なし</option>"#))
        let english = try client.get(Self.path + "?lang=en").body
        #expect(english.contains(#"<td class="d" data-v="pending">not notified<td class="r" data-v="affected">affected"#))
        #expect(english.contains(#"<option value="not-affected">not affected</option>"#))
        // The JSON has the same rows: the values and the labels of the user's language.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(client.get("/api" + Self.path).body.utf8)) as? [String: Any])
        let rows = try #require(json["matrix"] as? [[String: Any]])
        #expect(rows.map { $0["organization"] as? String } == ["acme", "globex", "initech"])
        let globex = try #require(rows.first { $0["organization"] as? String == "globex" })
        #expect(globex["response"] as? String == "affected")
        #expect(globex["delivery"] as? String == "pending")
        #expect(globex["statement"] as? String == "\"><img src=x onerror=alert(2)>")
        #expect(globex["sourceActor"] as? String == "opener")
        #expect(globex["name"] as? String == "Company globex")
        #expect((json["timeline"] as? [[String: Any]])?.first?["action"] as? String == "participant.response")
    }

    @Test func theTLPSelectStartsOnTheCasesLevel() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        func selected(_ page: String) -> [String] {
            page.components(separatedBy: "<option ").filter { $0.contains(" selected>") }.map { String($0.prefix { $0 != " " }) }
        }
        let before = try client.get(Self.path).body
        #expect(selected(before) == [#"value="AMBER+STRICT""#])
        _ = try client.post(Self.path + "/tlp", form: [("tlp", "GREEN"), ("return_to", Self.path)])
        #expect(selected(try client.get(Self.path).body) == [#"value="GREEN""#])
        #expect(selected(try client.get("/cases/VU%23999").body) == [#"value="RED""#])
    }

    @Test func aWorkspaceWithoutTemplatesSaysSoInsteadOfAnEmptyTemplateChoice() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        for language in ["en", "ja"] {
            let page = try client.get(Self.path + "?lang=\(language)").body
            #expect(page.contains("id=\"no-templates\""), "\(language)")
            #expect(!page.contains("id=\"notify-template\""), "\(language)")
            #expect(page.contains(language == "ja" ? "Templates/ に通知テンプレートがありません" : "No notification template in Templates/"))
        }
    }

    @Test func notifyShowsEachLanguagesMessageBeforeQueuing() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        let preview = try client.get(Self.path + "/notify?template=vendor-initial")
        #expect(preview.status == 200)
        // Without a signing key, the same problem as `notify --dry-run`, and no form to queue.
        let dryRun = try runLiaison(["notify", Self.caseId, "--template", "vendor-initial", "--dry-run"], workspace: fixture.root)
        if dryRun.status != 0 {
            #expect(preview.body.contains("class=\"notice error problem\""))
            #expect(!preview.body.contains("id=\"queue\""))
        } else {
            #expect(preview.body.contains("class=\"panel preview\""))
        }
    }
}
