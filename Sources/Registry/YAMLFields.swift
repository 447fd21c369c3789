import Foundation
import Yams

/// Reads a YAML document node by node, keeping line numbers, and collects problems instead of stopping
/// at the first one. Used for `liaison.yaml` and the organisation files.
struct YAMLFields {
    let file: String
    private(set) var problems: [DirectoryProblem] = []

    init(file: String) {
        self.file = file
    }

    mutating func error(_ line: Int, _ message: String) {
        problems.append(.error(file, line, message))
    }

    mutating func warning(_ line: Int, _ message: String) {
        problems.append(.warning(file, line, message))
    }

    /// Composes `text`; a syntax error becomes a problem at its line.
    mutating func compose(_ text: String) -> Node? {
        do {
            // The basic resolver: values are read as their raw text (so `NO` stays Norway), and resolving
            // tags with the default resolver's regular expressions would double the time of a large check.
            // The encoding is explicit because its default reads the whole environment on every call.
            return try Yams.compose(yaml: text, .basic, .default, .utf8)
        } catch let error as YamlError {
            let (line, message) = YAMLFields.describe(error)
            self.error(line, "YAML syntax: \(message)")
        } catch {
            self.error(1, "YAML syntax: \(error)")
        }
        return nil
    }

    /// The entries of a mapping in file order, with each key's line; problems for unknown and missing keys
    /// and for keys that are not plain strings. `what` names the mapping in messages ("contact").
    mutating func fields(of node: Node, what: String, allowed: [String], required: [String] = []) -> Fields? {
        guard case .mapping(let mapping) = node else {
            error(YAMLFields.line(node), "\(what) must be a mapping of fields")
            return nil
        }
        var fields = Fields(line: YAMLFields.line(node))
        for (keyNode, value) in mapping {
            let line = YAMLFields.line(keyNode)
            guard case .scalar(let key) = keyNode else {
                error(line, "\(what) has a field name that is not text")
                continue
            }
            guard allowed.contains(key.string) else {
                let suggestion = YAMLFields.closest(to: key.string, in: allowed).map { " (did you mean \"\($0)\"?)" } ?? ""
                error(line, "unknown field \"\(key.string)\" in \(what)\(suggestion)")
                continue
            }
            fields.entries.append((key.string, line, value))
        }
        for name in required where fields[name] == nil {
            error(fields.line, "\(what) is missing the field \"\(name)\"")
        }
        return fields
    }

    /// A scalar's text, nil for a YAML null (`~`, `null` or nothing); a problem if it is not a scalar.
    mutating func string(_ node: Node, field: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(YAMLFields.line(node), "\(field) must be a single value, not a list or mapping")
            return nil
        }
        if YAMLFields.isNull(scalar) { return nil }
        if let hidden = scalar.string.unicodeScalars.first(where: YAMLFields.isInvisible) {
            error(YAMLFields.line(node), "\(field) contains the invisible character \(YAMLFields.name(of: hidden)) (a bidi control or format character that can make text read differently from what it is); remove it")
        }
        return scalar.string
    }

    /// A one-line text: control characters (CR, LF, tabs...) are refused, since names and addresses end up
    /// in mail headers.
    mutating func singleLine(_ node: Node, field: String) -> String? {
        guard let text = string(node, field: field) else { return nil }
        if let bad = text.unicodeScalars.first(where: { YAMLFields.isControl($0) }) {
            error(YAMLFields.line(node), "\(field) contains the control character \(YAMLFields.name(of: bad)); names and addresses must be one line")
        }
        return text
    }

    /// A list of one-line texts; a single value is refused so that `[a, b]` is always written as a list.
    mutating func list(_ node: Node, field: String) -> [(String, Int)] {
        switch node {
        case .sequence(let sequence):
            return sequence.compactMap { item in singleLine(item, field: "each of \(field)").map { ($0, YAMLFields.line(item)) } }
        case .scalar(let scalar) where YAMLFields.isNull(scalar):
            return []
        default:
            error(YAMLFields.line(node), "\(field) must be a list such as [a, b]")
            return []
        }
    }

    /// A `YYYY-MM-DD` date.
    mutating func date(_ node: Node, field: String) -> CalendarDate? {
        guard let text = string(node, field: field) else { return nil }
        guard let date = CalendarDate(text) else {
            error(YAMLFields.line(node), "\(field) \"\(text)\" is not "
                  + (CalendarDate.hasDayForm(text) ? "a day of the calendar" : "a date of the form YYYY-MM-DD"))
            return nil
        }
        return date
    }

    /// `true` or `false`.
    mutating func bool(_ node: Node, field: String) -> Bool? {
        guard let text = string(node, field: field) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            error(YAMLFields.line(node), "\(field) must be true or false, not \"\(text)\"")
            return nil
        }
    }

    static func line(_ node: Node) -> Int { node.mark?.line ?? 1 }

    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// Unicode format characters (general category Cf: bidi embeddings, overrides and isolates such as U+202E
    /// and U+2066, zero-width spaces and joiners such as U+200B, the byte order mark U+FEFF, soft hyphen…),
    /// and the fillers that render as nothing.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .format
            || [0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F, 0x180E].contains(scalar.value)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    static func name(of scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0A: return "LF"
        case 0x0D: return "CR"
        case 0x09: return "TAB"
        default: return String(format: "U+%04X", scalar.value)
        }
    }

    /// The line and a one-sentence message of a Yams error.
    static func describe(_ error: YamlError) -> (Int, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text))" } ?? ""
            return (mark.line, problem + during)
        case .reader(let problem, _, _, _):
            return (1, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return (context.mark.line, "the field \(names) is given more than once in the same mapping (first on this line)")
        default:
            return (1, "\(error)")
        }
    }

    /// The allowed name nearest to a misspelt one, if it is near enough to be a likely typo.
    static func closest(to name: String, in candidates: [String]) -> String? {
        NearestName.closest(to: name, in: candidates)
    }
}

/// The fields of one YAML mapping, in file order.
struct Fields {
    let line: Int
    var entries: [(name: String, line: Int, value: Node)] = []

    init(line: Int) {
        self.line = line
    }

    subscript(name: String) -> Node? {
        entries.first { $0.name == name }?.value
    }

    /// The line of a field's key, or of the mapping when the field is absent.
    func line(of name: String) -> Int {
        entries.first { $0.name == name }?.line ?? line
    }
}
