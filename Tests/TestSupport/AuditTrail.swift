import Foundation
import GRDB

/// The audit log of a workspace as a test reads it: who did what to which object, oldest first.
public enum AuditTrail {
    public struct Row: Sendable, Equatable {
        public let actor: String
        public let action: String
        public let objectType: String
        public let objectId: String
    }

    /// Every event of the workspace's registry (optionally only those about `objectType`).
    public static func rows(workspace: URL, objectType: String? = nil) throws -> [Row] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: workspace.appendingPathComponent(".liaison/registry.sqlite").path, configuration: configuration)
        return try queue.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT actor, action, objectType, objectId FROM event WHERE ? IS NULL OR objectType = ? ORDER BY id",
                                  arguments: [objectType, objectType]).map {
                Row(actor: $0["actor"], action: $0["action"], objectType: $0["objectType"], objectId: $0["objectId"])
            }
        }
    }
}
