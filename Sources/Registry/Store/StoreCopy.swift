import Foundation

/// Copies a whole registry into another, empty one: SQLite into PostgreSQL when a team moves to a database server,
/// and back. Every row of every table is copied with its id, in one write transaction on the destination (all or
/// nothing) from one snapshot of the source; the event log's chain is verified on the source before and on the
/// destination after, and must end at the same head.
///
/// ```swift
/// let summary = try StoreCopy.copy(from: sqliteStore, to: postgresStore)
/// print(summary.rows["event"]!, summary.headHash)
/// ```
public enum StoreCopy {
    /// The registry's tables, parents before children, so that foreign keys hold at every insert.
    static let tables = ["organization", "contact", "key", "membership", "agreement", "case", "participant",
                         "notification", "notificationMessage", "notificationRecipient", "inboundMessage",
                         "inboundMessageBody", "event", "mailboxState", "productStatement", "deskUser", "answerLink",
                         "answerLinkAnswer"]

    /// What was copied.
    public struct Summary: Sendable, Equatable {
        /// Rows copied per table, in copy order.
        public var rows: [(table: String, count: Int)]
        /// Events in the verified chain (source and destination).
        public var events: Int
        /// The hash of the last event, the same on both sides ("" for an empty log).
        public var headHash: String

        public static func == (lhs: Summary, rhs: Summary) -> Bool {
            lhs.rows.map(\.table) == rhs.rows.map(\.table) && lhs.rows.map(\.count) == rhs.rows.map(\.count)
                && lhs.events == rhs.events && lhs.headHash == rhs.headHash
        }
    }

    /// Copies `source` into `destination`; `name` is how the messages name the destination (its URL or path).
    ///
    /// - Throws: `StoreError.invalidArgument` when the destination already holds rows (nothing is written), when the
    ///   source's event log is broken (`liaison audit verify` names where), or when the copy's chain does not
    ///   verify to the same head (the copy is rolled back); the engines' errors otherwise.
    public static func copy(from source: RegistryStore, to destination: RegistryStore, named name: String? = nil,
                            progress: ((String, Int) -> Void)? = nil) throws -> Summary {
        let destinationName = name.map { "the destination \($0)" } ?? "the destination"
        return try source.engine.read { from in
            let before = try EventLog.verify(from)
            guard case .intact(let events) = before else {
                throw StoreError.invalidArgument("the source's event log is broken (\(before)); `liaison audit verify` names where — nothing was copied")
            }
            let head = try from.value("SELECT hash FROM event ORDER BY id DESC LIMIT 1", as: String.self) ?? ""
            return try destination.engine.write { to in
                for table in tables {
                    let count = try to.value("SELECT count(*) FROM \(SQLIdentifier.quoted(table))", as: Int.self) ?? 0
                    if count > 0 {
                        throw StoreError.invalidArgument("\(destinationName) already holds \(count) rows in \(table): a registry is copied only into an empty store — nothing was copied")
                    }
                }
                var rows: [(table: String, count: Int)] = []
                for table in tables {
                    let copied = try copyRows(of: table, from: from, to: to)
                    progress?(table, copied)
                    rows.append((table, copied))
                }
                let after = try EventLog.verify(to)
                let copiedHead = try to.value("SELECT hash FROM event ORDER BY id DESC LIMIT 1", as: String.self) ?? ""
                guard after == .intact(count: events), copiedHead == head else {
                    throw StoreError.invalidArgument("the copied event log does not verify to the source's head (\(after)) — nothing was copied")
                }
                return Summary(rows: rows, events: events, headHash: head)
            }
        }
    }

    /// Copies one table's rows with their ids; on PostgreSQL, moves the table's identity sequence past the
    /// highest id copied, so that the next insert does not collide.
    private static func copyRows(of table: String, from: any SQLSession, to: any SQLSession) throws -> Int {
        let name = SQLIdentifier.quoted(table)
        var insert: String?
        var hasIntegerId = false
        var count = 0
        try from.forEachRow("SELECT * FROM \(name) ORDER BY 1", []) { row in
            if insert == nil {
                let columns = row.columns.names.map { SQLIdentifier.quoted($0) }
                insert = "INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
                if case .integer = row.value(named: "id") { hasIntegerId = true }
            }
            try to.execute(insert!, row.values)
            count += 1
            return true
        }
        if to.kind == .postgresql, hasIntegerId,
           let sequence = try to.value("SELECT pg_get_serial_sequence(?, 'id')", table == "case" ? "\"case\"" : table.lowercased(), as: String.self) {
            try to.execute("SELECT setval(?, (SELECT max(id) FROM \(name)))", sequence)
        }
        return count
    }
}
