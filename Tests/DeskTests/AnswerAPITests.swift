import Foundation
import Testing
import TestSupport

/// The answer link's JSON API and the hostile-input rules of the form, over real loopback connections to
/// `liaison serve`, and the API checked against its own OpenAPI document with schemathesis.
@Suite(.serialized) struct AnswerAPITests {
    static let caseId = AnswerFixture.caseId

    static func json(_ response: DeskHTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]) ?? [:]
    }

    static func postJSON(_ client: DeskHTTPClient, _ path: String, _ body: Any, type: String = "application/json") throws -> DeskHTTPResponse {
        try client.send("POST", path, headers: ["Content-Type": type], body: try JSONSerialization.data(withJSONObject: body))
    }

    /// The value of the first figure named `key` anywhere in a report's JSON.
    static func figure(_ key: String, in json: Any) -> Double? {
        if let object = json as? [String: Any] {
            if let figure = object[key] {
                if let number = figure as? NSNumber { return number.doubleValue }
                if let inner = figure as? [String: Any], let value = inner["value"] as? NSNumber { return value.doubleValue }
            }
            for value in object.values { if let found = figure(key, in: value) { return found } }
        }
        if let list = json as? [Any] { for item in list { if let found = figure(key, in: item) { return found } } }
        return nil
    }

    @Test func theAPIGivesTheCaseAndRecordsAnAnswerAsTheVendors() throws {
        let f = try AnswerFixture()
        defer { f.remove() }
        let client = DeskHTTPClient(base: f.server.baseURL)
        let token = try f.token("bluebird")
        let view = try client.get("/api/v1/answer/\(token)")
        #expect(view.status == 200 && view.header("content-type")?.hasPrefix("application/json") == true)
        let shown = Self.json(view)
        #expect((shown["case"] as? [String: Any])?["id"] as? String == Self.caseId)
        #expect(shown["organization"] as? String == "Company bluebird")
        #expect(shown["answer"] == nil)
        // Nothing of the case beyond what the notification said: no other vendor, no statement.
        #expect(!view.body.contains("aozora"))

        let answer: [String: Any] = ["products": [
            ["name": "Bluebird VPN", "identifier": "pkg:generic/bluebird-vpn@2.4", "status": "fixed", "fixed_version": "2.4.1"],
            ["name": "Bluebird Mail", "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"],
        ], "statement": "Fixed in 2.4.1.", "contact": "psirt@bluebird.example"]
        let posted = try Self.postJSON(client, "/api/v1/answer/\(token)", answer)
        #expect(posted.status == 200, "\(posted.body)")
        #expect(Self.json(posted)["response"] as? String == "investigating")   // a mix of fixed and not affected
        let again = Self.json(try client.get("/api/v1/answer/\(token)"))
        #expect(((again["answer"] as? [String: Any])?["products"] as? [[String: Any]])?.count == 2)
        let bluebird = try #require(try f.participants()["bluebird"])
        #expect((bluebird["products"] as? [[String: Any]])?.allSatisfy { $0["source"] as? String == "answer link" } == true)

        // The quarterly report counts the answer given through the link: one of the two vendors answered.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.dateComponents([.year, .month], from: Date())
        let quarter = "\(today.year!)Q\((today.month! - 1) / 3 + 1)"
        let report = try JSONSerialization.jsonObject(with: Data(try f.liaison(["report", "quarter", quarter, "--format", "json"]).utf8))
        #expect(Self.figure("participantsResponded", in: report) == 1, "\(report)")
        #expect(Self.figure("responseRate", in: report) == 0.5)

        // A bad answer: one line per field, and nothing changes.
        let bad = try Self.postJSON(client, "/api/v1/answer/\(token)", ["products": [["name": "X", "status": "not_affected"]]])
        #expect(bad.status == 400)
        #expect((Self.json(bad)["problems"] as? [String])?.first?.hasPrefix("products[1].justification") == true)
        let notJSON = try client.send("POST", "/api/v1/answer/\(token)", headers: ["Content-Type": "text/plain"], body: Data("{}".utf8))
        #expect(notJSON.status == 415)
        #expect(try f.participants()["bluebird"]?["response"] as? String == "investigating")

        // An OpenVEX document through the API.
        let openvex: [String: Any] = [
            "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://bluebird.example/vex/1", "author": "Bluebird PSIRT",
            "timestamp": "2026-12-01T00:00:00Z", "version": 1,
            "statements": [["vulnerability": ["name": Self.caseId], "products": [["@id": "pkg:generic/bluebird-vpn@2.4"]],
                            "status": "affected", "action_statement": "Update to 2.4.1"]],
        ]
        let document = try Self.postJSON(client, "/api/v1/answer/\(token)/document", openvex)
        #expect(document.status == 200, "\(document.body)")
        #expect(Self.json(document)["response"] as? String == "affected")
        let products = try f.participants()["bluebird"]?["products"] as? [[String: Any]] ?? []
        #expect(products.map { $0["product"] as? String } == ["pkg:generic/bluebird-vpn@2.4"])
        #expect((products.first?["reference"] as? String)?.hasPrefix("OpenVEX") == true)
    }

    /// A VEX document about another vulnerability is refused through the link with one line — 422 from the API,
    /// shown on the form — and nothing is recorded; a document of several vulnerabilities answers with the case's
    /// statements only.
    @Test func aVEXDocumentAboutAnotherVulnerabilityIsRefusedAndChangesNothing() throws {
        let f = try AnswerFixture()
        defer { f.remove() }
        let client = DeskHTTPClient(base: f.server.baseURL)
        let token = try f.token("bluebird")
        func openvex(_ statements: [[String: Any]]) -> [String: Any] {
            ["@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://bluebird.example/vex/9", "author": "Bluebird PSIRT",
             "timestamp": "2026-12-01T00:00:00Z", "version": 1, "statements": statements]
        }
        let foreign = openvex([["vulnerability": ["name": "JVNVU#99999999"], "products": [["@id": "pkg:generic/bluebird-vpn@2.4"]],
                                "status": "not_affected", "justification": "component_not_present"]])
        let refused = try Self.postJSON(client, "/api/v1/answer/\(token)/document", foreign)
        #expect(refused.status == 422, "\(refused.body)")
        let line = "document: it is about JVNVU#99999999, not \(Self.caseId); nothing was recorded"
        #expect(Self.json(refused)["error"] as? String == line)
        #expect(try f.participants()["bluebird"]?["response"] as? String == "none")
        #expect((try f.participants()["bluebird"]?["products"] as? [Any])?.isEmpty != false)

        // The form's upload: the same line on the form, 422, and nothing to confirm.
        let path = try f.path("bluebird")
        let page = try client.get(path)
        let nonce = try #require(page.csrfToken)
        let boundary = "----LiaisonTestBoundary7Q"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(nonce)\r\n".utf8)
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"document\"; filename=\"bluebird.openvex.json\"\r\nContent-Type: application/json\r\n\r\n".utf8))
        body.append(try JSONSerialization.data(withJSONObject: foreign))
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        let upload = try client.send("POST", "\(path)/document", headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], body: body)
        #expect(upload.status == 422, "\(upload.status)")
        #expect(upload.body.contains("document: it is about JVNVU#99999999, not JVNVU#88880001; nothing was recorded"), "\(upload.body)")
        #expect(!upload.body.contains("id=\"confirm-products\""))
        #expect(try f.participants()["bluebird"]?["response"] as? String == "none")

        // Statements about the case and about another vulnerability: only the case's are recorded.
        let mixed = openvex([
            ["vulnerability": ["name": "CVE-2026-99999"], "products": [["@id": "pkg:generic/bluebird-vpn@2.4"]],
             "status": "affected", "action_statement": "Update to 2.4.1"],
            ["vulnerability": ["name": Self.caseId], "products": [["@id": "pkg:generic/bluebird-vpn@2.4"]],
             "status": "not_affected", "justification": "component_not_present"],
        ])
        let recorded = try Self.postJSON(client, "/api/v1/answer/\(token)/document", mixed)
        #expect(recorded.status == 200, "\(recorded.body)")
        #expect(Self.json(recorded)["response"] as? String == "not-affected")
        let products = try f.participants()["bluebird"]?["products"] as? [[String: Any]] ?? []
        #expect(products.map { $0["status"] as? String } == ["not-affected"])
    }

    @Test func aTamperedAnExpiredAndARevokedTokenGetTheSameRefusal() throws {
        let f = try AnswerFixture(developers: [("aozora", "ja"), ("bluebird", "en"), ("crane", "en")])
        defer { f.remove() }
        let client = DeskHTTPClient(base: f.server.baseURL)
        let valid = try f.token("crane")
        #expect(try client.get("/answer/\(valid)").status == 200)
        // Tampered: one character of the MAC changed.
        var characters = Array(try f.token("bluebird"))
        characters[characters.count - 3] = characters[characters.count - 3] == "A" ? "B" : "A"
        let tampered = String(characters)
        // Revoked.
        let revoked = try f.token("aozora")
        try f.liaison(["case", "answer-link", Self.caseId, "aozora", "--revoke"])
        // Expired: a second case, published long ago, past its grace days.
        try f.liaison(["case", "open", "JVNVU#88880002", "--title", "Old", "--origin", "jvn-jp", "--due", "2030-01-15"])
        try f.liaison(["case", "add", "JVNVU#88880002", "crane"])
        try f.liaison(["case", "publish", "JVNVU#88880002", "--at", "2020-01-01", "--force"])
        try f.liaison(["notify", "JVNVU#88880002", "--template", "publication"])
        try f.liaison(["send"])
        // Published more than answer.grace_days ago: no link is given any more.
        let issued = try runLiaison(["case", "answer-link", "JVNVU#88880002", "crane"], workspace: f.root)
        #expect(issued.status == 1 && issued.stderr.contains("takes no more answers"))
        // A link issued while the case was open, its case then published long ago.
        let expiring = try f.token("bluebird")
        _ = expiring
        try f.liaison(["case", "open", "JVNVU#88880003", "--title", "Soon", "--origin", "jvn-jp", "--due", "2030-01-15"])
        try f.liaison(["case", "add", "JVNVU#88880003", "crane"])
        let openLink = try f.liaison(["case", "answer-link", "JVNVU#88880003", "crane"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let expired = try #require(URL(string: openLink)?.lastPathComponent)
        #expect(try client.get("/answer/\(expired)").status == 200)
        try f.liaison(["case", "publish", "JVNVU#88880003", "--at", "2020-01-01", "--force"])

        var pages: [DeskHTTPResponse] = []
        var answers: [DeskHTTPResponse] = []
        var posts: [DeskHTTPResponse] = []
        for token in [tampered, revoked, expired] {
            pages.append(try client.get("/answer/\(token)"))
            answers.append(try client.get("/api/v1/answer/\(token)"))
            posts.append(try Self.postJSON(client, "/api/v1/answer/\(token)", ["products": [["name": "X", "status": "affected"]]]))
        }
        #expect(pages.allSatisfy { $0.status == 404 } && Set(pages.map(\.body)).count == 1)
        #expect(pages.first?.body.contains("This link is not valid") == true)
        #expect(answers.allSatisfy { $0.status == 404 } && Set(answers.map(\.body)).count == 1)
        #expect(posts.allSatisfy { $0.status == 404 } && Set(posts.map(\.body)).count == 1 && posts.first?.body == answers.first?.body)
        let form = try client.post("/answer/\(revoked)", form: [("name", "X"), ("status", "affected")], withCSRF: false)
        #expect(form.status == 404 && form.body == pages.first?.body)
        #expect(try f.participants()["aozora"]?["response"] as? String == "none")
    }

    @Test func theFormNeedsItsNonceRefusesLargeBodiesLimitsSubmissionsAndAddsARowWithoutScript() throws {
        let f = try AnswerFixture()
        defer { f.remove() }
        let client = DeskHTTPClient(base: f.server.baseURL)
        let path = try f.path("bluebird")
        let page = try client.get(path)
        #expect(page.status == 200)
        #expect(page.header("content-security-policy")?.contains("script-src 'self'") == true)
        #expect(!page.body.contains("<script>") && page.body.contains(#"<script src="/static/answer.js" defer></script>"#))
        // Without a script: "Add a product" asks the server for one more row, the rows typed kept.
        let more = try client.post(path, form: [("name", "Bluebird NAS"), ("status", "affected"), ("add_row", "1")])
        #expect(more.status == 200)
        #expect(more.body.components(separatedBy: #"<tr class="product-row">"#).count - 1 == 2)
        #expect(more.body.contains(#"value="Bluebird NAS""#))
        // A field refused for a control character is shown back with it made visible, never written raw.
        let refusedRow = try client.post(path, form: [("name", "Blue\u{0}bird \u{202E}NAS"), ("status", "affected")])
        #expect(refusedRow.status == 422, "\(refusedRow.status)")
        #expect(refusedRow.body.contains("products[1].name: contains control characters"), "\(refusedRow.body)")
        #expect(!refusedRow.body.contains("\u{0}") && !refusedRow.body.contains("\u{202E}"), "no raw control character")
        #expect(refusedRow.body.contains(#"value="Blue\u{0}bird \u{202E}NAS""#), "shown visibly")
        // Two rows sent without a script: both recorded.
        let sent = try client.post(path, form: [("name", "Bluebird NAS"), ("status", "affected"), ("justification", ""), ("fixed_version", ""),
                                                ("name", "Bluebird Cam"), ("status", "under_investigation"), ("justification", ""), ("fixed_version", ""),
                                                ("statement", ""), ("contact", "")])
        #expect(sent.status == 303)
        #expect((try f.participants()["bluebird"]?["products"] as? [Any])?.count == 2)
        // A form without its nonce, or with another link's nonce, changes nothing.
        let other = try DeskHTTPClient(base: f.server.baseURL).get(try f.path("aozora")).csrfToken ?? ""
        for nonce in ["", other, "1.AAAA"] {
            let refused = try client.post(path, form: [("csrf", nonce), ("name", "Forged"), ("status", "fixed"), ("fixed_version", "9")], withCSRF: false)
            #expect(refused.status == 403)
        }
        #expect(try f.participants()["bluebird"]?["response"] as? String == "affected")
        // Over 1 MB: 413, for the form and the API; a document over 5 MB: 413.
        let big = String(repeating: "a", count: (1 << 20) + 10)
        #expect(try client.post(path, form: [("name", "X"), ("status", "affected"), ("statement", big)]).status == 413)
        #expect(try client.send("POST", "/api/v1/answer/\(try f.token("bluebird"))", headers: ["Content-Type": "application/json"],
                                body: Data(("{\"statement\": \"" + big + "\"}").utf8)).status == 413)
        let huge = Data(("{\"bomFormat\": \"CycloneDX\", \"x\": \"" + String(repeating: "b", count: 5 * 1024 * 1024) + "\"}").utf8)
        #expect(try client.send("POST", "/api/v1/answer/\(try f.token("bluebird"))/document", headers: ["Content-Type": "application/json"],
                                body: huge).status == 413)
        // 30 submissions a link in 10 minutes; then 429.
        var statuses: [Int] = []
        for _ in 0..<30 {
            statuses.append(try Self.postJSON(client, "/api/v1/answer/\(try f.token("bluebird"))",
                                               ["products": [["name": "Bluebird NAS", "status": "affected"]]]).status)
        }
        #expect(statuses.contains(429))
        let limited = try Self.postJSON(client, "/api/v1/answer/\(try f.token("bluebird"))", ["products": [["name": "Bluebird NAS", "status": "affected"]]])
        #expect(limited.status == 429 && limited.header("retry-after") == "600")
        #expect(try client.post(path, form: [("name", "Y"), ("status", "affected")]).status == 429)
        // Another link is not limited by this one.
        #expect(try client.get("/api/v1/answer/\(try f.token("aozora"))").status == 200)
    }

    @Test func theAPIHoldsToItsOwnOpenAPIDocument() throws {
        let f = try AnswerFixture()
        defer { f.remove() }
        // Many submissions in a few seconds: the limit is raised so that they reach the logic behind it.
        try f.restartServer(answerSetting: "rate_limit: 100000")
        let client = DeskHTTPClient(base: f.server.baseURL)
        let document = try client.get("/api/v1/openapi.json")
        #expect(document.status == 200)
        let openapi = Self.json(document)
        #expect(openapi["openapi"] as? String == "3.1.0")
        #expect(((openapi["paths"] as? [String: Any])?.keys.sorted()) == ["/api/v1/answer/{token}", "/api/v1/answer/{token}/document"])
        // schemathesis with a valid token, a few examples per operation.
        let config = f.root.appendingPathComponent("schemathesis.toml")
        try "[parameters]\n\"path.token\" = \"\(try f.token("aozora"))\"\n".write(to: config, atomically: true, encoding: .utf8)
        let run = try runProcess("/usr/bin/env", [
            "schemathesis", "--config-file", config.path, "run", f.server.baseURL.absoluteString + "/api/v1/openapi.json",
            "--max-examples", "15", "--workers", "1", "--seed", "1", "--phases", "examples,coverage,fuzzing",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance",
            "--suppress-health-check", "all",
        ], environment: ["HOME": f.root.path, "SCHEMATHESIS_TELEMETRY": "false"])
        let output = String(decoding: run.stdout, as: UTF8.self)
        print(output.suffix(3000))
        #expect(run.status == 0, "\(output.suffix(4000))\n\(run.stderr.suffix(2000))")
        #expect(output.contains("postAnswer") || output.contains("POST /api/v1/answer/{token}"))
    }
}
