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
            activity[row[0], default: ParticipantActivity()].lastIn = (row[1] as StoredInstant?)?.date
        }
        let sent = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT organizationId, MAX(sentAt) FROM notification INDEXED BY notification_case
            WHERE caseId = ? AND sentAt IS NOT NULL GROUP BY organizationId
            """), arguments: [caseId])
        while let row = try sent.next() {
            activity[row[0], default: ParticipantActivity()].lastOut = (row[1] as StoredInstant?)?.date
        }
        // Participant events have the object id `CASE|ORG`: the range [CASE|, CASE}) holds exactly them. The latest
        // response event of each (bare columns come from the MAX row), from the index of response events alone
        // (`v14-desk-matrix-index`), in its order: no sort, and no other event of the participants visited.
        let responses = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT objectId, actor, json_extract(data, '$.source'), MAX(id) FROM event INDEXED BY event_participant_response
            WHERE objectType = 'participant' AND action = 'participant.response' AND objectId >= ? AND objectId < ?
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
            let at: StoredInstant = row[1]
            entries.append(CaseTimelineEntry(id: row[0], at: at.date, actor: row[2], action: row[3], objectId: row[4], data: row[5]))
        }
        return entries
    }
}

/// One organisation's row of the desk's vendor matrix: what the case page shows of the participant and nothing
/// more (no timestamps it does not show, no message bytes).
public struct MatrixParticipant: Sendable, Equatable {
    public let organizationId: String
    public let organizationName: String
    public let delivery: Delivery
    public let response: Response
    /// The statement recorded with the response, as given.
    public let statement: String?
    /// When it was first notified; nil while it was not.
    public let firstNotifiedAt: Date?
    /// Reminders sent while no response came.
    public let reminderCount: Int
    /// The escalation went out (`escalatedAt` is set).
    public let escalated: Bool
    /// The reminder policy gave up on reaching it (`unreachableAt` is set).
    public let unreachable: Bool
    /// The current response was set by a reply signed for the case by a key of the organisation.
    public let verifiedReply: Bool
    /// Delivery reports that blame our message or domain, and the latest as it was listed for review.
    public let ourDeliveryProblems: Int
    public let ourDeliveryProblem: String?
    /// The statements of named products that stand, by product name (the general one aside).
    public let products: [ProductStatement]
    /// Its addresses that bounced or were refused for good in the case's messages.
    public let bouncedAddresses: [AddressTrouble]
    /// Delivery problems of our own in the case's messages to it (refused by our relay, voided by a person).
    public let ownProblems: [AddressTrouble]
    /// Automatic replies it sent about the case, oldest first.
    public let automaticReplies: [AutomaticReplyNote]
    /// Its last message in and out, and the latest response's source and actor.
    public let activity: ParticipantActivity
}

/// What the desk's case page shows, read in one transaction (one consistent state of the store): the case, one
/// `MatrixParticipant` per organisation (sorted by id) and the latest events.
public struct CaseMatrix: Sendable {
    public let record: CaseRecord
    /// Sorted by organisation id.
    public let participants: [MatrixParticipant]
    /// Newest first.
    public let timeline: [CaseTimelineEntry]
}

extension CaseStore {
    /// The case page's data in one read: a fixed number of statements whatever the number of participants, each
    /// participant read by position with only the columns the matrix shows. At most `timelineLimit` events.
    /// Throws `StoreError.unknownCase`.
    public func matrix(caseId: String, timelineLimit: Int) throws -> CaseMatrix {
        try writer.read { db in try Self.matrix(db, caseId: caseId, timelineLimit: timelineLimit) }
    }

    static func matrix(_ db: Database, caseId: String, timelineLimit: Int) throws -> CaseMatrix {
        let record = try existingCase(db, caseId)
        let facts = try ParticipantFacts.read(db, caseId: caseId, lastState: false)
        let activity = try Self.activity(db, caseId: caseId)
        var participants: [MatrixParticipant] = []
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT p.organizationId, o.name, p.delivery, p.response, p.statement, p.firstNotifiedAt, p.reminderCount,
                   p.escalatedAt IS NOT NULL, p.unreachableAt IS NOT NULL
            FROM participant p JOIN organization o ON o.id = p.organizationId
            WHERE p.caseId = ? ORDER BY p.organizationId
            """), arguments: [caseId])
        while let row = try rows.next() {
            let organization: String = row[0]
            let deliveryText: String = row[2], responseText: String = row[3]
            guard let delivery = Delivery(rawValue: deliveryText), let response = Response(rawValue: responseText) else {
                throw StoreError.invalidArgument("participant \(organization) of \(caseId): stored delivery \(deliveryText) or response \(responseText) is not one Liaison knows")
            }
            let notified: StoredInstant? = row[5]
            let problems = facts.ourProblems[organization]
            participants.append(MatrixParticipant(
                organizationId: organization, organizationName: row[1], delivery: delivery, response: response,
                statement: row[4], firstNotifiedAt: notified?.date, reminderCount: row[6], escalated: row[7], unreachable: row[8],
                verifiedReply: facts.verifiedReply(organization, response: response),
                ourDeliveryProblems: problems?.count ?? 0, ourDeliveryProblem: problems?.latest,
                products: (facts.products[organization] ?? []).filter { !$0.product.isEmpty },
                bouncedAddresses: facts.bounced[organization] ?? [], ownProblems: facts.own[organization] ?? [],
                automaticReplies: facts.automatic[organization] ?? [], activity: activity[organization] ?? ParticipantActivity()))
        }
        return CaseMatrix(record: record, participants: participants,
                          timeline: try Self.timeline(db, caseId: caseId, limit: timelineLimit))
    }
}
