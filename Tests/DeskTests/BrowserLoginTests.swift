import Foundation
import Testing
import TestSupport

/// The desk in a real headless Chromium (Selenium, Debian's chromium and chromedriver).
@Suite(.serialized, .enabled(if: BrowserScript.isAvailable)) struct BrowserLoginTests {
    @Test func logInInChromiumAndSeeTheDesk() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let shot = BrowserScript.artefact("desk-login-\(UUID().uuidString.prefix(6)).png")
        let run = try BrowserScript.steps(base: fixture.server.baseURL, [
            ["open": "/cases"],
            ["text": "h1"],
            ["login": ["name": "alice", "password": DeskFixture.password]],
            ["text": "#user-name"],
            ["text": "#user-role"],
            ["text": "h1"],
            ["console": true],
            ["screenshot": shot.path],
        ])
        #expect(run.error == nil)
        #expect(run.text(1) == "Log in")
        #expect(run.text(2)?.hasSuffix("/cases") == true)
        #expect(run.text(3) == "alice")
        #expect(run.text(4) == "coordinator")
        #expect(run.text(5) == "Open cases")
        #expect((run.results[6] as? [Any])?.isEmpty == true, "console: \(run.results[6])")
        print("screenshot: \(shot.path)")
    }

    @Test func wrongPasswordInChromiumShowsTheRefusal() throws {
        let fixture = try DeskFixture()
        defer { fixture.remove() }
        let run = try BrowserScript.steps(base: fixture.server.baseURL, [
            ["language": "ja"],
            ["login": ["name": "alice", "password": "not the password"]],
            ["text": "#login-error"],
        ])
        #expect(run.error == nil)
        #expect(run.text(1) == "ユーザー名またはパスワードが正しくありません。")
    }
}
