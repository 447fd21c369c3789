import Foundation

/// A row type of one table, read and written through its `Codable` properties, one column per property, the same
/// way on both engines (and as GRDB stored them): `String`, integers, `Double` as themselves; `Bool` as 0/1; `Date`
/// as UTC text `YYYY-MM-DD HH:MM:SS.SSS`; `Data` as a blob; a type that encodes one value (a `String` enum,
/// `CalendarDate`) as that value; anything else (lists, objects) as JSON text with sorted keys.
///
/// ```swift
/// let contacts = try session.records(Contact.self, "SELECT * FROM contact WHERE organizationId = ?", orgId)
/// let id = try session.insert(contact)          // the generated id when `id` is nil
/// ```
protocol SQLRecord: Codable {
    /// The table the record is a row of.
    static var databaseTableName: String { get }
}

extension SQLRow {
    /// The row as a `Decodable` value, its properties read from the columns of the same names.
    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try T(from: SQLRowDecoder(row: self))
    }
}

extension SQLSession {
    /// Every row of the query as `T`.
    func records<T: Decodable>(_ type: T.Type, _ sql: String, _ arguments: any SQLBindable...) throws -> [T] {
        var result: [T] = []
        try forEachRow(sql, arguments.map(\.sqlValue)) { result.append(try $0.decode(T.self)); return true }
        return result
    }

    /// The first row of the query as `T`, or nil.
    func record<T: Decodable>(_ type: T.Type, _ sql: String, _ arguments: any SQLBindable...) throws -> T? {
        var result: T?
        try forEachRow(sql, arguments.map(\.sqlValue)) { result = try $0.decode(T.self); return false }
        return result
    }

    /// Inserts `record` as one row. A nil `id` is left to the table, which generates it; that id (or the
    /// record's own integer `id`) is returned, or nil when the table's key is not an integer `id`.
    @discardableResult
    func insert<T: SQLRecord>(_ record: T) throws -> Int64? {
        var columns = try SQLRecordEncoder.columns(of: record)
        let generated = columns.contains { $0.name == "id" && $0.value.isNull }
        if generated { columns.removeAll { $0.name == "id" } }
        let names = columns.map { SQLIdentifier.quoted($0.name) }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let sql = "INSERT INTO \(SQLIdentifier.quoted(T.databaseTableName)) (\(names)) VALUES (\(marks))"
        if generated {
            return try value(sql + " RETURNING id", columns.map(\.value), as: Int64.self)
        }
        try execute(sql, columns.map(\.value))
        if let id = columns.first(where: { $0.name == "id" }), case .integer(let value) = id.value { return value }
        return nil
    }

    /// Writes every property of `record` to the row whose `keyColumn` (by default `id`) has the record's value;
    /// returns whether a row was there.
    @discardableResult
    func update<T: SQLRecord>(_ record: T, keyColumn: String = "id") throws -> Bool {
        let columns = try SQLRecordEncoder.columns(of: record)
        guard let key = columns.first(where: { $0.name == keyColumn }) else {
            throw StoreError.invalidArgument("\(T.databaseTableName) has no column \(keyColumn)")
        }
        let others = columns.filter { $0.name != keyColumn }
        let sql = "UPDATE \(SQLIdentifier.quoted(T.databaseTableName)) SET "
            + others.map { "\(SQLIdentifier.quoted($0.name)) = ?" }.joined(separator: ", ")
            + " WHERE \(SQLIdentifier.quoted(keyColumn)) = ?"
        return try execute(sql, others.map(\.value) + [key.value]) > 0
    }

    fileprivate func value<T: SQLReadable>(_ sql: String, _ arguments: [SQLValue], as type: T.Type) throws -> T? {
        var result: T?
        try forEachRow(sql, arguments) { row in
            if !row.values[0].isNull { result = try T(sqlValue: row.values[0]) }
            return false
        }
        return result
    }
}

/// Table and column names in generated SQL. A lower-case name is quoted (`"case"` is a keyword on both engines,
/// and quoting a lower-case name changes nothing on PostgreSQL, which folds unquoted names to lower case); a
/// camelCase name is left unquoted, so that PostgreSQL folds it as it folded it when the table was created.
enum SQLIdentifier {
    static func quoted(_ name: String) -> String {
        name == name.lowercased() ? "\"\(name)\"" : name
    }
}

// MARK: - Decoding

