import Foundation
import Mail
import Registry

/// A VEX document attached to a reply — CSAF 2.0 (the VEX profile, or any document with `product_status`),
/// OpenVEX, or CycloneDX with `vulnerabilities[].analysis` — read into the status of each product it names.
///
/// ```swift
/// for document in VEXDocument.documents(in: reply) {
///     // Only the statements about this case: a document may speak of several vulnerabilities.
///     print(document.statements(about: ["JVNVU#12345678"]).map { "\($0.product): \($0.status)" })
/// }
/// ```
struct VEXDocument: Sendable {
    enum Format: String, Sendable {
        case csaf = "CSAF 2.0", openVEX = "OpenVEX", cycloneDX = "CycloneDX"
    }

    /// One vulnerability the document speaks of (a CSAF or CycloneDX vulnerability, an OpenVEX statement's).
    struct Vulnerability: Sendable, Equatable {
        /// The ids it is known by: CVE, the coordinator's case id, aliases.
        var ids: [String]
        /// Its own words, where a case id may be written too: title, notes, description, references.
        var text: [String]

        /// `CVE-2026-0001, GHSA-…`, as a person reads it.
        var shown: String { ids.isEmpty ? "a vulnerability it names by no id" : ids.joined(separator: ", ") }
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
        /// The vulnerability it is about: an index into the document's `vulnerabilities`.
        var vulnerability: Int = 0
    }

    let format: Format
    /// The attachment's file name, when it has one.
    let filename: String?
    /// What the document says at its own level, not of one vulnerability: CSAF title, tracking id, notes and
    /// references; OpenVEX `@id`.
    let documentText: [String]
    /// The vulnerabilities it speaks of, each once.
    let vulnerabilities: [Vulnerability]
    let statements: [Statement]

    /// Every VEX document among the message's parts (by media type `application/csaf+json`,
    /// `application/vnd.cyclonedx+json`, `application/json`, or a `.json` file name).
    static func documents(in message: ParsedMessage) -> [VEXDocument] {
        var found: [VEXDocument] = []
        func walk(_ entity: ParsedEntity) {
            if !entity.parts.isEmpty { entity.parts.forEach(walk); return }
            guard mayHoldDocument(entity) else { return }
            if let document = read(entity.decodedBody, filename: entity.filename) { found.append(document) }
        }
        walk(message.root)
        return found
    }

    /// Whether a leaf part may hold a VEX document: any `*json` media type (`application/csaf+json`, `application/json`),
    /// or a file named `.json` whatever its type (`application/octet-stream`).
    static func mayHoldDocument(_ entity: ParsedEntity) -> Bool {
        entity.contentType.mediaType.hasSuffix("json") || (entity.filename?.lowercased().hasSuffix(".json") ?? false)
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

    /// The vulnerability ids the document names, each once, for a person to read.
    var vulnerabilityIds: [String] {
        var seen = Set<String>()
        return vulnerabilities.flatMap(\.ids).filter { seen.insert($0.uppercased()).inserted }
    }

    /// The ids the document names anywhere: its vulnerabilities' ids, and ids shaped like a CVE or a
    /// coordinator's case (`JVNVU#…`, `VU#…`) in its words. Empty: it names no vulnerability at all.
    var namedIds: [String] {
        let words = (documentText + vulnerabilities.flatMap(\.text)).joined(separator: "\n")
        var seen = Set<String>()
        return (vulnerabilityIds + Self.idShaped(in: words)).filter { seen.insert($0.uppercased()).inserted }
    }

    /// Which vulnerabilities (indices) are about the case named by `names` (its id, our tracking references):
    /// those whose ids name it; else those whose own words name it; else, when the document names it at its own
    /// level only (title, notes, references, tracking id) and speaks of one vulnerability, that one.
    func vulnerabilities(about names: [String]) -> [Int] {
        let names = names.filter { !$0.isEmpty }
        guard !names.isEmpty else { return [] }
        let byId = vulnerabilities.indices.filter { i in vulnerabilities[i].ids.contains { CaseNaming.text($0, namesAnyOf: names) } }
        if !byId.isEmpty { return byId }
        let byWords = vulnerabilities.indices.filter { i in vulnerabilities[i].text.contains { CaseNaming.text($0, namesAnyOf: names) } }
        if !byWords.isEmpty { return byWords }
        if vulnerabilities.count == 1, documentText.contains(where: { CaseNaming.text($0, namesAnyOf: names) }) { return [0] }
        return []
    }

    /// The statements about the case named by `names` (`vulnerabilities(about:)`); the others are not its.
    func statements(about names: [String]) -> [Statement] {
        let ours = Set(vulnerabilities(about: names))
        return statements.filter { ours.contains($0.vulnerability) }
    }

    /// `CSAF 2.0 KBL-VEX-2026-0042.json`.
    var label: String { [format.rawValue, filename].compactMap { $0 }.joined(separator: " ") }

    /// Ids shaped like a CVE or a coordination case (`CVE-2026-0001`, `JVNVU#12345678`, `VU#123456`), in order.
    static func idShaped(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: #"\b(?:CVE-[0-9]{4}-[0-9]{4,}|(?:[A-Z]{0,8}VU|JVN|TA)#[0-9]{4,})\b"#,
                                     options: [.regularExpression, .caseInsensitive]) {
            found.append(String(rest[range]))
            rest = rest[range.upperBound...]
        }
        return found
    }

