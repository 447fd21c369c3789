import Foundation
import Logging
import Registry
import Synchronization

/// Renews the leases of the messages being sent, every third of the lease, so that a slow server never lets a
/// lease run out while its message is still in flight (the lease is longer than the SMTP timeouts together;
/// renewal covers the rest).
final class LeaseRenewal: Sendable {
    private let outbox: any OutboxStoring
    private let lease: TimeInterval
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// Message id → lease owner, for the messages in flight.
    private let inFlight = Mutex<[Int64: String]>([:])
    private let stopped = Mutex(false)
    private let wakeUp = NSCondition()

    init(outbox: any OutboxStoring, lease: TimeInterval, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.outbox = outbox; self.lease = lease; self.now = now; self.logger = logger
    }

    func track(_ ids: [Int64], owner: String) { inFlight.withLock { for id in ids { $0[id] = owner } } }
    func untrack(_ ids: [Int64]) { inFlight.withLock { for id in ids { $0.removeValue(forKey: id) } } }

    /// Starts the renewing thread.
    func start() {
        let thread = Thread { [self] in
            while true {
                wakeUp.lock()
                if !stopped.withLock({ $0 }) { _ = wakeUp.wait(until: Date().addingTimeInterval(max(0.05, lease / 3))) }
                wakeUp.unlock()
                if stopped.withLock({ $0 }) { return }
                renewAll()
            }
        }
        thread.start()
    }

    /// Stops the renewing thread (it ends within a moment).
    func stop() {
        stopped.withLock { $0 = true }
        wakeUp.lock(); wakeUp.broadcast(); wakeUp.unlock()
    }

    /// One transaction per worker (lease owner) for all the messages it holds.
    private func renewAll() {
        let held = inFlight.withLock { $0 }
        let byOwner = Dictionary(grouping: held, by: \.value).mapValues { $0.map(\.key).sorted() }
        for (owner, ids) in byOwner {
            do {
                let renewed = try outbox.renew(ids: ids, owner: owner, until: now().addingTimeInterval(lease))
                for id in ids where !renewed.contains(id) {
                    logger.warning("outbox message \(id): its lease was taken over by another send")
                }
            } catch {
                logger.warning("outbox messages \(ids.map(String.init).joined(separator: ", ")): the lease could not be renewed (\(error))")
            }
        }
    }
}
