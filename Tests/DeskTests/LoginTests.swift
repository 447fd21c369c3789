import Foundation
import Testing
import TestSupport

/// Login, sessions, CSRF and the headers of every response, over real HTTP against `liaison serve`.
@Suite(.serialized) struct LoginTests {
    @Test func loggingInOpensTheDeskWithTheUsersNameAndRole() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        let page = try client.get("/cases")
        #expect(page.status == 200)
        #expect(page.body.contains(#"<strong id="user-name">alice</strong>"#))
        #expect(page.body.contains("coordinator"))
        let cookie = try #require(page.status == 200 ? client.cookies["liaison_session"] : nil)
        #expect(cookie.count >= 40)
    }

    @Test func sessionCookieIsHttpOnlyAndSameSiteStrictAndNotSecureOnLoopback() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let client = fixture.anonymous()
        let form = try client.get("/login")
        let answer = try client.post("/login", form: [("csrf", form.csrfToken ?? ""), ("name", "alice"), ("password", DeskFixture.password)], withCSRF: false)
        let line = try #require(answer.setCookies.first { $0.hasPrefix("liaison_session=") })
        #expect(line.contains("HttpOnly"))
        #expect(line.contains("SameSite=Strict"))
        #expect(!line.contains("Secure"))
    }

    @Test func securedCookiesWhenConfigured() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        fixture.server.stop()
        let configuration = try String(contentsOf: fixture.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
        try fixture.workspace.write("liaison.yaml", configuration + "desk:\n  secure_cookies: true\n")
        let server = try DeskServerProcess.start(workspace: fixture.root)
        defer { server.stop() }
        let client = DeskHTTPClient(base: server.baseURL)
        let form = try client.get("/login")
        #expect(form.setCookies.allSatisfy { $0.contains("Secure") })
        let answer = try client.post("/login", form: [("csrf", form.csrfToken ?? ""), ("name", "alice"), ("password", DeskFixture.password)], withCSRF: false)
        #expect(answer.setCookies.first { $0.hasPrefix("liaison_session=") }?.contains("Secure") == true)
    }

    @Test func pagesWithoutASessionRedirectToLogin() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let client = fixture.anonymous()
        for path in ["/cases", "/cases/calendar", "/cases/JVNVU%2312345678", "/", "/inbox"] {
            let page = try client.get(path)
            #expect(page.status == 303, "\(path)")
            #expect(page.header("location")?.hasPrefix("/login") == true, "\(path)")
        }
        #expect(try client.get("/api/cases").status == 401)
        #expect(try client.post("/cases/x/due", form: [("due", "2030-01-01")], withCSRF: false).status == 401)
        // A forged session cookie is no session.
        client.setCookie("liaison_session", "forged-session-id")
        #expect(try client.get("/cases").status == 303)
    }

    @Test func wrongPasswordIsRefusedAndFailuresAreRateLimited() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let client = fixture.anonymous()
        func attempt(_ password: String) throws -> DeskHTTPResponse {
            let form = try client.get("/login")
            return try client.post("/login", form: [("csrf", form.csrfToken ?? ""), ("name", "alice"), ("password", password)], withCSRF: false)
        }
        let first = try attempt("wrong password here")
        #expect(first.status == 401)
        #expect(first.body.contains("The user name or password is wrong."))
        #expect(client.cookies["liaison_session"] == nil)
        for _ in 0..<4 { _ = try attempt("wrong password here") }
        let refused = try attempt(DeskFixture.password)
        #expect(refused.status == 429)
        #expect(refused.body.contains("Too many failed logins"))
        #expect(client.cookies["liaison_session"] == nil)
    }

    @Test func loginWithoutItsCSRFTokenIsRefused() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let client = fixture.anonymous()
        _ = try client.get("/login")
        let answer = try client.post("/login", form: [("name", "alice"), ("password", DeskFixture.password)], withCSRF: false)
        #expect(answer.status == 403)
        #expect(client.cookies["liaison_session"] == nil)
    }

    @Test func logoutNeedsTheCSRFTokenAndEndsTheSession() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        #expect(try client.post("/logout", form: [(String, String)](), withCSRF: false).status == 403)
        #expect(try client.get("/cases").status == 200)
        let session = try #require(client.cookies["liaison_session"])
        #expect(try client.post("/logout", form: [(String, String)]()).status == 303)
        client.setCookie("liaison_session", session)
        #expect(try client.get("/cases").status == 303)
    }

    @Test func disabledUserIsLoggedOutAtOnce() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        let disabled = try runLiaison(["user", "disable", "alice"], workspace: fixture.root)
        #expect(disabled.status == 0)
        #expect(try client.get("/cases").status == 303)
        #expect(throws: DeskLoginFailed.self) { try fixture.client(as: "alice") }
    }

    @Test func everyResponseCarriesTheSecurityHeaders() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        for response in [try client.get("/cases"), try client.get("/login"), try client.get("/no-such-page"),
                         try client.get("/static/desk.css"), try client.get("/api/cases")] {
            #expect(response.header("content-security-policy") == "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
            #expect(response.header("x-content-type-options") == "nosniff")
            #expect(response.header("referrer-policy") == "no-referrer")
        }
        #expect(try client.get("/cases").header("cache-control") == "no-store")
        #expect(try client.get("/static/desk.js").header("content-type")?.hasPrefix("text/javascript") == true)
    }

    @Test func languageComesFromTheQueryThenTheCookieThenAcceptLanguage() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let client = try fixture.client(as: "alice")
        #expect(try client.get("/cases").body.contains("Open cases"))
        #expect(try client.get("/cases", headers: ["Accept-Language": "ja,en;q=0.5"]).body.contains("対応中の案件"))
        let japanese = try client.get("/cases?lang=ja")
        #expect(japanese.body.contains("対応中の案件"))
        #expect(japanese.body.contains(#"<html lang="ja">"#))
        #expect(client.cookies["liaison_lang"] == "ja")
        #expect(try client.get("/cases").body.contains("対応中の案件"))
        #expect(try client.get("/cases?lang=en").body.contains("Open cases"))
    }

    @Test func serveStopsWithinTwoSecondsOnSIGTERM() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        _ = try fixture.client(as: "alice")
        let (seconds, status) = fixture.server.stop(signal: SIGTERM)
        #expect(seconds < 2)
        #expect(status == 0)
    }

    @Test func serveStopsWithinTwoSecondsOnSIGINT() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let (seconds, _) = fixture.server.stop(signal: SIGINT)
        #expect(seconds < 2)
    }
}
