import Foundation
import Mail
import Registry

/// A VEX document attached to a reply — CSAF 2.0 (the VEX profile, or any document with `product_status`),
/// OpenVEX, or CycloneDX with `vulnerabilities[].analysis` — read into the status of each product it names.
///
/// ```swift
/// for document in VEXDocument.documents(in: reply) where document.isAbout(caseId: "JVNVU#12345678", references: []) {
///     print(document.statements.map { "\($0.product): \($0.status)" })
/// }
/// ```
struct VEXDocument: Sendable {
    enum Format: String, Sendable {
        case csaf = "CSAF 2.0", openVEX = "OpenVEX", cycloneDX = "CycloneDX"
    }

    /// One product's status as the document states it.
    struct Statement: Sendable, Equatable {
        var product: String
        var productId: String?
        var status: ProductStatement.Status
        var justification: String?
        var detail: String?
        /// For fixed: the first fixed version, where the document gives one.
        var fixedVersion: String? = nil
    }

    let format: Format
    /// The attachment's file name, when it has one.
    let filename: String?
    /// What the document says it is about: vulnerability ids (CVE, the coordinator's case id, aliases), titles,
    /// its own tracking id and notes, joined for searching.
    let subjectText: String
    /// The vulnerability ids the document names, for a person to read.
    let vulnerabilityIds: [String]
    let statements: [Statement]

    /// Every VEX document among the message's parts (by media type `application/csaf+json`,
    /// `application/vnd.cyclonedx+json`, `application/json`, or a `.json` file name).
    static func documents(in message: ParsedMessage) -> [VEXDocument] {
        var found: [VEXDocument] = []
        func walk(_ entity: ParsedEntity) {
            if !entity.parts.isEmpty { entity.parts.forEach(walk); return }
            let type = entity.contentType.mediaType
            let name = entity.filename?.lowercased() ?? ""
            guard type.hasSuffix("json") || type.hasSuffix("+json") || name.hasSuffix(".json")
                    || (type == "application/octet-stream" && name.hasSuffix(".json")) else { return }
            if let document = read(entity.decodedBody, filename: entity.filename) { found.append(document) }
        }
        walk(message.root)
        return found
    }

    /// Reads one JSON document; nil when it is none of the three formats or states no product's status.
    static func read(_ data: Data, filename: String?) -> VEXDocument? {
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        if let document = json["document"] as? [String: Any], document["csaf_version"] != nil {
            return csaf(json, document: document, filename: filename)
        }
        if let context = json["@context"] as? String, context.contains("openvex") {
            return openVEX(json, filename: filename)
        }
        if json["bomFormat"] as? String == "CycloneDX" {
            return cycloneDX(json, filename: filename)
        }
        return nil
    }

    /// Whether the document is about this case: it names the case id or one of our tracking references.
    func isAbout(caseId: String, references: [String]) -> Bool {
        let text = subjectText.uppercased()
        return text.contains(caseId.uppercased()) || references.contains { text.contains($0.uppercased()) }
    }

    /// `CSAF 2.0 KBL-VEX-2026-0042.json`.
    var label: String { [format.rawValue, filename].compactMap { $0 }.joined(separator: " ") }

    // MARK: CSAF 2.0

