/// One change that `directory sync` makes (or, in a dry run, would make) to the registry.
public struct DirectoryChange: Sendable, Equatable, CustomStringConvertible {
    /// What happened to the object.
    public enum Action: String, Sendable, Codable {
        case added
        case changed
        case retired
        /// A contact no longer in any file: kept, but made inactive.
        case removed
        /// A key file new or changed since the last sync.
        case imported
    }

    public var action: Action
    /// `organization`, `contact` or `key`.
    public var objectType: String
    /// The organisation id, the contact's address, or the key's fingerprint.
    public var objectId: String
    /// The organisation concerned, for contacts.
    public var organizationId: String?
    /// For changes: each field that differs.
    public var fields: [FieldChange]

    public init(action: Action, objectType: String, objectId: String, organizationId: String? = nil, fields: [FieldChange] = []) {
        self.action = action
        self.objectType = objectType
        self.objectId = objectId
        self.organizationId = organizationId
        self.fields = fields
    }

    /// The event action: `organization.added`, `contact.changed`, `key.imported`...
    public var eventAction: String { "\(objectType).\(action.rawValue)" }

    /// One line per change, and one per field for changes: `+ organization x`, `~ contact a@b: name "A" → "B"`.
    public var description: String {
        let owner = organizationId.map { " (\($0))" } ?? ""
        switch action {
        case .added:
            return "+ \(objectType) \(objectId)\(owner)"
        case .imported:
            if fields.isEmpty { return "+ key \(objectId)" }
            return fields.map { "~ key \(objectId): \($0)" }.joined(separator: "\n")
        case .changed:
            return fields.map { "~ \(objectType) \(objectId)\(owner): \($0)" }.joined(separator: "\n")
        case .retired:
            var date = ""
            if case .string(let text)? = fields.first(where: { $0.name == "statusDate" })?.new { date = text }
            return "- organization \(objectId) retired on \(date): its file was removed (kept with its history)"
        case .removed:
            return "- contact \(objectId)\(owner) made inactive: no longer in the directory"
        }
    }
}

/// A field's old and new value.
public struct FieldChange: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var old: EventValue
    public var new: EventValue

    public init(name: String, old: EventValue, new: EventValue) {
        self.name = name
        self.old = old
        self.new = new
    }

    public var description: String { "\(name) \(old.displayText) → \(new.displayText)" }
}

extension EventValue {
    /// Short text for a person: strings quoted, null as `none`, lists in brackets.
    var displayText: String {
        switch self {
        case .null: return "none"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .array(let values): return "[" + values.map(\.displayText).joined(separator: ", ") + "]"
        case .object(let members):
            let inner = members.keys.sorted().map { key -> String in
                let value = members[key]!
                if case .string(let text) = value { return "\(key): \(text)" }
                return "\(key): \(value.displayText)"
            }
            return "{" + inner.joined(separator: ", ") + "}"
        }
    }
}