/// Decodes a `Decodable` from one row: keyed by column name; a missing or NULL column decodes as nil.
struct SQLRowDecoder: Decoder {
    let row: SQLRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a row is read by column names"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "a row is read by column names"))
    }

    struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: SQLRow
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { row.columns.names.compactMap(Key.init(stringValue:)) }

        func contains(_ key: Key) -> Bool { row.columns.position(of: key.stringValue) != nil }

        func decodeNil(forKey key: Key) throws -> Bool { row.value(named: key.stringValue).isNull }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard row.columns.position(of: key.stringValue) != nil else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [key], debugDescription: "the query has no column \(key.stringValue)"))
            }
            return try SQLValueCoding.decode(T.self, from: row.value(named: key.stringValue), column: key.stringValue)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: [key], debugDescription: "columns are single values"))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "columns are single values"))
        }

        func superDecoder() throws -> any Decoder { SQLRowDecoder(row: row) }
        func superDecoder(forKey key: Key) throws -> any Decoder { SQLRowDecoder(row: row) }
    }
}

/// One column's value to and from Swift, by the rules of `SQLRecord`.
enum SQLValueCoding {
    static func decode<T: Decodable>(_ type: T.Type, from value: SQLValue, column: String) throws -> T {
        if let readable = T.self as? any SQLReadable.Type {
            return try readable.init(sqlValue: value) as! T
        }
        do {
            return try T(from: SingleValue(value: value))
        } catch SingleValue.NeedsJSON.needsJSON {
            guard case .text(let text) = value else {
                throw StoreError.invalidArgument("the column \(column) holds no JSON text")
            }
            let decoder = JSONDecoder()
            decoder.dataDecodingStrategy = .base64
            decoder.dateDecodingStrategy = .millisecondsSince1970
            return try decoder.decode(T.self, from: Data(text.utf8))
        }
    }

    /// A value as the column stores it.
    static func encode<T: Encodable>(_ value: T) throws -> SQLValue {
        if let bindable = value as? any SQLBindable { return bindable.sqlValue }
        let single = SingleValueEncoding()
        do {
            try value.encode(to: single)
            // An empty list or object asks for a container and writes nothing into it: still JSON (`[]`, `{}`).
            if !single.wantsContainer { return single.value ?? .null }
        } catch SingleValue.NeedsJSON.needsJSON {}
        let encoder = JSONEncoder()
        encoder.dataEncodingStrategy = .base64
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.nonConformingFloatEncodingStrategy = .throw
        encoder.outputFormatting = .sortedKeys
        return .text(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// A decoder over one column value for types that decode a single value (enums by raw value, `CalendarDate`);
    /// anything asking for a keyed or unkeyed container is JSON.
    struct SingleValue: Decoder, SingleValueDecodingContainer {
        enum NeedsJSON: Error { case needsJSON }
        let value: SQLValue
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw NeedsJSON.needsJSON }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw NeedsJSON.needsJSON }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        func decodeNil() -> Bool { value.isNull }
        func decode(_ type: Bool.Type) throws -> Bool { try Bool(sqlValue: value) }
        func decode(_ type: String.Type) throws -> String { try String(sqlValue: value) }
        func decode(_ type: Double.Type) throws -> Double { try Double(sqlValue: value) }
        func decode(_ type: Float.Type) throws -> Float { Float(try Double(sqlValue: value)) }
        func decode(_ type: Int.Type) throws -> Int { try Int(sqlValue: value) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try Int64(sqlValue: value) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try SQLValueCoding.decode(T.self, from: value, column: "") }

        private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            let wide = try Int64(sqlValue: value)
            guard let narrow = T(exactly: wide) else { throw StoreError.invalidArgument("the integer \(wide) is out of range") }
            return narrow
        }
    }

    /// An encoder that captures one value (an enum's raw value, `CalendarDate`'s text); a keyed or unkeyed
    /// container means the value is stored as JSON.
    final class SingleValueEncoding: Encoder, SingleValueEncodingContainer {
        var value: SQLValue?
        /// Whether the value asked for a keyed or unkeyed container: it is stored as JSON.
        var wantsContainer = false
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            wantsContainer = true
            return KeyedEncodingContainer(Refusing<Key>())
        }
        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            wantsContainer = true
            return RefusingUnkeyed()
        }
        func singleValueContainer() -> any SingleValueEncodingContainer { self }

        func encodeNil() { value = .null }
        func encode(_ value: Bool) { self.value = value.sqlValue }
        func encode(_ value: String) { self.value = .text(value) }
        func encode(_ value: Double) { self.value = .real(value) }
        func encode(_ value: Float) { self.value = .real(Double(value)) }
        func encode(_ value: Int) { self.value = .integer(Int64(value)) }
        func encode(_ value: Int8) { self.value = .integer(Int64(value)) }
        func encode(_ value: Int16) { self.value = .integer(Int64(value)) }
        func encode(_ value: Int32) { self.value = .integer(Int64(value)) }
        func encode(_ value: Int64) { self.value = .integer(value) }
        func encode(_ value: UInt) throws { self.value = .integer(try Self.exact(value)) }
        func encode(_ value: UInt8) { self.value = .integer(Int64(value)) }
        func encode(_ value: UInt16) { self.value = .integer(Int64(value)) }
        func encode(_ value: UInt32) { self.value = .integer(Int64(value)) }
        func encode(_ value: UInt64) throws { self.value = .integer(try Self.exact(value)) }
        func encode<T: Encodable>(_ value: T) throws { self.value = try SQLValueCoding.encode(value) }

        private static func exact<T: BinaryInteger>(_ value: T) throws -> Int64 {
            guard let exact = Int64(exactly: value) else { throw StoreError.invalidArgument("the integer \(value) is out of range") }
            return exact
        }

        /// Containers that signal "store as JSON" on first use.
        struct Refusing<Key: CodingKey>: KeyedEncodingContainerProtocol {
            var codingPath: [any CodingKey] { [] }
            mutating func encodeNil(forKey key: Key) throws { throw SingleValue.NeedsJSON.needsJSON }
            mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { throw SingleValue.NeedsJSON.needsJSON }
            mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
                KeyedEncodingContainer(Refusing<NestedKey>())
            }
            mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { RefusingUnkeyed() }
            mutating func superEncoder() -> any Encoder { SingleValueEncoding() }
            mutating func superEncoder(forKey key: Key) -> any Encoder { SingleValueEncoding() }
        }

        struct RefusingUnkeyed: UnkeyedEncodingContainer {
            var codingPath: [any CodingKey] { [] }
            var count: Int { 0 }
            mutating func encodeNil() throws { throw SingleValue.NeedsJSON.needsJSON }
            mutating func encode<T: Encodable>(_ value: T) throws { throw SingleValue.NeedsJSON.needsJSON }
            mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
                KeyedEncodingContainer(Refusing<NestedKey>())
            }
            mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { RefusingUnkeyed() }
            mutating func superEncoder() -> any Encoder { SingleValueEncoding() }
        }
    }
}

