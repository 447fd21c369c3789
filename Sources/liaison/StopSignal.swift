import Dispatch
import Foundation
import Gateway

/// SIGINT and SIGTERM, turned into a `ServiceStop` that long-running commands check between two messages.
///
/// The signals are ignored by the process and delivered through dispatch sources instead, so that a message in
/// hand is finished and recorded before the command stops.
final class StopSignal: Sendable {
    /// Requested with the signal's name (`SIGTERM`, `SIGINT`).
    let stop = ServiceStop()
    /// Kept alive for the life of the object; `nonisolated(unsafe)` is safe: set once in init, never changed.
    nonisolated(unsafe) private let sources: [any DispatchSourceSignal]

    /// Starts listening for SIGINT and SIGTERM.
    init() {
        let stop = self.stop
        var made: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.request(number == SIGINT ? "SIGINT" : "SIGTERM") }
            source.resume()
            made.append(source)
        }
        sources = made
    }

    var isStopped: Bool { stop.isRequested }

    /// Waits `seconds` or until a signal arrives; returns true when stopped.
    func sleep(_ seconds: TimeInterval) -> Bool { stop.wait(upTo: seconds) }

    /// "SIGTERM" or "SIGINT", for the output.
    var name: String { stop.reason ?? "SIGTERM" }
}
