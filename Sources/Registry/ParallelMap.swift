import Dispatch

/// Maps on all cores: parsing thousands of small files is the slow part of checking a large directory.
func parallelMap<Element: Sendable, Result: Sendable>(_ items: [Element], _ transform: @Sendable (Element) -> Result) -> [Result] {
    guard items.count > 1 else { return items.map(transform) }
    let slots = ResultSlots<Result>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { index in
        slots.set(index, transform(items[index]))
    }
    return slots.values()
}

/// One slot per index, each written by exactly one iteration of `concurrentPerform` and read only after it
/// returns, so no two threads ever touch the same slot: that is why the unchecked conformance is safe.
private final class ResultSlots<Value>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    func set(_ index: Int, _ value: Value) {
        buffer[index] = value
    }

    func values() -> [Value] {
        buffer.map { $0! }
    }
}
