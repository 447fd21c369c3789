import Foundation

/// How many rows and values one statement may carry, the same on both engines.
///
/// SQLite refuses a statement with more than 32,766 bound values (`SQLITE_MAX_VARIABLE_NUMBER`, the default since
/// 3.32); PostgreSQL's protocol allows 65,535. Rows per statement are capped lower as well, so that a statement
/// holding message bytes stays small and a few statement shapes are prepared and cached once.
enum SQLBatch {
    /// The most values one statement binds.
    static let maxValues = 32_766
    /// The most rows one multi-row `INSERT` writes.
    static let maxRowsPerInsert = 256

    /// `values` cut into runs of at most `size` (at least 1), in order.
    static func chunks<T>(_ values: [T], of size: Int) -> [ArraySlice<T>] {
        let size = max(1, size)
        return stride(from: 0, to: values.count, by: size).map { values[$0..<min($0 + size, values.count)] }
    }

    /// `values` cut, in order, into runs of `size` and then runs whose lengths are powers of two (100 by 64:
    /// 64, 32, 4), so that statements come in few shapes: SQLite keeps each shape prepared on its connection.
    static func shapedChunks<T>(_ values: [T], of size: Int) -> [ArraySlice<T>] {
        let size = max(1, size)
        var chunks: [ArraySlice<T>] = []
        var start = 0
        while start < values.count {
            let left = values.count - start
            let length = left >= size ? size : 1 << (Int.bitWidth - 1 - left.leadingZeroBitCount)
            chunks.append(values[start..<start + length])
            start += length
        }
        return chunks
    }

    /// An `IN (…)` list of `values` (at most `maxValues`), padded to a power of two by repeating the last value
    /// (which changes no answer), so that lists of any length come in few statement shapes.
    static func inList(_ values: ArraySlice<SQLValue>) -> (marks: String, values: [SQLValue]) {
        guard let last = values.last else { return ("NULL", []) }
        var count = 1
        while count < values.count { count <<= 1 }
        count = min(count, maxValues)
        let padded = Array(values) + Array(repeating: last, count: max(0, count - values.count))
        return (marks(padded.count), padded)
    }

    /// The statements `SQLSession.updateRows` runs for `rows`, in order, with their values.
    static func updateStatements(_ rows: [[SQLValue]], _ statement: (String) -> String) -> [(sql: String, values: [SQLValue])] {
        guard let width = rows.first?.count else { return [] }
        let row = "(" + marks(width) + ")"
        return shapedChunks(rows, of: 100).map { chunk in
            (statement("(VALUES " + Array(repeating: row, count: chunk.count).joined(separator: ", ") + ") AS v"), chunk.flatMap { $0 })
        }
    }

    /// `writes` (UPDATE, INSERT or DELETE statements, each with its values) and then `select` (a SELECT list,
    /// e.g. a function call) as one PostgreSQL statement: `WITH w1 AS (… RETURNING 1), … SELECT select FROM` the
    /// count of each `wN`. Counting them makes every write finish before `select` is evaluated (the order among
    /// the writes is the server's). The writes share one snapshot: none may change a row another changes or read a
    /// row another changes. The caller keeps the values within `maxValues`.
    static func combined(_ writes: [(sql: String, values: [SQLValue])], select: (expression: String, values: [SQLValue]))
        -> (sql: String, values: [SQLValue]) {
        guard !writes.isEmpty else { return ("SELECT " + select.expression, select.values) }
        let names = writes.indices.map { "w\($0 + 1)" }
        let with = zip(names, writes).map { name, write in "\(name) AS (\(write.sql) RETURNING 1)" }.joined(separator: ",\n")
        let counts = names.map { "(SELECT count(*) FROM \($0)) AS \($0)_count" }.joined(separator: " CROSS JOIN ")
        return ("WITH " + with + "\nSELECT " + select.expression + " FROM " + counts,
                writes.flatMap(\.values) + select.values)
    }

