import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A relay mistake of ours, end to end through a real Postfix: the relay we were pointed at refuses every vendor
/// at RCPT, every message fails; `outbox void --failed-since` takes it back (nothing held against the vendors), and once the
/// relay is fixed `outbox retry` sends the same bytes, which land in the vendors' mailboxes.
@Suite(.enabled(if: PostfixServer.isAvailable, "Postfix runs as root"))
struct RelayMistakeTests {
    static let caseId = "JVNVU#20261206"

    @Test func voidingARelayMistakeAndRetryingThroughTheFixedRelay() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-relay-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("certs"), withIntermediateDirectories: true)
        chmod(folder.path, 0o755)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = try SMTPSinkCertificate.make(in: folder.appendingPathComponent("certs"))
        for name in ["ca.pem", "server.pem", "server.key"] { chmod(folder.appendingPathComponent("certs/\(name)").path, 0o644) }
        chmod(folder.appendingPathComponent("certs").path, 0o755)
        // The wrong relay's recipient table lacks the vendors (a relay we set up wrong): it refuses each of them for
        // good at RCPT (550 5.1.1), which looks like a vendor's fault but is ours. (A relay that refuses to relay at
        // all stops `send` before anything is recorded: RelayRefusalTests.)
        let wrong = try PostfixServer(directory: folder.appendingPathComponent("wrong"), mailboxes: ["vuls@csirt.example"],
                                      recipientAccess: ["aozora.example 550 5.1.1 User unknown in relay recipient table",
                                                        "kumo.example 550 5.1.1 User unknown in relay recipient table"],
                                      certificate: certificate.certificateFile, key: certificate.keyFile, saslSocket: nil)
        defer { wrong.stop() }
        let right = try PostfixServer(directory: folder.appendingPathComponent("right"),
                                      mailboxes: ["vuls@csirt.example", "psirt@aozora.example", "psirt@kumo.example"],
                                      certificate: certificate.certificateFile, key: certificate.keyFile, saslSocket: nil)
        defer { right.stop() }
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"])
        defer { ws.remove() }
        let configuration = try String(contentsOf: ws.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
        func pointAt(_ postfix: PostfixServer) throws {
            try ws.temp.write("liaison.yaml", configuration.replacingOccurrences(of: ws.sink.url, with: "smtp://127.0.0.1:\(postfix.port)"))
        }
        try pointAt(wrong)
        let before = Date().addingTimeInterval(-1)
        try ws.openAndNotify(Self.caseId)

        let send = try ws.liaison(["send"])
        #expect(send.status == 1, "\(send.stdout) \(send.stderr)")
        let failed = try ws.outbox(state: "failed")
        let all = try ws.outbox()
        #expect(failed.count == 2, "\(send.stderr) \(all) \(wrong.log)")
        #expect(failed.allSatisfy { ($0["lastError"] as? String ?? "").contains("relay recipient table") }, "\(failed)")

        let since = ISO8601DateFormatter().string(from: before)
        let void = try ws.liaison(["outbox", "void", "--failed-since", since, "--reason", "smtp.url pointed at a relay without the vendors in its recipient table"])
        #expect(void.stdout == "voided 2 messages (2 failed, to 2 organisations); `liaison outbox retry ID…` queues one again\n", "\(void.stderr)")
        let participants = try ws.participants(Self.caseId)
        #expect(participants.values.allSatisfy { $0["delivery"] as? String == "pending" }, "\(participants)")
        for org in ["aozora", "kumo"] {
            let shown = try ws.liaison(["org", "show", org, "--format", "json"])
            let contacts = (try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])?["contacts"] as? [[String: Any]]
            #expect(contacts?.first?["bounceCount"] as? Int == 0, "\(org): \(shown.stdout)")
        }
        let show = try ws.liaison(["case", "show", Self.caseId])
        #expect(show.stdout.contains("voided, our own problem (smtp.url pointed at a relay without the vendors in its recipient table)"), "\(show.stdout)")

        try pointAt(right)
        let ids = failed.compactMap { $0["id"] as? Int }.map(String.init)
        let retry = try ws.liaison(["outbox", "retry"] + ids)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(try ws.liaison(["send"]).status == 0)
        let delivered = waitUntil(timeout: 30) {
            !right.delivered(to: "psirt@aozora.example").isEmpty && !right.delivered(to: "psirt@kumo.example").isEmpty
        }
        #expect(delivered, "\(right.log)")
        let messageIds = Set(failed.compactMap { $0["messageId"] as? String })
        let arrived = (right.delivered(to: "psirt@aozora.example") + right.delivered(to: "psirt@kumo.example"))
            .compactMap { try? String(contentsOf: $0, encoding: .utf8) }
        #expect(messageIds.allSatisfy { id in arrived.contains { $0.contains("<\(id)>") } }, "the same messages, same Message-IDs")
        #expect(try ws.participants(Self.caseId).values.allSatisfy { $0["delivery"] as? String == "notified" })

        let report = try ws.liaison(["report", "quarter", CommandLineQuarter.current, "--format", "json"])
        let delivery = ((try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])?["notifications"] as? [String: Any])?["delivery"] as? [String: Any]
        #expect((delivery?["failed"] as? [String: Any])?["value"] as? Int == 0)
        #expect((delivery?["sent"] as? [String: Any])?["value"] as? Int == 2)
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }
}
