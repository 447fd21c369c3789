import Dispatch
import Foundation
import Synchronization

/// SIGINT and SIGTERM, turned into a flag that long-running commands check between two messages.
///
/// The signals are ignored by the process and delivered through dispatch sources instead, so that a message in
/// hand is finished and recorded before the command stops.
final class StopSignal: Sendable {
    private let state = State()
    /// Kept alive for the life of the object; `nonisolated(unsafe)` is safe: set once in init, never changed.
    nonisolated(unsafe) private let sources: [any DispatchSourceSignal]

    /// Starts listening for SIGINT and SIGTERM.
    init() {
        let state = self.state
        var made: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { state.stop(number) }
            source.resume()
            made.append(source)
        }
        sources = made
    }

    /// The signal received, if any.
    var receivedSignal: Int32? { state.received.withLock { $0 } }
    var isStopped: Bool { receivedSignal != nil }

    /// Waits `seconds` or until a signal arrives; returns true when stopped.
    func sleep(_ seconds: TimeInterval) -> Bool {
        if isStopped { return true }
        _ = state.wakeUp.wait(timeout: .now() + seconds)
        if isStopped { state.wakeUp.signal() }  // let later waits return at once too
        return isStopped
    }

    /// "SIGTERM" or "SIGINT", for the log.
    var name: String { receivedSignal == SIGINT ? "SIGINT" : "SIGTERM" }

    private final class State: Sendable {
        let received = Mutex<Int32?>(nil)
        let wakeUp = DispatchSemaphore(value: 0)

        func stop(_ number: Int32) {
            received.withLock { if $0 == nil { $0 = number } }
            wakeUp.signal()
        }
    }
}
