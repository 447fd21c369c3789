import GRDB

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

    /// Adds the indexes to `writer`'s database.
    public static func create(in writer: any DatabaseWriter) throws {
        try writer.write { db in
            for statement in statements { try db.execute(sql: statement) }
        }
    }

    /// Removes the indexes from `writer`'s database (to measure what they are worth).
    public static func drop(in writer: any DatabaseWriter) throws {
        try writer.write { db in
            for name in names { try db.execute(sql: "DROP INDEX IF EXISTS \(name)") }
        }
    }
}
