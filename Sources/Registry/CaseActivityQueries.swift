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
        // response event of each, its source read from its data. The inner query's terms include those of the partial
        // index of response events (`v14-desk-matrix-index`), so both engines can find them there alone, without
        // visiting the participants' other events.
        try session.forEachRow("""
            SELECT objectId, actor, data FROM event WHERE id IN (
                SELECT MAX(id) FROM event
                WHERE objectType = 'participant' AND action = 'participant.response' AND objectId >= ? AND objectId < ?
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
    func matrix(caseId: String, timelineLimit: Int) throws -> CaseMatrix {
        try engine.read { session in try Self.matrix(session, caseId: caseId, timelineLimit: timelineLimit) }
    }

    static func matrix(_ session: any SQLSession, caseId: String, timelineLimit: Int) throws -> CaseMatrix {
        let record = try existingCase(session, caseId)
        let facts = try ParticipantFacts.read(session, caseId: caseId, lastState: false)
        let activity = try Self.activity(session, caseId: caseId)
        var participants: [MatrixParticipant] = []
        try session.forEachRow("""
            SELECT p.organizationId, o.name, p.delivery, p.response, p.statement, p.firstNotifiedAt, p.reminderCount,
                   p.escalatedAt IS NOT NULL, p.unreachableAt IS NOT NULL
            FROM participant p JOIN organization o ON o.id = p.organizationId
            WHERE p.caseId = ? ORDER BY p.organizationId
            """, [.text(caseId)]) { row in
            let organization: String = try row[0]
            let deliveryText: String = try row[2], responseText: String = try row[3]
            guard let delivery = Delivery(rawValue: deliveryText), let response = Response(rawValue: responseText) else {
                throw StoreError.invalidArgument("participant \(organization) of \(caseId): stored delivery \(deliveryText) or response \(responseText) is not one Liaison knows")
            }
            let problems = facts.ourProblems[organization]
            participants.append(MatrixParticipant(
                organizationId: organization, organizationName: try row[1], delivery: delivery, response: response,
                statement: try row[4], firstNotifiedAt: try row[5], reminderCount: try row[6], escalated: try row[7],
                unreachable: try row[8], verifiedReply: facts.verifiedReply(organization, response: response),
                ourDeliveryProblems: problems?.count ?? 0, ourDeliveryProblem: problems?.latest,
                products: (facts.products[organization] ?? []).filter { !$0.product.isEmpty },
                bouncedAddresses: facts.bounced[organization] ?? [], ownProblems: facts.own[organization] ?? [],
                automaticReplies: facts.automatic[organization] ?? [], activity: activity[organization] ?? ParticipantActivity()))
            return true
        }
        return CaseMatrix(record: record, participants: participants,
                          timeline: try Self.timeline(session, caseId: caseId, limit: timelineLimit))
    }
}
