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
        try writer.read { db in try Self.activity(db, caseId: caseId) }
    }

    static func activity(_ db: Database, caseId: String) throws -> [String: ParticipantActivity] {
        var activity: [String: ParticipantActivity] = [:]
        let received = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT organizationId, MAX(receivedAt) FROM inboundMessage
            WHERE caseId = ? AND organizationId IS NOT NULL GROUP BY organizationId
            """), arguments: [caseId])
        while let row = try received.next() {
            activity[row[0], default: ParticipantActivity()].lastIn = row[1]
        }
        let sent = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT organizationId, MAX(sentAt) FROM notification INDEXED BY notification_case
            WHERE caseId = ? AND sentAt IS NOT NULL GROUP BY organizationId
            """), arguments: [caseId])
        while let row = try sent.next() {
            activity[row[0], default: ParticipantActivity()].lastOut = row[1]
        }
        // Participant events have the object id `CASE|ORG`: the range [CASE|, CASE}) holds exactly them. The latest
        // response event of each (bare columns come from the MAX row), in the index's order: no sort.
        let responses = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT objectId, actor, json_extract(data, '$.source'), MAX(id) FROM event
            WHERE objectType = 'participant' AND objectId >= ? AND objectId < ? AND action = 'participant.response'
            GROUP BY objectId
            """), arguments: [caseId + "|", caseId + "}"])
        while let row = try responses.next() {
            let objectId: String = row[0]
            let organization = String(objectId.dropFirst(caseId.count + 1))
            activity[organization, default: ParticipantActivity()].responseSource = row[2]
            activity[organization, default: ParticipantActivity()].responseActor = row[1]
        }
        return activity
    }

    /// The case's events and its participants' events, newest first, at most `limit`.
    public func timeline(caseId: String, limit: Int = 500) throws -> [CaseTimelineEntry] {
        try writer.read { db in try Self.timeline(db, caseId: caseId, limit: limit) }
    }

    static func timeline(_ db: Database, caseId: String, limit: Int) throws -> [CaseTimelineEntry] {
        // The ids are chosen from the index alone (a case of thousands of participants has thousands of events), then
        // only the `limit` rows chosen are read.
        var entries: [CaseTimelineEntry] = []
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT id, at, actor, action, objectId, data FROM event WHERE id IN (
                SELECT id FROM event
                WHERE (objectType = 'case' AND objectId = ?)
                   OR (objectType = 'participant' AND objectId >= ? AND objectId < ?)
                ORDER BY id DESC LIMIT ?)
            ORDER BY id DESC
            """), arguments: [caseId, caseId + "|", caseId + "}", limit])
        while let row = try rows.next() {
            entries.append(CaseTimelineEntry(id: row[0], at: row[1], actor: row[2], action: row[3], objectId: row[4], data: row[5]))
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
    /// The case page's data in one read: a fixed number of statements whatever the number of participants.
    /// Days are counted up to `now`; at most `timelineLimit` events. Throws `StoreError.unknownCase`.
    public func matrix(caseId: String, now: Date, timelineLimit: Int) throws -> CaseMatrix {
        try writer.read { db in
            CaseMatrix(detail: try Self.detail(db, caseId: caseId, now: now),
                       activity: try Self.activity(db, caseId: caseId),
                       timeline: try Self.timeline(db, caseId: caseId, limit: timelineLimit))
        }
    }
}