    /// The vulnerabilities of a document as they are read, each kept once (an OpenVEX document names the same
    /// vulnerability in each of its statements; a CycloneDX BOM may list it once per analysis).
    private struct VulnerabilityList {
        var list: [Vulnerability] = []

        /// The index of the vulnerability with these ids, added when new; one naming no id is always new.
        mutating func index(ids: [String], text: [String]) -> Int {
            let ids = ids.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            let key = Set(ids.map { $0.uppercased() })
            if !key.isEmpty, let i = list.firstIndex(where: { Set($0.ids.map { $0.uppercased() }) == key }) {
                list[i].text += text.filter { !list[i].text.contains($0) }
                return i
            }
            list.append(Vulnerability(ids: ids, text: text))
            return list.count - 1
        }
    }

    /// The statements with products that share a name but are different products (another id) told apart:
    /// `Kagayaki Browser (12a)`, by what `qualifiers` gives for the id (the CSAF branch holding the product, such
    /// as its version), else by the id itself.
    static func distinguishingProducts(_ statements: [Statement], qualifiers: [String: String] = [:]) -> [Statement] {
        var idsByName: [String: [String]] = [:]
        for statement in statements {
            guard let id = statement.productId else { continue }
            let name = statement.product.lowercased()
            if !(idsByName[name]?.contains(id) ?? false) { idsByName[name, default: []].append(id) }
        }
        var renamed: [String: String] = [:]
        for (name, ids) in idsByName where ids.count > 1 {
            let qualified = ids.map { id -> String in
                let qualifier = qualifiers[id]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                return qualifier.isEmpty || name.contains(qualifier.lowercased()) ? id : qualifier
            }
            let distinct = Set(qualified.map { $0.lowercased() }).count == ids.count
            for (id, qualifier) in zip(ids, qualified) { renamed[name + "\u{0}" + id] = distinct ? qualifier : id }
        }
        guard !renamed.isEmpty else { return statements }
        return statements.map { statement in
            guard let id = statement.productId, let qualifier = renamed[statement.product.lowercased() + "\u{0}" + id] else { return statement }
            var told = statement
            told.product = "\(statement.product) (\(qualifier))"
            return told
        }
    }

    // MARK: CSAF 2.0

