import Foundation
import GRDB
import Registry

/// `liaison-bench outbox`: 100,000 signed-size messages (6 KB each, one recipient) in a temporary registry, then
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
        try store.writer.write { db in
            let now = Date()
            for i in 0..<100 {
                try db.execute(sql: """
                    INSERT INTO organization (id, name, kind, country, createdAt, updatedAt)
                    VALUES (?, ?, 'product-developer', 'JP', ?, ?)
                    """, arguments: ["vendor-\(i)", "Vendor \(i)", now, now])
            }
            try db.execute(sql: "INSERT INTO \"case\" (id, title, origin, openedAt) VALUES ('JVNVU#00000001', 'Bench', 'jvn-jp', ?)",
                           arguments: [now])
            let bytes = Data(repeating: 0x41, count: messageSize)
            let insert = try db.makeStatement(sql: """
                INSERT INTO notification (caseId, organizationId, purpose, template, language, messageId, trackingRef, subject,
                                          mailFrom, signed, encrypted, state, attempts, createdAt, sentAt)
                VALUES ('JVNVU#00000001', ?, 'case-notification', 'vendor-initial', 'ja', ?, ?, ?, 'vuls@csirt.example', 1, 0,
                        'sent', 1, ?, ?)
                """)
            let message = try db.makeStatement(sql: "INSERT INTO notificationMessage (notificationId, bytes) VALUES (?, ?)")
            let recipient = try db.makeStatement(sql: """
                INSERT INTO notificationRecipient (notificationId, email, kind, status, smtpCode, smtpReply, updatedAt)
                VALUES (?, ?, 'to', 'delivered', 250, '250 2.0.0 OK', ?)
                """)
            for i in 1...messages {
                let org = "vendor-\(i % 100)"
                try insert.execute(arguments: [org, "m\(i)@csirt.example", "JVN\(i)", "[JVNVU#00000001] Notice \(i)", now, now])
                let id = db.lastInsertedRowID
                try message.execute(arguments: [id, bytes])
                try recipient.execute(arguments: [id, "psirt@\(org).example", now])
            }
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

        start = Date()
        let whole = try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM notification") }
        let recipients = try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM notificationRecipient") }
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
