import Foundation
import Registry

/// A vendor's answer through its link, as the form and the API (`POST /api/v1/answer/<token>`) give it: a
/// status per product, a statement and a contact for follow-up.
///
/// Statuses and justifications use the VEX words (CSAF 2.0 `product_status` groups, OpenVEX statuses):
/// ```json
/// {"products": [{"name": "Kagayaki Router 3", "identifier": "cpe:2.3:h:kagayaki:router:3:*:*:*:*:*:*:*",
///                "status": "not_affected", "justification": "vulnerable_code_not_present"}],
///  "statement": "…", "contact": "psirt@kagayaki.example"}
/// ```
public struct AnswerSubmission: Codable, Sendable, Equatable {
    /// One product's status.
    public struct Product: Codable, Sendable, Equatable {
        /// The VEX status words.
        public enum Status: String, Codable, Sendable, CaseIterable {
            case affected
            case notAffected = "not_affected"
            case fixed
            case underInvestigation = "under_investigation"

            public var recorded: ProductStatement.Status {
                switch self {
                case .affected: return .affected
                case .notAffected: return .notAffected
                case .fixed: return .fixed
                case .underInvestigation: return .investigating
                }
            }

            public init(_ status: ProductStatement.Status) {
                switch status {
                case .affected: self = .affected
                case .notAffected: self = .notAffected
                case .fixed: self = .fixed
                case .investigating: self = .underInvestigation
                }
            }
        }

        /// The product's name as the vendor writes it (free text, any language).
        public var name: String
        /// A CPE (2.3 or 2.2 URI) or a package URL, when given.
        public var identifier: String?
        public var status: Status
        /// For not_affected: one of `ProductStatement.justifications`.
        public var justification: String?
        /// For fixed: the first fixed version.
        public var fixedVersion: String?
        /// The vendor's words on this product, when given.
        public var detail: String?

        enum CodingKeys: String, CodingKey {
            case name, identifier, status, justification, detail
            case fixedVersion = "fixed_version"
        }

        public init(name: String, identifier: String? = nil, status: Status, justification: String? = nil,
                    fixedVersion: String? = nil, detail: String? = nil) {
            self.name = name; self.identifier = identifier; self.status = status; self.justification = justification
            self.fixedVersion = fixedVersion; self.detail = detail
        }
    }

    public var products: [Product]
    /// What the vendor says about the case (free text, any language).
    public var statement: String?
    /// Who to ask for follow-up (an address, a name, a ticket).
    public var contact: String?

    public init(products: [Product], statement: String? = nil, contact: String? = nil) {
        self.products = products; self.statement = statement; self.contact = contact
    }

    /// Limits of one answer.
    public static let maximumProducts = 200
    public static let maximumNameLength = 200
    public static let maximumStatementLength = 20_000
    public static let maximumContactLength = 500
    public static let maximumVersionLength = 100

    /// The answer with blank optional fields as nil and text trimmed; throws `GatewayError.input` with one line per
    /// problem, each naming its field (`products[2].justification: …`). `fromDocument`: read from a VEX document,
    /// which may leave a justification or fixed version out.
    public func validated(fromDocument: Bool = false) throws -> AnswerSubmission {
        var problems: [String] = []
        var clean = self
        func trimmed(_ text: String?) -> String? {
            let value = text?.trimmingCharacters(in: .whitespacesAndNewlines)
            return value?.isEmpty == false ? value : nil
        }
        func checkText(_ text: String?, field: String, limit: Int, multiline: Bool) {
            guard let text else { return }
            if text.count > limit { problems.append("\(field): longer than \(limit) characters") }
            if text.unicodeScalars.contains(where: { ($0.properties.generalCategory == .control && !(multiline && ($0 == "\n" || $0 == "\t" || $0 == "\r"))) }) {
                problems.append("\(field): contains control characters")
            }
        }
        clean.statement = trimmed(statement)
        clean.contact = trimmed(contact)
        checkText(clean.statement, field: "statement", limit: Self.maximumStatementLength, multiline: true)
        checkText(clean.contact, field: "contact", limit: Self.maximumContactLength, multiline: false)
        if products.isEmpty { problems.append("products: name at least one product and its status") }
        if products.count > Self.maximumProducts { problems.append("products: at most \(Self.maximumProducts) products in one answer") }
        var seen = Set<String>()
        clean.products = products.prefix(Self.maximumProducts).enumerated().map { index, product in
            let field = "products[\(index + 1)]"
            var p = product
            p.name = product.name.trimmingCharacters(in: .whitespacesAndNewlines)
            p.identifier = trimmed(product.identifier)
            p.justification = trimmed(product.justification)
            p.fixedVersion = trimmed(product.fixedVersion)
            p.detail = trimmed(product.detail)
            if p.name.isEmpty { problems.append("\(field).name: give the product's name") }
            checkText(p.name, field: "\(field).name", limit: Self.maximumNameLength, multiline: false)
            if !p.name.isEmpty, !seen.insert(p.name.lowercased()).inserted { problems.append("\(field).name: \(p.name) is named twice") }
            if let id = p.identifier, !ProductIdentifier.isCPE(id), !ProductIdentifier.isPURL(id) {
                problems.append("\(field).identifier: not a CPE (cpe:2.3:… or cpe:/…) nor a package URL (pkg:type/name@version)")
            }
            switch p.status {
            case .notAffected:
                guard let justification = p.justification else {
                    if fromDocument { break }
                    problems.append("\(field).justification: not_affected needs one of \(ProductStatement.justifications.joined(separator: ", "))")
                    break
                }
                if !ProductStatement.justifications.contains(justification) {
                    problems.append("\(field).justification: must be one of \(ProductStatement.justifications.joined(separator: ", "))")
                }
            default:
                if p.justification != nil { problems.append("\(field).justification: only for not_affected") }
            }
            if p.status == .fixed {
                if p.fixedVersion == nil && !fromDocument { problems.append("\(field).fixed_version: fixed needs the first fixed version") }
            } else if p.fixedVersion != nil {
                problems.append("\(field).fixed_version: only for fixed")
            }
            checkText(p.fixedVersion, field: "\(field).fixed_version", limit: Self.maximumVersionLength, multiline: false)
            checkText(p.detail, field: "\(field).detail", limit: Self.maximumStatementLength, multiline: true)
            return p
        }
        if !problems.isEmpty { throw GatewayError.input(problems.joined(separator: "\n")) }
        return clean
    }
}
