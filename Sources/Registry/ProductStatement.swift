import Foundation
import GRDB

/// A participant's status for one of its products in a case, with where it came from and when: the one
/// per-product record every source feeds (a signed mail, a mail, the answer link, a VEX file, a person). The
/// participant's response is derived from these (`ProductStatement.derivedResponse`).
///
/// A statement with an empty `product` names no product: it speaks for the organisation's products as a whole
/// (a mail saying "not affected", `case set`).
public struct ProductStatement: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "productStatement"

    /// The status of one product (CSAF 2.0 `product_status` groups, OpenVEX and CycloneDX states).
    public enum Status: String, Codable, Sendable, CaseIterable {
        case affected
        case notAffected = "not-affected"
        case fixed
        case investigating
    }

    /// Where a statement came from; how far it is trusted follows from it.
    public enum Source: String, Codable, Sendable, CaseIterable {
        /// A reply whose OpenPGP or S/MIME signature verified with a key of the organisation, over text naming the case.
        case signedMail = "signed mail"
        /// A reply without a verified signature.
        case mail
        /// The vendor's answer form or its API (`/answer/<token>`, `/api/v1/answer/<token>`): trusted as the
        /// vendor's, as only the vendor holds the link.
        case answerLink = "answer link"
        /// A VEX document (CSAF 2.0, OpenVEX, CycloneDX) attached to a reply.
        case vexFile = "VEX file"
        /// A coordinator (`case set`, `inbox assign --response`).
        case person = "set by a person"
    }

    /// The CSAF 2.0 / VEX justifications of a not-affected status (CSAF 2.0 §3.2.3.5 flag labels, the same words
    /// as OpenVEX).
    public static let justifications = ["component_not_present", "vulnerable_code_not_present",
                                        "vulnerable_code_cannot_be_controlled_by_adversary",
                                        "vulnerable_code_not_in_execute_path", "inline_mitigations_already_exist"]

    public var caseId: String
    public var organizationId: String
    /// The product's name as the vendor gives it (`Kagayaki Browser 12.0 - 12.4`); empty: all its products.
    public var product: String
    /// The product's identifier (a CPE, a PURL, a CSAF product_id, a CycloneDX bom-ref), when given.
    public var productId: String?
    public var status: Status
    /// For not-affected: the VEX justification (`vulnerable_code_not_present`, …), when given.
    public var justification: String?
    /// For fixed: the first fixed version, when given.
    public var fixedVersion: String?
    /// The vendor's words on the status (impact statement, action, detail), when given.
    public var detail: String?
    /// Where it came from.
    public var source: Source
    /// Where exactly it was read: `CSAF 2.0 KBL-VEX-2026-0042.json in reply <message-id>`, `answer form`.
    public var reference: String
    /// When the organisation stated it (the message's date, or when the form was sent).
    public var statedAt: Date
    /// When Liaison recorded it.
    public var recordedAt: Date

    public init(caseId: String, organizationId: String, product: String, productId: String?, status: Status,
                justification: String?, fixedVersion: String? = nil, detail: String?, source: Source, reference: String,
                statedAt: Date, recordedAt: Date) {
        self.caseId = caseId; self.organizationId = organizationId; self.product = product; self.productId = productId
        self.status = status; self.justification = justification; self.fixedVersion = fixedVersion; self.detail = detail
        self.source = source; self.reference = reference; self.statedAt = statedAt; self.recordedAt = recordedAt
    }

    /// The status a response means for the organisation's products as a whole; nil for none and acknowledged.
    public static func status(of response: Response) -> Status? {
        switch response {
        case .affected: return .affected
        case .notAffected: return .notAffected
        case .fixed: return .fixed
        case .investigating: return .investigating
        case .none, .acknowledged: return nil
        }
    }

    /// The participant's response its current product statements mean — the one place it is derived: any
    /// product affected → affected; every product not affected → not-affected; every product fixed → fixed;
    /// anything else (a mix, or one still investigated) → investigating. Nil when there is no statement.
    public static func derivedResponse(_ statuses: [Status]) -> Response? {
        guard !statuses.isEmpty else { return nil }
        if statuses.contains(.affected) { return .affected }
        if statuses.allSatisfy({ $0 == .notAffected }) { return .notAffected }
        if statuses.allSatisfy({ $0 == .fixed }) { return .fixed }
        return .investigating
    }

    /// The statements that stand, from every statement of one participant ever recorded: of the answer link only
    /// the latest answer (a later link answer replaces an earlier one whole); per product the latest by
    /// `statedAt`; a statement naming no product replaces the products stated before it, and is replaced by any
    /// product stated after it. An older statement never overrides a newer one, whatever order they came in.
    public static func current(of all: [ProductStatement]) -> [ProductStatement] {
        let latestLink = all.filter { $0.source == .answerLink }.map(\.statedAt).max()
        var latest: [String: ProductStatement] = [:]
        for row in all where row.source != .answerLink || row.statedAt == latestLink {
            let key = row.product.lowercased()
            if let seen = latest[key], seen.statedAt > row.statedAt { continue }
            latest[key] = row
        }
        if let general = latest[""] {
            let named = latest.values.filter { !$0.product.isEmpty }
            if named.contains(where: { $0.statedAt > general.statedAt }) {
                latest[""] = nil
                for row in named where row.statedAt < general.statedAt { latest[row.product.lowercased()] = nil }
            } else {
                for row in named { latest[row.product.lowercased()] = nil }
            }
        }
        return latest.values.sorted { ($0.product.lowercased(), $0.product) < ($1.product.lowercased(), $1.product) }
    }
}

