import NIOConcurrencyHelpers

/// A few values computed from the registry, each kept under the change token it was computed at
/// (`RegistryStore.changeToken()`, which any committed write moves — the desk's own, `liaison run`'s, the command
/// line's): a value is served again only while the token is the same, so it is never older than the store.
///
/// Keys say everything else the value depends on (the case, the page language, what the viewer's role may see,
/// the day); nothing of a session (CSRF token, user name) belongs in a value. At most `capacity` values are kept,
/// the least recently used dropped first, and a value computed at another token is dropped as soon as a newer one
/// is stored. Requests that miss together wait for one computation (`Task`) instead of each doing it.
///
/// ```swift
/// let token = try store.changeToken()               // first the token, then the store
/// let view = try await cache.value(for: key, token: token) { try CasePageContent.build(…) }
/// ```
final class StoreDerivedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let token: String
        let task: Task<Value, any Error>
        var used: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
    }

    /// The most values kept.
    let capacity: Int
    private let state = NIOLockedValueBox(State())

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// The value of `key` computed at `token`: the kept one, or `compute()`'s (kept when it succeeds; a thrown
    /// error is passed on and nothing is kept). Read `token` before anything `compute` reads.
    func value(for key: Key, token: String, compute: @escaping @Sendable () throws -> Value) async throws -> Value {
        let task = state.withLockedValue { state -> Task<Value, any Error> in
            state.clock += 1
            if var entry = state.entries[key], entry.token == token {
                entry.used = state.clock
                state.entries[key] = entry
                return entry.task
            }
            // The store changed since those were computed: none can be served again.
            state.entries = state.entries.filter { $0.value.token == token }
            if state.entries.count >= capacity, let oldest = state.entries.min(by: { $0.value.used < $1.value.used })?.key {
                state.entries[oldest] = nil
            }
            let task = Task { try compute() }
            state.entries[key] = Entry(token: token, task: task, used: state.clock)
            return task
        }
        do {
            return try await task.value
        } catch {
            state.withLockedValue { state in
                if state.entries[key]?.task == task { state.entries[key] = nil }
            }
            throw error
        }
    }

    /// How many values are kept now.
    var count: Int { state.withLockedValue { $0.entries.count } }
}
