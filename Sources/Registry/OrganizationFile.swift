import Foundation
import Yams

/// One parsed `Directory/organizations/<id>.yaml`, with the lines that later checks point at.
public struct OrganizationFile: Sendable {
    /// Relative to the workspace root.
    public var path: String
    public var definition: OrganizationDefinition
    /// The line of each top-level field, for problems about the whole organisation.
    var fieldLines: [String: Int]
    /// For each contact (same order as `definition.contacts`): the line of its email and of its pgp field.
    var contactLines: [(email: Int, pgp: Int)]

    func line(of field: String) -> Int { fieldLines[field] ?? 1 }

    /// A file made from `definition` rather than read (a bulk load of generated organisations): it has no lines,
    /// so a problem about it points at line 1 of `path`.
    public init(path: String, definition: OrganizationDefinition) {
        self.init(path: path, definition: definition, fieldLines: [:],
                  contactLines: Array(repeating: (email: 1, pgp: 1), count: definition.contacts.count))
    }

    init(path: String, definition: OrganizationDefinition, fieldLines: [String: Int], contactLines: [(email: Int, pgp: Int)]) {
        self.path = path
        self.definition = definition
        self.fieldLines = fieldLines
        self.contactLines = contactLines
    }
}

/// Parses organisation files. Tolerant: it reports every problem it finds and still returns what it could
/// read, so that checks across files (such as duplicate addresses) can run; `sync` refuses any file with an
/// error anyway.
enum OrganizationFileParser {
    static let fieldNames = ["id", "name", "localName", "kind", "country", "domains", "languages", "memberships",
                             "agreements", "technologies", "status", "notes", "contacts"]
    static let contactFieldNames = ["email", "name", "role", "language", "pgp", "active"]
    static let membershipFieldNames = ["body", "role", "since", "until"]
    static let agreementFieldNames = ["kind", "signed", "ended"]

