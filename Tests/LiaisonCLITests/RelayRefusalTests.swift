import Foundation
import Testing
import TestSupport

/// Our own relay refusing to relay for us, or refusing our envelope sender, is our fault: `send` stops as for a
/// refused login and no vendor is touched. Against a real Postfix that does not let this host relay.
@Suite(.serialized, .enabled(if: PostfixServer.isAvailable, "Postfix needs root"))
struct RelayRefusalTests {
    static let caseId = "JVNVU#20261206"

    /// A Postfix on loopback that relays for nobody: every vendor address gets `554 5.7.1 …: Relay access denied`.
    final class RefusingRelay {
        let folder: URL
        let postfix: PostfixServer
        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-relay-\(UUID().uuidString.prefix(12))")
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("certs"), withIntermediateDirectories: true)
            chmod(folder.path, 0o755)
            let certificate = try SMTPSinkCertificate.make(in: folder.appendingPathComponent("certs"))
            for name in ["ca.pem", "server.pem", "server.key"] { chmod(folder.appendingPathComponent("certs/\(name)").path, 0o644) }
            chmod(folder.appendingPathComponent("certs").path, 0o755)
            postfix = try PostfixServer(directory: folder.appendingPathComponent("postfix"), mailboxes: ["vuls@csirt.example"],
                                        certificate: certificate.certificateFile,
                                        key: certificate.keyFile, saslSocket: nil)
        }
        deinit {
            postfix.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    static let developers = ["aozora", "kumo", "sakura", "hinode", "izumi", "kotori", "tomoe", "kasumi"]

    @Test func aRelayThatRefusesToRelayForUsStopsSendAndChangesNothing() throws {
        let relay = try RefusingRelay()
        let ws = try GatewayWorkspace(developers: Self.developers)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        try SendCommandTests.pointSMTP(ws, at: "smtp://127.0.0.1:\(relay.postfix.port)")
        try Self.expectStopsAndChangesNothing(ws, saying: "Relay access denied")
        #expect(relay.postfix.log.contains("Relay access denied"), "\(relay.postfix.log)")
    }

    /// Postfix checks the sender at RCPT (smtpd_delay_reject): our login may not use the envelope sender; Microsoft
    /// 365 says the same with 5.7.60.
    @Test(arguments: ["553 5.7.1 <vuls@csirt.example>: Sender address rejected: not owned by user gateway",
                      "550 5.7.60 SMTP; Client does not have permissions to send as this sender"])
    func aRelayThatRefusesOurSenderAtEachRecipientStopsSendAndChangesNothing(reply: String) throws {
        var options = SMTPSink.Options()
        for developer in Self.developers { options.rcptReplies["psirt@\(developer).example"] = Array(repeating: reply, count: 4) }
        let ws = try GatewayWorkspace(developers: Self.developers, sink: options)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        try Self.expectStopsAndChangesNothing(ws, saying: reply)
        #expect(ws.sink.messages().isEmpty)
    }

    /// `send` (one connection, then three) stops with one line naming the relay's reply, and the record reads as
    /// before: no attempt, no failure, no bounce, no undeliverable vendor, nothing in the quarter's figures.
    static func expectStopsAndChangesNothing(_ ws: GatewayWorkspace, saying expected: String,
                                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try SendCommandTests.record(ws)
        for concurrency in ["1", "3"] {
            let send = try ws.liaison(["send", "--concurrency", concurrency])
            #expect(send.status == 1, "\(send.stdout) \(send.stderr)", sourceLocation: sourceLocation)
            #expect(send.errorLines.count == 1, "one clear line: \(send.stderr)", sourceLocation: sourceLocation)
            #expect(send.stderr.contains("refused to relay our mail") && send.stderr.contains(expected), "\(send.stderr)",
                    sourceLocation: sourceLocation)
            #expect(send.stderr.contains("Nothing was changed"), "\(send.stderr)", sourceLocation: sourceLocation)
        }
        #expect(try SendCommandTests.record(ws) == before, sourceLocation: sourceLocation)
        let rows = try ws.outbox()
        #expect(rows.count == Self.developers.count, sourceLocation: sourceLocation)
        #expect(rows.allSatisfy { $0["state"] as? String == "queued" && $0["attempts"] as? Int == 0 }, sourceLocation: sourceLocation)
        #expect(try ws.participants(Self.caseId).values.allSatisfy { $0["delivery"] as? String == "pending" }, sourceLocation: sourceLocation)
        let report = try ws.liaison(["report", "quarter", Self.quarterNow(), "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any]
        let delivery = (json?["notifications"] as? [String: Any])?["delivery"] as? [String: Any]
        #expect((delivery?["bounced"] as? [String: Any])?["value"] as? Int == 0, "\(report.stdout)", sourceLocation: sourceLocation)
        #expect((delivery?["failed"] as? [String: Any])?["value"] as? Int == 0, "\(report.stdout)", sourceLocation: sourceLocation)
    }

    static func quarterNow() -> String {        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: Date())
        return "\(parts.year!)Q\((parts.month! - 1) / 3 + 1)"
    }
}

extension RelayRefusalTests {
    /// Our relay relays to one address of a vendor and refuses the other: the message goes out, and the refused
    /// address is deferred for a later attempt, never failed nor counted as a bounce.
    @Test func aRelayRefusingOneAddressOfAMessageDefersItWithoutABounce() throws {
        var options = SMTPSink.Options()
        options.rcptReplies["info@aozora.example"] = ["554 5.7.1 <info@aozora.example>: Relay access denied"]
        let ws = try GatewayWorkspace(developers: [], sink: options)
        defer { ws.remove() }
        try ws.temp.writeOrganization("aozora", """
            id: aozora
            name: Company aozora
            kind: product-developer
            country: JP
            technologies: [tls]
            contacts:
              - { email: psirt@aozora.example, name: PSIRT, role: to, language: ja }
              - { email: info@aozora.example, name: Info, role: cc, language: ja }

            """)
        try ws.openAndNotify(Self.caseId)
        let send = try ws.liaison(["send"])
        #expect(send.status == 75, "deferred: \(send.stdout) \(send.stderr)")
        let row = try #require(try ws.outbox().first)
        let recipients = row["recipients"] as? [[String: Any]] ?? []
        #expect(recipients.first { $0["email"] as? String == "psirt@aozora.example" }?["status"] as? String == "delivered")
        #expect(recipients.first { $0["email"] as? String == "info@aozora.example" }?["status"] as? String == "deferred", "\(recipients)")
        #expect(try ws.participants(Self.caseId)["aozora"]?["delivery"] as? String == "notified")
        let org = try ws.liaison(["org", "show", "aozora"])
        #expect(org.status == 0 && org.stdout.contains("info@aozora.example") && !org.stdout.contains("bounce"), "\(org.stdout)")
    }
}
