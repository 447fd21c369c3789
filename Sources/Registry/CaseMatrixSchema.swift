import GRDB

/// Migration `v14-desk-matrix-index`: the latest response event of each participant of a case, found from an
/// index of response events alone. Without it the vendor matrix walked every event of every participant (the
/// `participant.added` ones, product statements, reminders…) and read each row to test its action.
enum CaseMatrixSchema {
    static let migrationName = "v14-desk-matrix-index"

    static func migrate(_ db: Database) throws {
        // Partial: only `participant.response` events, keyed by `CASE|ORG`; the rowid (`id`) orders each one's events.
        try db.execute(sql: """
            CREATE INDEX event_participant_response ON event(objectId)
                WHERE objectType = 'participant' AND action = 'participant.response';
            """)
    }
}
