import Foundation

/// Turns an `Encodable` view model into the dictionaries, arrays and strings a Mustache template walks, without
/// reflection: keyed containers become `[String: Any]`, unkeyed ones `[Any]`, numbers and strings stay themselves,
/// `Bool` stays `Bool` (a section), dates become ISO 8601 text, and an absent optional is an absent key (an inverted
/// section). The JSON route encodes the same model with `JSONEncoder`, so both show the same fields.
enum MustacheValueEncoder {
    static func encode(_ value: some Encodable) throws -> Any {
        if let date = value as? Date { return iso8601(date) }
        let encoder = TreeEncoder()
        try value.encode(to: encoder)
        return encoder.storage.leaf ?? [String: Any]()
    }

    static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// A value being built; a class so that nested containers write into their parent's slot in place.
    final class Box {
        var leaf: Any?
        var keyed: [String: Box]?
        var unkeyed: [Box]?
        init(_ leaf: Any? = nil) { self.leaf = leaf }
        /// Resolves nested boxes into plain values.
        var resolved: Any? {
            if let keyed { return keyed.compactMapValues { $0.resolved } }
            if let unkeyed { return unkeyed.compactMap { $0.resolved } }
            return leaf
        }
    }

    final class TreeEncoder: Encoder {
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]
        let root = Box()
        var storage: Box { Box(slot.resolved) }

        init(box: Box? = nil) { slot = box ?? root }
        let slot: Box

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if slot.keyed == nil { slot.keyed = [:] }
            return KeyedEncodingContainer(Keyed<Key>(box: slot))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if slot.unkeyed == nil { slot.unkeyed = [] }
            return Unkeyed(box: slot)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(box: slot) }
    }

    /// A leaf value, or nil when the value needs an encoder of its own (a nested model).
    static func leaf(_ value: some Encodable) -> Any? {
        switch value {
        case let text as String: return text
        case let flag as Bool: return flag
        case let number as Int: return number
        case let number as Int64: return number
        case let number as Double: return number
        case let date as Date: return iso8601(date)
        case let url as URL: return url.absoluteString
        default: return nil
        }
    }

    static func box(_ value: some Encodable) throws -> Box {
        if let leaf = leaf(value) { return Box(leaf) }
        let box = Box()
        try value.encode(to: TreeEncoder(box: box))
        return box
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Box
        var codingPath: [any CodingKey] = []
        init(box: Box) { self.box = box }
        private func set(_ key: Key, _ child: Box) { box.keyed![key.stringValue] = child }

        func encodeNil(forKey key: Key) throws {}
        func encode<T: Encodable>(_ value: T, forKey key: Key) throws { set(key, try MustacheValueEncoder.box(value)) }
        func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let child = Box(); child.keyed = [:]
            set(key, child)
            return KeyedEncodingContainer(Keyed<NestedKey>(box: child))
        }
        func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Box(); child.unkeyed = []
            set(key, child)
            return Unkeyed(box: child)
        }
        func superEncoder() -> any Encoder { TreeEncoder(box: box) }
        func superEncoder(forKey key: Key) -> any Encoder {
            let child = Box()
            set(key, child)
            return TreeEncoder(box: child)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: Box
        var codingPath: [any CodingKey] = []
        var count: Int { box.unkeyed?.count ?? 0 }
        private func append(_ child: Box) { box.unkeyed!.append(child) }

        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws { append(try MustacheValueEncoder.box(value)) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = Box(); child.keyed = [:]
            append(child)
            return KeyedEncodingContainer(Keyed<NestedKey>(box: child))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Box(); child.unkeyed = []
            append(child)
            return Unkeyed(box: child)
        }
        mutating func superEncoder() -> any Encoder {
            let child = Box()
            append(child)
            return TreeEncoder(box: child)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let box: Box
        var codingPath: [any CodingKey] = []
        mutating func encodeNil() throws { box.leaf = nil }
        mutating func encode<T: Encodable>(_ value: T) throws {
            if let leaf = MustacheValueEncoder.leaf(value) { box.leaf = leaf } else { try value.encode(to: TreeEncoder(box: box)) }
        }
    }
}
