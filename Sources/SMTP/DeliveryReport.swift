/// The result of sending one message: one outcome per envelope recipient, in the order given.
public struct DeliveryReport: Sendable {
    /// The message's Message-ID.
    public let messageID: String
    /// Each envelope recipient with what happened to it, in the message's order.
    public let outcomes: [(recipient: String, outcome: RecipientOutcome)]
    /// What went wrong for the message as a whole; nil when every recipient's own reply tells the story
    /// (including when the server refused every recipient).
    public var error: SMTPError?

    /// A report with these outcomes.
    public init(messageID: String, outcomes: [(recipient: String, outcome: RecipientOutcome)], error: SMTPError?) {
        self.messageID = messageID
        self.outcomes = outcomes
        self.error = error
    }

    /// True when every recipient was accepted.
    public var allAccepted: Bool { !outcomes.isEmpty && outcomes.allSatisfy { $0.outcome.isAccepted } }

    /// True when at least one recipient should be tried again later.
    public var anyTransient: Bool { outcomes.contains { $0.outcome.isTransient } }

    /// The outcome for `recipient` (the first one, if it was given twice).
    public func outcome(for recipient: String) -> RecipientOutcome? {
        outcomes.first { $0.recipient == recipient }?.outcome
    }
}
