import Foundation
import Registry

/// Read access to the outbox, and the operator's release of held messages.
public struct Outbox: Sendable {
    public let store: OutboxStore
    public var actor: String = EventLog.defaultActor
    public var now: @Sendable () -> Date = { Date() }

    public init(store: RegistryStore) { self.store = OutboxStore(store) }

    /// Rows, oldest first, optionally of one state and case, or only the held ones; no message bytes are read.
    public func list(state: NotificationState? = nil, caseId: String? = nil, heldOnly: Bool = false) throws -> [OutboxEntry] {
        try store.list(state: state, caseId: caseId, heldOnly: heldOnly)
    }

    /// How many rows a `send` started now would try.
    public func due(at now: Date = Date()) throws -> Int { try store.dueCount(at: now) }

    /// The exact bytes stored for a message, as sent.
    public func bytes(messageId: String) throws -> Data? { try store.bytes(messageId: messageId) }

    /// Lets `send` try held messages again (all of them when `ids` is nil); returns their Message-IDs.
    public func release(ids: [Int64]?) throws -> [String] {
        try GatewayError.mapping { try store.releaseHeld(ids: ids, actor: actor, at: now()) }
    }
}
