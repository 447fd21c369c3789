import Foundation

/// A participant's status for one of its products in a case, with where it came from and when: the one
/// per-product record every source feeds (a signed mail, a mail, the answer link, a VEX file, a person). The
/// participant's response is derived from these (`ProductStatement.derivedResponse`).
///
/// A statement with an empty `product` names no product: it speaks for the organisation's products as a whole
/// (a mail saying "not affected", `case set`).
public struct ProductStatement: Codable, Hashable, Sendable {
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

        /// The short name `org show --format json` gives it and the desk's labels are keyed by: `signed-mail`,
        /// `mail`, `answer-link`, `vex`, `person`.
        public var code: String {
            switch self {
            case .signedMail: return "signed-mail"
            case .mail: return "mail"
            case .answerLink: return "answer-link"
            case .vexFile: return "vex"
            case .person: return "person"
            }
        }

        /// The source a `participant.response` event recorded (`manual`, `reply <Message-ID>`, `answer link`,
        /// `CSAF VEX in reply <…>`), as a person reads it; `replySignature` is the signature outcome of the reply it
        /// names, if any. Nil for a source Liaison does not name.
        public static func of(recorded source: String, replySignature: InboundSignature?) -> Source? {
            let lowered = source.lowercased()
            if lowered == "manual" || lowered.hasPrefix("manual ") || lowered.hasPrefix("person") || lowered == person.rawValue {
                return .person
            }
            if lowered.hasPrefix("reply ") { return replySignature == .verified ? .signedMail : .mail }
            if lowered.contains("link") || lowered.contains("answer form") { return .answerLink }
            if lowered.contains("vex") || lowered.contains("csaf") { return .vexFile }
            return nil
        }
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

    /// The statement with the vendor's words from a received message (a VEX file's product names, identifiers,
    /// justifications and details) kept storable: a NUL as the six characters `\u{0}` (`InboundText.storable`).
    var receivedStorable: ProductStatement {
        var kept = self
        kept.product = InboundText.storable(product)
        kept.productId = productId.map(InboundText.storable)
        kept.justification = justification.map(InboundText.storable)
        kept.fixedVersion = fixedVersion.map(InboundText.storable)
        kept.detail = detail.map(InboundText.storable)
        kept.reference = InboundText.storable(reference)
        return kept
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
    /// A statement from a row of the columns `standing` selects, in its order. Throws when a stored status or
    /// source is not one Liaison knows.
    init(statementRow row: SQLRow) throws {
        let statusText: String = try row[4], sourceText: String = try row[8]
        guard let status = Status(rawValue: statusText), let source = Source(rawValue: sourceText) else {
            throw StoreError.invalidArgument("product statement: stored status \(statusText) or source \(sourceText) is not one Liaison knows")
        }
        self.init(caseId: try row[0], organizationId: try row[1], product: try row[2], productId: try row[3], status: status,
                  justification: try row[5], fixedVersion: try row[6], detail: try row[7], source: source, reference: try row[9],
                  statedAt: try row[10], recordedAt: try row[11])
    }

    /// The statements that stand for each participant of a case (or one participant), in organisation then
    /// product order.
    static func standing(_ session: any SQLSession, caseId: String, organizationId: String? = nil) throws -> [ProductStatement] {
        // Read by position: a case of thousands of vendors has thousands of statements.
        let sql = """
            SELECT caseId, organizationId, product, productId, status, justification, fixedVersion, detail, source, reference,
                   statedAt, recordedAt
            FROM productStatement WHERE caseId = ? \(organizationId == nil ? "" : "AND organizationId = ?")
            ORDER BY statedAt, id
            """
        var rows: [ProductStatement] = []
        try session.forEachRow(sql, [.text(caseId)] + (organizationId.map { [.text($0)] } ?? [])) { row in
            rows.append(try ProductStatement(statementRow: row))
            return true
        }
        // Grouped once (each group keeps the rows' order): a case of thousands of vendors is not filtered per vendor.
        let byOrganization = Dictionary(grouping: rows, by: \.organizationId)
        return byOrganization.keys.sorted().flatMap { ProductStatement.current(of: byOrganization[$0] ?? []) }
    }

    /// Stores statements of one participant with one event `participant.products`, and returns the response its
    /// statements that now stand mean (nil when none stands).
    static func record(_ session: any SQLSession, _ statements: [ProductStatement], actor: String) throws -> Response? {
        guard let first = statements.first else { return nil }
        for statement in statements { try session.insert(statement) }
        try EventLog.append(session, actor: actor, action: "participant.products", objectType: "participant",
                            objectId: "\(first.caseId)|\(first.organizationId)", data: [
                                "caseId": .string(first.caseId), "organizationId": .string(first.organizationId),
                                "source": .string(first.source.rawValue), "reference": .string(first.reference),
                                "at": .string(EventTimestamp.string(first.statedAt)),
                                "products": .object(Dictionary(statements.map { ($0.product.isEmpty ? "*" : $0.product,
                                                                                  EventValue.string($0.status.rawValue)) },
                                                               uniquingKeysWith: { _, last in last })),
                            ])
        let current = try standing(session, caseId: first.caseId, organizationId: first.organizationId)
        return ProductStatement.derivedResponse(current.map(\.status))
    }
}
