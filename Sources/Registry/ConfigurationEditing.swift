import Foundation

/// Small edits to `liaison.yaml` that keep the user's comments and layout.
public enum ConfigurationEditing {
    /// Sets `sender.signing_key` in the text of liaison.yaml: replaces the key's line (commented out or not) in the
    /// `sender:` section, else adds it under `sender:`, else adds a `sender:` section. The result still parses.
    public static func settingSigningKey(_ fingerprint: String, in text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        let entry = "  signing_key: \(fingerprint)   # set by `liaison key setup`"
        guard let sender = lines.firstIndex(where: { $0.hasPrefix("sender:") }) else {
            let separator = text.isEmpty || text.hasSuffix("\n") ? "" : "\n"
            return text + separator + "sender:\n" + entry + "\n"
        }
        var index = sender + 1
        while index < lines.count, lines[index].isEmpty || lines[index].hasPrefix(" ") || lines[index].hasPrefix("\t") || lines[index].hasPrefix("#") {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("signing_key:") || trimmed.hasPrefix("# signing_key:") || trimmed.hasPrefix("#signing_key:") {
                lines[index] = entry
                return lines.joined(separator: "\n")
            }
            if lines[index].hasPrefix("#") { break }
            index += 1
        }
        lines.insert(entry, at: sender + 1)
        return lines.joined(separator: "\n")
    }
}