    /// `?, ?, ?` for `count` values.
    static func marks(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

extension SQLSession {
    /// Inserts `rows` (each `columns.count` values, in the order of `columns`) into `table` with multi-row
    /// `INSERT … VALUES (…), (…)` statements of at most `SQLBatch.maxRowsPerInsert` rows and `SQLBatch.maxValues`
    /// values, in order (`SQLBatch.shapedChunks`). With `returning`, the rows of `RETURNING` those columns, of every statement in turn; each
    /// statement's rows in an order neither engine promises, so a caller matches them by a unique column.
    ///
    /// - Throws: `StoreError.invalidArgument` when a row has another number of values than `columns`.
    @discardableResult
    func insertRows(into table: String, columns: [String], _ rows: [[SQLValue]], returning: [String] = []) throws -> [SQLRow] {
        guard !rows.isEmpty else { return [] }
        guard !columns.isEmpty, rows.allSatisfy({ $0.count == columns.count }) else {
            throw StoreError.invalidArgument("a row for \(table) does not have one value for each of its \(columns.count) columns")
        }
        let head = "INSERT INTO \(SQLIdentifier.quoted(table)) (\(columns.map(SQLIdentifier.quoted).joined(separator: ", "))) VALUES "
        let tail = returning.isEmpty ? "" : " RETURNING " + returning.map(SQLIdentifier.quoted).joined(separator: ", ")
        let row = "(" + SQLBatch.marks(columns.count) + ")"
        let perStatement = min(SQLBatch.maxRowsPerInsert, SQLBatch.maxValues / columns.count)
        var returned: [SQLRow] = []
        for chunk in SQLBatch.shapedChunks(rows, of: perStatement) {
            let sql = head + Array(repeating: row, count: chunk.count).joined(separator: ", ") + tail
            var values: [SQLValue] = []
            values.reserveCapacity(chunk.count * columns.count)
            for row in chunk { values.append(contentsOf: row) }
            if returning.isEmpty {
                try execute(sql, values)
            } else {
                returned += try self.rows(sql, values)
            }
        }
        return returned
    }

    /// Changes many rows, each with its own values, with `UPDATE … FROM (VALUES …) AS v WHERE …` statements of at
    /// most 100 rows (both engines name the columns `v.column1`, `v.column2`, …; SQLite has UPDATE … FROM since
    /// 3.33). `statement` receives the VALUES list. A column that may hold only NULLs is written
    /// `CAST(v.columnN AS BIGINT)` where it is not text: PostgreSQL types such a column as text. With `later`, the
    /// statements are sent as `executeLater` sends them.
    func updateRows(_ rows: [[SQLValue]], later: Bool = false, _ statement: (String) -> String) throws {
        for (sql, values) in SQLBatch.updateStatements(rows, statement) {
            if later { try executeLater(sql, values) } else { try execute(sql, values) }
        }
    }

    /// Inserts `records` as `insertRows` does, the columns those of `SQLRecord`. A nil `id` is left to the table,
    /// which generates it; every record must then have a nil `id`. Returns the `returning` columns as
    /// `insertRows` does.
    ///
    /// - Throws: `StoreError.invalidArgument` when some records have an `id` and others none.
    @discardableResult
    func insert<T: SQLRecord>(_ records: [T], returning: [String] = []) throws -> [SQLRow] {
        guard let first = records.first else { return [] }
        let firstColumns = try SQLRecordEncoder.columns(of: first)
        let generated = firstColumns.contains { $0.name == "id" && $0.value.isNull }
        let names = firstColumns.map(\.name).filter { !generated || $0 != "id" }
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(records.count)
        for record in records {
            var columns = try SQLRecordEncoder.columns(of: record)
            if generated {
                guard let id = columns.firstIndex(where: { $0.name == "id" }), columns[id].value.isNull else {
                    throw StoreError.invalidArgument("\(T.databaseTableName) rows inserted together either all have an id or none")
                }
                columns.remove(at: id)
            }
            guard columns.map(\.name) == names else {
                throw StoreError.invalidArgument("\(T.databaseTableName) rows inserted together have different columns")
            }
            rows.append(columns.map(\.value))
        }
        return try insertRows(into: T.databaseTableName, columns: names, rows, returning: returning)
    }
}
