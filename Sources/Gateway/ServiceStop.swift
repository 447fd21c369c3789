import Dispatch
import Foundation
import Synchronization

/// A request to stop a long-running workflow (`GatewayService`, `liaison ingest --watch`), checked between two
/// messages and waited on between two rounds: a message in hand is finished or abandoned unsent, never cut off
/// after the relay confirmed it and before it is recorded.
///
/// The first reason given is kept, for the log (`stopping on SIGTERM`).
///
/// ```swift
/// let stop = ServiceStop()
/// DispatchQueue.global().asyncAfter(deadline: .now() + 60) { stop.request("a minute passed") }
/// while !stop.isRequested { doOneRound(); _ = stop.wait(upTo: 5) }
/// ```
public final class ServiceStop: Sendable {
    private let reasonGiven = Mutex<String?>(nil)
    private let wakeUp = DispatchSemaphore(value: 0)

    public init() {}

    /// Asks to stop; `reason` (e.g. `SIGTERM`) is kept unless an earlier request gave one. Wakes a `wait`.
    public func request(_ reason: String) {
        reasonGiven.withLock { if $0 == nil { $0 = reason } }
        wakeUp.signal()
    }

    /// Whether a stop was requested.
    public var isRequested: Bool { reason != nil }

    /// The reason of the first request, nil while none came.
    public var reason: String? { reasonGiven.withLock { $0 } }

    /// Waits `seconds` or until a stop is requested; returns true when one was.
    public func wait(upTo seconds: TimeInterval) -> Bool {
        if isRequested { return true }
        _ = wakeUp.wait(timeout: .now() + seconds)
        if isRequested { wakeUp.signal() }  // let later waits return at once too
        return isRequested
    }
}
