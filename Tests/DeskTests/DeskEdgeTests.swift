import Foundation
import Testing
import TestSupport

/// The desk's edge over real HTTP against `liaison serve`: one error path for every cause (a desk page in the
/// layout outside /api, JSON under /api, the security headers always), control characters refused, bidi and
/// format characters shown visibly, bodies over the limit, methods.
@Suite(.serialized) struct DeskEdgeTests {
    static let path = CasePagesTests.path

    /// `liaison case show ID --format json`: the record as the command line reads it.
    static func caseJSON(_ fixture: DeskFixture, _ id: String = CasePagesTests.caseId) throws -> String {
        let shown = try runLiaison(["case", "show", id, "--format", "json"], workspace: fixture.root)
        #expect(shown.status == 0, "\(shown.stderr)")
        return shown.stdout
    }

    static func expectSecurityHeaders(_ page: DeskHTTPResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(page.header("content-security-policy")?.contains("default-src 'none'") == true, "\(what)", sourceLocation: sourceLocation)
        #expect(page.header("x-content-type-options") == "nosniff", "\(what)", sourceLocation: sourceLocation)
        #expect(page.header("referrer-policy") == "no-referrer", "\(what)", sourceLocation: sourceLocation)
        #expect(page.header("x-frame-options") == "DENY", "\(what)", sourceLocation: sourceLocation)
        #expect(page.header("cache-control") == "no-store", "\(what)", sourceLocation: sourceLocation)
    }

