import Foundation
import Logging
import Registry
import SMTP

extension DeliveryAttempt {
    /// The store's view of what the transport reported for `recipients` (a recipient without a result is
    /// deferred with the message-wide error as its reason).
    init(report: DeliveryReport?, recipients: [String]) {
        var results: [DeliveryAttempt.Recipient] = []
        for email in recipients {
            let outcome = report?.outcomes.first { $0.recipient.caseInsensitiveCompare(email) == .orderedSame }?.outcome
            switch outcome {
            case .accepted(let code, let reply)?:
                results.append(.init(email: email, outcome: .accepted, code: code, reply: reply, summary: Self.summary(outcome!)))
            case .transientFailure(let code, let reply)?:
                results.append(.init(email: email, outcome: .transient, code: code, reply: reply, summary: Self.summary(outcome!)))
            case .permanentFailure(let code, let reply)?:
                results.append(.init(email: email, outcome: .permanent, code: code, reply: reply, summary: Self.summary(outcome!)))
            case nil:
                let reason = report?.error.map { "\($0)" } ?? "no result from the transport"
                results.append(.init(email: email, outcome: .transient, code: nil, reply: reason, summary: "no result"))
            }
        }
        self.init(recipients: results, messageError: report?.error?.description,
                  refusedByRelay: report?.error?.isWholeMessageRefusal ?? false)
    }

    /// The outcome as the event log keeps it, `accepted(code: 250, reply: "250 2.0.0 Ok")`: the text Swift
    /// prints for the case, written out directly (printing an enum reflects over it, a cost on every message).
    static func summary(_ outcome: RecipientOutcome) -> String {
        switch outcome {
        case .accepted(let code, let reply):
            return "accepted(code: \(code), reply: \(reply.debugDescription))"
        case .transientFailure(let code, let reply):
            return "transientFailure(code: \(code.map { "Optional(\($0))" } ?? "nil"), reply: \(reply.debugDescription))"
        case .permanentFailure(let code, let reply):
            return "permanentFailure(code: \(code), reply: \(reply.debugDescription))"
        }
    }
}

extension OutboxDispatcher {
    /// Records a worker's answered attempts in one transaction, waiting as long as another process holds the
    /// database's write lock: once a server has accepted a message, giving up would send it again later. Any
    /// other failure (disk full, database gone) holds the messages — no later `send` takes them until an
    /// operator releases them — and throws `GatewayError.recordingFailed`. Returns, for each attempt, what was
    /// recorded, or nil when the lease was taken over by another worker.
    func recordPersistently(_ answered: [(AnsweredAttempt, ClaimedNotification)], owner: String) throws -> [RecordedAttempt?] {
        guard !answered.isEmpty else { return [] }
        var pause = 0.02
        var waiting = false
        while true {
            do {
                return try outbox.record(answered.map(\.0), owner: owner, maxAttempts: maxAttempts, actor: actor)
            } catch where OutboxStore.isBusy(error) {
                if !waiting {
                    waiting = true
                    logger.warning("\(answered[0].1.messageId): the database is busy (another command holds its write lock); waiting to record the delivery")
                    observer?(.waitingForDatabase(messageId: answered[0].1.messageId))
                }
                Thread.sleep(forTimeInterval: pause)
                pause = min(1, pause * 2)
            } catch {
                let ids = answered.map(\.1.id)
                let reason = "the server answered but the delivery could not be recorded: \(error)"
                var held = false
                for _ in 0..<100 {
                    do {
                        try outbox.hold(ids: ids, owner: owner, reason: reason, actor: actor, at: now())
                        held = true
                        break
                    } catch where OutboxStore.isBusy(error) {
                        Thread.sleep(forTimeInterval: 0.1)
                    } catch {
                        break
                    }
                }
                let listed = ids.map(String.init).joined(separator: " ")
                let them = ids.count == 1 ? "it" : "they"
                let what = held ? "\(ids.count == 1 ? "it is" : "they are") held and no `send` will take \(ids.count == 1 ? "it" : "them") again until `liaison outbox release \(listed)`"
                                : "\(them) could not be held either, so check `liaison outbox` before the next `send`"
                let which = answered.map { "\($0.1.id) (\($0.1.messageId))" }.joined(separator: ", ")
                throw GatewayError.recordingFailed("\(ids.count == 1 ? "message" : "messages") \(which) \(ids.count == 1 ? "was" : "were") handed to the SMTP server but \(ids.count == 1 ? "its delivery" : "their deliveries") could not be recorded (\(error)); \(what)")
            }
        }
    }
}
