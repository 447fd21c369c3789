import Foundation

/// One row of a query's result, read by column position (cheapest) or by name.
///
/// ```swift
/// for row in try session.rows("SELECT id, state FROM notification WHERE caseId = ?", caseId) {
///     let id: Int64 = try row[0]
///     let state: String = try row["state"]
/// }
/// ```
struct SQLRow: Sendable {
    /// The result's column names, shared by its rows.
    final class Columns: Sendable {
        let names: [String]
        let positions: [String: Int]
        init(_ names: [String]) {
            self.names = names
            var positions: [String: Int] = [:]
            for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
            // PostgreSQL folds unquoted names to lower case (`SELECT caseId` gives `caseid`): a name written as in
            // the SQL finds its column through its lower-case form too.
            for (index, name) in names.enumerated() where positions[name.lowercased()] == nil {
                positions[name.lowercased()] = index
            }
            self.positions = positions
        }

        /// The position of the column `name`, matched exactly, else by its lower-case form.
        func position(of name: String) -> Int? {
            positions[name] ?? positions[name.lowercased()]
        }
    }

    let columns: Columns
    let values: [SQLValue]

    init(columns: Columns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    var count: Int { values.count }

    /// The value at `index`; throws `StoreError.invalidArgument` when it cannot be read as `T`.
    subscript<T: SQLReadable>(_ index: Int) -> T {
        get throws { try T(sqlValue: values[index]) }
    }

    /// The value of the column `name`; throws `StoreError.invalidArgument` when the result has no such column or
    /// its value cannot be read as `T`.
    subscript<T: SQLReadable>(_ name: String) -> T {
        get throws {
            guard let index = columns.position(of: name) else {
                throw StoreError.invalidArgument("the query has no column \(name)")
            }
            return try T(sqlValue: values[index])
        }
    }

    /// The raw value of the column `name`, `.null` when absent.
    func value(named name: String) -> SQLValue {
        columns.position(of: name).map { values[$0] } ?? .null
    }
}
