import Foundation
import Mail
import Testing
import TestSupport

/// `liaison serve --run`: the desk and the service's rounds in one process, under the service's lock.
@Suite struct ServeRunTests {
    @Test func serveWithRunSendsTheQueueHoldsTheRunLockAndStopsOnSIGTERMWithinTwoSeconds() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        let caseId = "JVNVU#16180350"
        try ws.openAndNotify(caseId)
        let queued = try ws.outbox()
        #expect(queued.count == 1 && queued.first?["state"] as? String == "queued", "\(queued)")

        let server = try DeskServerProcess.start(workspace: ws.root, arguments: ["--run"])
        defer { server.stop() }
        // The desk answers while the rounds run.
        #expect(try DeskHTTPClient(base: server.baseURL).get("/login").status == 200)
        let received = try ws.sink.waitForMessages(count: 1, timeout: 30)
        #expect(received[0].recipients == ["psirt@aozora.example"])
        #expect(try ParsedMessage(bytes: received[0].bytes).messageID == queued.first?["messageId"] as? String)

        // One service per workspace: a `liaison run` beside it refuses, naming the process that holds the lock.
        let second = try ws.liaison(["run"])
        #expect(second.status == 1)
        #expect(second.errorLines.count == 1 && second.errorLines[0].contains("already running")
                && second.errorLines[0].contains("(process \(server.pid))"), "\(second.stderr)")

        let (seconds, status) = server.stop()
        print("liaison serve --run stopped \(String(format: "%.2f", seconds)) s after SIGTERM")
        #expect(seconds < 2, "systemd's stop timeout must never have to kill it")
        #expect(status == 0, "\(server.stderr)")
        #expect(server.stderr.contains("liaison run started on"), "\(server.stderr)")
        #expect(server.stderr.contains("send: sent 1, deferred 0, failed 0"), "\(server.stderr)")
        #expect(server.stderr.contains("stopping on"), "\(server.stderr)")
        #expect(try ws.outbox().first?["state"] as? String == "sent")

        // Once it stopped, the lock is free again.
        let run = try ws.start(["run", "--interval", "60"])
        #expect(waitUntil(timeout: 30) { run.stderrSoFar.contains("liaison run started on") || !run.isRunning }, "\(run.stderrSoFar)")
        run.send(signal: SIGTERM)
        let finished = try run.wait(timeout: 10)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stderr.contains("stopping on SIGTERM"), "\(finished.stderr)")
    }

    @Test func serveWithRunStopsWithinTwoSecondsInTheMiddleOfASlowTransferAndTheMessageStaysQueued() throws {
        var options = SMTPSink.Options()
        options.dataCommandDelay = 60   // the relay takes a minute to answer DATA
        let ws = try GatewayWorkspace(developers: ["aozora"], sink: options)
        defer { ws.remove() }
        try ws.openAndNotify("JVNVU#16180351")

        let server = try DeskServerProcess.start(workspace: ws.root, arguments: ["--run"], environment: ["LIAISON_LOG_LEVEL": "debug"])
        defer { server.stop() }
        #expect(waitUntil(timeout: 60) { server.stderr.contains("C: DATA") }, "\(server.stderr)")
        let (seconds, status) = server.stop()
        print("liaison serve --run stopped \(String(format: "%.2f", seconds)) s after SIGTERM, in the middle of a transfer")
        #expect(seconds < 2, "systemd's stop timeout must never have to kill it")
        #expect(status == 0, "\(server.stderr)")
        #expect(server.stderr.contains("not sent: Sending to the SMTP server at"), "\(server.stderr)")
        let outbox = try ws.outbox()
        #expect(outbox.first?["state"] as? String == "queued", "\(outbox)")
        #expect(outbox.first?["attempts"] as? Int == 0, "\(outbox)")
        #expect(ws.sink.messages().isEmpty)
    }
}
