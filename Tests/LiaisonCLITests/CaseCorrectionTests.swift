import Foundation
import Testing
import TestSupport

/// Changing a case after it was opened and undoing our own mistakes, from the command line: TLP, titles per
/// language, publication with its advisory address, withdrawal and reopening, voiding and retrying messages.
@Suite struct CaseCorrectionTests {
    static let caseId = "JVNVU#12345678"

    /// The quarter `now` falls in, in UTC (the test workspaces' zone): `2026Q4`.
    static var currentQuarter: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: Date())
        return "\(parts.year!)Q\((parts.month! - 1) / 3 + 1)"
    }

    /// The events whose action matches `pattern` (SQL LIKE), oldest first, as `actor action data`, read with python3's
    /// sqlite3 from the workspace's database.
    static func events(_ ws: GatewayWorkspace, like pattern: String) throws -> [String] {
        let script = "import sqlite3, sys\n"
            + "for actor, action, data in sqlite3.connect(sys.argv[1]).execute(\"SELECT actor, action, data FROM event WHERE action LIKE ? ORDER BY id\", (sys.argv[2],)):\n"
            + "    print(actor, action, data)\n"
        let result = try runProcess("/usr/bin/python3", ["-c", script, ws.root.appendingPathComponent(".liaison/registry.sqlite").path, pattern])
        return String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func json(_ run: LiaisonRun) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
    }

    /// `report quarter <current> --format json`, parsed.
    static func report(_ ws: GatewayWorkspace) throws -> [String: Any] {
        let run = try ws.liaison(["report", "quarter", currentQuarter, "--format", "json"])
        guard run.status == 0 else { throw LiaisonFailed(run: run) }
        return try json(run) as? [String: Any] ?? [:]
    }

    @Test func tlpTitlesAndPublicationWithItsAddress() throws {
        let ws = try GatewayWorkspace(developers: ["hikari"])
        defer { ws.remove() }
        let caseId = Self.caseId
        for args in [["directory", "sync"],
                     ["case", "open", caseId, "--title", "TLS certificate check bypass", "--title-ja", "TLS 証明書検証の回避",
                      "--origin", "jvn-jp", "--due", "2030-01-15"],
                     ["case", "add", caseId, "hikari", "krcert-cc"]] {
            let run = try ws.liaison(args)
            #expect(run.status == 0, "\(args): \(run.stderr)")
        }

        let raise = try ws.liaison(["case", "set-tlp", caseId, "RED"])
        #expect(raise.stdout == "\(caseId): TLP:AMBER+STRICT → TLP:RED\n")
        let badLevel = try ws.liaison(["case", "set-tlp", caseId, "PURPLE"])
        #expect(badLevel.status == 1)
        #expect(badLevel.errorLines == ["LABEL PURPLE is not one of CLEAR|GREEN|AMBER|AMBER+STRICT|RED"])

        // Each message carries its own language's title, and the case's level.
        let plan = try ws.liaison(["notify", caseId, "--template", "vendor-initial", "--dry-run", "--format", "json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let planned = try #require(try Self.json(plan) as? [[String: Any]])
        let subjects = Dictionary(uniqueKeysWithValues: planned.map { ($0["organizationId"] as? String ?? "", $0["subject"] as? String ?? "") })
        #expect(subjects["hikari"]?.hasPrefix("[TLP:RED] [\(caseId)]") == true, "\(subjects)")
        let queued = try ws.liaison(["notify", caseId, "--template", "vendor-initial"])
        #expect(queued.status == 0, "\(queued.stderr)")
        #expect(try ws.liaison(["send"]).status == 0)
        let first = try ws.sink.waitForMessages(count: 2)
        let bodies = first.map { String(decoding: $0.bytes, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "") }
        let english = try #require(bodies.first { $0.contains("cert@krcert.example") })
        #expect(english.contains("TLS certificate check bypass"))

        // Publishing lowers the level to CLEAR (cases.publication_tlp) and keeps the advisory's address.
        let badURL = try ws.liaison(["case", "publish", caseId, "--force", "--url", "jvn.jp/vu"])
        #expect(badURL.status == 1)
        #expect(badURL.errorLines == ["--url jvn.jp/vu is not an advisory address such as https://jvn.jp/vu/JVNVU12345678/"])
        let publish = try ws.liaison(["case", "publish", caseId, "--force", "--url", "https://jvn.jp/vu/JVNVU12345678/"])
        #expect(publish.stdout == "published \(caseId), now TLP:CLEAR, advisory https://jvn.jp/vu/JVNVU12345678/\n", "\(publish.stderr)")
        let record = try #require(try ws.caseDetail(caseId)["record"] as? [String: Any])
        #expect(record["tlp"] as? String == "CLEAR")
        #expect(record["advisoryURL"] as? String == "https://jvn.jp/vu/JVNVU12345678/")
        #expect(record["titleJa"] as? String == "TLS 証明書検証の回避")

        let publication = try ws.liaison(["notify", caseId, "--template", "publication"])
        #expect(publication.status == 0, "\(publication.stderr)")
        #expect(try ws.liaison(["send"]).status == 0)
        let all = try ws.sink.waitForMessages(count: 4)
        let notice = try #require(all.dropFirst(2).first { String(decoding: $0.bytes, as: UTF8.self).contains("cert@krcert.example") })
        let text = String(decoding: notice.bytes, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "")
        #expect(text.contains("Subject: [TLP:CLEAR] [\(caseId)]"))
        #expect(text.contains("Advisory: https://jvn.jp/vu/JVNVU12345678/"))
        // Every change is an event of the audit log, with its actor.
        let changes = try Self.events(ws, like: "case.%")
        #expect(changes.contains { $0.hasPrefix("test case.tlp-changed") && $0.contains("\"to\":\"RED\"") }, "\(changes)")
        #expect(changes.contains { $0.hasPrefix("test case.tlp-changed") && $0.contains("\"to\":\"CLEAR\"") }, "\(changes)")
        #expect(changes.contains { $0.hasPrefix("test case.published") && $0.contains("https://jvn.jp/vu/JVNVU12345678/") }, "\(changes)")
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }

    @Test func aWithdrawnCaseCancelsItsQueueAndLeavesTheCounts() throws {
        let ws = try GatewayWorkspace(developers: ["hikari", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let before = try Self.report(ws)
        let openedBefore = ((((before["coordination"] as? [String: Any])?["opened"] as? [String: Any])?["all"] as? [String: Any])?["inQuarter"] as? [String: Any])?["value"] as? Int
        #expect(openedBefore == 1)

        let noReason = try ws.liaison(["case", "withdraw", Self.caseId, "--reason", " "])
        #expect(noReason.status == 1)
        #expect(noReason.errorLines == ["--reason must say in one line why the case is withdrawn"])
        let withdraw = try ws.liaison(["case", "withdraw", Self.caseId, "--reason", "opened by mistake"])
        #expect(withdraw.stdout == "withdrew \(Self.caseId); 2 queued messages cancelled\n", "\(withdraw.stderr)")
        #expect(try ws.outbox().allSatisfy { $0["state"] as? String == "voided" && $0["voidReason"] as? String == "case \(Self.caseId) withdrawn: opened by mistake" })
        #expect(try ws.liaison(["outbox"]).stdout.contains("not shown: 2 voided"))
        #expect(try ws.liaison(["case", "show", Self.caseId]).stdout.contains("WITHDRAWN"))
        #expect(try ws.liaison(["case", "list", "--open"]).stdout.contains(Self.caseId) == false)
        let notify = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial", "--again", "--force"])
        #expect(notify.status == 1)
        #expect(notify.errorLines == ["case \(Self.caseId) is withdrawn (opened by mistake); reopen it first with `liaison case reopen`"])
        // Nor does it take participants or statuses while withdrawn; nothing changes.
        let shownWithdrawn = try ws.liaison(["case", "show", Self.caseId, "--format", "json"]).stdout
        for args in [["case", "add", Self.caseId, "--technology", "tls"], ["case", "set", Self.caseId, "hikari", "affected"]] {
            let refused = try ws.liaison(args)
            #expect(refused.status == 1 && refused.errorLines == ["case \(Self.caseId) is withdrawn (opened by mistake); reopen it first with `liaison case reopen`"],
                    "\(args): \(refused.stdout) \(refused.stderr)")
        }
        #expect(try ws.liaison(["case", "show", Self.caseId, "--format", "json"]).stdout == shownWithdrawn)

        let report = try Self.report(ws)
        let coordination = try #require(report["coordination"] as? [String: Any])
        let withdrawn = try #require(coordination["withdrawn"] as? [String: Any])
        #expect(withdrawn["value"] as? Int == 1)
        #expect(withdrawn["items"] as? [String] == [Self.caseId])
        let opened = ((coordination["opened"] as? [String: Any])?["all"] as? [String: Any])?["inQuarter"] as? [String: Any]
        #expect(opened?["value"] as? Int == 0)
        let delivery = ((report["notifications"] as? [String: Any])?["delivery"] as? [String: Any])
        #expect((delivery?["voided"] as? [String: Any])?["value"] as? Int == 2)
        #expect((report["integrity"] as? [String: Any]).flatMap { ($0["recount"] as? [String: Any])?["agrees"] as? Bool } == true)
        let text = try ws.liaison(["report", "quarter", Self.currentQuarter])
        #expect(text.stdout.contains("Cases withdrawn (opened by mistake; not counted)") && text.stdout.contains("(\(Self.caseId))"), "\(text.stdout)")

        let withdrawal = try Self.events(ws, like: "%.withdrawn") + (try Self.events(ws, like: "notification.cancelled"))
        #expect(withdrawal.count == 3 && withdrawal[0].contains("opened by mistake"), "\(withdrawal)")
        let reopen = try ws.liaison(["case", "reopen", Self.caseId])
        #expect(reopen.stdout == "reopened \(Self.caseId)\n")
        #expect(try ws.liaison(["case", "reopen", Self.caseId]).errorLines == ["case \(Self.caseId) is not withdrawn; only a withdrawn case can be reopened"])
        let again = try Self.report(ws)
        #expect(((((again["coordination"] as? [String: Any])?["opened"] as? [String: Any])?["all"] as? [String: Any])?["inQuarter"] as? [String: Any])?["value"] as? Int == 1)
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }

    /// The messages a withdrawal cancelled stay cancelled while the case is withdrawn: `outbox retry` refuses them,
    /// as `notify` refuses the case, and changes nothing; once the case is reopened they can be queued again.
    @Test func messagesOfAWithdrawnCaseAreNotQueuedAgain() throws {
        let ws = try GatewayWorkspace(developers: ["hikari", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["case", "withdraw", Self.caseId, "--reason", "opened by mistake"]).status == 0)
        let ids = try ws.outbox().compactMap { ($0["id"] as? NSNumber)?.int64Value }
        #expect(ids.count == 2)

        let retry = try ws.liaison(["outbox", "retry"] + ids.map(String.init))
        #expect(retry.status == 1)
        #expect(retry.errorLines == ids.map {
            "outbox message \($0): case \(Self.caseId) is withdrawn (opened by mistake); reopen it first with `liaison case reopen`"
        }, "\(retry.stderr)")
        #expect(try ws.outbox().allSatisfy { $0["state"] as? String == "voided" })
        #expect(try Self.events(ws, like: "notification.requeued").isEmpty)
        #expect(try ws.liaison(["send"]).stdout.contains("sent 0"))
        #expect(ws.sink.messages().isEmpty)

        #expect(try ws.liaison(["case", "reopen", Self.caseId]).status == 0)
        let again = try ws.liaison(["outbox", "retry"] + ids.map(String.init))
        #expect(again.stdout == "queued 2 messages again; run `liaison send` to deliver\n", "\(again.stderr)")
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }

    @Test func voidedFailuresOfOursAreNotHeldAgainstTheVendorAndCanBeRetried() throws {
        var options = SMTPSink.Options()
        // Our relay's recipient table lacks the vendor: refused for good at RCPT, though the fault is ours.
        options.rcptReplies = ["psirt@kumo.example": ["550 5.1.1 <psirt@kumo.example>: Recipient address rejected: User unknown in relay recipient table"]]
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"], sink: options)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 1)
        let failed = try ws.outbox(state: "failed")
        let id = try #require(failed.first?["id"] as? Int)
        #expect(try ws.participants(Self.caseId)["kumo"]?["delivery"] as? String == "undeliverable")
        let sent = try #require(try ws.outbox(state: "sent").first?["id"] as? Int)

        let wrong = try ws.liaison(["outbox", "void", String(sent), "--reason", "relay mistake"])
        #expect(wrong.status == 1)
        #expect(wrong.errorLines == ["outbox message \(sent) is sent; only failed or deferred messages can be voided"])
        let none = try ws.liaison(["outbox", "void", "--reason", "relay mistake"])
        #expect(none.errorLines == ["give outbox ids, or --case CASE, or --failed-since TIME (one of them)"])

        let void = try ws.liaison(["outbox", "void", "--case", Self.caseId, "--reason", "our relay's recipient table lacked the vendor"])
        #expect(void.stdout == "voided 1 message (1 failed, to 1 organisation); `liaison outbox retry ID…` queues one again\n", "\(void.stderr)")
        #expect(try ws.outbox(state: "voided").first?["voidReason"] as? String == "our relay's recipient table lacked the vendor")
        #expect(try ws.participants(Self.caseId)["kumo"]?["delivery"] as? String == "pending", "not the vendor's fault")
        let org = try ws.liaison(["org", "show", "kumo", "--format", "json"])
        let contacts = (try Self.json(org) as? [String: Any])?["contacts"] as? [[String: Any]]
        #expect(contacts?.first?["bounceCount"] as? Int == 0, "\(org.stdout)")
        let report = try Self.report(ws)
        let delivery = ((report["notifications"] as? [String: Any])?["delivery"] as? [String: Any])
        #expect((delivery?["voided"] as? [String: Any])?["value"] as? Int == 1)
        #expect((delivery?["failed"] as? [String: Any])?["value"] as? Int == 0)

        let voidedEvents = try Self.events(ws, like: "notification.voided")
        #expect(voidedEvents.count == 1 && voidedEvents[0].hasPrefix("test notification.voided") && voidedEvents[0].contains("our relay's recipient table lacked the vendor"),
                "\(voidedEvents)")
        let retry = try ws.liaison(["outbox", "retry", String(id)])
        #expect(retry.stdout == "queued 1 message again; run `liaison send` to deliver\n", "\(retry.stderr)")
        #expect(try ws.liaison(["send"]).status == 0)
        let received = try ws.sink.waitForMessages(count: 2)
        #expect(received.contains { $0.recipients.contains("psirt@kumo.example") })
        #expect(try ws.participants(Self.caseId)["kumo"]?["delivery"] as? String == "notified")
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }

    @Test func importedCasesKeepTheirJapaneseTitleAndTitlesChangeLater() throws {
        let ws = try GatewayWorkspace(developers: ["hikari"])
        defer { ws.remove() }
        #expect(try ws.liaison(["directory", "sync"]).status == 0)
        try ws.temp.write("history.csv", """
            id,title,origin,opened,published,due,participants,title_ja
            JVNVU#20000001,Buffer overflow,jvn-jp,2006-04-03,2006-05-10,2006-05-10,hikari,バッファオーバーフロー

            """)
        let imported = try ws.liaison(["case", "import", "history.csv"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let record = try #require(try ws.caseDetail("JVNVU#20000001")["record"] as? [String: Any])
        #expect(record["title"] as? String == "Buffer overflow")
        #expect(record["titleJa"] as? String == "バッファオーバーフロー")
        #expect(try ws.liaison(["case", "show", "JVNVU#20000001"]).stdout.contains("ja: バッファオーバーフロー"))

        let renamed = try ws.liaison(["case", "set-title", "JVNVU#20000001", "--title-ja", "スタックバッファオーバーフロー"])
        #expect(renamed.stdout == "JVNVU#20000001: Buffer overflow / スタックバッファオーバーフロー\n", "\(renamed.stderr)")
        let empty = try ws.liaison(["case", "set-title", "JVNVU#20000001", "--title", ""])
        #expect(empty.errorLines == ["--title must be one non-empty line"])
        // A control character would reach every terminal, message and report the title is written in.
        let escape = try ws.liaison(["case", "set-title", "JVNVU#20000001", "--title-ja", "バッファ\u{1B}[2J"])
        #expect(escape.errorLines == ["--title-ja contains the control character U+001B; a title is one line of printable text"])
        let opened = try ws.liaison(["case", "open", "JVNVU#20000009", "--title", "Bell\u{7}", "--origin", "jvn-jp"])
        #expect(opened.errorLines == ["--title contains the control character U+0007; a title is one line of printable text"])
        #expect(try Self.events(ws, like: "case.title-changed").count == 1)
    }
}
