/// Indexes that keep the quarterly report fast on a large registry.
///
/// They are the registry's migration `v2-report-indexes`; the benchmark drops and re-creates them to show what
/// they are worth.
public enum ReportIndexes {
    /// `CREATE INDEX` statements, one per index.
    public static let statements = Schema.reportIndexes

    /// The indexes' names.
    public static var names: [String] {
        statements.compactMap { $0.split(whereSeparator: \.isWhitespace).dropFirst(5).first.map(String.init) }
    }

    /// Adds the indexes to `store`'s database.
    public static func create(in store: RegistryStore) throws {
        try store.engine.write { session in
            for statement in statements { try session.execute(statement, []) }
        }
    }

    /// Removes the indexes from `store`'s database (to measure what they are worth).
    public static func drop(in store: RegistryStore) throws {
        try store.engine.write { session in
            for name in names { try session.execute("DROP INDEX IF EXISTS \(name)", []) }
        }
    }
}
