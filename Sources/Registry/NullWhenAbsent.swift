/// An optional report field that encodes as JSON `null` when it has no value, rather than leaving its key out, so
/// every item of a list (and every report) has the same keys.
///
/// A synthesized `Encodable` skips a nil optional; a field wrapped in this keeps its key. Encodes the value itself
/// when present.
@propertyWrapper
public struct NullWhenAbsent<Value: Hashable & Sendable & Encodable>: Hashable, Sendable, Encodable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
