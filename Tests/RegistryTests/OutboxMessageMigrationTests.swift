import Foundation
import GRDB
@testable import Registry
import Testing

/// Migration `v11-outbox-message-apart`: a registry made before it keeps every message's exact bytes, now apart
/// from the state that changes while sending, and loses the wide indexes that state changes rewrote.
@Suite struct OutboxMessageMigrationTests {
    // SQLite only: it stops the schema part-way (`upTo:`), which only GRDB's migrator offers.
    @Test func anOlderRegistryKeepsEveryMessagesBytesApartFromItsState() throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v8-case-corrections")
        let signed = [Data("first signed message\r\n".utf8), Data((0..<5_000).map { UInt8($0 % 251) })]
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO organization (id, name, kind, country, createdAt, updatedAt)
                VALUES ('acme', 'Acme', 'product-developer', 'JP', '2007-07-01 00:00:00.000', '2007-07-01 00:00:00.000')
                """)
            for (index, bytes) in signed.enumerated() {
                try db.execute(sql: """
                    INSERT INTO notification (organizationId, purpose, template, language, messageId, trackingRef, subject,
                                              mailFrom, bytes, signed, encrypted, state, attempts, createdAt)
                    VALUES ('acme', 'incident', 'incident', 'en', ?, ?, 'Notice', 'vuls@csirt.example', ?, 1, 0, ?, 0,
                            '2007-07-01 00:00:00.000')
                    """, arguments: ["m\(index)@csirt.example", "T\(index)", bytes, index == 0 ? "sent" : "queued"])
            }
        }

        try Schema.migrator.migrate(queue)

        let outbox = OutboxStore(engine: SQLiteEngine(writer: queue))
        #expect(try outbox.bytes(messageId: "m0@csirt.example") == signed[0])
        #expect(try outbox.bytes(messageId: "m1@csirt.example") == signed[1])
        let (columns, indexes) = try queue.read { db in
            (try db.columns(in: "notification").map(\.name), try db.indexes(on: "notification").map(\.name))
        }
        #expect(!columns.contains("bytes"), "the state row no longer carries the message")
        #expect(!indexes.contains("notification_outbox") && !indexes.contains("notification_sent"))
        #expect(try outbox.stateCounts() == [.sent: 1, .queued: 1], "the state stays with the row")
    }
}
