import Foundation
import GRDB

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
    /// Per organisation of the case: last message in and out, and the latest response's source and actor. Three
    /// grouped queries, whatever the number of participants.
    public func activity(caseId: String) throws -> [String: ParticipantActivity] {
        try writer.read { db in
            var activity: [String: ParticipantActivity] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT organizationId, MAX(receivedAt) AS lastIn FROM inboundMessage
                WHERE caseId = ? AND organizationId IS NOT NULL GROUP BY organizationId
                """, arguments: [caseId]) {
                activity[row["organizationId"], default: ParticipantActivity()].lastIn = row["lastIn"]
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT organizationId, MAX(sentAt) AS lastOut FROM notification INDEXED BY notification_case
                WHERE caseId = ? AND sentAt IS NOT NULL GROUP BY organizationId
                """, arguments: [caseId]) {
                activity[row["organizationId"], default: ParticipantActivity()].lastOut = row["lastOut"]
            }
            // Participant events have the object id `CASE|ORG`: the range [CASE|, CASE}) holds exactly them.
            for row in try Row.fetchAll(db, sql: """
                SELECT objectId, actor, json_extract(data, '$.source') AS source FROM event
                WHERE objectType = 'participant' AND objectId >= ? AND objectId < ? AND action = 'participant.response'
                ORDER BY id
                """, arguments: [caseId + "|", caseId + "}"]) {
                let objectId: String = row["objectId"]
                let organization = String(objectId.dropFirst(caseId.count + 1))
                activity[organization, default: ParticipantActivity()].responseSource = row["source"]
                activity[organization, default: ParticipantActivity()].responseActor = row["actor"]
            }
            return activity
        }
    }

    /// The case's events and its participants' events, newest first, at most `limit`.
    public func timeline(caseId: String, limit: Int = 500) throws -> [CaseTimelineEntry] {
        try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, at, actor, action, objectId, data FROM event
                WHERE (objectType = 'case' AND objectId = ?)
                   OR (objectType = 'participant' AND objectId >= ? AND objectId < ?)
                ORDER BY id DESC LIMIT ?
                """, arguments: [caseId, caseId + "|", caseId + "}", limit]).map {
                CaseTimelineEntry(id: $0["id"], at: $0["at"], actor: $0["actor"], action: $0["action"], objectId: $0["objectId"], data: $0["data"])
            }
        }
    }
}
