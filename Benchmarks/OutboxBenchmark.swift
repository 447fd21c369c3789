import Foundation
import GRDB
import Registry

/// `liaison-bench outbox`: 100,000 signed-size messages (6 KB each, one recipient) queued in a temporary registry, then
/// `liaison outbox`'s listing (`OutboxStore.list`) timed with the memory it took, beside a listing that loads
/// whole rows as the command did before (message bytes included).
enum OutboxBenchmark {
    static let messages = 100_000
    static let messageSize = 6_000

    static func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-bench-outbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("registry.sqlite").path

        let generation = Date()
        let store = try RegistryStore(path: path)
        // Queued as `notify` queues them: each message with its recipient and its event.
        try BenchmarkVendors.insert(into: store, count: 100, digits: 1)
        let now = Date()
        try store.cases.open(CaseRecord(id: "JVNVU#00000001", title: "Bench", origin: "jvn-jp", openedAt: now), actor: "bench")
        var contacts: [String: Int64] = [:]
        for i in 0..<100 {
            contacts["vendor-\(i)"] = try store.directory.activeContacts(of: "vendor-\(i)").first?.id
        }
        let bytes = Data(repeating: 0x41, count: messageSize)
        // 1,000 messages a transaction, so that the peak memory below is the listing's, not that of 100,000 records.
        for first in stride(from: 1, through: messages, by: 1_000) {
            let batch = (first..<min(first + 1_000, messages + 1)).map { i -> QueuedNotification in
                let org = "vendor-\(i % 100)"
                let record = NotificationRecord(caseId: "JVNVU#00000001", organizationId: org, purpose: .caseNotification,
                                                template: "vendor-initial", language: "ja", messageId: "m\(i)@csirt.example",
                                                trackingRef: "JVN\(i)", subject: "[JVNVU#00000001] Notice \(i)",
                                                mailFrom: "vuls@csirt.example", signed: true, encrypted: false, createdAt: now)
                return QueuedNotification(record: record, bytes: bytes,
                                          recipients: [.init(email: "psirt@\(org).example", kind: .to, contactId: contacts[org])])
            }
            try store.outbox.enqueue(batch, refuseRepeats: false, actor: "bench")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print(String(format: "generated %d messages of %d bytes in %.1f s, registry %.0f MB", messages, messageSize,
                     Date().timeIntervalSince(generation), Double(size) / 1_000_000))

        let outbox = store.outbox
        let before = maxResidentMB()
        var start = Date()
        let entries = try outbox.list()
        let listing = Date().timeIntervalSince(start)
        let after = maxResidentMB()
        print(String(format: "outbox listing (OutboxStore.list):      %d rows in %5.2f s, peak memory %4.0f MB → %4.0f MB",
                     entries.count, listing, before, after))

        // The baseline reads the file with a connection of its own: every column of every row, as the listing once did.
        let database = try DatabaseQueue(path: path)
        start = Date()
        let whole = try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM notification") }
        let recipients = try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM notificationRecipient") }
        let wholeTime = Date().timeIntervalSince(start)
        print(String(format: "whole records (bytes kept apart):       %d rows in %5.2f s, peak memory %4.0f MB",
                     whole.count, wholeTime, maxResidentMB()))
    }

    /// The process's peak resident memory so far, in MB (getrusage: Linux reports kilobytes).
    static func maxResidentMB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
