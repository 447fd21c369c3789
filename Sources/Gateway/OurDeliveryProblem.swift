import Mail

/// A delivery report that blames our message or domain (`SenderSideFailure`): how it is put to a person.
enum OurDeliveryProblem {
    /// The review reason: `delivery problem of ours (5.3.4, size) for a@b.example, c@b.example: send a smaller message …`.
    static func reviewReason(_ recipients: [InboundDeliveryReport.Recipient]) -> String {
        let first = recipients[0]
        let failure = first.senderSideFailure!
        let addresses = recipients.map(\.address).joined(separator: ", ")
        return "delivery problem of ours (\(first.status), \(failure.reason.rawValue)) for \(addresses): \(failure.advice); "
            + "not counted as a bounce"
    }
}
