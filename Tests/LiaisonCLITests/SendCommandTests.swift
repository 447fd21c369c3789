import Foundation
import Testing
import TestSupport

/// `liaison send` as processes: several at once, one killed mid-batch, a notify beside a send, servers that defer or
/// refuse. The harnesses of concurrency and kills run on both engines: the registry in SQLite, or in PostgreSQL
/// shared by the processes as a team's would be.
@Suite struct SendCommandTests {
    static let caseId = "JVNVU#20070901"

    static func developers(_ count: Int) -> [String] {
        (1...count).map { String(format: "vendor-%03d", $0) }
    }

    /// "sent 3, deferred 1, …" → 3.
    static func sentCount(_ summary: String) -> Int? {
        guard let match = summary.firstMatch(of: /^sent (\d+),/) else { return nil }
        return Int(match.1)
    }

    @Test func aTerminalSeesAProgressBarThenTheSummary() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        // script(1) gives the command a pseudo-terminal and copies what it shows to our stdout.
        let executable = try LiaisonExecutable.url().path
        let result = try runProcess("/usr/bin/script", ["-qec", "'\(executable)' send", "/dev/null"],
                                    environment: ["LIAISON_WORKSPACE": ws.root.path, "LIAISON_ACTOR": "test", "LC_ALL": "C.UTF-8"])
        let screen = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "\(screen) \(result.stderr)")
        #expect(screen.contains("\r[##############################] 3/3  sent 3  deferred 0  failed 0"))
        #expect(screen.contains("sent 3, deferred 0, failed 0"))
        #expect(ws.sink.messages().count == 3)
    }

    @Test(arguments: RegistryEngine.allCases)
    func twoConcurrentSendsDeliverEveryMessageExactlyOnce(_ engine: RegistryEngine) throws {
        var options = SMTPSink.Options()
        options.dataReplyDelay = 0.02
        let ws = try GatewayWorkspace(developers: Self.developers(60), sink: options, engine: engine)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let queued = Set(try ws.outbox().compactMap { $0["messageId"] as? String })
        #expect(queued.count == 60)

        let first = try ws.start(["send"])
        let second = try ws.start(["send"])
        let results = [try first.wait(), try second.wait()]
        for result in results {
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            #expect(result.stderr.isEmpty)
            #expect(result.outputLines.count == 1)
        }
        #expect(results.compactMap { Self.sentCount($0.stdout) }.reduce(0, +) == 60,
                "the two summaries add up: \(results.map(\.stdout))")

        let ids = ws.sink.messageIDs()
        #expect(ids.count == 60, "every message once, none twice")
        #expect(Set(ids) == queued)
        #expect(try ws.outbox().allSatisfy { $0["state"] as? String == "sent" })
    }

    /// Messages a `send` worker hands over between two commits (`OutboxDispatcher.defaultMessagesPerCommit`).
    static let messagesPerCommit = 8

    /// The held ids that `send`'s second line names ("held 3 4 5: a run stopped while sending them, …").
    static func heldIds(_ lines: [String]) -> [Int] {
        guard let line = lines.dropFirst().first, line.hasPrefix("held "), let colon = line.firstIndex(of: ":") else { return [] }
        return line[line.index(line.startIndex, offsetBy: 5)..<colon].split(separator: " ").compactMap { Int($0) }
    }

    @Test(arguments: RegistryEngine.allCases)
    func aSendKilledMidBatchLosesNothingAndTheNextOneFinishes(_ engine: RegistryEngine) throws {
        var options = SMTPSink.Options()
        options.dataReplyDelay = 0.15    // the sink keeps each accepted message waiting for its reply
        let total = 40                   // more than the messages the four workers have in flight at once
        let ws = try GatewayWorkspace(developers: Self.developers(total), sink: options, engine: engine)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let stored = try ws.outbox()
        let queued = Set(stored.compactMap { $0["messageId"] as? String })
        #expect(queued.count == total)

        let doomed = try ws.start(["send"])
        let someArrived = waitUntil(timeout: 60) { ws.sink.messages().count >= 4 || !doomed.isRunning }
        #expect(someArrived)
        doomed.send(signal: SIGKILL)
        let killed = try doomed.wait()
        #expect(killed.status == 128 + SIGKILL, "\(killed.stdout) \(killed.stderr)")
        let beforeResume = ws.sink.messages().count
        #expect(beforeResume >= 4 && beforeResume < total, "killed with some but not all messages delivered")

        // The messages in flight when the process died may have been delivered: the next run holds them for a
        // person instead of sending them again, says so, and sends the rest.
        let resumed = try ws.liaison(["send"])
        #expect(resumed.stderr.isEmpty)
        let held = Self.heldIds(resumed.outputLines)
        #expect(resumed.status == (held.isEmpty ? 0 : 1), "\(resumed.stdout) \(resumed.stderr)")
        #expect(resumed.outputLines.count <= 2, "\(resumed.stdout)")
        #expect(held.count <= 4 * Self.messagesPerCommit, "at most a commit's worth per connection: \(resumed.stdout)")
        #expect(held.count < total, "the messages that were only leased are sent: \(resumed.stdout)")
        let afterResume = ws.sink.messageIDs()
        #expect(Set(afterResume).count == afterResume.count, "nothing was sent twice without the operator")
        if !held.isEmpty {
            #expect(resumed.outputLines[0].contains(", held \(held.count)"), "\(resumed.stdout)")
            #expect(resumed.outputLines[1].contains("the server may have delivered them") || held.count == 1, "\(resumed.stdout)")
            #expect(try ws.liaison(["outbox", "release", "--all"]).status == 0)
            let released = try ws.liaison(["send"])
            #expect(released.status == 0 && released.stdout == "sent \(held.count), deferred 0, failed 0\n", "\(released.stdout)")
        }

        let received = ws.sink.messages()
        let byID = Dictionary(grouping: received, by: { SMTPSink.messageID(of: $0.bytes) })
        #expect(Set(byID.keys) == queued, "none lost")
        for (id, copies) in byID where copies.count > 1 {
            #expect(Set(copies.map(\.bytes)).count == 1, "\(id) was sent twice with different bytes")
        }
        // Only messages in flight when the process died may go out twice, once the operator released them.
        #expect(received.count - queued.count <= held.count, "sent twice: \(byID.filter { $0.value.count > 1 }.keys.sorted())")
        #expect(try ws.outbox().allSatisfy { $0["state"] as? String == "sent" })
        #expect(try ws.participants(Self.caseId).values.allSatisfy { $0["delivery"] as? String == "notified" })
    }

    @Test(arguments: RegistryEngine.allCases)
    func aSendKilledBetweenItsSendsAndTheirCommitHoldsThemAndDoublesNothing(_ engine: RegistryEngine) throws {
        var options = SMTPSink.Options()
        options.dataReplyDelay = 0.15    // the first messages of the window are out; their commit comes after the last
        let total = 20
        let ws = try GatewayWorkspace(developers: Self.developers(total), sink: options, engine: engine)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let window = Self.messagesPerCommit

        // One connection: messages 1…8 are marked in flight together, sent, then recorded in one commit.
        let doomed = try ws.start(["send", "--concurrency", "1"])
        let someArrived = waitUntil(timeout: 60) { ws.sink.messages().count >= 3 || !doomed.isRunning }
        #expect(someArrived)
        doomed.send(signal: SIGKILL)
        _ = try doomed.wait()
        let arrived = ws.sink.messages().count
        #expect(arrived >= 3 && arrived < window, "killed before the window's commit")
        // Nothing of the window was recorded: the outbox has no sent message yet.
        #expect(try ws.outbox().allSatisfy { $0["state"] as? String != "sent" })

        let resumed = try ws.liaison(["send"])
        #expect(resumed.status == 1, "\(resumed.stdout) \(resumed.stderr)")
        #expect(Self.heldIds(resumed.outputLines) == Array(1...window), "the whole window is held: \(resumed.stdout)")
        #expect(resumed.outputLines.first?.hasPrefix("sent \(total - window), deferred 0, failed 0, held \(window)") == true, "\(resumed.stdout)")
        let ids = ws.sink.messageIDs()
        #expect(ids.count == arrived + total - window && Set(ids).count == ids.count, "held, not doubled")

        #expect(try ws.liaison(["outbox", "release", "--all"]).status == 0)
        #expect(try ws.liaison(["send"]).stdout == "sent \(window), deferred 0, failed 0\n")
        #expect(Set(ws.sink.messageIDs()).count == total, "none lost")
        #expect(ws.sink.messages().count == total + arrived, "only what the relay had before the kill went out twice, once released")
    }

    @Test(arguments: RegistryEngine.allCases)
    func aNotifyBesideASendQueuesEverythingAndEveryMessageGoesOutOnce(_ engine: RegistryEngine) throws {
        var options = SMTPSink.Options()
        options.dataReplyDelay = 0.1     // the send is still handing messages over while the notify signs and stores
        let total = 40
        let ws = try GatewayWorkspace(developers: Self.developers(total), sink: options, engine: engine)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let second = "JVNVU#20070902"
        for args in [["case", "open", second, "--title", "TLS renegotiation", "--origin", "jvn-jp", "--due", "2030-02-15"],
                     ["case", "add", second, "--technology", "tls"]] {
            let result = try ws.liaison(args)
            guard result.status == 0 else { throw LiaisonFailed(run: result) }
        }

        let send = try ws.start(["send"])
        let sending = waitUntil(timeout: 60) { !ws.sink.messages().isEmpty || !send.isRunning }
        #expect(sending)
        let notify = try ws.start(["notify", second, "--template", "vendor-initial"])
        #expect(send.isRunning, "the notify starts while the send is handing messages over")
        let notified = try notify.wait()
        let first = try send.wait()
        #expect(notified.status == 0, "\(notified.stdout) \(notified.stderr)")
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        #expect(first.stderr.isEmpty)

        // The messages the notify queued meanwhile go out with the next send, if that one did not take them.
        let rest = try ws.liaison(["send"])
        #expect(rest.status == 0, "\(rest.stdout) \(rest.stderr)")
        #expect([first, rest].compactMap { Self.sentCount($0.stdout) }.reduce(0, +) == 2 * total,
                "the summaries add up: \(first.stdout) \(rest.stdout)")
        let stored = try ws.outbox()
        #expect(stored.count == 2 * total)
        #expect(stored.allSatisfy { $0["state"] as? String == "sent" })
        let ids = ws.sink.messageIDs()
        #expect(ids.count == 2 * total, "every message once, none twice")
        #expect(Set(ids) == Set(stored.compactMap { $0["messageId"] as? String }))
        for caseId in [Self.caseId, second] {
            #expect(try ws.participants(caseId).values.allSatisfy { $0["delivery"] as? String == "notified" })
        }
        let verified = try ws.liaison(["audit", "verify"])
        #expect(verified.status == 0, "the event log is one unbroken chain: \(verified.stdout) \(verified.stderr)")
    }

    @Test func aRecipientDeferredWith451ExitsWith75AndIsListedWithTheReply() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["psirt@kumo.example": ["451 4.3.0 Mailbox busy, try again later"]]
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"], sink: options)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)

        let send = try ws.liaison(["send"])
        #expect(send.status == 75)
        #expect(send.stdout == "sent 1, deferred 1, failed 0; 1 still in the outbox; `liaison outbox --state deferred` shows why\n")
        #expect(send.stderr.isEmpty)

        let deferred = try ws.outbox(state: "deferred")
        #expect(deferred.count == 1)
        let row = try #require(deferred.first)
        #expect(row["organizationId"] as? String == "kumo")
        #expect(row["attempts"] as? Int == 1)
        #expect(row["nextAttemptAt"] != nil)
        #expect(row["lastError"] as? String == "psirt@kumo.example: 451 4.3.0 Mailbox busy, try again later")
        let recipient = try #require((row["recipients"] as? [[String: Any]])?.first)
        #expect(recipient["smtpCode"] as? Int == 451)
        #expect((recipient["smtpReply"] as? String)?.contains("Mailbox busy, try again later") == true)
        let table = try ws.liaison(["outbox", "--state", "deferred"])
        #expect(table.stdout.contains("psirt@kumo.example deferred (451 4.3.0 Mailbox busy, try again later)"))
        #expect(!table.stdout.contains("aozora"))

        let participants = try ws.participants(Self.caseId)
        #expect(participants["aozora"]?["delivery"] as? String == "notified")
        #expect(participants["kumo"]?["delivery"] as? String == "pending")

        // Not due yet: a second send right away tries nothing and says the message is still waiting.
        let early = try ws.liaison(["send"])
        #expect(early.status == 0)
        #expect(early.stdout == "sent 0, deferred 0, failed 0; 1 still in the outbox\n")
        #expect(ws.sink.messages().count == 1)
    }

    @Test func sendFailuresAreOneLineWithoutAStackTrace() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)

        // The server is gone: not the vendor's fault, so one line, exit 1, and the message waits untouched.
        ws.sink.stop()
        let down = try ws.liaison(["send"])
        #expect(down.status == 1)
        #expect(down.stdout.isEmpty)
        #expect(down.errorLines.count == 1 && down.errorLines[0].contains("Could not connect to the SMTP server at \(ws.sink.url)"),
                "\(down.stderr)")
        #expect(try ws.outbox().allSatisfy { $0["state"] as? String == "queued" && $0["attempts"] as? Int == 0 })

        // A configuration the gateway refuses: one line naming the problem, exit 1.
        let configuration = try String(contentsOf: ws.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
        try ws.temp.write("liaison.yaml", configuration.replacingOccurrences(of: ws.sink.url, with: "smtp://mail.example.org:25"))
        let refused = try ws.liaison(["send"])
        #expect(refused.status == 1)
        #expect(refused.errorLines == ["liaison.yaml:7: smtp.tls: Plain SMTP (tls: none) is allowed only to a loopback address (127.0.0.0/8, ::1, localhost), "
                                       + "not to mail.example.org; use tls: required."])
        #expect(refused.stdout.isEmpty)
        for run in [down, refused] {
            #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Stack") && !run.stderr.contains("0x"))
        }
    }

    @Test func aRecipientRefusedWith550FailsAtOnceAndExitsWithOne() throws {
        var options = SMTPSink.Options()
        options.rcptReplies = ["psirt@kumo.example": ["550 5.1.1 No such user"]]
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"], sink: options)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)

        let send = try ws.liaison(["send"])
        #expect(send.status == 1)
        #expect(send.stdout == "sent 1, deferred 0, failed 1, 1 recipient refused; `liaison outbox --state failed` shows why\n")
        #expect(send.stderr.isEmpty)
        let failed = try ws.outbox(state: "failed")
        #expect(failed.count == 1)
        let recipient = try #require((failed.first?["recipients"] as? [[String: Any]])?.first)
        #expect(recipient["email"] as? String == "psirt@kumo.example")
        #expect(recipient["smtpCode"] as? Int == 550)
        #expect(failed.first?["lastError"] as? String == "psirt@kumo.example: 550 5.1.1 No such user")
        #expect(try ws.participants(Self.caseId)["kumo"]?["delivery"] as? String == "undeliverable")
    }

    @Test func sendUsesFourConnectionsByDefault() throws {
        var options = SMTPSink.Options()
        options.dataReplyDelay = 0.3     // each message keeps its connection busy while the other workers claim theirs
        let ws = try GatewayWorkspace(developers: Self.developers(8), sink: options)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let send = try ws.liaison(["send"])
        #expect(send.status == 0, "\(send.stdout) \(send.stderr)")
        #expect(send.stdout == "sent 8, deferred 0, failed 0\n")
        #expect(ws.sink.messages().count == 8)
        #expect(ws.sink.connectionCount == 4, "four workers, four SMTP connections")
        #expect(Set(ws.sink.messages().map(\.connectionNumber)) == [1, 2, 3, 4])
    }

    @Test func aRelayThatWantsOneConnectionGetsOne() throws {
        let ws = try GatewayWorkspace(developers: Self.developers(8))
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        try Self.pointSMTP(ws, at: ws.sink.url, extra: ["  max_connections: 1"])
        let send = try ws.liaison(["send"])
        #expect(send.status == 0, "\(send.stdout) \(send.stderr)")
        #expect(send.stdout == "sent 8, deferred 0, failed 0\n")
        #expect(ws.sink.connectionCount == 1, "every message over the one connection")
        #expect(try ws.liaison(["send", "--concurrency", "17"]).stderr.contains("--concurrency takes 1 to 16"))
    }

    @Test func aRefusedLoginStopsSendWithOneLineAndChangesNothing() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        options.auth = (user: "gateway", password: "right-password")
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"], sink: options)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let yaml = try String(contentsOf: ws.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  tls: none\n", with: """
                  tls: required
                  ca_file: \(ws.sink.caFile!)
                  username: gateway
                  password_env: TEST_SMTP_PASSWORD

                """)
        try Data(yaml.utf8).write(to: ws.root.appendingPathComponent("liaison.yaml"))

        let send = try runLiaison(["send", "--concurrency", "2"], workspace: ws.root,
                                  environment: ["TEST_SMTP_PASSWORD": "wrong-password"])
        #expect(send.status == 1)
        #expect(send.stdout.isEmpty)
        let lines = send.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one clear line: \(send.stderr)")
        #expect(send.stderr.contains("refused the login") && send.stderr.contains("535"))
        #expect(!send.stderr.contains("wrong-password"))
        let rows = try ws.outbox()
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["state"] as? String == "queued" && $0["attempts"] as? Int == 0 })
        #expect(rows.allSatisfy { ($0["recipients"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "pending" } == true })
        #expect(try ws.participants(Self.caseId).values.allSatisfy { $0["delivery"] as? String == "pending" })
        #expect(ws.sink.messages().isEmpty)
    }

    @Test func aRefusedSenderIsReportedWithTheServersReply() throws {
        var options = SMTPSink.Options()
        options.mailReplies = ["553 5.7.1 <vuls@csirt.example>: Sender address rejected: not owned by user"]
        let ws = try GatewayWorkspace(developers: ["aozora"], sink: options)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let send = try ws.liaison(["send"])
        #expect(send.status == 1)
        #expect(send.stderr.contains("553 5.7.1 <vuls@csirt.example>: Sender address rejected: not owned by user"), "\(send.stderr)")
        #expect(!send.stderr.contains("lost"))
        #expect(try ws.outbox().allSatisfy { $0["state"] as? String == "queued" && $0["attempts"] as? Int == 0 })
    }

    /// What a user can read of the record: the outbox as a table and as JSON, the case, and the event log's
    /// verification (its count of events); each with its exit status.
    static func record(_ ws: GatewayWorkspace) throws -> [String] {
        try [["outbox"], ["outbox", "--format", "json"], ["case", "show", caseId, "--format", "json"], ["audit", "verify"]]
            .map { args in
                let run = try ws.liaison(args)
                return "\(args.joined(separator: " ")) → \(run.status)\n\(run.stdout)\(run.stderr)"
            }
    }

    /// Rewrites the smtp section of liaison.yaml: `url`, `tls`, and any further lines (indented by the caller).
    static func pointSMTP(_ ws: GatewayWorkspace, at url: String, tls: String = "none", extra: [String] = []) throws {
        let file = ws.root.appendingPathComponent("liaison.yaml")
        let written = try String(contentsOf: file, encoding: .utf8)
        let yaml = written.replacingOccurrences(of: "  url: \(ws.sink.url)\n  tls: none\n",
                                                with: (["  url: \(url)", "  tls: \(tls)"] + extra).joined(separator: "\n") + "\n")
        guard yaml != written else { throw SMTPSinkError("liaison.yaml has no smtp section to rewrite: \(written)") }
        try Data(yaml.utf8).write(to: file)
    }

    @Test func aRelayThatRefusesConnectionsStopsSendWithOneLineAndChangesNothing() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let closed = try LoopbackPort(listening: false)    // bound, not listening: every connection is refused
        let relay = "smtp://127.0.0.1:\(closed.port)"
        try Self.pointSMTP(ws, at: relay, extra: ["  username: gateway", "  password_env: TEST_SMTP_PASSWORD"])
        let before = try Self.record(ws)
        #expect(before[0].contains("queued"))

        let send = try ws.liaison(["send", "--concurrency", "2"], environment: ["TEST_SMTP_PASSWORD": "relay-secret-81"])
        #expect(send.status == 1)
        #expect(send.stdout.isEmpty)
        #expect(send.errorLines.count == 1, "one clear line: \(send.stderr)")
        #expect(send.stderr.contains("Could not connect to the SMTP server at \(relay)"), "\(send.stderr)")
        #expect(send.stderr.contains("Nothing was changed; the messages stay queued."))
        #expect(!send.stderr.contains("relay-secret-81"))
        #expect(try Self.record(ws) == before, "no attempt, no next-attempt time, no participant change, no event")
    }

    @Test(arguments: [(StallingRelay.Behaviour.silent, "accepted the connection but did not greet within 1 s"),
                      (.greetThenStall, "greeted, then did not answer EHLO within 1 s"),
                      (.busy, "refused the connection in its greeting: 421 4.3.2 relay.example Too many connections")])
    func aRelayThatStallsOrTurnsUsAwayBeforeSendingStopsAtItsFirstConnection(behaviour: StallingRelay.Behaviour, said: String) throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let relay = try StallingRelay.start(behaviour)
        defer { relay.stop() }
        try Self.pointSMTP(ws, at: relay.url, extra: ["  connect_timeout: 1"])
        let before = try Self.record(ws)

        let send = try ws.liaison(["send"])
        #expect(send.status == 1)
        #expect(send.stdout.isEmpty)
        #expect(send.errorLines.count == 1, "one clear line: \(send.stderr)")
        #expect(send.stderr.contains("The SMTP server at \(relay.url) \(said)"), "\(send.stderr)")
        #expect(relay.connectionCount == 1, "the run stops at the first stalled connection instead of trying every message")
        #expect(!send.stderr.contains("\u{1B}"), "the relay's words are shown, never obeyed by the terminal")
        if behaviour == .busy { #expect(send.stderr.contains("try again later\\u{1B}[2J"), "\(send.stderr)") }
        #expect(try Self.record(ws) == before)
    }

    @Test func aRelayWithoutSTARTTLSStopsSendWithOneLineAndChangesNothing() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo", "sakura"])   // the sink offers no STARTTLS
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        try Self.pointSMTP(ws, at: ws.sink.url, tls: "required")
        let before = try Self.record(ws)

        let send = try ws.liaison(["send"])
        #expect(send.status == 1)
        #expect(send.stdout.isEmpty)
        #expect(send.errorLines.count == 1, "one clear line: \(send.stderr)")
        #expect(send.stderr.contains("The SMTP server at \(ws.sink.url) did not offer STARTTLS"), "\(send.stderr)")
        #expect(ws.sink.messages().isEmpty)
        #expect(try Self.record(ws) == before)
    }

    @Test func theServiceLogsARelayProblemOncePerRoundAndKeepsRunning() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let relay = try StallingRelay.start(.silent)
        defer { relay.stop() }
        try Self.pointSMTP(ws, at: relay.url, extra: ["  connect_timeout: 1"])
        let maildir = ws.root.appendingPathComponent("Maildir")
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let before = try Self.record(ws)

        let service = try ws.start(["run", "--interval", "1", "--no-reminders", "--maildir", maildir.path])
        let problem = "did not greet within 1 s"
        // Every line of the log that speaks of it: one per round, from the send step.
        let reported = { (log: String) in log.split(separator: "\n").filter { $0.contains(problem) } }
        let twoRounds = waitUntil(timeout: 30) {
            reported(service.stderrSoFar).count >= 2 || !service.isRunning
        }
        #expect(twoRounds, "\(service.stderrSoFar)")
        #expect(service.isRunning, "a relay problem does not end the service")
        service.send(signal: SIGTERM)
        let finished = try service.wait(timeout: 10)
        #expect(finished.status == 0, "\(finished.stderr)")
        let lines = reported(finished.stderr)
        #expect(lines.count >= 2)
        #expect(lines.count == relay.connectionCount, "one try and one line per round: \(finished.stderr)")
        #expect(lines.allSatisfy { $0.contains("send: ") && $0.contains("Nothing was changed") }, "\(finished.stderr)")
        #expect(try Self.record(ws) == before)
    }

    /// Runs one SQL statement on the workspace's database from another process (python3's sqlite3).
    static func sqlFromAnotherProcess(_ ws: GatewayWorkspace, _ statement: String) throws {
        let script = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], timeout=30)\nc.execute(sys.argv[2])\nc.commit()\n"
        let result = try runProcess("/usr/bin/python3", ["-c", script, ws.root.appendingPathComponent(".liaison/registry.sqlite").path,
                                                         statement])
        guard result.status == 0 else { throw SMTPSinkError("sqlite3 failed: \(result.stderr)") }
    }

    @Test func aDeliveryThatCouldNeitherBeRecordedNorHeldIsNeverSentAgainWithoutTheOperator() throws {
        var options = SMTPSink.Options()
        options.dataReplyDelay = 1.0     // the server keeps its reply while the database stops taking writes
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"], sink: options)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)

        // One connection: both messages are marked in flight, handed over, then recorded in one commit.
        let send = try ws.start(["send", "--concurrency", "1"])
        try ws.sink.waitForMessages(count: 1, timeout: 30)
        // From now on the message rows refuse every change, as a full disk would: the result cannot be recorded,
        // nor the message held.
        try Self.sqlFromAnotherProcess(ws, """
            CREATE TRIGGER full_disk BEFORE UPDATE ON notification BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
            """)
        let stopped = try send.wait()
        #expect(stopped.status == 1)
        #expect(stopped.errorLines.count == 1, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("were handed to the SMTP server but their delivery could not be recorded"), "\(stopped.stderr)")
        #expect(stopped.stderr.contains("could not be held either"), "\(stopped.stderr)")
        try Self.sqlFromAnotherProcess(ws, "DROP TRIGGER full_disk")

        let next = try ws.liaison(["send"])
        #expect(next.status == 1, "a message held for a person: \(next.stdout) \(next.stderr)")
        #expect(next.outputLines.count == 2, "\(next.stdout)")
        #expect(next.outputLines.first?.hasPrefix("sent 0, deferred 0, failed 0, held 2; 2 still in the outbox") == true, "\(next.stdout)")
        #expect(next.outputLines.last?.contains("a run stopped while sending them, so the server may have delivered them") == true)
        #expect(ws.sink.messages().count == 2, "the messages in flight were not sent again")
        #expect(Set(ws.sink.messageIDs()).count == 2)
        let table = try ws.liaison(["outbox"])
        #expect(table.stdout.contains("2 messages held; no `send` takes them until `liaison outbox release`"), "\(table.stdout)")
        #expect(try ws.liaison(["send"]).stdout == "sent 0, deferred 0, failed 0; 2 still in the outbox\n", "held: not tried again")
        #expect(ws.sink.messages().count == 2)

        #expect(try ws.liaison(["outbox", "release", "--all"]).status == 0)
        let released = try ws.liaison(["send"])
        #expect(released.status == 0 && released.stdout == "sent 2, deferred 0, failed 0\n", "\(released.stdout) \(released.stderr)")
        #expect(ws.sink.messages().count == 4, "sent again only once the operator said so")
    }

    @Test func aDiskThatFillsBeforeTheDeliveryIsRecordedNeverLetsTheMessageGoOutTwice() throws {
        guard geteuid() == 0 else { return }   // mounting a small file system needs root
        var options = SMTPSink.Options()
        options.dataReplyDelay = 1.0     // the server keeps its reply while the disk fills
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"], sink: options)
        defer { ws.remove() }
        let state = ws.root.appendingPathComponent(".liaison")
        guard try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", state.path]).status == 0 else { return }
        defer { _ = try? runProcess("/bin/umount", [state.path]) }
        try ws.openAndNotify(Self.caseId)

        let send = try ws.start(["send", "--concurrency", "1"])
        try ws.sink.waitForMessages(count: 1, timeout: 30)
        let filler = state.appendingPathComponent("filler")
        _ = try runProcess("/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=64k"])
        let stopped = try send.wait()
        #expect(stopped.status == 1)
        #expect(stopped.errorLines.count == 1, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("were handed to the SMTP server but their delivery could not be recorded"), "\(stopped.stderr)")
        #expect(stopped.stderr.contains("is full"), "\(stopped.stderr)")
        #expect(stopped.stderr.contains("could not be held either"), "the full disk refused the hold too: \(stopped.stderr)")
        try FileManager.default.removeItem(at: filler)

        // Still marked in flight: the next run holds it instead of sending it again.
        let next = try ws.liaison(["send"])
        #expect(next.status == 1)
        #expect(next.outputLines.first == "sent 0, deferred 0, failed 0, held 2; 2 still in the outbox", "\(next.stdout) \(next.stderr)")
        #expect(ws.sink.messages().count == 2)
        #expect(Set(ws.sink.messageIDs()).count == 2)
        #expect(try ws.outbox().filter { $0["heldReason"] != nil && !($0["heldReason"] is NSNull) }.count == 2)
        #expect(try ws.liaison(["outbox", "release", "--all"]).status == 0)
        #expect(try ws.liaison(["send"]).stdout == "sent 2, deferred 0, failed 0\n")
        #expect(ws.sink.messages().count == 4, "sent again only once the operator said so")
    }
}

