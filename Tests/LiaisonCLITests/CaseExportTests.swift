import Foundation
import Testing
import TestSupport

/// `liaison case export`: CSAF 2.0 documents checked by an independent validator (the PyPI package `csaf`, which
/// runs the OASIS CSAF 2.0 schema and the standard's mandatory tests §6.1 offline), and Liaison's own JSON.
@Suite struct CaseExportTests {
    static let caseId = "JVNVU#90001234"

    /// Our own entry, with a domain for the CSAF publisher namespace.
    static let publisherYAML = TemporaryWorkspace.organizationYAML(
        id: "test-csirt", name: "Test Coordination Center (TestCC)", kind: "national-csirt", technologies: [],
        email: "vuls@csirt.example", extra: "domains: [csirt.example]\n")

    @Test func anOpenCaseIsAValidDraftWithEveryVendorNotContacted() throws {
        let ws = try TemporaryWorkspace()
        defer { ws.remove() }
        try ws.writeOrganization("test-csirt", Self.publisherYAML)
        for id in ["aozora", "hikari"] { try ws.writeOrganization(id, TemporaryWorkspace.organizationYAML(id: id)) }
        try run(ws, ["directory", "sync"])
        try run(ws, ["case", "open", Self.caseId, "--title", "TLS certificate check", "--origin", "jvn-jp", "--tlp", "CLEAR"])
        try run(ws, ["case", "add", Self.caseId, "--technology", "tls"])

        let csaf = try export(ws, validating: true)
        let document = try #require(csaf["document"] as? [String: Any])
        // CSAF 2.0 knows TLP 1.0: CLEAR is written WHITE, and the exact level kept beside it.
        let distribution = try #require(document["distribution"] as? [String: Any])
        #expect((distribution["tlp"] as? [String: Any])?["label"] as? String == "WHITE")
        #expect(distribution["text"] as? String == "TLP:CLEAR")
        let tracking = try #require(document["tracking"] as? [String: Any])
        #expect(document["category"] as? String == "csaf_base")
        #expect(tracking["status"] as? String == "draft")
        #expect(tracking["id"] as? String == Self.caseId)
        let history = try #require(tracking["revision_history"] as? [[String: Any]])
        #expect(history.map { $0["summary"] as? String } == [
            "Case opened.", "Company aozora (aozora) added to the case.", "Company hikari (hikari) added to the case.",
        ])
        #expect(tracking["version"] as? String == "3")
        let publisher = try #require(document["publisher"] as? [String: Any])
        #expect(publisher["category"] as? String == "coordinator")
        #expect(publisher["name"] as? String == "Test Coordination Center (TestCC)")
        #expect(publisher["namespace"] as? String == "https://csirt.example")
        let vendors = try #require((csaf["product_tree"] as? [String: Any])?["branches"] as? [[String: Any]])
        #expect(vendors.map { $0["name"] as? String } == ["Company aozora", "Company hikari"])
        let vulnerability = try #require((csaf["vulnerabilities"] as? [[String: Any]])?.first)
        let involvements = try #require(vulnerability["involvements"] as? [[String: Any]])
        #expect(involvements.map { $0["status"] as? String } == ["not_contacted", "not_contacted"])
        #expect(involvements.allSatisfy { $0["party"] as? String == "vendor" })
        // Added in one command at the same moment, yet each vendor's involvement date is its own (§6.1.24).
        #expect(Set(involvements.compactMap { $0["date"] as? String }).count == 2)
        #expect(vulnerability["product_status"] == nil)
    }

    @Test func aPublishedCaseIsFinalAndWrittenToTheOutputFile() throws {
        let ws = try TemporaryWorkspace()
        defer { ws.remove() }
        try ws.writeOrganization("test-csirt", Self.publisherYAML)
        try ws.writeOrganization("kumo", TemporaryWorkspace.organizationYAML(id: "kumo"))
        try run(ws, ["directory", "sync"])
        try run(ws, ["case", "open", Self.caseId, "--title", "DNS cache poisoning", "--origin", "cert-cc", "--tlp", "RED"])
        try run(ws, ["case", "add", Self.caseId, "kumo"])
        try run(ws, ["case", "set", Self.caseId, "kumo", "fixed", "--statement", "Fixed in 2.4.1."])
        try run(ws, ["case", "publish", Self.caseId, "--force", "--tlp", "RED"])

        let output = ws.root.appendingPathComponent("advisory.json")
        let written = try run(ws, ["case", "export", Self.caseId, "--format", "csaf", "--output", output.path])
        #expect(written.stdout.hasPrefix("wrote \(output.path) (csaf, "))
        try CSAFValidator.check(output)
        let csaf = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any] ?? [:]
        let tracking = try #require((csaf["document"] as? [String: Any])?["tracking"] as? [String: Any])
        #expect(tracking["status"] as? String == "final")
        let distribution = (csaf["document"] as? [String: Any])?["distribution"] as? [String: Any]
        #expect((distribution?["tlp"] as? [String: Any])?["label"] as? String == "RED")
        #expect(distribution?["text"] == nil)
        let history = try #require(tracking["revision_history"] as? [[String: Any]])
        #expect(history.last?["summary"] as? String == "Case published.")
        #expect(tracking["version"] as? String == String(history.count))
        let vulnerability = try #require((csaf["vulnerabilities"] as? [[String: Any]])?.first)
        #expect((vulnerability["product_status"] as? [String: Any])?["fixed"] as? [String] == ["CSAFPID-kumo"])
        #expect((vulnerability["involvements"] as? [[String: Any]])?.first?["status"] as? String == "completed")
    }

    @Test func everyKindOfVendorAnswerMapsToCSAFStatuses() throws {
        let answers = ["acked": "acknowledged", "probing": "investigating", "hit": "affected",
                       "clean": "not-affected", "patched": "fixed"]
        let notified = ["silent"] + answers.keys.sorted()
        let ws = try GatewayWorkspace(developers: notified)
        defer { ws.remove() }
        try ws.temp.writeOrganization("test-csirt", Self.publisherYAML)
        try ws.openAndNotify(Self.caseId)
        let send = try ws.liaison(["send"])
        #expect(send.stdout == "sent \(notified.count), deferred 0, failed 0\n", "\(send.stderr)")
        // One more developer joins after the notices went out: never contacted.
        try ws.temp.writeOrganization("late", TemporaryWorkspace.organizationYAML(id: "late"))
        for args in [["directory", "sync"], ["case", "add", Self.caseId, "late"]] + answers.sorted(by: { $0.key < $1.key }).map({
            ["case", "set", Self.caseId, $0.key, $0.value, "--statement", "Statement from \($0.key): \($0.value)."]
        }) {
            let result = try ws.liaison(args)
            #expect(result.status == 0, "\(result.stderr)")
        }

        let exported = try ws.liaison(["case", "export", Self.caseId, "--format", "csaf"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let file = ws.root.appendingPathComponent("case.csaf.json")
        try Data(exported.stdout.utf8).write(to: file)
        try CSAFValidator.check(file)

        let csaf = try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [String: Any] ?? [:]
        let vulnerability = try #require((csaf["vulnerabilities"] as? [[String: Any]])?.first)
        let involvements = try #require(vulnerability["involvements"] as? [[String: Any]])
        var statusByVendor: [String: String] = [:]
        for involvement in involvements where involvement["party"] as? String == "vendor" {
            let summary = involvement["summary"] as? String ?? ""
            let id = String(summary.split(separator: "(").dropFirst().first?.split(separator: ")").first ?? "")
            statusByVendor[id] = involvement["status"] as? String
        }
        #expect(statusByVendor == [
            "late": "not_contacted", "silent": "contact_attempted", "acked": "in_progress", "probing": "in_progress",
            "hit": "completed", "clean": "completed", "patched": "completed",
        ])
        let status = try #require(vulnerability["product_status"] as? [String: [String]])
        #expect(status == ["known_affected": ["CSAFPID-hit"], "known_not_affected": ["CSAFPID-clean"],
                           "fixed": ["CSAFPID-patched"], "under_investigation": ["CSAFPID-probing"]])
        let notes = try #require(vulnerability["notes"] as? [[String: Any]])
        #expect(Set(notes.compactMap { $0["text"] as? String }) == Set(answers.map { "Statement from \($0.key): \($0.value)." }))
        #expect(notes.contains { $0["title"] as? String == "Statement of Company hit (affected)" })
        let tracking = try #require((csaf["document"] as? [String: Any])?["tracking"] as? [String: Any])
        let summaries = (tracking["revision_history"] as? [[String: Any]] ?? []).compactMap { $0["summary"] as? String }
        #expect(summaries.contains("Company silent (silent) notified."))
        #expect(summaries.contains("Company hit (hit) answered: affected."))

        // The same case in Liaison's own document.
        let json = try ws.liaison(["case", "export", Self.caseId, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let own = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(own["format"] as? String == "liaison-case/1")
        #expect((own["case"] as? [String: Any])?["status"] as? String == "open")
        #expect((own["case"] as? [String: Any])?["tlp"] as? String == "AMBER+STRICT", "the default level")
        let participants = own["participants"] as? [[String: Any]] ?? []
        #expect(participants.count == notified.count + 1)
        let hit = try #require(participants.first { $0["organization"] as? String == "hit" })
        #expect(hit["delivery"] as? String == "notified")
        #expect(hit["response"] as? String == "affected")
        #expect(hit["statement"] as? String == "Statement from hit: affected.")
        #expect((own["case"] as? [String: Any])?["published"] is NSNull, "an unset date is null, not left out")
        let keys = Set(hit.keys)
        #expect(participants.allSatisfy { Set($0.keys) == keys }, "every participant has the same keys")
        #expect(participants.contains { $0["first_response"] is NSNull })
        #expect(((own["events"] as? [[String: Any]]) ?? []).contains { $0["action"] as? String == "participant.response" })
    }

    @Test func involvementDatesAreExactToTheMillisecondAndNeverCollide() throws {
        let ws = try TemporaryWorkspace()
        defer { ws.remove() }
        try ws.writeOrganization("test-csirt", Self.publisherYAML)
        let vendors = ["aozora", "hikari", "kumo", "sora"]
        for id in vendors { try ws.writeOrganization(id, TemporaryWorkspace.organizationYAML(id: id)) }
        try run(ws, ["directory", "sync"])
        try run(ws, ["case", "open", Self.caseId, "--title", "TLS certificate check", "--origin", "jvn-jp", "--tlp", "CLEAR"])
        try run(ws, ["case", "add", Self.caseId, "--technology", "tls"])
        // Times as the store keeps them (milliseconds): two vendors notified in the same millisecond, the next one a
        // millisecond later, the last one 0.9 s later (a fraction that rounding would carry into the next second).
        let times = ["aozora": "2026-11-30 09:15:42.123", "hikari": "2026-11-30 09:15:42.123",
                     "kumo": "2026-11-30 09:15:42.124", "sora": "2026-11-30 09:15:42.999"]
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            for pair in sys.argv[2:]:
                org, at = pair.split("=")
                db.execute("UPDATE participant SET delivery = 'notified', firstNotifiedAt = ? WHERE organizationId = ?", (at, org))
            db.commit()
            """
        let moved = try runProcess("/usr/bin/python3", ["-c", script, ws.root.appendingPathComponent(".liaison/registry.sqlite").path]
                                   + times.map { "\($0.key)=\($0.value)" })
        #expect(moved.status == 0, "\(moved.stderr)")

        let csaf = try export(ws, validating: true)   // §6.1.24 among the mandatory tests
        let vulnerability = try #require((csaf["vulnerabilities"] as? [[String: Any]])?.first)
        let involvements = try #require(vulnerability["involvements"] as? [[String: Any]])
        var dates: [String: String] = [:]
        for involvement in involvements {
            let summary = involvement["summary"] as? String ?? ""
            let id = String(summary.split(separator: "(").dropFirst().first?.split(separator: ")").first ?? "")
            dates[id] = involvement["date"] as? String
        }
        // Exact where unique; the second of a same-millisecond pair moves on by whole milliseconds past the others.
        #expect(dates["aozora"] == "2026-11-30T09:15:42.123Z", "\(dates)")
        #expect(dates["kumo"] == "2026-11-30T09:15:42.124Z", "\(dates)")
        #expect(dates["sora"] == "2026-11-30T09:15:42.999Z", "\(dates)")
        #expect(Set(dates.values).count == vendors.count, "\(dates)")
    }

    @Test func anUnknownCaseOrAMissingPublisherIsOneClearLine() throws {
        let ws = try TemporaryWorkspace()
        defer { ws.remove() }
        try ws.writeOrganization("kumo", TemporaryWorkspace.organizationYAML(id: "kumo"))
        try run(ws, ["directory", "sync"])
        let unknown = try runLiaison(["case", "export", "VU#1", "--format", "csaf"], workspace: ws.root)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.split(separator: "\n").count == 1)
        #expect(unknown.stderr.contains("no case VU#1"))
        try run(ws, ["case", "open", Self.caseId, "--title", "T", "--origin", "jvn-jp"])
        let output = ws.root.appendingPathComponent("out.json")
        let noPublisher = try runLiaison(["case", "export", Self.caseId, "--format", "csaf", "--output", output.path],
                                         workspace: ws.root)
        #expect(noPublisher.status == 1)
        #expect(noPublisher.stderr.contains("sender.organization test-csirt is not in the registry"))
        #expect(!FileManager.default.fileExists(atPath: output.path), "nothing written")
    }

    @discardableResult
    private func run(_ ws: TemporaryWorkspace, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try runLiaison(args, workspace: ws.root)
        guard result.status == 0 else {
            throw CSAFValidator.Failure(description: "liaison \(args.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result
    }

    private func export(_ ws: TemporaryWorkspace, validating: Bool) throws -> [String: Any] {
        let result = try run(ws, ["case", "export", Self.caseId, "--format", "csaf"])
        let file = ws.root.appendingPathComponent("export.json")
        try Data(result.stdout.utf8).write(to: file)
        if validating { try CSAFValidator.check(file) }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }
}
