import Foundation
import Registry
import TestSupport

/// `liaison serve` over a case notified to acme and globex: a signing key generated for the test, the repository's
/// templates, and the file transport (`smtp.url: file://…`), so `notify` and `send` run as a coordinator runs them
/// and replies can answer the messages by their Message-ID.
final class NotifiedDesk {
    let fixture: DeskFixture
    let gnupg: GnuPGHome
    let caseId: String
    /// The server, started again once liaison.yaml names the signing key and its GnuPG home.
    private(set) var server: DeskServerProcess

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `tlp` is the case's level (`RED` to test what auditors may not read); `send: false` leaves the messages queued;
    /// `notify: false` queues none (the vendors are participants, not yet notified); `english` are organisations whose
    /// contact reads English (the others read Japanese).
    init(caseId: String = "JVNVU#20202020", title: String = "TLS certificate check", tlp: String? = nil, send: Bool = true,
         notify: Bool = true, english: [String] = []) throws {
        self.caseId = caseId
        fixture = try DeskFixture()
        server = fixture.server
        do {
            gnupg = try GnuPGHome.make()
        } catch {
            fixture.remove()
            throw error
        }
        do {
            let key = try gnupg.generateKey(name: "Test CSIRT", email: "vuls@csirt.example")
            try fixture.workspace.write("liaison.yaml", """
                sender:
                  from: "Test CSIRT <vuls@csirt.example>"
                  organization: test-csirt
                  signing_key: \(key)
                smtp:
                  url: file://\(fixture.root.appendingPathComponent("sent").path)
                  tls: none
                gnupg:
                  home: \(gnupg.path)
                  encrypt: never
                timezone: UTC

                """)
            let templates = Self.repository.appendingPathComponent("Templates")
            for name in try FileManager.default.contentsOfDirectory(atPath: templates.path) where name.hasSuffix(".mustache") {
                try FileManager.default.copyItem(at: templates.appendingPathComponent(name),
                                                 to: fixture.root.appendingPathComponent("Templates/\(name)"))
            }
            try liaison(["case", "open", caseId, "--title", title, "--origin", "jvn-jp", "--due", "2030-01-15"]
                        + (tlp.map { ["--tlp", $0] } ?? []))
            for org in english {
                try fixture.workspace.writeOrganization(org, TemporaryWorkspace.organizationYAML(id: org)
                    .replacingOccurrences(of: "language: ja", with: "language: en"))
            }
            if !english.isEmpty { try liaison(["directory", "sync"]) }
            try liaison(["case", "add", caseId, "acme", "globex"])
            if notify {
                try liaison(["notify", caseId, "--template", "vendor-initial"])
                if send { try liaison(["send"]) }
            }
            fixture.server.stop()
            server = try DeskServerProcess.start(workspace: fixture.root)
        } catch {
            remove()
            throw error
        }
    }

    func remove() {
        server.stop()
        fixture.remove()
        gnupg.shutdown()
    }

    /// A client logged in as `name`.
    func client(as name: String) throws -> DeskHTTPClient {
        let client = DeskHTTPClient(base: server.baseURL)
        try client.login(name: name, password: DeskFixture.password)
        return client
    }

    /// A client without a session.
    func anonymous() -> DeskHTTPClient { DeskHTTPClient(base: server.baseURL) }

    /// Runs `liaison ARGS` in the workspace; throws with its stderr unless it exits 0.
    @discardableResult
    func liaison(_ args: [String], input: Data? = nil) throws -> String {
        let run = try runLiaison(args, workspace: fixture.root, input: input)
        guard run.status == 0 else { throw DeskSetupFailed("liaison \(args.joined(separator: " ")): \(run.stderr)") }
        return run.stdout
    }

    /// The Message-ID and subject of the notification to `org`.
    func notice(_ org: String) throws -> (messageId: String, subject: String) {
        let rows = try JSONSerialization.jsonObject(with: Data(try liaison(["outbox", "--all", "--format", "json"]).utf8)) as? [[String: Any]] ?? []
        guard let row = rows.first(where: { $0["organizationId"] as? String == org }) else { throw DeskSetupFailed("no notice to \(org)") }
        return (row["messageId"] as? String ?? "", row["subject"] as? String ?? "")
    }

    /// Ingests a plain-text reply from `org`'s PSIRT answering its notification; returns the stored message's id.
    @discardableResult
    func reply(from org: String, id: String, fromName: String = "PSIRT", subject: String? = nil, body: String) throws -> Int64 {
        let notice = try notice(org)
        let encodedName = "=?UTF-8?B?" + Data(fromName.utf8).base64EncodedString() + "?="
        let encodedSubject = "=?UTF-8?B?" + Data((subject ?? "Re: " + notice.subject).utf8).base64EncodedString() + "?="
        let message = """
            From: \(encodedName) <psirt@\(org).example>
            To: vuls@csirt.example
            Subject: \(encodedSubject)
            Date: \(Self.rfc5322(Date().addingTimeInterval(-60)))
            Message-ID: <\(id)@\(org).example>
            In-Reply-To: <\(notice.messageId)>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=UTF-8
            Content-Transfer-Encoding: base64

            \(Data(body.utf8).base64EncodedString(options: .lineLength76Characters))

            """.replacingOccurrences(of: "\n", with: "\r\n")
        try liaison(["ingest", "-"], input: Data(message.utf8))
        let store = try fixture.store()
        guard let entry = try store.inbound.entry("\(id)@\(org).example") else {
            throw DeskSetupFailed("reply \(id) was not stored")
        }
        return entry.id
    }

    /// One participant of the case, read from the store.
    func participant(_ org: String) throws -> ParticipantRecord? {
        try fixture.store().cases.participant(caseId: caseId, organizationId: org)
    }

    /// The case id as one path segment (`JVNVU%2320202020`).
    var casePath: String { "/cases/" + DeskHTTPClient.encode(caseId) }

    /// Runs one SQL statement on the workspace's database (python3's sqlite3: the tests have no SQL of their own).
    func sql(_ statement: String) throws {
        let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()"
        let run = try runProcess("/usr/bin/python3", ["-c", script, fixture.root.appendingPathComponent(".liaison/registry.sqlite").path, statement])
        guard run.status == 0 else { throw DeskSetupFailed("sql: \(run.stderr)") }
    }

    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}

/// A setup step of a desk test failed.
struct DeskSetupFailed: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