    static func parse(_ text: String, path: String, expectedId: String) -> (OrganizationFile?, [DirectoryProblem]) {
        var reader = YAMLFields(file: path)
        guard let root = reader.compose(text) else {
            if reader.problems.isEmpty { reader.error(1, "the file is empty; it should describe one organisation") }
            return (nil, reader.problems)
        }
        guard let fields = reader.fields(of: root, what: "the organisation", allowed: fieldNames,
                                         required: ["id", "name", "kind", "country"]) else {
            return (nil, reader.problems)
        }
        var definition = OrganizationDefinition(id: expectedId, name: "", kind: .other, country: "")
        var contactLines: [(Int, Int)] = []
        var fieldLines: [String: Int] = [:]
        for (name, line, value) in fields.entries {
            fieldLines[name] = line
            let valueLine = YAMLFields.line(value)
            switch name {
            case "id":
                guard let id = reader.singleLine(value, field: "id") else { reader.error(valueLine, "id must not be empty"); continue }
                if id != expectedId {
                    reader.error(valueLine, "id \"\(id)\" does not match the file name \(expectedId).yaml; rename the file or change the id")
                }
                if !TextSyntax.isSlug(id) {
                    reader.error(valueLine, "id \"\(id)\" must be lower-case letters, digits and hyphens, such as jpcert-cc")
                }
            case "name":
                guard let text = reader.singleLine(value, field: "name"), !text.isEmpty else {
                    reader.error(valueLine, "name must not be empty"); continue
                }
                definition.name = text
            case "localName":
                definition.localName = reader.singleLine(value, field: "localName")
            case "kind":
                guard let text = reader.singleLine(value, field: "kind") else { reader.error(valueLine, "kind must not be empty"); continue }
                if let kind = OrganizationKind(rawValue: text) {
                    definition.kind = kind
                } else {
                    let known = OrganizationKind.allCases.map(\.rawValue).joined(separator: ", ")
                    reader.error(valueLine, "unknown kind \"\(text)\" (expected one of \(known))")
                }
            case "country":
                guard let text = reader.singleLine(value, field: "country") else { reader.error(valueLine, "country must not be empty"); continue }
                definition.country = text
                if !CountryCodes.isAssigned(text) {
                    let hint = CountryCodes.isAssigned(text.uppercased()) ? " (write it in upper case: \(text.uppercased()))" : ""
                    reader.error(valueLine, "country \"\(text)\" is not an ISO 3166-1 alpha-2 code\(hint)")
                }
            case "domains":
                definition.domains = reader.list(value, field: "domains").map { domain, line in
                    if !TextSyntax.isDomainName(domain) { reader.error(line, "domain \"\(domain)\" is not a domain name such as csirt.example") }
                    return domain.lowercased()
                }
            case "languages":
                definition.languages = reader.list(value, field: "languages").map { language, line in
                    if !TextSyntax.isLanguageTag(language) { reader.error(line, "language \"\(language)\" is not a BCP 47 tag such as ja or en") }
                    return language
                }
            case "technologies":
                definition.technologies = reader.list(value, field: "technologies").map { technology, line in
                    if !TextSyntax.isSlug(technology) { reader.error(line, "technology \"\(technology)\" must be a lower-case tag such as tls or http-server") }
                    return technology
                }
            case "memberships":
                definition.memberships = items(of: value, field: "memberships", reader: &reader).compactMap { membership($0, reader: &reader) }
            case "agreements":
                definition.agreements = items(of: value, field: "agreements", reader: &reader).compactMap { agreement($0, reader: &reader) }
            case "status":
                status(value, into: &definition, reader: &reader)
            case "notes":
                if let notes = reader.string(value, field: "notes") {
                    if let bad = notes.unicodeScalars.first(where: { YAMLFields.isControl($0) && $0 != "\n" && $0 != "\t" }) {
                        reader.error(valueLine, "notes contain the control character \(YAMLFields.name(of: bad))")
                    }
                    definition.notes = notes
                }
            default:
                for node in items(of: value, field: "contacts", reader: &reader) {
                    if let (contact, lines) = contact(node, reader: &reader) {
                        definition.contacts.append(contact)
                        contactLines.append(lines)
                    }
                }
            }
        }
        let file = OrganizationFile(path: path, definition: definition, fieldLines: fieldLines, contactLines: contactLines)
        return (file, reader.problems)
    }

    private static func items(of node: Node, field: String, reader: inout YAMLFields) -> [Node] {
        switch node {
        case .sequence(let sequence): return Array(sequence)
        case .scalar(let scalar) where YAMLFields.isNull(scalar): return []
        default:
            reader.error(YAMLFields.line(node), "\(field) must be a list (each item starting with \"- \")")
            return []
        }
    }

    private static func membership(_ node: Node, reader: inout YAMLFields) -> MembershipDefinition? {
        guard let fields = reader.fields(of: node, what: "membership", allowed: membershipFieldNames, required: ["body", "role"]) else { return nil }
        var result = MembershipDefinition(body: "", role: .full)
        var complete = fields["body"] != nil && fields["role"] != nil
        for (name, _, value) in fields.entries {
            switch name {
            case "body":
                if let body = reader.singleLine(value, field: "membership body"), !body.isEmpty { result.body = body } else { complete = false }
            case "role":
                guard let text = reader.singleLine(value, field: "membership role") else { complete = false; continue }
                if let role = MembershipRole(rawValue: text) {
                    result.role = role
                } else {
                    complete = false
                    let known = MembershipRole.allCases.map(\.rawValue).joined(separator: ", ")
                    reader.error(YAMLFields.line(value), "unknown membership role \"\(text)\" (expected one of \(known))")
                }
            case "since": result.since = reader.date(value, field: "since")
            default: result.until = reader.date(value, field: "until")
            }
        }
        if let since = result.since, let until = result.until, until < since {
            reader.error(fields.line(of: "until"), "membership of \(result.body) ends (until \(until)) before it begins (since \(since))")
        }
        return complete ? result : nil
    }

