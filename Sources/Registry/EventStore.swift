import Foundation

/// The event log's operations outside the stores' own transactions: appending (for changes recorded on their
/// own), reading, verifying the chain, and what an audit seal signs. Every store appends its events with
/// `EventLog.append` inside the transaction that makes the change.
///
/// ```swift
/// let verification = try store.events.verify()
/// for event in try store.events.latest(limit: 50) { print(event.at, event.actor, event.action, event.objectId) }
/// ```
public protocol EventStoring: Sendable {
    /// Appends `entries` in order, in one transaction: all of them or none. Throws `StoreError.invalidArgument`
    /// when an id breaks `EventLog.idProblem` (nothing is written).
    func append(_ entries: [EventEntry]) throws

    /// The events about one object (or all events of a type when `objectId` is nil), oldest first.
    func events(objectType: String, objectId: String?) throws -> [Event]

    /// The latest `limit` events of the log, newest first (`limit` from 1; at most 1,000 are read).
    func latest(limit: Int) throws -> [Event]

    /// Recomputes the hash chain from the first event and reports the first break (`EventLog.verify`).
    func verify() throws -> EventLogVerification

    /// How many events the log holds and the hash of the last one (64 zeros when empty), read together.
    func head() throws -> (count: Int, hash: String)

    /// Every event in log order with the digest of its canonical content, as an audit seal lists them.
    func sealRows() throws -> [AuditSealRow]
}

/// One event to append with `EventStoring.append(_:)`.
public struct EventEntry: Sendable {
    public var actor: String
    public var action: String
    public var objectType: String
    public var objectId: String
    public var data: [String: EventValue]
    public var at: Date

    public init(actor: String = EventLog.defaultActor, action: String, objectType: String, objectId: String,
                data: [String: EventValue] = [:], at: Date = Date()) {
        self.actor = actor; self.action = action; self.objectType = objectType; self.objectId = objectId
        self.data = data; self.at = at
    }
}

/// `EventStoring` over a registry's engine.
struct EventStore: EventStoring {
    let engine: any StoreEngine

    func append(_ entries: [EventEntry]) throws {
        guard !entries.isEmpty else { return }
        try engine.write { session in
            var chain = try EventChain(session)
            for entry in entries {
                try EventLog.refuseControlIds(objectType: entry.objectType, objectId: entry.objectId, data: entry.data)
                try chain.append(session, actor: entry.actor, action: entry.action, objectType: entry.objectType,
                                 objectId: entry.objectId, data: .object(entry.data), at: entry.at)
            }
        }
    }

    func events(objectType: String, objectId: String? = nil) throws -> [Event] {
        try engine.read { try EventLog.events($0, objectType: objectType, objectId: objectId) }
    }

    func latest(limit: Int) throws -> [Event] {
        let count = min(max(limit, 1), 1_000)
        return try engine.read { session in
            try session.records(Event.self, "SELECT * FROM event ORDER BY id DESC LIMIT ?", count)
        }
    }

    func verify() throws -> EventLogVerification {
        try engine.read { try EventLog.verify($0) }
    }

    func head() throws -> (count: Int, hash: String) {
        try engine.read { try AuditSeals.head($0) }
    }

    func sealRows() throws -> [AuditSealRow] {
        try engine.read { try AuditSeals.rows($0) }
    }
}

extension EventStoring {
    /// The events about one object, oldest first.
    public func events(objectType: String, objectId: String) throws -> [Event] {
        try events(objectType: objectType, objectId: Optional(objectId))
    }
}
