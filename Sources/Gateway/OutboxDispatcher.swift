import Foundation
import Logging
import Registry
import SMTP
import Synchronization

/// Figures of one `send` run: each message counts once, in the state its attempt left it.
public struct DispatchSummary: Sendable, Encodable, Equatable {
    public var sent = 0
    public var deferred = 0
    public var failed = 0
    public var recipientsRefused = 0
    public var remainingQueued = 0
    /// Messages this run held instead of sending: a run stopped while sending them (killed, or unable to record
    /// the result), so the server may have delivered them; only `liaison outbox release` lets them go.
    public var held: [AbandonedInFlight] = []
    public init() {}
}

/// What a running dispatcher reports as it goes, for logs and tests.
public enum DispatchEvent: Sendable, Equatable {
    /// The server answered for this message; its result is about to be recorded.
    case answered(messageId: String)
    /// Recording waits for another process's write lock on the database.
    case waitingForDatabase(messageId: String)
    /// The lease ran out and another worker took the message over; this worker's result is not recorded.
    case leaseLost(messageId: String)
}

/// Sends the outbox in three steps per message — claim (`OutboxStore.claim`, under this worker's own lease
/// token), send (one SMTP connection per worker), record (`OutboxStore.record`, only if the token still
/// holds the lease) — on `concurrency` workers at once.
///
/// Delivery is exactly once: a row is claimed (and marked in flight) just before any byte goes out, its lease
/// is longer than the SMTP timeouts together and renewed while it is sent, and a result is recorded only by the
/// lease's holder. A message still in flight when its run stopped (killed, or unable to record the result) may
/// have been delivered: the next run holds it (`DispatchSummary.held`) instead of sending it again. One run
/// tries each message at most once (a deferred message waits for its next attempt time, which is after the run started). A configuration problem of our
/// own relay (unreachable, no greeting or no answer before MAIL FROM within the connect timeout, refused login,
/// untrusted certificate, no STARTTLS, wrong port, our sender refused: `SMTPError.isConfigurationProblem`)
/// stops the run at the first message that meets it, with `GatewayError.smtpConfiguration`, and gives the
/// message back untouched: no attempt, no next attempt time, no recipient, participant, contact or event.
/// ```swift
/// let dispatcher = OutboxDispatcher(store: store, maxAttempts: 8) { try makeTransport(smtp, logger: logger) }
/// let summary = try dispatcher.run(concurrency: 4)
/// ```
public final class OutboxDispatcher: Sendable {
    public let outbox: OutboxStore
    public let maxAttempts: Int
    /// How long a claim holds a message; renewed every third of it while the message is sent.
    public let leaseDuration: TimeInterval
    public let actor: String
    let makeTransport: @Sendable () throws -> any MailTransport
    let now: @Sendable () -> Date
    let logger: Logger
    let observer: (@Sendable (DispatchEvent) -> Void)?

    public init(outbox: OutboxStore, maxAttempts: Int = 8, leaseDuration: TimeInterval = 900,
                actor: String = "liaison", logger: Logger = Logger(label: "liaison.send"),
                now: @escaping @Sendable () -> Date = { Date() },
                observer: (@Sendable (DispatchEvent) -> Void)? = nil,
                makeTransport: @escaping @Sendable () throws -> any MailTransport) {
        self.outbox = outbox; self.maxAttempts = max(1, maxAttempts); self.leaseDuration = leaseDuration
        self.actor = actor; self.logger = logger; self.now = now; self.observer = observer
        self.makeTransport = makeTransport
    }

    public convenience init(store: RegistryStore, maxAttempts: Int = 8, leaseDuration: TimeInterval = 900,
                            actor: String = "liaison", logger: Logger = Logger(label: "liaison.send"),
                            now: @escaping @Sendable () -> Date = { Date() },
                            makeTransport: @escaping @Sendable () throws -> any MailTransport) {
        self.init(outbox: OutboxStore(store), maxAttempts: maxAttempts, leaseDuration: leaseDuration, actor: actor,
                  logger: logger, now: now, makeTransport: makeTransport)
    }

    /// A lease comfortably longer than a whole SMTP exchange may take: twice the connect and transfer timeouts
    /// together, at least ten minutes.
    public static func leaseDuration(for smtp: SMTPConfiguration) -> TimeInterval {
        max(600, 2 * (smtp.connectTimeout + smtp.timeout))
    }

