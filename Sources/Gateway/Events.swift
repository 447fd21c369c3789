import Foundation
import GRDB
import Registry

/// The gateway's entries in the registry's hash-chained event log.
enum Events {
    static func append(_ db: Database, actor: String, action: String, objectType: String, objectId: String,
                       data: [String: String?]) throws {
        try EventLog.append(db, actor: actor, action: action, objectType: objectType, objectId: objectId,
                            data: data.mapValues(EventValue.optional))
    }

    static func append(_ db: Database, actor: String, action: String, objectType: String, objectId: String,
                       values: [String: EventValue]) throws {
        try EventLog.append(db, actor: actor, action: action, objectType: objectType, objectId: objectId, data: values)
    }
}
