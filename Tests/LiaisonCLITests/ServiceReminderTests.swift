import Foundation
import Mail
import Testing
import TestSupport

/// `liaison run` applies the workspace's reminder policy (as `liaison remind --all` does) and sends what it queued.
@Suite struct ServiceReminderTests {
    @Test func theServiceRemindsAParticipantWithoutAnAnswerAndSendsTheReminder() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        let caseId = "JVNVU#16180339"
        try ws.openAndNotify(caseId)
        let send = try ws.liaison(["send"])
        #expect(send.status == 0, "\(send.stderr)")
        _ = try ws.sink.waitForMessages(count: 1)

        // Fifteen days without an answer: the service runs in its own process, whose clock a test cannot set, so
        // the first notification is moved back instead (the default policy reminds after 14 days).
        try ws.moveFirstNotificationsBack(days: 15)

        let service = try ws.start(["run", "--interval", "1"])
        let received = try ws.sink.waitForMessages(count: 2, timeout: 30)
        service.send(signal: SIGTERM)
        let finished = try service.wait(timeout: 20)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stderr.contains("remind: reminder for \(caseId) to aozora after 15 days, 1 message queued"), "\(finished.stderr)")
        #expect(received[1].recipients == ["psirt@aozora.example"])
        let subject = try ParsedMessage(bytes: received[1].bytes).subject ?? ""
        #expect(subject.contains("[\(caseId)] 脆弱性情報に関するご確認のお願い"), "the reminder template: \(subject)")
        #expect(try ws.liaison(["remind", "--all", "--dry-run"]).stdout.contains("would take 0 steps"),
                "the reminder was counted: the next step is the second reminder, at 28 days")
    }

    /// Reminders and escalations in the outbox, by purpose then organisation.
    func queued(_ ws: GatewayWorkspace, purpose: String) throws -> [String] {
        try ws.outbox().filter { $0["purpose"] as? String == purpose }.compactMap { $0["organizationId"] as? String }.sorted()
    }

    static let racedCase = "JVNVU#16180340"

    @Test(arguments: [["remind", "--all"], ["remind", racedCase, "--after", "14"]])
    func twoRemindsAtOnceQueueEachReminderOnceAndCountItOnce(_ command: [String]) throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"])
        defer { ws.remove() }
        let caseId = Self.racedCase
        try ws.openAndNotify(caseId)
        #expect(try ws.liaison(["send"]).status == 0)
        try ws.moveFirstNotificationsBack(days: 15)

        // Both read the case and sign their reminders while another process holds the write lock, so both reach
        // the queueing transaction having planned from the same state.
        let holder = try LockHolderScript(database: ws.root.appendingPathComponent(".liaison/registry.sqlite"))
        defer { holder.stop() }
        try holder.waitUntilLocked()
        let first = try ws.start(command)
        let second = try ws.start(command)
        let bothWaiting = waitUntil(timeout: 120) {
            first.stderrSoFar.contains("Waiting for the registry database") && second.stderrSoFar.contains("Waiting for the registry database")
        }
        #expect(bothWaiting, "\(first.stderrSoFar) | \(second.stderrSoFar)")
        holder.release()
        let a = try first.wait(), b = try second.wait()
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) | \(b.stderr)")

        #expect(try queued(ws, purpose: "reminder") == ["aozora", "kumo"], "one reminder each, not two")
        let counts = try ws.participants(caseId).mapValues { $0["reminderCount"] as? Int }
        #expect(counts == ["aozora": 1, "kumo": 1])
        if command.contains("--all") {
            let said = (a.stderr + b.stderr).split(separator: "\n").filter { $0.contains("reminder not taken") }
            #expect(said.count == 2, "the later command says which steps it left: \(a.stderr) | \(b.stderr)")
        }
        #expect(try ws.liaison(["remind", "--all", "--dry-run"]).stdout.contains("would take 0 steps"),
                "the next step is still the second reminder, at 28 days")
    }

    @Test func aParticipantThatAnswersWhileItsReminderIsSignedIsNotReminded() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"])
        defer { ws.remove() }
        let caseId = "JVNVU#16180341"
        try ws.openAndNotify(caseId)
        #expect(try ws.liaison(["send"]).status == 0)
        try ws.moveFirstNotificationsBack(days: 15)

        // aozora's answer is recorded by the process holding the lock, after `remind` planned and signed.
        let answer = """
            UPDATE participant SET response = 'acknowledged', firstResponseAt = strftime('%Y-%m-%d %H:%M:%f', 'now'),
                   respondedAt = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE organizationId = 'aozora'
            """
        let holder = try LockHolderScript(database: ws.root.appendingPathComponent(".liaison/registry.sqlite"), beforeCommit: answer)
        defer { holder.stop() }
        try holder.waitUntilLocked()
        let remind = try ws.start(["remind", "--all"])
        #expect(waitUntil(timeout: 120) { remind.stderrSoFar.contains("Waiting for the registry database") }, "\(remind.stderrSoFar)")
        holder.release()
        let result = try remind.wait()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try queued(ws, purpose: "reminder") == ["kumo"], "no \"we have not heard from you\" to aozora")
        #expect(result.stderr.contains("\(caseId): aozora: reminder not taken"), "\(result.stderr)")
        #expect(try ws.participants(caseId)["aozora"]?["reminderCount"] as? Int == 0)
    }

    @Test func anEscalationIsCopiedToTheCoordinatorOnlyWhereTheCasesTLPAllowsIt() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"])
        defer { ws.remove() }
        let configuration = ws.root.appendingPathComponent("liaison.yaml")
        try Data((try String(contentsOf: configuration, encoding: .utf8) + "reminders:\n  coordinator: krcert-cc\n").utf8).write(to: configuration)
        let red = "JVNVU#16180342", amber = "JVNVU#16180343"
        for args in [["directory", "sync"],
                     ["case", "open", red, "--title", "Red case", "--origin", "jvn-jp", "--tlp", "RED"],
                     ["case", "open", amber, "--title", "Amber case", "--origin", "jvn-jp", "--tlp", "AMBER"],
                     ["case", "add", red, "aozora"], ["case", "add", amber, "kumo"],
                     ["notify", red, "--template", "vendor-initial"], ["notify", amber, "--template", "vendor-initial"], ["send"]] {
            let result = try ws.liaison(args)
            #expect(result.status == 0, "\(args): \(result.stderr)")
        }
        try ws.moveFirstNotificationsBack(days: 43)

        let remind = try ws.liaison(["remind", "--all"])
        #expect(remind.status == 0, "\(remind.stderr)")
        let escalations = try ws.outbox().filter { $0["purpose"] as? String == "escalation" }
        let red_ = escalations.filter { $0["caseId"] as? String == red }.compactMap { $0["organizationId"] as? String }
        let amber_ = escalations.filter { $0["caseId"] as? String == amber }.compactMap { $0["organizationId"] as? String }
        #expect(red_ == ["aozora"], "TLP:RED: the participant's own contacts only, no copy to krcert-cc")
        #expect(amber_.sorted() == ["krcert-cc", "kumo"], "TLP:AMBER: the coordinator's copy, as the policy says")

        let doctor = try ws.liaison(["doctor"])
        let line = doctor.stdout.split(separator: "\n").first { $0.contains("reminders.coordinator") } ?? ""
        #expect(line.contains("liaison.yaml:") && line.contains("TLP:RED and TLP:AMBER+STRICT"), "\(doctor.stdout)")
    }

    @Test func sigtermDuringASlowTransferStopsWithinTwoSecondsAndTheMessageStaysQueued() throws {
        var options = SMTPSink.Options()
        options.dataCommandDelay = 60   // the relay takes a minute to answer DATA
        let ws = try GatewayWorkspace(developers: ["aozora"], sink: options)
        defer { ws.remove() }
        let caseId = "JVNVU#16180344"
        try ws.openAndNotify(caseId)

        let service = try ws.start(["run", "--interval", "60", "--no-reminders"], environment: ["LIAISON_LOG_LEVEL": "debug"])
        #expect(waitUntil(timeout: 60) { service.stderrSoFar.contains("C: DATA") }, "\(service.stderrSoFar)")
        let asked = Date()
        service.send(signal: SIGTERM)
        let finished = try service.wait(timeout: 30)
        let took = Date().timeIntervalSince(asked)
        print("liaison run stopped \(String(format: "%.2f", took)) s after SIGTERM, in the middle of a transfer")
        #expect(took < 2, "systemd's TimeoutStopSec=10 must never have to kill it")
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stderr.contains("not sent: Sending to the SMTP server at"), "\(finished.stderr)")
        #expect(finished.stderr.contains("stopping on SIGTERM"), "\(finished.stderr)")

        // Not sent, not an attempt against the vendor, not held: the next run sends it.
        let outbox = try ws.outbox()
        #expect(outbox.count == 1)
        #expect(outbox.first?["state"] as? String == "queued", "\(outbox)")
        #expect(outbox.first?["attempts"] as? Int == 0, "\(outbox)")
        #expect(outbox.first?["heldReason"] as? String == nil, "\(outbox)")
        #expect(ws.sink.messages().isEmpty)
        #expect(try ws.participants(caseId)["aozora"]?["delivery"] as? String == "pending")

        // Nothing lost: once the relay answers, the next send delivers it, under its Message-ID.
        let relay = try SMTPSink.start()
        defer { relay.stop() }
        let configuration = ws.root.appendingPathComponent("liaison.yaml")
        let yaml = try String(contentsOf: configuration, encoding: .utf8).replacingOccurrences(of: ws.sink.url, with: relay.url)
        try Data(yaml.utf8).write(to: configuration)
        let send = try ws.liaison(["send"])
        #expect(send.stdout == "sent 1, deferred 0, failed 0\n", "\(send.stdout) \(send.stderr)")
        let delivered = try relay.waitForMessages(count: 1)
        #expect(try ParsedMessage(bytes: delivered[0].bytes).messageID == outbox.first?["messageId"] as? String)
    }
}
