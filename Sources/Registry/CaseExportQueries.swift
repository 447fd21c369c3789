import Foundation

/// One participant of a case with the organisation it stands for, as an export needs it.
public struct ExportedParticipant: Sendable, Equatable {
    public var record: ParticipantRecord
    public var organization: Organization
    /// The current statement of each of its products (from VEX documents), by product name.
    public var products: [ProductStatement] = []
    /// Those of `products` that name a product (a statement for all its products names none).
    public var namedProducts: [ProductStatement] { products.filter { !$0.product.isEmpty } }
}

/// Everything an export of one case reads: the case, its participants with their organisations, the events
/// about the case and its participants (oldest first), and the publishing organisation when one is named.
public struct CaseExportSnapshot: Sendable, Equatable {
    public var record: CaseRecord
    /// Ordered by organisation id.
    public var participants: [ExportedParticipant]
    /// `case.*` events of the case and `participant.*` events of its participants, in log order.
    public var events: [Event]
    /// The organisation `sender.organization` names, when it is in the registry.
    public var publisher: Organization?
}

/// Reads for `case export`, in one read transaction so the document is consistent.
extension CaseStore {
    func exportSnapshot(caseId: String, publisherId: String?) throws -> CaseExportSnapshot? {
        try engine.read { session in
            guard let record = try Self.caseRecord(session, caseId) else { return nil }
            let records = try session.records(ParticipantRecord.self, """
                SELECT * FROM participant WHERE caseId = ? ORDER BY organizationId
                """, caseId)
            var organizations: [String: Organization] = [:]
            if !records.isEmpty {
                let marks = Array(repeating: "?", count: records.count).joined(separator: ", ")
                try session.forEachRow("SELECT * FROM organization WHERE id IN (\(marks))", records.map { .text($0.organizationId) }) { row in
                    let organization = try row.decode(Organization.self)
                    organizations[organization.id] = organization
                    return true
                }
            }
            // participant.organizationId references organization(id), so every participant has its organisation.
            let products = Dictionary(grouping: try ProductStatement.standing(session, caseId: caseId), by: \.organizationId)
            let participants = records.compactMap { record in
                organizations[record.organizationId].map {
                    ExportedParticipant(record: record, organization: $0, products: products[record.organizationId] ?? [])
                }
            }
            // Participant events are keyed "<case>|<organisation>"; organisation ids never contain "|".
            let participantKeys = participants.map { "\(caseId)|\($0.record.organizationId)" }
            var events = try session.records(Event.self, "SELECT * FROM event WHERE objectType = 'case' AND objectId = ? ORDER BY id",
                                             caseId)
            if !participantKeys.isEmpty {
                let marks = Array(repeating: "?", count: participantKeys.count).joined(separator: ",")
                try session.forEachRow("""
                    SELECT * FROM event WHERE objectType = 'participant' AND objectId IN (\(marks)) ORDER BY id
                    """, participantKeys.map { .text($0) }) { row in
                    events.append(try row.decode(Event.self))
                    return true
                }
            }
            events.sort { $0.id < $1.id }
            let publisher = try publisherId.flatMap {
                try session.record(Organization.self, "SELECT * FROM organization WHERE id = ?", $0)
            }
            return CaseExportSnapshot(record: record, participants: participants, events: events, publisher: publisher)
        }
    }
}
