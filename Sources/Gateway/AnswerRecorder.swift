import Foundation
import Registry

/// Records a vendor's answer given through its link — from the form, the API, or a VEX document uploaded
/// instead — as product statements of source `answer link`, trusted as the vendor's (only it holds the link).
///
/// A later link answer replaces the earlier one whole; the participant's response becomes what the statements
/// that stand mean (`ProductStatement.derivedResponse`); each submission is an event by `answer-link:<organisation>`.
///
/// ```swift
/// let recorder = AnswerRecorder(store: store)
/// try recorder.record(access, submission: AnswerSubmission(products: [.init(name: "Router 3", status: .affected)]), via: .form)
/// ```
public struct AnswerRecorder: Sendable {
    public let store: RegistryStore
    public var now: @Sendable () -> Date = { Date() }

    public init(store: RegistryStore) { self.store = store }

    /// How the answer came.
    public enum Channel: Sendable, Equatable {
        case form, api
        /// A VEX document uploaded through the form or the API: its label (`CycloneDX vex.json`).
        case document(String)

        var reference: String {
            switch self {
            case .form: return "answer form"
            case .api: return "answer API"
            case .document(let label): return "\(label) uploaded through the answer link"
            }
        }
    }

    /// Largest VEX document accepted, 5 MB.
    public static let maximumDocumentBytes = 5 * 1024 * 1024

    /// The actor of events a vendor's answer writes.
    public static func actor(_ organizationId: String) -> String { "answer-link:\(organizationId)" }

    /// Records `submission` (validated first: throws `GatewayError.input` naming each bad field, and nothing
    /// changes). Throws `GatewayError.invalidArgument` when the case was withdrawn meanwhile.
    ///
    /// - Returns: the participant's response after the answer.
    @discardableResult
    public func record(_ access: AnswerAccess, submission: AnswerSubmission, via channel: Channel) throws -> Response {
        var fromDocument = false
        if case .document = channel { fromDocument = true }
        let clean = try submission.validated(fromDocument: fromDocument)
        let date = now()
        let statements = clean.products.map { product in
            ProductStatement(caseId: access.caseId, organizationId: access.organizationId, product: product.name,
                             productId: product.identifier, status: product.status.recorded, justification: product.justification,
                             fixedVersion: product.fixedVersion, detail: product.detail, source: .answerLink,
                             reference: channel.reference, statedAt: date, recordedAt: date)
        }
        var document: String?
        if case .document(let label) = channel { document = label }
        return try GatewayError.mapping {
            try store.answerLinks.recordAnswer(caseId: access.caseId, organizationId: access.organizationId, products: statements,
                                                    statement: clean.statement, contact: clean.contact, document: document, at: date,
                                                    actor: Self.actor(access.organizationId))
        }
    }

    /// The vendor's answer as it stands through its link: what the form and `GET /api/v1/answer/<token>` show back.
    public func current(_ access: AnswerAccess) throws -> (submission: AnswerSubmission, answeredAt: Date, document: String?)? {
        guard let latest = try GatewayError.mapping({ try store.answerLinks.latestAnswer(caseId: access.caseId,
                                                                                                organizationId: access.organizationId) }),
              !latest.products.isEmpty else { return nil }
        let products = latest.products.map {
            AnswerSubmission.Product(name: $0.product, identifier: $0.productId, status: .init($0.status), justification: $0.justification,
                                     fixedVersion: $0.fixedVersion, detail: $0.detail)
        }
        return (AnswerSubmission(products: products, statement: latest.answer.statement, contact: latest.answer.contact),
                latest.answer.answeredAt, latest.answer.document)
    }

    /// A VEX document read for confirmation: the answer it makes, what it is, and the vulnerabilities it names.
    public struct ReadDocument: Sendable, Equatable {
        public let submission: AnswerSubmission
        /// `CycloneDX vex.json`.
        public let label: String
        public let vulnerabilityIds: [String]
        /// Whether the document names the case's id; false when it names no vulnerability at all (the link then
        /// says which case it answers).
        public let namesCase: Bool
    }

    /// Reads an uploaded CSAF 2.0 VEX, OpenVEX or CycloneDX VEX document into an answer (validated): the
    /// statements about `caseId` only, when the document speaks of several vulnerabilities; every statement when it
    /// names no vulnerability at all. Throws `GatewayError.input` when it is too large, not JSON, none of the three
    /// formats, or states no product's status; `GatewayError.aboutAnotherCase` when it names other vulnerabilities
    /// and states nothing about `caseId`.
    public static func read(document data: Data, filename: String?, caseId: String) throws -> ReadDocument {
        guard data.count <= maximumDocumentBytes else { throw GatewayError.input("document: larger than 5 MB") }
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw GatewayError.input("document: not a JSON object (CSAF 2.0 VEX, OpenVEX or CycloneDX VEX in JSON)")
        }
        let name = filename.map { String($0.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "") }
            .flatMap { $0.isEmpty ? nil : String($0.prefix(120)) }
        guard let document = VEXDocument.read(data, filename: name) else {
            throw GatewayError.input("document: not a CSAF 2.0 VEX, OpenVEX or CycloneDX VEX document stating the status of a product")
        }
        let ours = document.statements(about: [caseId])
        let named = document.namedIds
        guard !ours.isEmpty || named.isEmpty else {
            throw GatewayError.aboutAnotherCase("document: it is about \(named.joined(separator: ", ")), not \(caseId); nothing was recorded")
        }
        var products: [AnswerSubmission.Product] = []
        // A product is one product by its id (CPE, PURL, the document's own id), by its name only when it has none.
        var seen = Set<String>()
        for statement in ours.isEmpty ? document.statements : ours {
            let id = statement.productId.flatMap { ProductIdentifier.isCPE($0) || ProductIdentifier.isPURL($0) ? $0 : nil }
            let justification = statement.status == .notAffected ? statement.justification.flatMap(CaseExporter.csafFlag) : nil
            let product = AnswerSubmission.Product(name: String(statement.product.prefix(AnswerSubmission.maximumNameLength)),
                                                   identifier: id, status: .init(statement.status), justification: justification,
                                                   fixedVersion: statement.fixedVersion, detail: statement.detail)
            let key = statement.productId.map { "id:" + $0 } ?? "name:" + product.name.lowercased()
            // A product named twice (in two status groups, or under two of the case's vulnerabilities) keeps its first statement.
            if seen.insert(key).inserted { products.append(product) }
        }
        let submission = try AnswerSubmission(products: products).validated(fromDocument: true)
        return ReadDocument(submission: submission, label: document.label, vulnerabilityIds: document.vulnerabilityIds,
                            namesCase: !ours.isEmpty)
    }
}
