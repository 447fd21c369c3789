import Foundation

/// What the vendor matrix shows beside a participant's state: its last message in and out, and who set its
/// current response from which source.
public struct ParticipantActivity: Sendable, Encodable, Equatable {
    /// When the latest message from the organisation about the case was received.
    public var lastIn: Date?
    /// When the latest message to the organisation about the case was sent.
    public var lastOut: Date?
    /// The source of the latest response event: `manual` (set by a person), `reply <Message-ID>` (mail),
    /// `answer-link…`, `vex…`.
    public var responseSource: String?
    /// Who recorded the latest response.
    public var responseActor: String?

    public init(lastIn: Date? = nil, lastOut: Date? = nil, responseSource: String? = nil, responseActor: String? = nil) {
        self.lastIn = lastIn; self.lastOut = lastOut; self.responseSource = responseSource; self.responseActor = responseActor
    }
}

/// One event of a case's timeline: about the case itself or one of its participants.
public struct CaseTimelineEntry: Sendable, Encodable, Equatable {
    public let id: Int64
    public let at: Date
    public let actor: String
    public let action: String
    /// The case id, or `CASE|ORGANISATION` for a participant.
    public let objectId: String
    /// The event's data, canonical JSON.
    public let data: String
}

extension CaseStore {
    func activity(caseId: String) throws -> [String: ParticipantActivity] {
        try engine.read { session in try Self.activity(session, caseId: caseId) }
    }

    static func activity(_ session: any SQLSession, caseId: String) throws -> [String: ParticipantActivity] {
        var activity: [String: ParticipantActivity] = [:]
        try session.forEachRow("""
            SELECT organizationId, MAX(receivedAt) FROM inboundMessage
            WHERE caseId = ? AND organizationId IS NOT NULL GROUP BY organizationId
            """, [.text(caseId)]) { row in
            activity[try row[0], default: ParticipantActivity()].lastIn = try row[1]
            return true
        }
        try session.forEachRow("""
            SELECT organizationId, MAX(sentAt) FROM notification
            WHERE caseId = ? AND sentAt IS NOT NULL GROUP BY organizationId
            """, [.text(caseId)]) { row in
            activity[try row[0], default: ParticipantActivity()].lastOut = try row[1]
            return true
        }
        // Participant events have the object id `CASE|ORG`: the range [CASE|, CASE}) holds exactly them. The latest
        // response event of each, its source read from its data.
        try session.forEachRow("""
            SELECT objectId, actor, data FROM event WHERE id IN (
                SELECT MAX(id) FROM event
                WHERE objectType = 'participant' AND objectId >= ? AND objectId < ? AND action = 'participant.response'
                GROUP BY objectId)
            """, [.text(caseId + "|"), .text(caseId + "}")]) { row in
            let objectId: String = try row[0]
            let organization = String(objectId.dropFirst(caseId.count + 1))
            let data: String = try row[2]
            var source: String?
            if case .object(let fields)? = try? JSONDecoder().decode(EventValue.self, from: Data(data.utf8)),
               case .string(let text)? = fields["source"] {
                source = text
            }
            activity[organization, default: ParticipantActivity()].responseSource = source
            activity[organization, default: ParticipantActivity()].responseActor = try row[1]
            return true
        }
        return activity
    }

    func timeline(caseId: String, limit: Int) throws -> [CaseTimelineEntry] {
        try engine.read { session in try Self.timeline(session, caseId: caseId, limit: limit) }
    }

    static func timeline(_ session: any SQLSession, caseId: String, limit: Int) throws -> [CaseTimelineEntry] {
        // The ids are chosen from the index alone (a case of thousands of participants has thousands of events), then
        // only the `limit` rows chosen are read.
        var entries: [CaseTimelineEntry] = []
        try session.forEachRow("""
            SELECT id, at, actor, action, objectId, data FROM event WHERE id IN (
                SELECT id FROM event
                WHERE (objectType = 'case' AND objectId = ?)
                   OR (objectType = 'participant' AND objectId >= ? AND objectId < ?)
                ORDER BY id DESC LIMIT ?)
            ORDER BY id DESC
            """, [.text(caseId), .text(caseId + "|"), .text(caseId + "}"), .integer(Int64(limit))]) { row in
            entries.append(CaseTimelineEntry(id: try row[0], at: try row[1], actor: try row[2], action: try row[3],
                                             objectId: try row[4], data: try row[5]))
            return true
        }
        return entries
    }
}

/// What the desk's case page shows, read in one transaction (one consistent state of the store): the case and its
/// participants (`CaseStore.show`), each participant's activity (`activity`) and the latest events (`timeline`).
public struct CaseMatrix: Sendable {
    public let detail: CaseDetail
    /// By organisation id.
    public let activity: [String: ParticipantActivity]
    /// Newest first.
    public let timeline: [CaseTimelineEntry]
}

extension CaseStore {
    func matrix(caseId: String, now: Date, timelineLimit: Int) throws -> CaseMatrix {
        try engine.read { session in
            CaseMatrix(detail: try Self.detail(session, caseId: caseId, now: now),
                       activity: try Self.activity(session, caseId: caseId),
                       timeline: try Self.timeline(session, caseId: caseId, limit: timelineLimit))
        }
    }
}
