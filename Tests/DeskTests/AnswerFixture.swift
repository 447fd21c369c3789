import Foundation
import Mail
import TestSupport

/// A workspace as a coordinator runs it, with `liaison serve` started on a free loopback port and
/// `answer.base_url` set to it: the repository's templates, a signing key in its own GnuPG home, an SMTP sink, our
/// own entry (with a domain, for CSAF), and developers `aozora` (reads Japanese) and `bluebird` (reads English)
/// in one notified case. The links are read from the messages the SMTP server received.
final class AnswerFixture {
    let temp: TemporaryWorkspace
    let gnupg: GnuPGHome
    let sink: SMTPSink
    private(set) var server: DeskServerProcess
    static let caseId = "JVNVU#88880001"

    var root: URL { temp.root }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    init(developers: [(String, String)] = [("aozora", "ja"), ("bluebird", "en")], notify: Bool = true) throws {
        temp = try TemporaryWorkspace()
        do {
            gnupg = try GnuPGHome.make()
            let key = try gnupg.generateKey(name: "Test CSIRT Vulnerability Coordination", email: "vuls@csirt.example")
            sink = try SMTPSink.start()
            try temp.write("liaison.yaml", """
                sender:
                  from: "Test CSIRT Vulnerability Coordination <vuls@csirt.example>"
                  organization: test-csirt
                  signing_key: \(key)
                smtp:
                  url: \(sink.url)
                  tls: none
                gnupg:
                  home: \(gnupg.path)
                  encrypt: never

                """)
            let templates = Self.repository.appendingPathComponent("Templates")
            for name in try FileManager.default.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
                try FileManager.default.copyItem(at: templates.appendingPathComponent(name), to: temp.root.appendingPathComponent("Templates/\(name)"))
            }
            try temp.writeOrganization("test-csirt", TemporaryWorkspace.organizationYAML(
                id: "test-csirt", name: "Test Coordination Center (TestCC)", kind: "national-csirt", technologies: [],
                email: "vuls@csirt.example", extra: "domains: [csirt.example]\n"))
            for (id, language) in developers {
                try temp.writeOrganization(id, TemporaryWorkspace.organizationYAML(id: id).replacingOccurrences(of: "language: ja", with: "language: \(language)"))
            }
            try Self.check(runLiaison(["directory", "sync"], workspace: temp.root))
            server = try DeskServerProcess.start(workspace: temp.root)
            // The link points at the server the test started.
            let yaml = temp.root.appendingPathComponent("liaison.yaml")
            try (try String(contentsOf: yaml, encoding: .utf8) + "answer:\n  base_url: \(server.baseURL.absoluteString)\n")
                .write(to: yaml, atomically: true, encoding: .utf8)
            if notify {
                for args in [["case", "open", Self.caseId, "--title", "TLS certificate check bypass", "--title-ja", "TLS 証明書検証の不備",
                              "--origin", "jvn-jp", "--due", "2030-01-15", "--tlp", "AMBER"],
                             ["case", "add", Self.caseId] + developers.map(\.0),
                             ["notify", Self.caseId, "--template", "vendor-initial"], ["send"]] {
                    try Self.check(runLiaison(args, workspace: temp.root))
                }
            }
        } catch {
            temp.remove()
            throw error
        }
    }

    /// Adds `line` (such as `rate_limit: 10000`) to liaison.yaml's `answer:` and starts the server again (on a new
    /// port: links already sent keep their token, which the tests use with the new address).
    func restartServer(answerSetting line: String) throws {
        let yaml = root.appendingPathComponent("liaison.yaml")
        let text = try String(contentsOf: yaml, encoding: .utf8).replacingOccurrences(of: "answer:\n", with: "answer:\n  \(line)\n")
        try text.write(to: yaml, atomically: true, encoding: .utf8)
        server.stop()
        server = try DeskServerProcess.start(workspace: root)
    }

    func remove() {
        server.stop()
        sink.stop()
        gnupg.shutdown()
        temp.remove()
    }

    static func check(_ run: (status: Int32, stdout: String, stderr: String)) throws {
        guard run.status == 0 else { throw DeskServerDidNotStart(stderr: run.stderr) }
    }

    /// `liaison ARGS` in the workspace; throws with its stderr unless it exits 0.
    @discardableResult
    func liaison(_ args: [String]) throws -> String {
        let run = try runLiaison(args, workspace: root)
        try Self.check(run)
        return run.stdout
    }

    /// The answer link in the last message `org` received, exactly as sent.
    func link(_ org: String) throws -> URL {
        let messages = sink.messages().filter { $0.recipients.contains("psirt@\(org).example") }
        guard let last = messages.last else { throw AnswerFixtureFailure("no message reached \(org)") }
        let parsed = try ParsedMessage(bytes: last.bytes)
        var texts: [String] = []
        func walk(_ entity: ParsedEntity) {
            if !entity.parts.isEmpty { entity.parts.forEach(walk); return }
            if entity.contentType.mediaType == "text/plain", let text = entity.text { texts.append(text) }
        }
        walk(parsed.root)
        guard let line = texts.joined(separator: "\n").split(whereSeparator: \.isNewline)
                .map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { $0.hasPrefix("http") && $0.contains("/answer/") }),
              let url = URL(string: line) else { throw AnswerFixtureFailure("no answer link in the message to \(org)") }
        return url
    }

    /// The path and token of `org`'s link.
    func path(_ org: String) throws -> String { try link(org).path }
    func token(_ org: String) throws -> String { try link(org).lastPathComponent }

    /// Each participant of `case show --format json`, by organisation id: its record's fields and `products`.
    func participants() throws -> [String: [String: Any]] {
        let data = Data(try liaison(["case", "show", Self.caseId, "--format", "json"]).utf8)
        let list = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["participants"] as? [[String: Any]] ?? []
        var result: [String: [String: Any]] = [:]
        for item in list {
            guard var record = item["record"] as? [String: Any], let id = record["organizationId"] as? String else { continue }
            for (key, value) in item where key != "record" { record[key] = value }
            result[id] = record
        }
        return result
    }

    /// Runs answer_steps.py in headless Chromium against the server.
    func browser(_ steps: [[String: Any]]) throws -> StepsSeen {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-answer-\(UUID().uuidString.prefix(8)).json")
        try JSONSerialization.data(withJSONObject: steps).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let base = server.baseURL.absoluteString.hasSuffix("/") ? String(server.baseURL.absoluteString.dropLast()) : server.baseURL.absoluteString
        let object = try BrowserScript.run(script: "answer_steps.py", arguments: [base, file.path])
        return StepsSeen(results: object["results"] as? [Any] ?? [], error: object["error"] as? String)
    }
}

/// What answer_steps.py saw: one result per step, and the first failure.
struct StepsSeen: @unchecked Sendable {
    // JSON values (String, NSNumber, arrays), read once by the test.
    let results: [Any]
    let error: String?
    func text(_ index: Int) -> String? { index < results.count ? results[index] as? String : nil }
    func int(_ index: Int) -> Int? { index < results.count ? (results[index] as? NSNumber)?.intValue : nil }
    func bool(_ index: Int) -> Bool? { index < results.count ? (results[index] as? NSNumber)?.boolValue : nil }
    func strings(_ index: Int) -> [String] { index < results.count ? (results[index] as? [Any])?.compactMap { $0 as? String } ?? [] : [] }
}

/// A step of the fixture failed.
struct AnswerFixtureFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
