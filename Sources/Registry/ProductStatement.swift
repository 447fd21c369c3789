import Foundation
import GRDB

/// A participant's status for one of its products in a case, as a VEX document (CSAF, OpenVEX, CycloneDX) or a
/// person stated it, with where it came from and when. The participant's response is derived from these.
public struct ProductStatement: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "productStatement"

    /// The status of one product.
    public enum Status: String, Codable, Sendable, CaseIterable {
        case affected
        case notAffected = "not-affected"
        case fixed
        case investigating
    }

    public var caseId: String
    public var organizationId: String
    /// The product's name as the document gives it (`Kagayaki Browser 12.0 - 12.4`).
    public var product: String
    /// The document's own identifier of the product (CSAF product_id, PURL, CPE, CycloneDX bom-ref), when given.
    public var productId: String?
    public var status: Status
    /// For not-affected: the VEX justification (`vulnerable_code_not_present`, …), when given.
    public var justification: String?
    /// The document's words on the status (impact statement, action, detail), when given.
    public var detail: String?
    /// Where it was read: `CSAF 2.0 KBL-VEX-2026-0042.json in reply <message-id>`.
    public var source: String
    /// When the organisation stated it (the message's date, or when it was read).
    public var statedAt: Date
    /// When Liaison recorded it.
    public var recordedAt: Date

    public init(caseId: String, organizationId: String, product: String, productId: String?, status: Status,
                justification: String?, detail: String?, source: String, statedAt: Date, recordedAt: Date) {
        self.caseId = caseId; self.organizationId = organizationId; self.product = product; self.productId = productId
        self.status = status; self.justification = justification; self.detail = detail; self.source = source
        self.statedAt = statedAt; self.recordedAt = recordedAt
    }

    /// The participant's response its product statements mean: any product affected → affected; every product not
    /// affected → not-affected; every product fixed → fixed; anything else (a mix, or one still investigated) →
    /// investigating. Nil when there is no statement.
    public static func derivedResponse(_ statuses: [Status]) -> Response? {
        guard !statuses.isEmpty else { return nil }
        if statuses.contains(.affected) { return .affected }
        if statuses.allSatisfy({ $0 == .notAffected }) { return .notAffected }
        if statuses.allSatisfy({ $0 == .fixed }) { return .fixed }
        return .investigating
    }
}

/// Migration `v10-product-statements`: the table of product statements, one row per statement read (a later
/// statement about the same product is a new row; the latest by `statedAt`, then receipt, is the current one).
enum ProductStatementSchema {
    static let migrationName = "v10-product-statements"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE productStatement (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                caseId TEXT NOT NULL,
                organizationId TEXT NOT NULL,
                product TEXT NOT NULL,
                productId TEXT,
                status TEXT NOT NULL,                       -- affected | not-affected | fixed | investigating
                justification TEXT,
                detail TEXT,
                source TEXT NOT NULL,
                statedAt DATETIME NOT NULL,
                recordedAt DATETIME NOT NULL,
                FOREIGN KEY (caseId, organizationId) REFERENCES participant(caseId, organizationId)
            );
            CREATE INDEX productStatement_participant ON productStatement(caseId, organizationId);
            """)
    }

    /// The current statement of each product of a participant (the latest by `statedAt`, then by row), by product
    /// name; in product order.
    static func current(_ db: Database, caseId: String, organizationId: String? = nil) throws -> [ProductStatement] {
        let rows = try ProductStatement.fetchAll(db, sql: """
            SELECT caseId, organizationId, product, productId, status, justification, detail, source, statedAt, recordedAt
            FROM productStatement WHERE caseId = ? \(organizationId == nil ? "" : "AND organizationId = ?")
            ORDER BY statedAt, id
            """, arguments: StatementArguments([caseId] + (organizationId.map { [$0] } ?? [])))
        var latest: [String: ProductStatement] = [:]
        for row in rows { latest["\(row.organizationId)\u{0}\(row.product)"] = row }
        return latest.values.sorted { ($0.organizationId, $0.product) < ($1.organizationId, $1.product) }
    }
}

extension InboundTransaction {
    /// Records product statements a reply's VEX document made for a participant, with one event
    /// `participant.products`, and returns the response the participant's current statements now mean.
    public func recordProductStatements(_ statements: [ProductStatement], actor: String) throws -> Response? {
        guard let first = statements.first else { return nil }
        for statement in statements { try statement.insert(db) }
        try EventLog.append(db, actor: actor, action: "participant.products", objectType: "participant",
                            objectId: "\(first.caseId)|\(first.organizationId)", data: [
                                "caseId": .string(first.caseId), "organizationId": .string(first.organizationId),
                                "source": .string(first.source), "at": .string(EventTimestamp.string(first.statedAt)),
                                "products": .object(Dictionary(statements.map { ($0.product, EventValue.string($0.status.rawValue)) },
                                                               uniquingKeysWith: { _, last in last })),
                            ])
        let current = try ProductStatementSchema.current(db, caseId: first.caseId, organizationId: first.organizationId)
        return ProductStatement.derivedResponse(current.map(\.status))
    }
}