    /// The one line of an error page.
    static func errorLine(_ page: DeskHTTPResponse) -> String? {
        guard let start = page.body.range(of: #"<p class="notice error" id="error-line">"#),
              let end = page.body.range(of: "</p>", range: start.upperBound..<page.body.endIndex) else { return nil }
        return String(page.body[start.upperBound..<end.lowerBound])
    }

    @Test func unknownOrUndecodableIdsAnswerAnErrorPageWithTheHeaders() throws {
        let fixture = try CasePagesTests.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        let notFound = ["/cases/nope": "no case nope", "/cases/JVNVU%23nope": "no case JVNVU#nope", "/cases/VU%2F1": "no case VU/1",
                        "/cases/JVNVU%23nope/notify": "no case JVNVU#nope", "/inbox/999": "no received message 999",
                        "/directory/nope": "no organisation nope", "/cases/" + String(repeating: "A", count: 10_000): "no case AAAA",
                        "/nowhere": "no page at /nowhere"]
        for (path, line) in notFound {
            let page = try client.get(path)
            #expect(page.status == 404, "\(path.prefix(60))")
            #expect(page.header("content-type")?.hasPrefix("text/html") == true, "\(path.prefix(60))")
            #expect(page.body.contains(#"<header class="bar">"#), "\(path.prefix(60)): in the layout")
            #expect(Self.errorLine(page)?.hasPrefix(line) == true, "\(path.prefix(60)): \(Self.errorLine(page)?.prefix(100) ?? "no line")")
            #expect((Self.errorLine(page)?.count ?? 0) < 1200, "\(path.prefix(60)): the line is cut")
            Self.expectSecurityHeaders(page, String(path.prefix(60)))
            let json = try client.get("/api" + path)
            #expect(json.status == 404, "/api\(path.prefix(60))")
            #expect(json.header("content-type")?.hasPrefix("application/json") == true)
            let apiLine = path == "/nowhere" ? "no page at /api/nowhere" : line
            #expect(json.body.contains(#"{"error":{"message":"\#(apiLine)"#), "/api\(path.prefix(60)): \(json.body.prefix(120))")
            Self.expectSecurityHeaders(json, "/api" + String(path.prefix(60)))
        }
        for path in ["/cases/%00", "/cases/%ZZ", "/cases/%", "/cases/%FF%FE", "/cases/%C0%AF", "/cases/JVNVU%2312345678%00junk",
                     "/directory/acme%00"] {
            let page = try client.get(path)
            #expect(page.status == 400, "\(path)")
            #expect(Self.errorLine(page)?.hasPrefix("the path segment") == true, "\(path): \(Self.errorLine(page) ?? page.body.prefix(200).description)")
            #expect(!page.body.contains("\u{0}"), "\(path): no raw NUL")
            Self.expectSecurityHeaders(page, path)
            let json = try client.get("/api" + path)
            #expect(json.status == 400, "/api\(path)")
            #expect(json.body.hasPrefix(#"{"error":{"message":"the path segment"#), "/api\(path)")
        }
        // A report of a quarter that does not exist: one line in a page, not JSON.
        let quarter = try client.get("/reports/quarter/2026Q9")
        #expect(quarter.status == 400)
        #expect(Self.errorLine(quarter) != nil)
        // In Japanese, the page's words are Japanese.
        let japanese = try client.get("/cases/nope?lang=ja")
        #expect(japanese.body.contains("見つかりません"))
    }

    @Test func refusalsAreErrorPagesNotJSONOrInternalWording() throws {
        let fixture = try CasePagesTests.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        // A form with a wrong CSRF token: a desk page with the line.
        let forged = try client.post(Self.path + "/tlp", form: [("tlp", "AMBER"), ("csrf", "forged")], withCSRF: false)
        #expect(forged.status == 403)
        #expect(Self.errorLine(forged)?.contains("CSRF token") == true)
        Self.expectSecurityHeaders(forged, "forged CSRF")
        // A path parameter of the wrong kind: no Hummingbird wording.
        let release = try client.post("/api/outbox/abc/release", form: [:], headers: ["X-CSRF-Token": client.csrfToken ?? ""])
        #expect(release.status == 404)
        #expect(release.body.contains("no page at /api/outbox/abc/release"))
        #expect(!release.body.contains("Parameter"))
        // An auditor on a TLP:RED case's notification preview: refused, not a server error.
        let auditor = try fixture.client(as: "audrey")
        let red = try auditor.get("/cases/VU%23999/notify?template=vendor-initial")
        #expect(red.status == 403)
        #expect(Self.errorLine(red)?.contains("TLP:RED") == true)
        #expect(try auditor.get("/api/cases/VU%23999/notify?template=vendor-initial").status == 403)
    }

    @Test func controlCharactersInFieldsAndPathsChangeNothing() throws {
        let fixture = try CasePagesTests.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        let before = try Self.caseJSON(fixture)
        let token = ["X-CSRF-Token": client.csrfToken ?? ""]
        let tlp = try client.post("/api/cases/JVNVU%2312345678%00zzz/tlp", form: [("tlp", "AMBER")], headers: token)
        #expect(tlp.status == 400)
        #expect(tlp.body.contains("U+0000"))
        let org = try client.post("/api" + Self.path + "/response", form: [("org", "acme\u{0}-not-really"), ("response", "fixed")], headers: token)
        #expect(org.status == 400)
        #expect(org.body.contains("org contains the control character U+0000"))
        let escape = try client.post(Self.path + "/response", form: [("org", "acme"), ("response", "fixed\u{1B}[31m")])
        #expect(escape.status == 400)
        #expect(Self.errorLine(escape)?.contains("response contains the control character U+001B") == true)
        let json = try client.send("POST", "/api" + Self.path + "/response", headers: token.merging(["Content-Type": "application/json"]) { a, _ in a },
                                   body: Data(#"{"org":"acme","response":"fixed","statement":"nul\u0000in body"}"#.utf8))
        #expect(json.status == 400)
        #expect(json.body.contains("statement contains the control character U+0000"))
        #expect(try Self.caseJSON(fixture) == before)
        // Line breaks and tabs stay allowed in a statement.
        let statement = try client.post("/api" + Self.path + "/response", form: [("org", "acme"), ("response", "fixed"), ("statement", "line 1\r\n\tline 2")], headers: token)
        #expect(statement.status == 200)

        // Login names and passwords with a NUL are refused: no session.
        let anonymous = fixture.anonymous()
        for (name, password) in [("alice\u{0}", DeskFixture.password), ("alice", DeskFixture.password + "\u{0}junk")] {
            let form = try anonymous.get("/login")
            let answer = try anonymous.post("/login", form: [("csrf", form.csrfToken ?? ""), ("name", name), ("password", password)], withCSRF: false)
            #expect(answer.status == 400)
            #expect(anonymous.cookies["liaison_session"] == nil)
        }
    }

    @Test func bidiAndFormatCharactersAreShownVisibly() throws {
        let fixture = try CasePagesTests.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        let set = try client.post("/api" + Self.path + "/response", form: [("org", "initech"), ("response", "fixed"), ("statement", "\u{202E}txt.exe\u{202C} \u{2066}x\u{2069}\u{200F}")],
                                  headers: ["X-CSRF-Token": client.csrfToken ?? ""])
        #expect(set.status == 200)
        let page = try client.get(Self.path)
        #expect(page.body.contains(#"\u{202E}txt.exe\u{202C} \u{2066}x\u{2069}\u{200F}"#))
        for scalar in ["\u{202E}", "\u{202C}", "\u{2066}", "\u{2069}", "\u{200F}"] {
            #expect(!page.body.contains(scalar), "no raw \(scalar.unicodeScalars.first!.value)")
        }
        // Through Mustache too: the error page of an id with U+202E.
        let notFound = try client.get("/cases/evil%E2%80%AEtxt")
        #expect(notFound.status == 404)
        #expect(Self.errorLine(notFound)?.hasPrefix(#"no case evil\u{202E}txt"#) == true)
        #expect(!notFound.body.contains("\u{202E}"))
    }

    @Test func oversizedAndMalformedBodiesAreRefusedWithHeaders() throws {
        let fixture = try CasePagesTests.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        let before = try Self.caseJSON(fixture)
        let token = ["X-CSRF-Token": client.csrfToken ?? ""]
        let large = try client.post("/api" + Self.path + "/response",
                                    form: [("org", "acme"), ("response", "fixed"), ("statement", String(repeating: "x", count: 3 << 20))], headers: token)
        #expect(large.status == 413)
        #expect(large.body.contains("larger than 1 MB"))
        Self.expectSecurityHeaders(large, "413")
        let page = try client.post(Self.path + "/response", form: [("org", "acme"), ("response", "fixed"), ("statement", String(repeating: "x", count: 2 << 20))])
        #expect(page.status == 413)
        #expect(Self.errorLine(page)?.contains("larger than 1 MB") == true)
        let malformed = try client.send("POST", "/api" + Self.path + "/response", headers: token.merging(["Content-Type": "application/json"]) { a, _ in a },
                                        body: Data("{not json".utf8))
        #expect(malformed.status == 400)
        #expect(malformed.body.contains("not a JSON object"))
        Self.expectSecurityHeaders(malformed, "malformed JSON")
        let long = try client.post("/api" + Self.path + "/response",
                                   form: [("org", "acme"), ("response", "fixed"), ("statement", String(repeating: "y", count: 1_000_000))], headers: token)
        #expect(long.status == 400)
        #expect(long.body.contains("at most 2,000 are kept"))
        // 50,000 unknown organisations: a short line naming a few and counting the rest.
        let many = (0..<50_000).map { "no-such-org-\($0)" }.joined(separator: " ")
        let unknown = try client.post("/api" + Self.path + "/participants", form: [("orgs", many)], headers: token)
        #expect(unknown.status == 400)
        #expect(unknown.body.count < 3000)
        #expect(unknown.body.contains("… and 49,990 more organisations unknown or retired"))
        #expect(try Self.caseJSON(fixture) == before)
    }

    @Test func wrongMethodsAnswer405AndHeadIsAnswered() throws {
        let fixture = try CasePagesTests.fixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        for method in ["DELETE", "PUT", "PATCH"] {
            let answer = try client.send(method, "/cases", headers: ["X-CSRF-Token": client.csrfToken ?? ""], body: nil)
            #expect(answer.status == 405, "\(method)")
            #expect(answer.header("allow")?.contains("GET") == true, "\(method)")
            Self.expectSecurityHeaders(answer, method)
        }
        let getOnly = try client.post("/cases/calendar", form: [:])
        #expect(getOnly.status == 405)
        #expect(getOnly.header("allow") == "GET, HEAD")
        #expect(try client.send("HEAD", "/cases", headers: [:], body: nil).status == 200)
        let script = try fixture.anonymous().send("HEAD", "/static/desk.js", headers: [:], body: nil)
        #expect(script.status == 200)
        #expect(script.body.isEmpty)
    }

    @Test func longUnbrokenTextWrapsInTablesAndPreviews() throws {
        let fixture = try CasePagesTests.fixture()
        defer { fixture.remove() }
        let css = try fixture.anonymous().get("/static/desk.css")
        #expect(css.status == 200)
        #expect(css.body.contains("th, td { overflow-wrap: anywhere; }"))
        #expect(css.body.contains("pre { overflow-wrap: anywhere;"))
    }
}