/// Encodes a record into its columns, in the order its properties encode.
final class SQLRecordEncoder: Encoder {
    struct Column { let name: String; let value: SQLValue }

    private(set) var columns: [Column] = []
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func columns<T: Encodable>(of record: T) throws -> [Column] {
        let encoder = SQLRecordEncoder()
        try record.encode(to: encoder)
        return encoder.columns
    }

    fileprivate func set(_ name: String, _ value: SQLValue) {
        if let index = columns.firstIndex(where: { $0.name == name }) {
            columns[index] = Column(name: name, value: value)
        } else {
            columns.append(Column(name: name, value: value))
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        SQLValueCoding.SingleValueEncoding.RefusingUnkeyed()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SQLValueCoding.SingleValueEncoding()
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: SQLRecordEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) { encoder.set(key.stringValue, .null) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            encoder.set(key.stringValue, try SQLValueCoding.encode(value))
        }
        // Absent optionals are written as NULL, as GRDB writes them.
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            encoder.set(key.stringValue, try value.map { try SQLValueCoding.encode($0) } ?? .null)
        }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) { encoder.set(key.stringValue, value.sqlValue) }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) { encoder.set(key.stringValue, value.sqlValue) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) { encoder.set(key.stringValue, value.sqlValue) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) { encoder.set(key.stringValue, value.sqlValue) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) { encoder.set(key.stringValue, value.sqlValue) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(SQLValueCoding.SingleValueEncoding.Refusing<NestedKey>())
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            SQLValueCoding.SingleValueEncoding.RefusingUnkeyed()
        }
        mutating func superEncoder() -> any Encoder { encoder }
        mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
    }
}

// The registry's row types, read and written through `SQLSession`.
extension Organization: SQLRecord {}
extension Contact: SQLRecord {}
extension Membership: SQLRecord {}
extension Agreement: SQLRecord {}
extension PublicKey: SQLRecord {}
extension CaseRecord: SQLRecord {}
extension ParticipantRecord: SQLRecord {}
extension NotificationRecord: SQLRecord {}
extension NotificationRecipientRecord: SQLRecord {}
extension InboundMessageRecord: SQLRecord {}
extension ProductStatement: SQLRecord {}
extension UserRecord: SQLRecord {}
extension Event: SQLRecord {}

// The closed sets of values the registry stores as text, read from a column (`try row[3]`) and bound as arguments.
extension ContactRole: SQLReadable, SQLBindable {}
extension NotificationState: SQLReadable, SQLBindable {}
extension NotificationPurpose: SQLReadable, SQLBindable {}
extension RecipientStatus: SQLReadable, SQLBindable {}
extension InboundKind: SQLReadable, SQLBindable {}
extension InboundSignature: SQLReadable, SQLBindable {}
extension InboundReviewState: SQLReadable, SQLBindable {}
