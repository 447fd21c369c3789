import Foundation
import GRDB

// Entry points taking a GRDB `Database`, for the stores not yet written over `SQLSession`: each wraps the
// connection in a `SQLiteSession` and calls the one implementation. They go once no store calls them.

extension EventLog {
    /// `append(_:actor:action:objectType:objectId:data:at:)` inside a GRDB transaction.
    public static func append(_ db: Database, actor: String = defaultActor, action: String, objectType: String,
                              objectId: String, data: [String: EventValue] = [:], at: Date = Date()) throws {
        try append(SQLiteSession(db), actor: actor, action: action, objectType: objectType, objectId: objectId, data: data, at: at)
    }

    /// `append(_:actor:action:objectType:objectId:encoding:at:)` inside a GRDB transaction.
    public static func append(_ db: Database, actor: String = defaultActor, action: String, objectType: String,
                              objectId: String, encoding data: some Encodable, at: Date = Date()) throws {
        try append(SQLiteSession(db), actor: actor, action: action, objectType: objectType, objectId: objectId,
                   encoding: data, at: at)
    }

    /// `events(_:objectType:objectId:)` inside a GRDB transaction.
    static func events(_ db: Database, objectType: String, objectId: String? = nil) throws -> [Event] {
        try events(SQLiteSession(db), objectType: objectType, objectId: objectId)
    }

    /// `verify(_:)` inside a GRDB transaction.
    static func verify(_ db: Database) throws -> EventLogVerification {
        try verify(SQLiteSession(db))
    }
}

extension EventChain {
    init(_ db: Database) throws { try self.init(SQLiteSession(db)) }

    mutating func append(_ db: Database, actor: String, action: String, objectType: String, objectId: String,
                         data: EventValue, at date: Date) throws {
        try append(SQLiteSession(db), actor: actor, action: action, objectType: objectType, objectId: objectId, data: data, at: date)
    }
}

extension OutboxVoiding {
    /// `void(_:id:reason:actor:at:action:)` inside a GRDB transaction.
    @discardableResult
    static func void(_ db: Database, id: Int64, reason: String, actor: String, at now: Date, action: String) throws -> Bool {
        try void(SQLiteSession(db), id: id, reason: reason, actor: actor, at: now, action: action)
    }
}

// Read through GRDB by the case export until it reads through the session.
extension Event: FetchableRecord, TableRecord {}
