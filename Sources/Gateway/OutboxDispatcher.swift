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

/// Sends the outbox in three steps — claim a batch (`OutboxStoring.claim`, under this worker's own lease
/// token, one transaction), send its messages over the worker's one SMTP connection `messagesPerCommit` at a
/// time, record their answers (`OutboxStoring.record`, only if the token still holds each message's lease) before
/// any further message goes out, in group commits shared by the workers (`GroupCommit`) — on `concurrency`
/// workers at once.
///
/// Delivery is exactly once: a row is leased before any byte goes out and marked in flight, durably, before it
/// is handed over (the first messages of a batch by the claim, each next ones by the transaction that records
/// those before), its lease is longer than the SMTP timeouts together and renewed (one transaction per worker
/// every third of the lease) while its batch is sent, and a result is recorded only by the lease's holder. A
/// message still in flight when its run stopped (killed, or unable to record the result) may have been
/// delivered: the next run holds it (`DispatchSummary.held`) instead of sending it again; the rest of that run's
/// batch, only leased by a process that is gone, is sent by the next run. A batch is at most `batchSize` messages and at
/// most a fair share (due messages / workers), so that every worker gets some. One run tries each message at
/// most once (a deferred message waits for its next attempt time, which is after the run started). A
/// configuration problem of our own relay (unreachable, no greeting or no answer before MAIL FROM within the
/// connect timeout, refused login, untrusted certificate, no STARTTLS, wrong port, our sender refused:
/// `SMTPError.isConfigurationProblem`) stops the run at the first message that meets it, with
/// `GatewayError.smtpConfiguration`: what was answered before is recorded, and that message and the rest of
/// the batch are given back untouched: no attempt, no next attempt time, no recipient, participant, contact or
/// event. A transfer the transport aborted because the process is stopping (`SMTPError.stopped`) is given back
/// the same way, and the run ends without an error. So that a relay that is wrong meets one connection, not
/// `concurrency` of them, the other workers connect only once the relay answered the first worker to connect.
/// ```swift
/// let dispatcher = OutboxDispatcher(store: store, maxAttempts: 8) { try makeTransport(smtp, logger: logger) }
/// let summary = try dispatcher.run(concurrency: 4)
/// ```
public final class OutboxDispatcher: Sendable {
    public let outbox: any OutboxStoring
    public let maxAttempts: Int
    /// How long a claim holds a message; renewed every third of it while the message is sent.
    public let leaseDuration: TimeInterval
    public let actor: String
    /// The most messages one worker claims at once.
    public let batchSize: Int
    /// How many messages a worker sends between two commits: all of them are marked in flight before the first
    /// goes out, and their answers are recorded together. A run killed meanwhile leaves them in flight, held
    /// for a person by the next run; 1 records each answer before the next message.
    public let messagesPerCommit: Int
    /// Eight messages per commit: one sync of the database's log for several workers' answers, and at most eight
    /// messages per worker held after a crash.
    public static let defaultMessagesPerCommit = 8
    let makeTransport: @Sendable () throws -> any MailTransport
    let now: @Sendable () -> Date
    let logger: Logger
    let observer: (@Sendable (DispatchEvent) -> Void)?

    public init(outbox: any OutboxStoring, maxAttempts: Int = 8, leaseDuration: TimeInterval = 900,
                actor: String = "liaison", logger: Logger = Logger(label: "liaison.send"),
                batchSize: Int = 50, messagesPerCommit: Int = OutboxDispatcher.defaultMessagesPerCommit,
                now: @escaping @Sendable () -> Date = { Date() },
                observer: (@Sendable (DispatchEvent) -> Void)? = nil,
                makeTransport: @escaping @Sendable () throws -> any MailTransport) {
        self.outbox = outbox; self.maxAttempts = max(1, maxAttempts); self.leaseDuration = leaseDuration
        self.actor = actor; self.logger = logger; self.now = now; self.observer = observer
        self.batchSize = max(1, batchSize)
        self.messagesPerCommit = max(1, messagesPerCommit)
        self.makeTransport = makeTransport
    }

