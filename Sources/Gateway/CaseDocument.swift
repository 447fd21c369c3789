import Foundation
import Registry

/// Liaison's own case document (`case export --format json`), format `liaison-case/1`; documented in
/// docs/case-export.md. Times are ISO 8601 UTC without fractions; absent values are null.
public struct CaseDocument: Encodable, Sendable, Equatable {
    public var format = "liaison-case/1"
    public var `case`: Case
    public var participants: [Participant]
    public var events: [EventEntry]

    public struct Case: Encodable, Sendable, Equatable {
        public var id: String
        public var title: String
        public var origin: String
        public var opened: String
        @NullWhenAbsent public var published: String?
        @NullWhenAbsent public var due: String?
        @NullWhenAbsent public var tlp: String?
        /// `open` or `published`.
        public var status: String

        enum CodingKeys: String, CodingKey { case id, title, origin, opened, published, due, tlp, status }
    }

    public struct Participant: Encodable, Sendable, Equatable {
        public var organization: String
        public var name: String
        public var kind: String
        /// pending | notified | undeliverable
        public var delivery: String
        @NullWhenAbsent public var firstNotified: String?
        /// none | acknowledged | investigating | affected | not-affected | fixed
        public var response: String
        @NullWhenAbsent public var firstResponse: String?
        @NullWhenAbsent public var responded: String?
        @NullWhenAbsent public var statement: String?

        enum CodingKeys: String, CodingKey {
            case organization, name, kind, delivery, response, responded, statement
            case firstNotified = "first_notified", firstResponse = "first_response"
        }
    }

    public struct EventEntry: Encodable, Sendable, Equatable {
        public var at: String
        public var actor: String
        public var action: String
        public var object: String
        public var data: EventValue
    }
}

extension CaseExporter {
    /// The case as Liaison's own document; throws `GatewayError.unknownCase` when there is none.
    public func caseDocument(caseId: String) throws -> CaseDocument {
        let snapshot = try snapshot(caseId: caseId)
        let r = snapshot.record
        let stamp = Timestamp.string
        return CaseDocument(
            case: .init(id: r.id, title: r.title, origin: r.origin, opened: stamp(r.openedAt),
                        published: r.publishedAt.map(stamp), due: r.due?.description, tlp: Self.caseTLP(r)?.level,
                        status: r.publishedAt == nil ? "open" : "published"),
            participants: snapshot.participants.map { p in
                .init(organization: p.organization.id, name: p.organization.name, kind: p.organization.kind.rawValue,
                      delivery: p.record.delivery.rawValue, firstNotified: p.record.firstNotifiedAt.map(stamp),
                      response: p.record.response.rawValue, firstResponse: p.record.firstResponseAt.map(stamp),
                      responded: p.record.respondedAt.map(stamp), statement: p.record.statement)
            },
            events: snapshot.events.map { e in
                .init(at: stamp(e.at), actor: e.actor, action: e.action, object: "\(e.objectType):\(e.objectId)", data: e.value)
            })
    }
}
