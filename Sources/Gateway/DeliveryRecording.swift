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
            case .permanentFailure(let code, let reply)? where RelayRefusal.isRelayRefusal(code: code, reply: reply):
                // Our relay would not relay to this one address while others of the message went out: our fault,
                // not the address's; tried again later like a deferral, never a bounce.
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
    /// Records the answered attempts of `messages` (one worker's, in a group commit with the other workers'),
    /// waiting as long as another process holds the database's write lock: once a server has accepted a message,
    /// giving up would send it again later. Any other failure (disk full, database gone) holds the messages — no
    /// later `send` takes them until an operator releases them — and stops the run; if even the hold cannot be
    /// written, the rows keep their in-flight marks, and the next run holds them
    /// (`OutboxStoring.holdAbandonedInFlight`). `next`, the messages of the same batch about to be sent, are marked
    /// in flight in the same transaction: send only those of `RecordedShare.marked`.
    func recordPersistently(_ answered: [AnsweredAttempt], messages: [ClaimedNotification], owner: String,
                            markingInFlight next: [Int64], commits: GroupCommit) throws -> RecordedShare {
        var pause = 0.02
        var waiting = false
        while true {
            do {
                return try commits.commit(RecordingShare(owner: owner, answered: answered, markingInFlight: next))
            } catch where OutboxStore.isBusy(error) {
                if !waiting {
                    waiting = true
                    for message in messages {
                        logger.warning("\(message.messageId): the database is busy (another command holds its write lock); waiting to record the delivery")
                        observer?(.waitingForDatabase(messageId: message.messageId))
                    }
                }
                Thread.sleep(forTimeInterval: pause)
                pause = min(1, pause * 2)
            } catch {
                // Nothing was handed over: nothing to hold, and the next messages were not marked.
                guard !messages.isEmpty else { throw error }
                let reason = "the server answered but the delivery could not be recorded: \(error)"
                var held = false
                for _ in 0..<100 {
                    do {
                        try outbox.hold(ids: messages.map(\.id), owner: owner, reason: reason, actor: actor, at: now())
                        held = true
                        break
                    } catch where OutboxStore.isBusy(error) {
                        Thread.sleep(forTimeInterval: 0.1)
                    } catch {
                        break
                    }
                }
                let ids = messages.map { String($0.id) }.joined(separator: " ")
                let what: String
                if messages.count == 1 {
                    what = held ? "it is held and no `send` will take it again until `liaison outbox release \(ids)`"
                                : "it could not be held either, but it stays marked in flight: the next `send` holds it instead of sending it again"
                    throw GatewayError.recordingFailed("message \(messages[0].id) (\(messages[0].messageId)) was handed to the SMTP server but its delivery could not be recorded (\(error)); \(what)")
                }
                what = held ? "they are held and no `send` will take them again until `liaison outbox release \(ids)`"
                            : "they could not be held either, but they stay marked in flight: the next `send` holds them instead of sending them again"
                let names = messages.map { "\($0.id) (\($0.messageId))" }.joined(separator: ", ")
                throw GatewayError.recordingFailed("messages \(names) were handed to the SMTP server but their delivery could not be recorded (\(error)); \(what)")
            }
        }
    }

    /// Gives claimed messages back untouched (nothing of them was handed over), waiting while another process
    /// holds the database's write lock: left claimed, its in-flight mark would make the next run hold it for a
    /// person although it was never sent.
    func giveBack(_ messages: [ClaimedNotification], owner: String) {
        guard !messages.isEmpty else { return }
        var pause = 0.02
        for _ in 0..<600 {
            do {
                try outbox.release(ids: messages.map(\.id), owner: owner)
                return
            } catch where OutboxStore.isBusy(error) {
                Thread.sleep(forTimeInterval: pause)
                pause = min(1, pause * 2)
            } catch {
                break
            }
        }
        logger.warning("\(messages[0].messageId): could not be given back untouched; the next `send` holds it for a person")
    }
}