    private static func csaf(_ json: [String: Any], document: [String: Any], filename: String?) -> VEXDocument? {
        var names: [String: String] = [:]
        func collect(_ product: [String: Any]?) {
            guard let product, let id = product["product_id"] as? String else { return }
            names[id] = (product["name"] as? String) ?? id
        }
        func walk(_ branches: [[String: Any]]?) {
            for branch in branches ?? [] {
                collect(branch["product"] as? [String: Any])
                walk(branch["branches"] as? [[String: Any]])
            }
        }
        let tree = json["product_tree"] as? [String: Any]
        walk(tree?["branches"] as? [[String: Any]])
        for product in tree?["full_product_names"] as? [[String: Any]] ?? [] { collect(product) }
        for relationship in tree?["relationships"] as? [[String: Any]] ?? [] {
            collect(relationship["full_product_name"] as? [String: Any])
        }
        var subject: [String] = [document["title"] as? String, (document["tracking"] as? [String: Any])?["id"] as? String]
            .compactMap { $0 }
        var ids: [String] = []
        var statements: [Statement] = []
        let statusKeys: [(String, ProductStatement.Status)] = [
            ("known_affected", .affected), ("first_affected", .affected), ("last_affected", .affected),
            ("known_not_affected", .notAffected), ("fixed", .fixed), ("first_fixed", .fixed),
            ("under_investigation", .investigating),
        ]
        for vulnerability in json["vulnerabilities"] as? [[String: Any]] ?? [] {
            if let cve = vulnerability["cve"] as? String { ids.append(cve) }
            for id in vulnerability["ids"] as? [[String: Any]] ?? [] { if let text = id["text"] as? String { ids.append(text) } }
            subject += [vulnerability["title"] as? String].compactMap { $0 }
            subject += (vulnerability["notes"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            let flags = vulnerability["flags"] as? [[String: Any]] ?? []
            let threats = vulnerability["threats"] as? [[String: Any]] ?? []
            let remediations = vulnerability["remediations"] as? [[String: Any]] ?? []
            let status = vulnerability["product_status"] as? [String: Any] ?? [:]
            for (key, meaning) in statusKeys {
                for id in status[key] as? [String] ?? [] {
                    let flag = flags.first { ($0["product_ids"] as? [String] ?? []).contains(id) }?["label"] as? String
                    let threat = threats.first { $0["category"] as? String == "impact" && ($0["product_ids"] as? [String] ?? []).contains(id) }
                    let remedy = remediations.first { ($0["product_ids"] as? [String] ?? []).contains(id) }
                    statements.append(Statement(product: names[id] ?? id, productId: id, status: meaning,
                                                justification: meaning == .notAffected ? flag : nil,
                                                detail: (threat?["details"] as? String) ?? (remedy?["details"] as? String)))
                }
            }
        }
        guard !statements.isEmpty else { return nil }
        subject += ids
        return VEXDocument(format: .csaf, filename: filename, subjectText: subject.joined(separator: "\n"),
                           vulnerabilityIds: ids, statements: statements)
    }

    // MARK: OpenVEX

    private static func openVEX(_ json: [String: Any], filename: String?) -> VEXDocument? {
        var subject: [String] = [json["@id"] as? String].compactMap { $0 }
        var ids: [String] = []
        var statements: [Statement] = []
        for statement in json["statements"] as? [[String: Any]] ?? [] {
            if let name = statement["vulnerability"] as? String {
                ids.append(name)
            } else if let vulnerability = statement["vulnerability"] as? [String: Any] {
                ids += [vulnerability["name"] as? String, vulnerability["@id"] as? String].compactMap { $0 }
                ids += vulnerability["aliases"] as? [String] ?? []
                subject += [vulnerability["description"] as? String].compactMap { $0 }
            }
            let status: ProductStatement.Status
            switch statement["status"] as? String {
            case "affected": status = .affected
            case "not_affected": status = .notAffected
            case "fixed": status = .fixed
            case "under_investigation": status = .investigating
            default: continue
            }
            let detail = (statement["impact_statement"] as? String) ?? (statement["action_statement"] as? String)
                ?? (statement["status_notes"] as? String)
            for product in statement["products"] as? [Any] ?? [] {
                var name: String?
                var id: String?
                if let text = product as? String { name = text; id = text }
                if let object = product as? [String: Any] {
                    id = object["@id"] as? String
                    let identifiers = object["identifiers"] as? [String: Any]
                    id = id ?? (identifiers?["purl"] as? String) ?? (identifiers?["cpe23"] as? String)
                    name = id
                }
                guard let name else { continue }
                statements.append(Statement(product: name, productId: id, status: status,
                                            justification: status == .notAffected ? statement["justification"] as? String : nil,
                                            detail: detail))
            }
        }
        guard !statements.isEmpty else { return nil }
        subject += ids
        return VEXDocument(format: .openVEX, filename: filename, subjectText: subject.joined(separator: "\n"),
                           vulnerabilityIds: ids, statements: statements)
    }

    // MARK: CycloneDX

    private static func cycloneDX(_ json: [String: Any], filename: String?) -> VEXDocument? {
        var components: [String: String] = [:]
        func walk(_ list: [[String: Any]]?) {
            for component in list ?? [] {
                if let ref = component["bom-ref"] as? String {
                    components[ref] = [component["name"] as? String, component["version"] as? String].compactMap { $0 }.joined(separator: " ")
                }
                walk(component["components"] as? [[String: Any]])
            }
        }
        walk(json["components"] as? [[String: Any]])
        if let component = (json["metadata"] as? [String: Any])?["component"] as? [String: Any] { walk([component]) }
        var subject: [String] = []
        var ids: [String] = []
        var statements: [Statement] = []
        for vulnerability in json["vulnerabilities"] as? [[String: Any]] ?? [] {
            ids += [vulnerability["id"] as? String].compactMap { $0 }
            ids += (vulnerability["references"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            subject += [vulnerability["description"] as? String, vulnerability["detail"] as? String].compactMap { $0 }
            guard let analysis = vulnerability["analysis"] as? [String: Any] else { continue }
            let status: ProductStatement.Status
            switch analysis["state"] as? String {
            case "exploitable": status = .affected
            case "resolved", "resolved_with_pedigree": status = .fixed
            case "not_affected", "false_positive": status = .notAffected
            case "in_triage": status = .investigating
            default: continue
            }
            for affect in vulnerability["affects"] as? [[String: Any]] ?? [] {
                guard let ref = affect["ref"] as? String else { continue }
                statements.append(Statement(product: components[ref].flatMap { $0.isEmpty ? nil : $0 } ?? ref, productId: ref,
                                            status: status,
                                            justification: status == .notAffected ? analysis["justification"] as? String : nil,
                                            detail: analysis["detail"] as? String))
            }
        }
        guard !statements.isEmpty else { return nil }
        subject += ids
        return VEXDocument(format: .cycloneDX, filename: filename, subjectText: subject.joined(separator: "\n"),
                           vulnerabilityIds: ids, statements: statements)
    }
}

extension VEXDocument {
    /// One product statement with the document it came from.
    struct Found: Sendable {
        let document: VEXDocument
        let statement: Statement

        /// The registry's record of it, for `organizationId` in `caseId`, read from reply `messageId`.
        func record(caseId: String, organizationId: String, messageId: String, statedAt: Date, now: Date) -> ProductStatement {
            ProductStatement(caseId: caseId, organizationId: organizationId, product: statement.product,
                             productId: statement.productId, status: statement.status, justification: statement.justification,
                             fixedVersion: statement.fixedVersion, detail: statement.detail, source: .vexFile,
                             reference: "\(document.label) in reply \(messageId)", statedAt: statedAt, recordedAt: now)
        }
    }

    /// The VEX documents attached to a reply: the statements of those about `caseId` (they name it or one of
    /// `references`), and the documents about something else, which are not applied.
    static func read(_ message: ParsedMessage, caseId: String, references: [String]) -> (statements: [Found], foreign: [VEXDocument]) {
        var statements: [Found] = []
        var foreign: [VEXDocument] = []
        for document in documents(in: message) {
            if document.isAbout(caseId: caseId, references: references) {
                statements += document.statements.map { Found(document: document, statement: $0) }
            } else {
                foreign.append(document)
            }
        }
        return (statements, foreign)
    }

    /// The participant's statement as `case show` and the CSAF export show it: one line per product,
    /// `Kagayaki Browser 12.0 - 12.4: not-affected (vulnerable_code_not_present)`, then where it was read.
    static func summary(_ statements: [Found]) -> String {
        let lines = statements.map { found in
            let s = found.statement
            let why = [s.justification, s.detail].compactMap { $0 }.joined(separator: "; ")
            return "\(s.product): \(s.status.rawValue)" + (why.isEmpty ? "" : " (\(why))")
        }
        let sources = Array(Set(statements.map { $0.document.label })).sorted().joined(separator: ", ")
        return (lines + ["(from \(sources))"]).joined(separator: "\n")
    }
}
