import Foundation
import Testing
import TestSupport

/// The login form's edge over real HTTP against `liaison serve`: tokens bound on the server, the throttle per name
/// and per address (and behind a trusted proxy), the lockout and Secure-cookie lines.
@Suite(.serialized) struct LoginEdgeTests {
    static func attempt(_ client: DeskHTTPClient, name: String, password: String, headers: [String: String] = [:]) throws -> DeskHTTPResponse {
        let form = try client.get("/login")
        return try client.post("/login", form: [("csrf", form.csrfToken ?? ""), ("name", name), ("password", password)], withCSRF: false,
                               headers: headers)
    }

    /// Restarts the fixture's server with `yaml` appended to liaison.yaml.
    static func restart(_ fixture: DeskFixture, with yaml: String) throws -> DeskServerProcess {
        fixture.server.stop()
        let configuration = try String(contentsOf: fixture.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
        try fixture.workspace.write("liaison.yaml", configuration + yaml)
        return try DeskServerProcess.start(workspace: fixture.root)
    }

    @Test func aLoginTokenTheServerDidNotIssueIsRefused() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let client = fixture.anonymous()
        client.setCookie("liaison_login", "abc")
        let forged = try client.post("/login", form: [("csrf", "abc"), ("name", "alice"), ("password", DeskFixture.password)], withCSRF: false)
        #expect(forged.status == 403)
        #expect(forged.body.contains("The login form expired"))
        #expect(client.cookies["liaison_session"] == nil)
        // The form's own token still works.
        #expect(try Self.attempt(fixture.anonymous(), name: "alice", password: DeskFixture.password).status == 303)
    }

    @Test func oneAddressCannotLockTheTeamOutAndTheLockoutIsTheLoginPage() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let guesser = fixture.anonymous()
        for index in 0..<6 { #expect(try Self.attempt(guesser, name: "nobody\(index)", password: "wrong password here").status == 401) }
        // Six failures from this address under other names: alice still logs in from it.
        #expect(try Self.attempt(fixture.anonymous(), name: "alice", password: DeskFixture.password).status == 303)
        // Five failures for lena's name: her login is refused, shown as the login page with the line.
        for _ in 0..<5 { _ = try Self.attempt(guesser, name: "lena", password: "wrong password here") }
        let refused = try Self.attempt(fixture.anonymous(), name: "lena", password: DeskFixture.password)
        #expect(refused.status == 429)
        #expect(refused.header("retry-after") == "900")
        #expect(refused.header("content-type")?.hasPrefix("text/html") == true)
        #expect(refused.body.contains(#"<p class="notice error" id="login-error">Too many failed logins"#))
        #expect(refused.header("content-security-policy") != nil)
        #expect(refused.header("x-frame-options") == "DENY")
    }

    @Test func behindATrustedProxyTheForwardedAddressIsCounted() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let server = try Self.restart(fixture, with: "desk:\n  trusted_proxies: [127.0.0.1]\n")
        defer { server.stop() }
        let client = DeskHTTPClient(base: server.baseURL)
        let guesser = ["X-Forwarded-For": "198.51.100.9, 203.0.113.5"]
        for index in 0..<30 { _ = try Self.attempt(client, name: "nobody\(index)", password: "wrong password here", headers: guesser) }
        #expect(try Self.attempt(client, name: "alice", password: DeskFixture.password, headers: guesser).status == 429)
        // Another client behind the same proxy logs in.
        let colleague = DeskHTTPClient(base: server.baseURL)
        #expect(try Self.attempt(colleague, name: "alice", password: DeskFixture.password, headers: ["X-Forwarded-For": "203.0.113.6"]).status == 303)
    }

    @Test func aSecureCookieLostOverPlainHTTPIsSaidPlainly() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let server = try Self.restart(fixture, with: "desk:\n  secure_cookies: true\n")
        defer { server.stop() }
        let client = DeskHTTPClient(base: server.baseURL)
        let form = try client.get("/login")
        // A browser on http:// keeps no Secure cookie: the form comes back without it.
        client.setCookie("liaison_login", nil)
        let answer = try client.post("/login", form: [("csrf", form.csrfToken ?? ""), ("name", "alice"), ("password", DeskFixture.password)], withCSRF: false)
        #expect(answer.status == 403)
        #expect(answer.body.contains("This desk&#39;s cookies are Secure: open it over HTTPS (docs/desk.md), or set desk.secure_cookies: false for a trusted network."))
    }
}