extension ProductStatement {
    /// A statement from a row of the columns `ProductStatementSchema.current` selects, in its order. Throws when a
    /// stored status or source is not one Liaison knows.
    init(statementRow row: Row) throws {
        let statusText: String = row[4], sourceText: String = row[8]
        guard let status = Status(rawValue: statusText), let source = Source(rawValue: sourceText) else {
            throw StoreError.invalidArgument("product statement: stored status \(statusText) or source \(sourceText) is not one Liaison knows")
        }
        let stated: StoredInstant = row[10], recorded: StoredInstant = row[11]
        self.init(caseId: row[0], organizationId: row[1], product: row[2], productId: row[3], status: status,
                  justification: row[5], fixedVersion: row[6], detail: row[7], source: source, reference: row[9],
                  statedAt: stated.date, recordedAt: recorded.date)
    }
}

/// Migration `v10-product-statements`: the table of product statements, one row per statement read (a later
/// statement about the same product is a new row; which stand is `ProductStatement.current(of:)`).
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

    /// The statements that stand for each participant of a case (or one participant), in organisation then
    /// product order.
    static func current(_ db: Database, caseId: String, organizationId: String? = nil) throws -> [ProductStatement] {
        // Read by position, instants without a calendar: a case of thousands of vendors has thousands of statements.
        var rows: [ProductStatement] = []
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT caseId, organizationId, product, productId, status, justification, fixedVersion, detail, source, reference,
                   statedAt, recordedAt
            FROM productStatement WHERE caseId = ? \(organizationId == nil ? "" : "AND organizationId = ?")
            ORDER BY statedAt, id
            """), arguments: StatementArguments([caseId] + (organizationId.map { [$0] } ?? [])))
        while let row = try cursor.next() {
            rows.append(try ProductStatement(statementRow: row))
        }
        // Grouped once (each group keeps the rows' order): a case of thousands of vendors is not filtered per vendor.
        let byOrganization = Dictionary(grouping: rows, by: \.organizationId)
        return byOrganization.keys.sorted().flatMap { ProductStatement.current(of: byOrganization[$0] ?? []) }
    }

    /// Stores statements of one participant with one event `participant.products`, and returns the response its
    /// statements that now stand mean (nil when none stands).
    static func record(_ db: Database, _ statements: [ProductStatement], actor: String) throws -> Response? {
        guard let first = statements.first else { return nil }
        for statement in statements { try statement.insert(db) }
        try EventLog.append(db, actor: actor, action: "participant.products", objectType: "participant",
                            objectId: "\(first.caseId)|\(first.organizationId)", data: [
                                "caseId": .string(first.caseId), "organizationId": .string(first.organizationId),
                                "source": .string(first.source.rawValue), "reference": .string(first.reference),
                                "at": .string(EventTimestamp.string(first.statedAt)),
                                "products": .object(Dictionary(statements.map { ($0.product.isEmpty ? "*" : $0.product,
                                                                                  EventValue.string($0.status.rawValue)) },
                                                               uniquingKeysWith: { _, last in last })),
                            ])
        let current = try current(db, caseId: first.caseId, organizationId: first.organizationId)
        return ProductStatement.derivedResponse(current.map(\.status))
    }
}

/// Migration `v13-answer-links`: product statements say their source as one of `ProductStatement.Source` (the
/// free text becomes `reference`) and may carry a fixed version; the vendors' answer links and the latest answer
/// given through one.
enum AnswerLinkSchema {
    static let migrationName = "v13-answer-links"

    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE productStatement RENAME COLUMN source TO reference;
            -- Rows before this migration were all read from VEX documents attached to replies.
            ALTER TABLE productStatement ADD COLUMN source TEXT NOT NULL DEFAULT 'VEX file';
            ALTER TABLE productStatement ADD COLUMN fixedVersion TEXT;

            -- One row per answer link issued: the token is recomputed from the nonce and expiry with the workspace's
            -- key (the database never holds a usable token).
            CREATE TABLE answerLink (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                caseId TEXT NOT NULL,
                organizationId TEXT NOT NULL,
                nonce TEXT NOT NULL UNIQUE,                 -- hex, 16 random bytes
                issuedAt DATETIME NOT NULL,
                expiresAt DATETIME NOT NULL,                -- the bound written into the token
                revokedAt DATETIME,
                FOREIGN KEY (caseId, organizationId) REFERENCES participant(caseId, organizationId)
            );
            CREATE INDEX answerLink_participant ON answerLink(caseId, organizationId);

            -- The latest answer a participant gave through its link: its statement and contact for follow-up.
            CREATE TABLE answerLinkAnswer (
                caseId TEXT NOT NULL,
                organizationId TEXT NOT NULL,
                statement TEXT,
                contact TEXT,
                document TEXT,                              -- `CycloneDX vex.json` when the answer was a VEX upload
                answeredAt DATETIME NOT NULL,
                PRIMARY KEY (caseId, organizationId),
                FOREIGN KEY (caseId, organizationId) REFERENCES participant(caseId, organizationId)
            );
            """)
    }
}

extension InboundTransaction {
    /// Records product statements a reply made for a participant (its VEX document, or its text for all its
    /// products), with one event `participant.products`, and returns the response the participant's statements
    /// that now stand mean.
    public func recordProductStatements(_ statements: [ProductStatement], actor: String) throws -> Response? {
        try ProductStatementSchema.record(db, statements, actor: actor)
    }
}
