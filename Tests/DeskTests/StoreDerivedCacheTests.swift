import Foundation
import NIOConcurrencyHelpers
import Testing
@testable import Desk

/// The desk's cache of values computed from the store: served again only under the same change token, a few kept.
@Suite struct StoreDerivedCacheTests {
    /// Counts the computations, across tasks.
    final class Counter: Sendable {
        private let box = NIOLockedValueBox(0)
        func next() -> Int { box.withLockedValue { $0 += 1; return $0 } }
        var value: Int { box.withLockedValue { $0 } }
    }

    @Test func aValueIsServedAgainOnlyWhileTheTokenIsTheSame() async throws {
        let cache = StoreDerivedCache<String, Int>(capacity: 4)
        let counter = Counter()
        let first = try await cache.value(for: "a", token: "1") { counter.next() }
        let again = try await cache.value(for: "a", token: "1") { counter.next() }
        #expect(first == 1 && again == 1 && counter.value == 1)
        let changed = try await cache.value(for: "a", token: "2") { counter.next() }
        #expect(changed == 2, "the store changed: computed afresh")
        let other = try await cache.value(for: "b", token: "2") { counter.next() }
        #expect(other == 3, "another key is another value")
        _ = try await cache.value(for: "c", token: "3") { counter.next() }
        #expect(cache.count == 1, "values of an older token are dropped when a newer one is kept")
    }

    @Test func atMostCapacityValuesAreKeptTheLeastRecentlyUsedDroppedFirst() async throws {
        let cache = StoreDerivedCache<String, String>(capacity: 2)
        _ = try await cache.value(for: "a", token: "1") { "a1" }
        _ = try await cache.value(for: "b", token: "1") { "b1" }
        _ = try await cache.value(for: "a", token: "1") { "a2" }       // a used again: b is now the oldest
        _ = try await cache.value(for: "c", token: "1") { "c1" }
        #expect(cache.count == 2)
        #expect(try await cache.value(for: "a", token: "1") { "a3" } == "a1", "kept")
        #expect(try await cache.value(for: "b", token: "1") { "b2" } == "b2", "dropped, computed again")
    }

    @Test func anErrorIsPassedOnAndNothingIsKept() async throws {
        struct Refused: Error {}
        let cache = StoreDerivedCache<String, Int>(capacity: 2)
        await #expect(throws: Refused.self) { try await cache.value(for: "a", token: "1") { throw Refused() } }
        #expect(cache.count == 0)
        #expect(try await cache.value(for: "a", token: "1") { 7 } == 7)
    }

    @Test func requestsThatMissTogetherShareOneComputation() async throws {
        let cache = StoreDerivedCache<String, Int>(capacity: 2)
        let counter = Counter()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask { try await cache.value(for: "a", token: "9") { Thread.sleep(forTimeInterval: 0.05); return counter.next() } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values.count == 16 && Set(values) == [1])
        #expect(counter.value == 1)
    }
}
