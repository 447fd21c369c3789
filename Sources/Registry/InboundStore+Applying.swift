import Foundation

/// What applying one received message changes besides its own row, inside that message's transaction, so the
/// message, its effect and its events land together or not at all.
extension InboundTransaction {
    /// Records a participant's response stated by a reply (as `CaseStore.setResponse` does): sets `response`,
    /// `firstResponseAt` and `respondedAt`, keeps `statement` when given, clears `unreachable`, and appends
    /// `participant.response`. The statement, the reply's words or a summary of a VEX file in it, keeps a NUL
    /// visibly as `\u{0}` (`InboundText.storable`). Throws `StoreError.unknownCase` or `StoreError.notParticipant`.
    public func recordResponse(caseId: String, organizationId: String, response: Response, statement: String?,
                               at date: Date, actor: String, source: String) throws {
        try CaseStore.recordResponse(session, caseId: caseId, organizationId: organizationId, response: response,
                                     statement: statement.map(InboundText.storable), at: date, actor: actor,
                                     source: InboundText.storable(source))
    }

    /// Appends `inbound.recorded` for the stored message `messageId` to the event log; `data` holds text fields,
    /// a nil value stored as JSON null.
    public func recordInboundEvent(messageId: String, actor: String, data: [String: String?]) throws {
        try EventLog.append(session, actor: actor, action: "inbound.recorded", objectType: "inbound", objectId: messageId,
                            data: data.mapValues(EventValue.optional))
    }
}

extension InboundTransaction {
    /// Takes back the response that the reply `source` (`reply <Message-ID>`) gave a participant, when a person ties
    /// that reply to another participant (`inbox assign`): the participant's response, statement and times become
    /// what they were before it, as its earlier `participant.response` events say, and a `participant.response`
    /// event records the change. Nothing changes when a later answer has come since (the last response is not that
    /// reply's). Returns the response restored, or nil when nothing changed.
    public func withdrawResponse(caseId: String, organizationId: String, source: String, actor: String,
                                 at date: Date) throws -> Response? {
        guard var participant = try session.record(ParticipantRecord.self,
                                                   "SELECT * FROM participant WHERE caseId = ? AND organizationId = ?",
                                                   caseId, organizationId) else {
            return nil
        }
        struct Stated { let response: Response; let statement: String?; let at: Date?; let source: String? }
        let parser = ISO8601DateFormatter()
        let stated: [Stated] = try EventLog.events(session, objectType: "participant", objectId: "\(caseId)|\(organizationId)")
            .filter { $0.action == "participant.response" }
            .compactMap { event in
                guard case .object(let data) = event.value, case .string(let raw)? = data["response"],
                      let response = Response(rawValue: raw) else { return nil }
                func text(_ key: String) -> String? { if case .string(let value)? = data[key] { return value }; return nil }
                return Stated(response: response, statement: text("statement"), at: text("at").flatMap(parser.date(from:)),
                              source: text("source"))
            }
        guard let last = stated.last, last.source == source, participant.response == last.response else { return nil }
        let earlier = stated.dropLast().filter { $0.source?.hasPrefix("withdrawn ") != true }
        let previous = earlier.last
        participant.response = previous?.response ?? Response.none
        participant.statement = previous?.statement
        participant.respondedAt = previous?.at
        participant.firstResponseAt = earlier.first { $0.response != Response.none }?.at
        try session.execute("""
            UPDATE participant SET response = ?, firstResponseAt = ?, respondedAt = ?, statement = ?
            WHERE caseId = ? AND organizationId = ?
            """, participant.response.rawValue, participant.firstResponseAt, participant.respondedAt, participant.statement,
            caseId, organizationId)
        // The product statements read from that reply (its text, or a VEX file in it) go with it; LIKE compared
        // without regard to ASCII case on both engines, as SQLite's LIKE does.
        try session.execute("""
            DELETE FROM productStatement WHERE caseId = ? AND organizationId = ? AND (reference = ? OR lower(reference) LIKE lower('% in ' || ?))
            """, caseId, organizationId, source, source)
        try EventLog.append(session, actor: actor, action: "participant.response", objectType: "participant",
                            objectId: "\(caseId)|\(organizationId)", data: [
                                "caseId": .string(caseId), "organizationId": .string(organizationId),
                                "response": .string(participant.response.rawValue), "statement": .optional(participant.statement),
                                "at": .string(EventTimestamp.string(date)), "source": .string("withdrawn \(source): assigned elsewhere"),
                            ])
        return participant.response
    }
}
