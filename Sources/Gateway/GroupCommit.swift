import Foundation
import Registry
import Synchronization

/// Records the answers of all the workers of a run in shared transactions (group commit): a worker hands in its
/// share (`RecordingShare`: its answered attempts and the next messages it will send) and waits until a
/// transaction holding it has committed. The first worker to arrive while no commit is under way commits every
/// share handed in so far, the others wait; whoever arrives during that commit joins the next one. So each sync
/// of the database's log carries the results of several workers, and no worker goes on before its own results
/// and in-flight marks are durable.
final class GroupCommit: Sendable {
    private struct State {
        var waiting: [(ticket: Int, share: RecordingShare)] = []
        var committing = false
        var results: [Int: Result<RecordedShare, any Error>] = [:]
        var lastTicket = 0
    }
    private let outbox: any OutboxStoring
    private let maxAttempts: Int
    private let actor: String
    private let state = Mutex(State())
    /// Guards waiting for a commit; `state` is changed only while it is held.
    private let changed = NSCondition()

    init(outbox: any OutboxStoring, maxAttempts: Int, actor: String) {
        self.outbox = outbox; self.maxAttempts = maxAttempts; self.actor = actor
    }

    /// Commits `share` with those of the other workers waiting now; returns once it is durable. An error fails
    /// every share of that transaction, none of which was recorded (a busy database can be tried again).
    func commit(_ share: RecordingShare) throws -> RecordedShare {
        changed.lock()
        defer { changed.unlock() }
        let ticket = state.withLock { s in
            s.lastTicket += 1
            s.waiting.append((s.lastTicket, share))
            return s.lastTicket
        }
        while true {
            if let result = state.withLock({ $0.results.removeValue(forKey: ticket) }) { return try result.get() }
            let group: [(ticket: Int, share: RecordingShare)]? = state.withLock { s in
                guard !s.committing, !s.waiting.isEmpty else { return nil }
                s.committing = true
                defer { s.waiting = [] }
                return s.waiting
            }
            guard let group else {
                changed.wait()
                continue
            }
            changed.unlock()
            let outcome = Result { try outbox.record(group.map(\.share), maxAttempts: maxAttempts, actor: actor) }
            changed.lock()
            state.withLock { s in
                s.committing = false
                for (index, member) in group.enumerated() { s.results[member.ticket] = outcome.map { $0[index] } }
            }
            changed.broadcast()
        }
    }
}
