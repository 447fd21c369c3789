import Foundation
import GRDB
import Registry

/// The gateway's entries in the registry's hash-chained event log.
enum Events {
    static func append(_ db: Database, actor: String, action: String, objectType: String, objectId: String,
                       data: [String: String?]) throws {
        var fields: [String: String] = [:]
        for (key, value) in data { if let value { fields[key] = value } }
        try EventLog.append(db, actor: actor, action: action, objectType: objectType, objectId: objectId, data: fields)
    }

    static func append(_ db: Database, actor: String, action: String, objectType: String, objectId: String,
                       json: [String: Any]) throws {
        try EventLog.append(db, actor: actor, action: action, objectType: objectType, objectId: objectId, jsonObject: json)
    }
}
