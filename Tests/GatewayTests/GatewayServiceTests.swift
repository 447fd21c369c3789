import Foundation
import Mail
import Registry
import Testing
import TestSupport
@testable import Gateway

/// The service's rounds run from Swift concurrency (as the desk's server runs them): they send what is due and stop
/// when their task is cancelled.
@Suite struct GatewayServiceTests {
    static let caseId = "JVNVU#16180360"

    @Test func theServiceRunFromATaskSendsWhatIsDueSignedAndStopsWhenTheTaskIsCancelled() async throws {
        let f = try GatewayFixture()
        try f.addOrganization("acme", languages: ["en"], technologies: ["tls"], contacts: [("security@acme.example", "to", "en", nil)])
        try f.caseBook.open(id: Self.caseId, title: "TLS certificate check", origin: "jvn-jp", due: "2007-10-15")
        _ = try f.caseBook.addParticipants(caseId: Self.caseId, technologies: ["tls"])
        _ = try f.composer.queue(NotificationRequest(caseId: Self.caseId, template: "vendor-initial", purpose: .caseNotification))

        var configuration = WorkspaceConfiguration()
        configuration.sender = .init(from: "JPCERT/CC Vulnerability Coordination <vuls@jpcert.example>",
                                     organization: "jpcert-cc", signingKey: f.signingKey)
        configuration.smtp.url = f.sink.url
        configuration.smtp.tls = "none"
        configuration.gnupg.home = f.gnupg.path
        let services = WorkspaceServices(workspace: Workspace(root: f.folder), configuration: configuration, store: f.store,
                                         actor: "test", environment: [:])
        let service = try GatewayService(services: services, settings: .init(interval: 3600, reminders: false))
        #expect(service.connections == 4, "smtp.max_connections of liaison.yaml unless given")

        let task = Task { try await service.run() }
        var received: [SMTPSink.ReceivedMessage] = []
        // Beside other suites the concurrency pool can be busy for minutes, this loop with it: only the time this loop
        // itself gets to run counts (at most half a second a turn), so a busy pool does not use up the wait.
        var waited: TimeInterval = 0
        var last = Date()
        while received.isEmpty && waited < 60 {
            try await Task.sleep(for: .milliseconds(20))
            let now = Date()
            waited += min(now.timeIntervalSince(last), 0.5)
            last = now
            received = f.sink.messages()
        }
        #expect(received.map(\.recipients) == [["security@acme.example"]])

        // Waiting an hour for its next round, it stops when cancelled (the command line's tests time the stop).
        task.cancel()
        try await task.value
        #expect(try f.notifications().map(\.state) == [.sent])

        // What the relay received is the sealed message: RFC 3156 multipart/signed that gpg verifies.
        let parsed = try ParsedMessage(bytes: try #require(received.first).bytes)
        #expect(parsed.root.contentType.subtype == "signed")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try parsed.root.parts[0].rawBytes.write(to: dir.appendingPathComponent("data"))
        try parsed.root.parts[1].decodedBody.write(to: dir.appendingPathComponent("data.asc"))
        let verified = try f.gnupg.gpg(["--verify", dir.appendingPathComponent("data.asc").path, dir.appendingPathComponent("data").path])
        #expect(verified.status == 0, "gpg --verify: \(verified.stderr)")
    }

    @Test func settingsOutOfRangeAreRefusedWithOneSentence() throws {
        let f = try GatewayFixture()
        let services = WorkspaceServices(workspace: Workspace(root: f.folder), configuration: WorkspaceConfiguration(),
                                         store: f.store, actor: "test", environment: [:])
        #expect(throws: GatewayError.self) { try GatewayService(services: services, settings: .init(interval: 0)) }
        #expect(throws: GatewayError.self) { try GatewayService(services: services, settings: .init(connections: 17)) }
        let error = #expect(throws: GatewayError.self) { try GatewayService(services: services, settings: .init(interval: 90_000)) }
        #expect(error?.description == "the interval between two rounds takes 1 to 86400 seconds, not 90000")
    }
}
