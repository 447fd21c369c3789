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
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE participant SET firstNotifiedAt = strftime('%Y-%m-%d %H:%M:%f', 'now', '-15 days')")
            db.commit()
            """
        let moved = try runProcess("/usr/bin/python3", ["-c", script, ws.root.appendingPathComponent(".liaison/registry.sqlite").path])
        #expect(moved.status == 0, "\(moved.stderr)")

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
}