    /// Delay before attempt `attempts + 1`: 1, 2, 4 … minutes, at most six hours.
    public static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        DeliveryRules.backoff(afterAttempts: attempts)
    }

    /// The server's reply as one would quote it (see `OutboxStore.reason`).
    public static func reason(code: Int?, reply: String) -> String { OutboxStore.reason(code: code, reply: reply) }

    /// Sends until nothing is due (or `limit` messages were handled), with `concurrency` SMTP connections, each
    /// on its own thread. `progress` receives the figures after every message.
    public func run(limit: Int? = nil, concurrency: Int = 1,
                    progress: (@Sendable (DispatchSummary) -> Void)? = nil) throws -> DispatchSummary {
        let runStart = now()
        // A message left in flight by a stopped run may have been delivered: held for a person, never sent again.
        let abandoned = try outbox.holdAbandonedInFlight(actor: actor, at: runStart)
        for message in abandoned {
            logger.warning("\(message.messageId) (outbox \(message.id)): held: \(message.reason)")
        }
        let run = DispatchRun(budget: limit ?? Int.max)
        let renewal = LeaseRenewal(outbox: outbox, lease: leaseDuration, now: now, logger: logger)
        renewal.start()
        defer { renewal.stop() }
        let group = DispatchGroup()
        for _ in 0..<max(1, concurrency) {
            group.enter()
            let worker = Thread { [self] in
                work(runStart: runStart, run: run, renewal: renewal, progress: progress)
                group.leave()
            }
            worker.stackSize = 4 << 20
            worker.start()
        }
        group.wait()
        if let error = run.error { throw error }
        var summary = run.summary
        summary.held = abandoned
        summary.remainingQueued = try outbox.unfinishedCount()
        return summary
    }

    /// One worker: claims one message at a time under its own lease token until nothing claimable is left.
    private func work(runStart: Date, run: DispatchRun, renewal: LeaseRenewal,
                      progress: (@Sendable (DispatchSummary) -> Void)?) {
        let owner = OutboxStore.newLeaseOwner()
        var transport: (any MailTransport)?
        while run.take() {
            let message: ClaimedNotification
            do {
                guard let claimed = try outbox.claim(owner: owner, lease: leaseDuration, limit: 1, at: now(), dueBy: runStart).first else {
                    run.giveBack()
                    return
                }
                message = claimed
            } catch {
                run.fail(error)
                return
            }
            renewal.track(message.id, owner: owner)
            var report: DeliveryReport?
            if !message.recipients.isEmpty {
                do {
                    if transport == nil { transport = try makeTransport() }
                } catch {
                    renewal.untrack(message.id)
                    giveBack(message, owner: owner)
                    run.fail(GatewayError.smtpConfiguration("\(error)"))
                    return
                }
                let outgoing = OutgoingMessage(messageID: message.messageId, sender: message.mailFrom,
                                               recipients: message.recipients, bytes: message.bytes)
                report = transport!.send([outgoing]).first { $0.messageID == message.messageId }
            }
            let answeredAt = now()
            if let error = report?.error, error.isConfigurationProblem {
                // Our relay or settings are wrong: no attempt, nothing changes, and the run stops.
                renewal.untrack(message.id)
                giveBack(message, owner: owner)
                run.fail(GatewayError.smtpConfiguration("\(error.description) Nothing was changed; the messages stay queued."))
                return
            }
            observer?(.answered(messageId: message.messageId))
            let recorded: RecordedAttempt?
            do {
                recorded = try recordPersistently(DeliveryAttempt(report: report, recipients: message.recipients),
                                                  message: message, owner: owner, answeredAt: answeredAt)
            } catch {
                renewal.untrack(message.id)
                run.fail(error)
                return
            }
            renewal.untrack(message.id)
            guard let recorded else {
                logger.warning("\(message.messageId): the lease ran out and another send took the message over")
                observer?(.leaseLost(messageId: message.messageId))
                continue
            }
            let snapshot = run.add(recorded)
            progress?(snapshot)
        }
    }
}

/// The shared state of one run's workers.
private final class DispatchRun: Sendable {
    private struct State {
        var summary = DispatchSummary()
        var budget: Int
        var error: (any Error)?
    }
    private let state: Mutex<State>

    init(budget: Int) { state = Mutex(State(budget: budget)) }

    var summary: DispatchSummary { state.withLock { $0.summary } }
    var error: (any Error)? { state.withLock { $0.error } }

    /// Takes one message from the budget; false when it is spent or the run is stopping.
    func take() -> Bool {
        state.withLock { s in
            guard s.error == nil, s.budget > 0 else { return false }
            s.budget -= 1
            return true
        }
    }

    func giveBack() { state.withLock { $0.budget += 1 } }

    /// Stops the run with `error` (the first one wins).
    func fail(_ error: any Error) { state.withLock { if $0.error == nil { $0.error = error } } }

    func add(_ recorded: RecordedAttempt) -> DispatchSummary {
        state.withLock { s in
            switch recorded.state {
            case .sent: s.summary.sent += 1
            case .deferred: s.summary.deferred += 1
            case .failed: s.summary.failed += 1
            default: break
            }
            s.summary.recipientsRefused += recorded.refused
            return s.summary
        }
    }
}
