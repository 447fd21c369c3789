import Foundation
import Gateway
import GRDB
import Mail
import Registry
import SMTP
import TestSupport

/// Notify and send 1,000 vendors of a generated directory to a local SMTP sink; prints messages per second for
/// compose (render + sign + store) and for dispatch with one and two connections.
enum NotifyBenchmark {
    static func run(vendors: Int = 1_000) throws {
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Templates")
        let gnupg = try GnuPGHome.make()
        defer { gnupg.shutdown() }
        let signingKey = try gnupg.generateKey(name: "JPCERT/CC Vulnerability Coordination", email: "vuls@jpcert.example")
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        print("notify benchmark: \(vendors) vendors, Ed25519 signing, aiosmtpd sink on 127.0.0.1:\(sink.port)")
        for concurrency in [1, 2] {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-notify-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let store = try RegistryStore(path: folder.appendingPathComponent("registry.sqlite").path)
            try BenchmarkVendors.insert(into: store, count: vendors, digits: 4)
            var configuration = SMTPConfiguration(url: sink.url)
            configuration.tls = .none
            let smtp = configuration
            let settings = GatewaySettings(sender: try EmailAddress(parsing: "JPCERT/CC <vuls@jpcert.example>"), signingKey: signingKey,
                                           gnupgHome: gnupg.path, templatesDirectory: templates, actor: "bench")
            let book = CaseBook(store: store, actor: "bench")
            try book.open(id: "JVNVU#00000001", title: "Benchmark", origin: "jvn-jp", due: "2007-10-15", force: true)
            try book.addParticipants(caseId: "JVNVU#00000001", technologies: ["tls"])
            let composeStart = Date()
            let queued = try NotificationComposer(store: store, settings: settings)
                .queue(NotificationRequest(caseId: "JVNVU#00000001", template: "vendor-initial", purpose: .caseNotification))
            let composeTime = Date().timeIntervalSince(composeStart)
            let dispatcher = OutboxDispatcher(store: store, actor: "bench") { try makeTransport(smtp, logger: .init(label: "bench")) }
            let before = sink.messages().count
            let sendStart = Date()
            let summary = try dispatcher.run(concurrency: concurrency)
            _ = try sink.waitForMessages(count: before + summary.sent, timeout: 120)
            let sendTime = Date().timeIntervalSince(sendStart)
            if concurrency == 1 {
                print(String(format: "  compose (render + sign + store): %5d messages in %6.2f s = %7.1f msg/s",
                             queued.count, composeTime, Double(queued.count) / composeTime))
            }
            print(String(format: "  dispatch, concurrency %d:         %5d messages in %6.2f s = %7.1f msg/s",
                         concurrency, summary.sent, sendTime, Double(summary.sent) / sendTime))
        }
    }
}