    private static func csaf(_ json: [String: Any], document: [String: Any], filename: String?) -> VEXDocument? {
        var names: [String: String] = [:]
        // The name of the branch holding each product (its version, mostly): tells apart products of one name.
        var branchNames: [String: String] = [:]
        func collect(_ product: [String: Any]?, branch: String? = nil) {
            guard let product, let id = product["product_id"] as? String else { return }
            names[id] = (product["name"] as? String) ?? id
            if let branch { branchNames[id] = branch }
        }
        func walk(_ branches: [[String: Any]]?) {
            for branch in branches ?? [] {
                collect(branch["product"] as? [String: Any], branch: branch["name"] as? String)
                walk(branch["branches"] as? [[String: Any]])
            }
        }
        let tree = json["product_tree"] as? [String: Any]
        walk(tree?["branches"] as? [[String: Any]])
        for product in tree?["full_product_names"] as? [[String: Any]] ?? [] { collect(product) }
        for relationship in tree?["relationships"] as? [[String: Any]] ?? [] {
            collect(relationship["full_product_name"] as? [String: Any])
        }
        func notes(_ object: [String: Any]) -> [String] {
            (object["notes"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        }
        func references(_ object: [String: Any]) -> [String] {
            (object["references"] as? [[String: Any]] ?? []).flatMap { [$0["url"] as? String, $0["summary"] as? String].compactMap { $0 } }
        }
        let documentText = [document["title"] as? String, (document["tracking"] as? [String: Any])?["id"] as? String].compactMap { $0 }
            + notes(document) + references(document)
        var vulnerabilities = VulnerabilityList()
        var statements: [Statement] = []
        let statusKeys: [(String, ProductStatement.Status)] = [
            ("known_affected", .affected), ("first_affected", .affected), ("last_affected", .affected),
            ("known_not_affected", .notAffected), ("fixed", .fixed), ("first_fixed", .fixed),
            ("under_investigation", .investigating),
        ]
        for vulnerability in json["vulnerabilities"] as? [[String: Any]] ?? [] {
            var ids: [String] = []
            if let cve = vulnerability["cve"] as? String { ids.append(cve) }
            for id in vulnerability["ids"] as? [[String: Any]] ?? [] { if let text = id["text"] as? String { ids.append(text) } }
            let about = vulnerabilities.index(ids: ids, text: [vulnerability["title"] as? String].compactMap { $0 }
                                                  + notes(vulnerability) + references(vulnerability))
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
                                                detail: (threat?["details"] as? String) ?? (remedy?["details"] as? String),
                                                vulnerability: about))
                }
            }
        }
        guard !statements.isEmpty else { return nil }
        return VEXDocument(format: .csaf, filename: filename, documentText: documentText, vulnerabilities: vulnerabilities.list,
                           statements: distinguishingProducts(statements, qualifiers: branchNames))
    }

    // MARK: OpenVEX

    private static func openVEX(_ json: [String: Any], filename: String?) -> VEXDocument? {
        var vulnerabilities = VulnerabilityList()
        var statements: [Statement] = []
        for statement in json["statements"] as? [[String: Any]] ?? [] {
            var ids: [String] = []
            var text: [String] = []
            if let name = statement["vulnerability"] as? String {
                ids.append(name)
            } else if let vulnerability = statement["vulnerability"] as? [String: Any] {
                ids += [vulnerability["name"] as? String, vulnerability["@id"] as? String].compactMap { $0 }
                ids += vulnerability["aliases"] as? [String] ?? []
                text += [vulnerability["description"] as? String].compactMap { $0 }
            }
            let about = vulnerabilities.index(ids: ids, text: text)
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
                                            detail: detail, vulnerability: about))
            }
        }
        guard !statements.isEmpty else { return nil }
        return VEXDocument(format: .openVEX, filename: filename, documentText: [json["@id"] as? String].compactMap { $0 },
                           vulnerabilities: vulnerabilities.list, statements: distinguishingProducts(statements))
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
        func source(_ object: [String: Any]?) -> [String] {
            guard let source = object?["source"] as? [String: Any] else { return [] }
            return [source["name"] as? String, source["url"] as? String].compactMap { $0 }
        }
        var vulnerabilities = VulnerabilityList()
        var statements: [Statement] = []
        for vulnerability in json["vulnerabilities"] as? [[String: Any]] ?? [] {
            let references = vulnerability["references"] as? [[String: Any]] ?? []
            let ids = [vulnerability["id"] as? String].compactMap { $0 } + references.compactMap { $0["id"] as? String }
            let text = [vulnerability["description"] as? String, vulnerability["detail"] as? String].compactMap { $0 }
                + source(vulnerability) + references.flatMap { source($0) }
            let about = vulnerabilities.index(ids: ids, text: text)
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
                                            detail: analysis["detail"] as? String, vulnerability: about))
            }
        }
        guard !statements.isEmpty else { return nil }
        return VEXDocument(format: .cycloneDX, filename: filename, documentText: [], vulnerabilities: vulnerabilities.list,
                           statements: distinguishingProducts(statements))
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

    /// The VEX documents attached to a reply: the statements about `caseId` (their vulnerability names it or one
    /// of `references`, `VEXDocument.vulnerabilities(about:)`), the statements of those documents about other
    /// vulnerabilities (not applied), and the documents not about the case at all (not applied).
    static func read(_ message: ParsedMessage, caseId: String, references: [String])
        -> (statements: [Found], otherVulnerabilities: [Found], foreign: [VEXDocument]) {
        var statements: [Found] = []
        var others: [Found] = []
        var foreign: [VEXDocument] = []
        for document in documents(in: message) {
            let ours = Set(document.vulnerabilities(about: [caseId] + references))
            // A document naming the case but stating no product's status for it says nothing about it.
            guard document.statements.contains(where: { ours.contains($0.vulnerability) }) else { foreign.append(document); continue }
            for statement in document.statements {
                if ours.contains(statement.vulnerability) {
                    statements.append(Found(document: document, statement: statement))
                } else {
                    others.append(Found(document: document, statement: statement))
                }
            }
        }
        return (statements, others, foreign)
    }

    /// The participant's statement as `case show` and the CSAF export show it: one line per product,
    /// `Kagayaki Browser 12.0 - 12.4: not-affected (vulnerable_code_not_present)`, then where it was read, then
    /// what the same documents said of other vulnerabilities and was not applied.
    static func summary(_ statements: [Found], otherVulnerabilities: [Found] = []) -> String {
        let lines = statements.map { found in
            let s = found.statement
            let why = [s.justification, s.detail].compactMap { $0 }.joined(separator: "; ")
            return "\(s.product): \(s.status.rawValue)" + (why.isEmpty ? "" : " (\(why))")
        }
        let sources = Array(Set(statements.map { $0.document.label })).sorted().joined(separator: ", ")
        return (lines + ["(from \(sources))"] + notApplied(otherVulnerabilities).map { "(\($0))" }).joined(separator: "\n")
    }

    /// `not applied: 1 statement about CVE-2026-99999 in CSAF 2.0 kagayaki.json`, one line per document and
    /// vulnerability.
    static func notApplied(_ others: [Found]) -> [String] {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for found in others {
            let vulnerability = found.document.vulnerabilities[found.statement.vulnerability].shown
            let key = "\(vulnerability) in \(found.document.label)"
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] += 1
        }
        return order.map { key in
            let n = counts[key] ?? 0
            return "not applied: \(n) statement\(n == 1 ? "" : "s") about \(key)"
        }
    }
}
