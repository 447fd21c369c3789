import Yams

/// Writes an organisation definition as the YAML of its directory file, in the field order of the sample
/// files, so that an exported file reads like a hand-written one and syncs back with no change.
public enum OrganizationYAML {
    /// The text of `Directory/organizations/<id>.yaml` for `definition`.
    public static func render(_ definition: OrganizationDefinition) -> String {
        var lines: [String] = []
        lines.append("id: \(scalar(definition.id))")
        lines.append("name: \(scalar(definition.name))")
        if let localName = definition.localName { lines.append("localName: \(scalar(localName))") }
        lines.append("kind: \(definition.kind.rawValue)")
        lines.append("country: \(scalar(definition.country))")
        lines.append("domains: \(flowList(definition.domains))")
        lines.append("languages: \(flowList(definition.languages))")
        lines.append(contentsOf: block("memberships", definition.memberships.map { membership in
            var pairs = [("body", scalar(membership.body)), ("role", membership.role.rawValue)]
            if let since = membership.since { pairs.append(("since", since.description)) }
            if let until = membership.until { pairs.append(("until", until.description)) }
            return pairs
        }))
        lines.append(contentsOf: block("agreements", definition.agreements.map { agreement in
            var pairs = [("kind", scalar(agreement.kind)), ("signed", agreement.signed.description)]
            if let ended = agreement.ended { pairs.append(("ended", ended.description)) }
            return pairs
        }))
        lines.append("technologies: \(flowList(definition.technologies))")
        if definition.status == .retired, let date = definition.statusDate {
            lines.append("status: { retired: \(date) }")
        } else {
            lines.append("status: active")
        }
        if let notes = definition.notes { lines.append("notes: " + text(notes)) }
        lines.append(contentsOf: block("contacts", definition.contacts.map { contact in
            var pairs = [("email", scalar(contact.email))]
            if let name = contact.name { pairs.append(("name", scalar(name))) }
            pairs.append(("role", contact.role.rawValue))
            if let language = contact.language { pairs.append(("language", scalar(language))) }
            if let pgp = contact.pgp { pairs.append(("pgp", pgp)) }
            if !contact.active { pairs.append(("active", "false")) }
            return pairs
        }))
        return lines.joined(separator: "\n") + "\n"
    }

    private static func block(_ name: String, _ items: [[(String, String)]]) -> [String] {
        guard !items.isEmpty else { return ["\(name): []"] }
        return ["\(name):"] + items.map { pairs in
            "  - { " + pairs.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + " }"
        }
    }

    private static func flowList(_ values: [String]) -> String {
        "[" + values.map(scalar).joined(separator: ", ") + "]"
    }

    /// Plain when YAML reads the text back as the same string in a flow collection; double-quoted otherwise.
    static func scalar(_ text: String) -> String {
        isPlainSafe(text) ? text : quoted(text)
    }

    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last, first != " ", last != " ", last != ":" else { return false }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) { return false }
        if text.contains(": ") || text.contains(" #") { return false }
        for scalar in text.unicodeScalars {
            if YAMLFields.isControl(scalar) || ",[]{}".unicodeScalars.contains(scalar) || scalar == "\u{FEFF}" { return false }
        }
        return Node(text).tag == Tag(.str)
    }

    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if YAMLFields.isControl(scalar) || scalar == "\u{FEFF}" {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    output += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    /// Notes: a literal block when they span lines and survive it unchanged, else a one-line scalar.
    private static func text(_ notes: String) -> String {
        guard notes.contains("\n") else { return scalar(notes) }
        let body = notes.hasSuffix("\n") ? String(notes.dropLast()) : notes
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        let blockSafe = !body.isEmpty && !body.hasSuffix("\n") && body.first != " " && body.first != "\t"
            && lines.allSatisfy { line in line.last != " " && line.last != "\t" && !line.unicodeScalars.contains { YAMLFields.isControl($0) && $0 != "\t" } }
            && lines.first?.isEmpty == false
        guard blockSafe else { return quoted(notes) }
        let indicator = notes.hasSuffix("\n") ? "|" : "|-"
        return indicator + "\n" + lines.map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
    }
}
