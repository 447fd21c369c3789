import Foundation
import GRDB

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
///
/// ```swift
/// let snapshot = try CaseExportQueries(store.writer).snapshot(caseId: "JVNVU#12345678", publisherId: "example-csirt")
/// ```
public struct CaseExportQueries: Sendable {
    public let reader: any DatabaseReader

    public init(_ reader: any DatabaseReader) {
        self.reader = reader
    }

    /// The case and what belongs to it; nil when no case has this id.
    public func snapshot(caseId: String, publisherId: String?) throws -> CaseExportSnapshot? {
        try reader.read { db in
            guard let record = try CaseRecord.fetchOne(db, key: caseId) else { return nil }
            let records = try ParticipantRecord.fetchAll(db, sql: """
                SELECT * FROM participant WHERE caseId = ? ORDER BY organizationId
                """, arguments: [caseId])
            let organizations = Dictionary(
                try Organization.fetchAll(db, keys: records.map(\.organizationId)).map { ($0.id, $0) },
                uniquingKeysWith: { first, _ in first })
            // participant.organizationId references organization(id), so every participant has its organisation.
            let products = Dictionary(grouping: try ProductStatementSchema.current(db, caseId: caseId), by: \.organizationId)
            let participants = records.compactMap { record in
                organizations[record.organizationId].map {
                    ExportedParticipant(record: record, organization: $0, products: products[record.organizationId] ?? [])
                }
            }
            // Participant events are keyed "<case>|<organisation>"; organisation ids never contain "|".
            let participantKeys = participants.map { "\(caseId)|\($0.record.organizationId)" }
            var events = try Event.fetchAll(db, sql: "SELECT * FROM event WHERE objectType = 'case' AND objectId = ? ORDER BY id",
                                            arguments: [caseId])
            if !participantKeys.isEmpty {
                let marks = Array(repeating: "?", count: participantKeys.count).joined(separator: ",")
                events += try Event.fetchAll(db, sql: """
                    SELECT * FROM event WHERE objectType = 'participant' AND objectId IN (\(marks)) ORDER BY id
                    """, arguments: StatementArguments(participantKeys))
            }
            events.sort { $0.id < $1.id }
            let publisher = try publisherId.flatMap { try Organization.fetchOne(db, key: $0) }
            return CaseExportSnapshot(record: record, participants: participants, events: events, publisher: publisher)
        }
    }
}