    public convenience init(store: RegistryStore, maxAttempts: Int = 8, leaseDuration: TimeInterval = 900,
                            actor: String = "liaison", logger: Logger = Logger(label: "liaison.send"),
                            now: @escaping @Sendable () -> Date = { Date() },
                            makeTransport: @escaping @Sendable () throws -> any MailTransport) {
        self.init(outbox: store.outbox, maxAttempts: maxAttempts, leaseDuration: leaseDuration, actor: actor,
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
    /// on its own thread. `progress` receives the figures after every recorded message.
    public func run(limit: Int? = nil, concurrency: Int = 1,
                    progress: (@Sendable (DispatchSummary) -> Void)? = nil) throws -> DispatchSummary {
        let runStart = now()
        // A message left in flight by a stopped run may have been delivered: held for a person, never sent again.
        let abandoned = try outbox.holdAbandonedInFlight(actor: actor, at: runStart)
        for message in abandoned {
            logger.warning("\(message.messageId) (outbox \(message.id)): held: \(message.reason)")
        }
        let workers = max(1, concurrency)
        let run = DispatchRun(budget: limit ?? Int.max)
        // A fair share, so that each of `workers` connections gets messages.
        let due = min(try outbox.dueCount(at: runStart), limit ?? Int.max)
        let share = max(1, min(batchSize, (due + workers - 1) / workers))
        let renewal = LeaseRenewal(outbox: outbox, lease: leaseDuration, now: now, logger: logger)
        let commits = GroupCommit(outbox: outbox, maxAttempts: maxAttempts, actor: actor)
        renewal.start()
        defer { renewal.stop() }
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            let worker = Thread { [self] in
                work(runStart: runStart, share: share, run: run, renewal: renewal, commits: commits,
                     progress: progress)
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

    /// One worker: claims a batch under its own lease token and sends it over one connection, `messagesPerCommit`
    /// messages at a time: those are marked in flight (durably) before the first of them goes out, and their
    /// answers are recorded together — in a group commit with the other workers' (`GroupCommit`), by the
    /// transaction that marks the next ones — before any further message goes out; then it claims again until
    /// nothing claimable is left. The first worker to connect tries the relay; the others connect once it answered.
    private func work(runStart: Date, share: Int, run: DispatchRun, renewal: LeaseRenewal,
                      commits: GroupCommit, progress: (@Sendable (DispatchSummary) -> Void)?) {
        /// Whether this worker is the one trying the relay first; however it ends, the others no longer wait.
        var first = false
        defer { if first { run.relayAnswered() } }
        let owner = OutboxStore.newLeaseOwner()
        var transport: (any MailTransport)?
        while true {
            let wanted = run.take(upTo: share)
            guard wanted > 0 else { return }
            let batch: [ClaimedNotification]
            do {
                // Only the first messages are marked in flight now; each commit marks the next ones.
                batch = try outbox.claim(owner: owner, lease: leaseDuration, limit: wanted, at: now(), dueBy: runStart,
                                         markInFlight: messagesPerCommit)
            } catch {
                run.giveBack(wanted)
                run.fail(error)
                return
            }
            if batch.count < wanted { run.giveBack(wanted - batch.count) }
            guard !batch.isEmpty else { return }
            renewal.track(batch.map(\.id), owner: owner)
            /// Gives back untouched what this worker has not sent of its batch, and stops the run with `error`.
            func stop(at index: Int, _ error: (any Error)?) {
                let unsent = Array(batch[index...])
                renewal.untrack(unsent.map(\.id))
                giveBack(unsent, owner: owner)
                if let error { run.fail(error) }
            }
            var marked = Set(batch.prefix(messagesPerCommit).map(\.id))
            var start = 0
            while start < batch.count {
                let end = min(start + messagesPerCommit, batch.count)
                var answered: [AnsweredAttempt] = []
                var sent: [ClaimedNotification] = []
                /// Where this worker stops, and why (nil: without an error).
                var halt: (index: Int, error: (any Error)?)?
                for index in start..<end {
                    let message = batch[index]
                    guard marked.contains(message.id) else {
                        // Not marked: the lease ran out and another worker took the message over.
                        renewal.untrack([message.id])
                        logger.warning("\(message.messageId): the lease ran out and another send took the message over")
                        continue
                    }
                    if run.isStopping {
                        halt = (index, nil)
                        break
                    }
                    var report: DeliveryReport?
                    if !message.recipients.isEmpty {
                        if transport == nil {
                            first = run.waitForRelay()
                            if run.isStopping {
                                halt = (index, nil)
                                break
                            }
                        }
                        do {
                            if transport == nil { transport = try makeTransport() }
                        } catch {
                            halt = (index, GatewayError.smtpConfiguration("\(error)"))
                            break
                        }
                        let outgoing = OutgoingMessage(messageID: message.messageId, sender: message.mailFrom,
                                                       recipients: message.recipients, bytes: message.bytes)
                        report = transport!.send([outgoing]).first { $0.messageID == message.messageId }
                    }
                    let answeredAt = now()
                    if let error = report?.error, error == .stopped {
                        // This process is stopping and aborted the transfer: our doing, not the relay's nor the
                        // vendor's. No attempt is counted; the message stays queued (or deferred as it was), not held.
                        logger.warning("\(message.messageId): not sent: \(error.description)")
                        run.halt()
                        halt = (index, nil)
                        break
                    }
                    if let error = report?.error, error.isConfigurationProblem {
                        // Our relay or settings are wrong: no attempt, nothing changes, and the run stops.
                        halt = (index, GatewayError.smtpConfiguration("\(error.description) Nothing was changed; the messages stay queued."))
                        break
                    }
                    if first { run.relayAnswered() }
                    observer?(.answered(messageId: message.messageId))
                    answered.append(AnsweredAttempt(id: message.id, attempt: DeliveryAttempt(report: report, recipients: message.recipients),
                                                    at: answeredAt))
                    sent.append(message)
                }
                // Recorded before anything more goes out, in the transaction that marks the next ones in flight.
                let next = halt == nil && !run.isStopping ? batch[end..<min(end + messagesPerCommit, batch.count)].map(\.id) : []
                let committed: RecordedShare
                do {
                    committed = try recordPersistently(answered, messages: sent, owner: owner, markingInFlight: next, commits: commits)
                } catch {
                    renewal.untrack(sent.map(\.id))
                    run.fail(error)
                    stop(at: halt?.index ?? end, nil)
                    return
                }
                renewal.untrack(sent.map(\.id))
                for (message, recorded) in zip(sent, committed.recorded) {
                    guard let recorded else {
                        logger.warning("\(message.messageId): the lease ran out and another send took the message over")
                        observer?(.leaseLost(messageId: message.messageId))
                        continue
                    }
                    let snapshot = run.add(recorded)
                    progress?(snapshot)
                }
                if let halt {
                    stop(at: halt.index, halt.error)
                    return
                }
                if end < batch.count, next.isEmpty {
                    stop(at: end, nil)
                    return
                }
                marked = committed.marked
                start = end
            }
        }
    }
}

/// The shared state of one run's workers.
private final class DispatchRun: Sendable {
    private struct State {
        var summary = DispatchSummary()
        var budget: Int
        var error: (any Error)?
        /// The process is stopping: nothing more is claimed or sent.
        var halted = false
        /// Whether a worker tries the relay (`trying`) and whether it answered or that worker stopped: then the
        /// others may connect.
        var relay: RelayTrial = .untried
    }
    private let state: Mutex<State>
    private let relayGate = NSCondition()

    init(budget: Int) { state = Mutex(State(budget: budget)) }

    var summary: DispatchSummary { state.withLock { $0.summary } }
    var error: (any Error)? { state.withLock { $0.error } }

    /// Takes up to `count` messages from the budget; 0 when it is spent or the run is stopping.
    func take(upTo count: Int) -> Int {
        state.withLock { s in
            guard s.error == nil, !s.halted, s.budget > 0 else { return 0 }
            let taken = min(count, s.budget)
            s.budget -= taken
            return taken
        }
    }

    func giveBack(_ count: Int) { state.withLock { $0.budget += count } }

    /// Whether a worker met an error and the others should stop.
    var isStopping: Bool { state.withLock { $0.error != nil || $0.halted } }

    /// Stops the run without an error: the process is stopping.
    func halt() {
        state.withLock { $0.halted = true }
        relayAnswered()
    }

    /// Stops the run with `error` (the first one wins).
    func fail(_ error: any Error) {
        state.withLock { if $0.error == nil { $0.error = error } }
        relayAnswered()
    }

    enum RelayTrial { case untried, trying, answered }

    /// Lets the workers waiting in `waitForRelay` connect.
    func relayAnswered() {
        relayGate.lock()
        state.withLock { $0.relay = .answered }
        relayGate.broadcast()
        relayGate.unlock()
    }

    /// Before a worker's first connection: true when it is the first to connect (it tries the relay, and must
    /// call `relayAnswered` then); otherwise waits until that one's relay answered, it stopped, or the run stops.
    func waitForRelay() -> Bool {
        relayGate.lock()
        defer { relayGate.unlock() }
        while true {
            let trial = state.withLock { s -> RelayTrial in
                let seen = s.relay
                if seen == .untried { s.relay = .trying }
                return seen
            }
            switch trial {
            case .untried: return true
            case .trying: relayGate.wait()
            case .answered: return false
            }
        }
    }

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
