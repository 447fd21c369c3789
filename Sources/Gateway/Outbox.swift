import Foundation
import Registry

/// Read access to the outbox, and the operator's release of held messages.
public struct Outbox: Sendable {
    public let store: any OutboxStoring
    public var actor: String = EventLog.defaultActor
    public var now: @Sendable () -> Date = { Date() }

    let cases: any CaseStoring

    public init(store: RegistryStore) {
        self.store = store.outbox
        cases = store.cases
    }

    /// Rows, oldest first, optionally of one state and case, or only the held ones; no message bytes are read.
    public func list(state: NotificationState? = nil, caseId: String? = nil, heldOnly: Bool = false) throws -> [OutboxEntry] {
        try store.list(state: state, caseId: caseId, heldOnly: heldOnly)
    }

    /// Rows of `filter`, oldest first. A case that does not exist is refused (with the nearest id), not shown as an
    /// empty outbox.
    public func list(_ filter: OutboxFilter) throws -> [OutboxEntry] {
        if let caseId = filter.caseId { _ = try GatewayError.mapping { try cases.existing(caseId) } }
        return try store.list(filter)
    }

    /// How many rows there are in each state.
    public func stateCounts() throws -> [NotificationState: Int] { try store.stateCounts() }

    /// Voids failed or deferred messages that went wrong through a fault of ours (see `OutboxStoring.void`).
    public func void(_ selection: OutboxVoidSelection, reason: String) throws -> [OutboxCorrection] {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty, !reason.contains(where: \.isNewline) else {
            throw GatewayError.invalidArgument("--reason must say in one line why the messages are voided")
        }
        return try GatewayError.mapping { try store.void(selection, reason: reason, actor: actor, at: now()) }
    }

    /// Queues voided or failed messages again with the same bytes; never a message of a withdrawn case
    /// (`CaseGuards.withdrawnCaseProblem`: its messages were cancelled with it).
    public func retry(ids: [Int64]) throws -> [OutboxCorrection] {
        try GatewayError.mapping {
            try store.retry(ids: ids, actor: actor, at: now(), caseProblem: CaseGuards.withdrawnCaseProblem)
        }
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
