import Foundation
import Mail
import Testing
import TestSupport

/// `answer.base_url`: every case message, each template in each language, carries the participant's own answer
/// link, read here from the messages the SMTP server received; `case answer-link` prints it again and revokes it.
@Suite struct AnswerLinkCommandTests {
    static let caseId = "JVNVU#77770001"
    static let base = "https://answer.csirt.example"

    /// A workspace with a Japanese-reading developer (aozora) and an English-reading one (bluebird).
    static func workspace(baseURL: String?) throws -> GatewayWorkspace {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        try ws.temp.writeOrganization("bluebird", TemporaryWorkspace.organizationYAML(id: "bluebird")
            .replacingOccurrences(of: "language: ja", with: "language: en"))
        if let baseURL {
            let yaml = ws.root.appendingPathComponent("liaison.yaml")
            try (try String(contentsOf: yaml, encoding: .utf8) + "answer:\n  base_url: \(baseURL)/\n  grace_days: 10\n")
                .write(to: yaml, atomically: true, encoding: .utf8)
        }
        return ws
    }

    /// Every case template sent to both developers: vendor-initial, reminder, due-changed, escalation, then
    /// publication after `case publish`; and an incident notice, which is about no case.
    static func sendEveryTemplate(_ ws: GatewayWorkspace) throws {
        try ws.openAndNotify(caseId)
        let sent = try ws.liaison(["send"])
        guard sent.status == 0 else { throw LiaisonFailed(run: sent) }
        // 50 days without an answer: the reminder policy escalates.
        try ws.moveFirstNotificationsBack(days: 50)
        let steps: [[String]] = [
            ["remind", "--all"],
            ["notify", caseId, "--template", "reminder", "--again"],
            ["case", "set-due", caseId, "2030-02-01", "--notify"],
            ["case", "publish", caseId, "--force"],
            ["notify", caseId, "--template", "publication"],
            ["incident", "notify", "--org", "aozora", "--category", "scan", "--template", "incident", "--var", "summary=Scans"],
            ["send"],
        ]
        for step in steps {
            let run = try ws.liaison(step)
            guard run.status == 0 else { throw LiaisonFailed(run: run) }
        }
    }

    /// Each message as received: its recipient, subject and text.
    static func received(_ ws: GatewayWorkspace) throws -> [(to: String, subject: String, text: String)] {
        try ws.sink.messages().map { message in
            let parsed = try ParsedMessage(bytes: message.bytes)
            var texts: [String] = []
            func walk(_ entity: ParsedEntity) {
                if !entity.parts.isEmpty { entity.parts.forEach(walk); return }
                if entity.contentType.mediaType == "text/plain", let text = entity.text { texts.append(text) }
            }
            walk(parsed.root)
            return (message.recipients.first ?? "", parsed.subject ?? "", texts.joined(separator: "\n"))
        }
    }

    static func link(in text: String) -> String? {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix(base + "/answer/") }
    }

    @Test func everyCaseMessageInEveryLanguageCarriesTheVendorsOwnLink() throws {
        let ws = try Self.workspace(baseURL: Self.base)
        defer { ws.remove() }
        try Self.sendEveryTemplate(ws)
        let messages = try Self.received(ws)
        let caseMessages = messages.filter { !$0.subject.contains("Incident") && !$0.subject.contains("インシデント") }
        #expect(caseMessages.count == 10, "\(messages.map(\.subject))")
        for org in ["aozora", "bluebird"] {
            let mine = caseMessages.filter { $0.to == "psirt@\(org).example" }
            #expect(mine.count == 5)
            let links = mine.map { Self.link(in: $0.text) }
            #expect(links.allSatisfy { $0 != nil }, "\(org): \(mine.map(\.subject))")
            // One link per participant while it is valid, in every message.
            #expect(Set(links).count == 1)
            let japanese = org == "aozora"
            #expect(mine.allSatisfy { $0.text.contains(japanese ? "次のリンクからもご回答いただけます" : "You can also answer through this link") })
            // Printed again as it was sent.
            let again = try ws.liaison(["case", "answer-link", Self.caseId, org])
            #expect(again.status == 0 && again.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == links.first!!)
        }
        let aozora = Self.link(in: caseMessages.first { $0.to == "psirt@aozora.example" }!.text)
        #expect(aozora != Self.link(in: caseMessages.first { $0.to == "psirt@bluebird.example" }!.text))
        // An incident notice is about no case: it has no link.
        let incident = try #require(messages.first { !caseMessages.map(\.subject).contains($0.subject) })
        #expect(Self.link(in: incident.text) == nil)
        // The key is the workspace's, mode 0600.
        let key = ws.root.appendingPathComponent(".liaison/answer-link.key")
        #expect(try FileManager.default.attributesOfItem(atPath: key.path)[.posixPermissions] as? Int == 0o600)
        // Revoked: a new link is issued next.
        let revoke = try ws.liaison(["case", "answer-link", Self.caseId, "aozora", "--revoke"])
        #expect(revoke.status == 0 && revoke.stdout.contains("revoked"))
        let renewed = try ws.liaison(["case", "answer-link", Self.caseId, "aozora"])
        #expect(renewed.status == 0 && renewed.stdout.hasPrefix(Self.base + "/answer/"))
        #expect(renewed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != aozora)
        // The audit log holds the issue and the revocation, and still verifies.
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }

    @Test func withoutABaseURLNoMessageCarriesALink() throws {
        let ws = try Self.workspace(baseURL: nil)
        defer { ws.remove() }
        try Self.sendEveryTemplate(ws)
        let messages = try Self.received(ws)
        #expect(messages.count == 11)
        #expect(messages.allSatisfy { !$0.text.contains("/answer/") && !$0.text.contains("answer through this link")
                                      && !$0.text.contains("次のリンクからもご回答いただけます") })
        let printed = try ws.liaison(["case", "answer-link", Self.caseId, "aozora"])
        #expect(printed.status == 1 && printed.stderr.contains("answer.base_url is not set"))
        // The template check of `doctor` finds nothing missing without a link.
        let doctor = try ws.liaison(["doctor"])
        #expect(!doctor.stdout.contains("answer.url") && !doctor.stderr.contains("answer.url"))
    }

    @Test func aBadBaseURLIsOneLineNamingTheField() throws {
        let ws = try Self.workspace(baseURL: "ftp://nope")
        defer { ws.remove() }
        let run = try ws.liaison(["case", "list"])
        #expect(run.status == 1 && run.stderr.contains("answer.base_url must be an https URL"))
        #expect(!run.stderr.contains("Fatal error"))
    }
}