    private static func agreement(_ node: Node, reader: inout YAMLFields) -> AgreementDefinition? {
        guard let fields = reader.fields(of: node, what: "agreement", allowed: agreementFieldNames, required: ["kind", "signed"]) else { return nil }
        var kind: String?
        var signed: CalendarDate?
        var ended: CalendarDate?
        for (name, _, value) in fields.entries {
            switch name {
            case "kind":
                kind = reader.singleLine(value, field: "agreement kind")
                if let text = kind, !TextSyntax.isSlug(text) {
                    reader.error(YAMLFields.line(value), "agreement kind \"\(text)\" must be a lower-case tag such as mou or developer-registration")
                }
            case "signed": signed = reader.date(value, field: "signed")
            default: ended = reader.date(value, field: "ended")
            }
        }
        if let signed, let ended, ended < signed {
            reader.error(fields.line(of: "ended"), "agreement ends (ended \(ended)) before it was signed (\(signed))")
        }
        guard let kind, let signed else { return nil }
        return AgreementDefinition(kind: kind, signed: signed, ended: ended)
    }

    private static func status(_ node: Node, into definition: inout OrganizationDefinition, reader: inout YAMLFields) {
        let line = YAMLFields.line(node)
        switch node {
        case .scalar(let scalar) where scalar.string == "active":
            definition.status = .active
        case .mapping:
            guard let fields = reader.fields(of: node, what: "status", allowed: ["retired"], required: ["retired"]),
                  let value = fields["retired"] else { return }
            definition.status = .retired
            if reader.string(value, field: "retired") == nil {
                reader.error(YAMLFields.line(value), "retired needs the date of retirement, such as { retired: 2007-01-31 }")
            } else {
                definition.statusDate = reader.date(value, field: "retired")
            }
        case .scalar(let scalar) where scalar.string == "retired":
            reader.error(line, "status retired needs its date: write status: { retired: YYYY-MM-DD }")
        default:
            reader.error(line, "status must be active or { retired: YYYY-MM-DD }")
        }
    }

    private static func contact(_ node: Node, reader: inout YAMLFields) -> (ContactDefinition, (Int, Int))? {
        guard let fields = reader.fields(of: node, what: "contact", allowed: contactFieldNames, required: ["email"]) else { return nil }
        var result = ContactDefinition(email: "")
        for (name, _, value) in fields.entries {
            let line = YAMLFields.line(value)
            switch name {
            case "email":
                guard let email = reader.singleLine(value, field: "email") else { continue }
                if !TextSyntax.isEmailAddress(email) && !email.unicodeScalars.contains(where: YAMLFields.isControl) {
                    reader.error(line, "malformed email address \"\(email)\"")
                }
                result.email = email
            case "name": result.name = reader.singleLine(value, field: "contact name")
            case "role":
                guard let text = reader.singleLine(value, field: "contact role") else { continue }
                if let role = ContactRole(rawValue: text) { result.role = role } else {
                    reader.error(line, "contact role must be to or cc, not \"\(text)\"")
                }
            case "language":
                result.language = reader.singleLine(value, field: "contact language")
                if let language = result.language, !TextSyntax.isLanguageTag(language) {
                    reader.error(line, "language \"\(language)\" is not a BCP 47 tag such as ja or en")
                }
            case "pgp":
                guard let text = reader.singleLine(value, field: "pgp") else { continue }
                let fingerprint = Fingerprint.normalize(text)
                if Fingerprint.isValid(fingerprint) {
                    result.pgp = fingerprint
                } else {
                    reader.error(line, "pgp \"\(text)\" is not a key fingerprint (40 or 64 hexadecimal digits)")
                }
            default:
                result.active = reader.bool(value, field: "active") ?? true
            }
        }
        guard !result.email.isEmpty else { return nil }
        return (result, (fields.line(of: "email"), fields.line(of: "pgp")))
    }
}
