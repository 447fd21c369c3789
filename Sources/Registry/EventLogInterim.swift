import Foundation
import GRDB

// Interim entry point until the hash-chained log lands; same signature the gateway calls.
public enum EventLog {
    public static func append(_ db: Database, actor: String, action: String, objectType: String, objectId: String,
                              data: [String: String]) throws {
        try append(db, actor: actor, action: action, objectType: objectType, objectId: objectId, jsonObject: data)
    }
    public static func append(_ db: Database, actor: String, action: String, objectType: String, objectId: String,
                              jsonObject: [String: Any]) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: jsonObject, options: [.sortedKeys]), as: UTF8.self)
        try db.execute(sql: "INSERT INTO event (at, actor, action, objectType, objectId, data, prevHash, hash) VALUES (?, ?, ?, ?, ?, ?, '', '')",
                       arguments: [Date(), actor, action, objectType, objectId, json])
    }
}
