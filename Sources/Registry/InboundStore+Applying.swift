import Foundation

/// What applying one received message changes besides its own row, inside that message's transaction, so the
/// message, its effect and its events land together or not at all.
extension InboundTransaction {
    /// Records a participant's response stated by a reply (as `CaseStore.setResponse` does): sets `response`,
    /// `firstResponseAt` and `respondedAt`, keeps `statement` when given, clears `unreachable`, and appends
    /// `participant.response`. Throws `StoreError.unknownCase` or `StoreError.notParticipant`.
    public func recordResponse(caseId: String, organizationId: String, response: Response, statement: String?,
                               at date: Date, actor: String, source: String) throws {
        try CaseStore.recordResponse(db, caseId: caseId, organizationId: organizationId, response: response,
                                     statement: statement, at: date, actor: actor, source: source)
    }

    /// Appends `inbound.recorded` for the stored message `messageId` to the event log; `data` holds text fields,
    /// a nil value stored as JSON null.
    public func recordInboundEvent(messageId: String, actor: String, data: [String: String?]) throws {
        try EventLog.append(db, actor: actor, action: "inbound.recorded", objectType: "inbound", objectId: messageId,
                            data: data.mapValues(EventValue.optional))
    }
}
