import GRDB

/// Migration `v14-desk-matrix-index`: the latest response event of each participant of a case, found from an
/// index of response events alone. Without it the vendor matrix walked every event of every participant (the
/// `participant.added` ones, product statements, reminders…) and read each row to test its action.
enum CaseMatrixSchema {
    static let migrationName = "v14-desk-matrix-index"

    /// The same DDL on both engines (`PostgresSchema` runs it too): a partial index, only `participant.response`
    /// events, keyed by `CASE|ORG`.
    static let statements = [
        """
        CREATE INDEX event_participant_response ON event(objectId)
            WHERE objectType = 'participant' AND action = 'participant.response'
        """,
    ]

    static func migrate(_ db: Database) throws {
        for statement in statements { try db.execute(sql: statement) }
    }
}
