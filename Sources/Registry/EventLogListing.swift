import Foundation
import GRDB

extension RegistryStore {
    /// The latest `limit` events of the log, newest first (`limit` from 1; at most 1,000 are read).
    ///
    /// ```swift
    /// for event in try store.latestEvents(limit: 50) { print(event.at, event.actor, event.action, event.objectId) }
    /// ```
    public func latestEvents(limit: Int) throws -> [Event] {
        let count = min(max(limit, 1), 1_000)
        return try writer.read { db in
            try Event.fetchAll(db, sql: "SELECT * FROM event ORDER BY id DESC LIMIT ?", arguments: [count])
        }
    }
}
