import Foundation

/// The registry written out: YAML files that sync back with no change, JSON, or CSV for spreadsheets.
public enum DirectoryExport {
    /// One YAML document per organisation, separated by `---`.
    public static func yaml(_ definitions: [OrganizationDefinition]) -> String {
        definitions.map { "---\n" + OrganizationYAML.render($0) }.joined()
    }

    /// A JSON array of organisations with their contacts, keys sorted, absent values left out.
    public static func json(_ definitions: [OrganizationDefinition]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(definitions), as: UTF8.self) + "\n"
    }

    /// The CSV columns, one row per contact (an organisation without contacts gets one row without them).
    public static let csvColumns = ["organization", "name", "localName", "kind", "country", "status", "technologies",
                                    "memberships", "email", "contactName", "role", "language", "pgp", "active"]

    /// RFC 4180 CSV with a header row; lists are joined with `; `.
    public static func csv(_ definitions: [OrganizationDefinition]) -> String {
        var rows = [csvColumns]
        for definition in definitions {
            let organization = [definition.id, definition.name, definition.localName ?? "", definition.kind.rawValue,
                                definition.country, definition.status.rawValue,
                                definition.technologies.joined(separator: "; "),
                                definition.memberships.map { "\($0.body) \($0.role.rawValue)" }.joined(separator: "; ")]
            if definition.contacts.isEmpty {
                rows.append(organization + Array(repeating: "", count: 6))
            }
            for contact in definition.contacts {
                rows.append(organization + [contact.email, contact.name ?? "", contact.role.rawValue, contact.language ?? "",
                                            contact.pgp ?? "", contact.active ? "yes" : "no"])
            }
        }
        return CSV.render(rows)
    }

    /// Writes `organizations/<id>.yaml` for each organisation and `keys/<FINGERPRINT>.asc` for each key of a
    /// contact, under `folder`, creating it; returns the paths written.
    public static func writeDirectory(_ definitions: [OrganizationDefinition], keys: [PublicKey], to folder: URL) throws(RegistryError) -> [String] {
        let manager = FileManager.default
        let organizations = folder.appendingPathComponent("organizations", isDirectory: true)
        let keyFolder = folder.appendingPathComponent("keys", isDirectory: true)
        var written: [String] = []
        do {
            try manager.createDirectory(at: organizations, withIntermediateDirectories: true)
            try manager.createDirectory(at: keyFolder, withIntermediateDirectories: true)
            for definition in definitions {
                let url = organizations.appendingPathComponent("\(definition.id).yaml")
                try Data(OrganizationYAML.render(definition).utf8).write(to: url)
                written.append(url.path)
            }
            for key in keys {
                let url = keyFolder.appendingPathComponent("\(key.fingerprint).asc")
                try Data(key.armored.utf8).write(to: url)
                written.append(url.path)
            }
        } catch {
            throw .fileSystem("The export cannot be written to \(folder.path): \(error.localizedDescription)")
        }
        return written
    }
}

/// RFC 4180 CSV: CRLF line ends, fields quoted when they hold a comma, quote or line break.
public enum CSV {
    /// The rows (the first one being the header) as CSV text.
    public static func render(_ rows: [[String]]) -> String {
        rows.map { row in row.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text.hasPrefix(" ") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
