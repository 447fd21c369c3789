/// A value a template can show: the context of a notification, built by the gateway.
public indirect enum TemplateValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// The plain Swift value the Mustache renderer walks (dictionaries, arrays, strings, booleans).
    var mustacheValue: Any {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b
        case .list(let items): return items.map(\.mustacheValue)
        case .object(let fields): return fields.mapValues(\.mustacheValue)
        }
    }

    /// The member named `name` of an object, if this is one and has it.
    subscript(member name: String) -> TemplateValue? {
        if case .object(let fields) = self { return fields[name] }
        return nil
    }

    /// Sets or replaces a member along a dotted path (`incident.summary`), creating objects on the way.
    public mutating func set(_ value: TemplateValue, at path: [String]) {
        guard let first = path.first else { self = value; return }
        var fields: [String: TemplateValue]
        if case .object(let existing) = self { fields = existing } else { fields = [:] }
        var child = fields[first] ?? .object([:])
        child.set(value, at: Array(path.dropFirst()))
        fields[first] = child
        self = .object(fields)
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
                         ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
