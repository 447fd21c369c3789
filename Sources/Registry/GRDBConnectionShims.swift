import Foundation
import GRDB

// Entry points over a GRDB connection for the stores not yet written over `SQLSession` (outbox, inbound,
// reminders queued by the notification queue). Each wraps the connection (`SQLiteSession(db)`, free) and calls the
// one implementation; none holds logic of its own. This file goes once no caller is left.

extension CaseRecord: FetchableRecord, PersistableRecord {}
extension ParticipantRecord: FetchableRecord, PersistableRecord {}
extension NotificationRecipientRecord: FetchableRecord, PersistableRecord {}

extension NotificationRecord: FetchableRecord, MutablePersistableRecord {
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension InboundMessageRecord: FetchableRecord, MutablePersistableRecord {
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension CaseStore {
    static func existingCase(_ db: Database, _ caseId: String) throws -> CaseRecord {
        try existingCase(SQLiteSession(db), caseId)
    }

    static func recordResponse(_ db: Database, caseId: String, organizationId: String, response: Response,
                               statement: String?, at date: Date, actor: String, source: String) throws {
        try recordResponse(SQLiteSession(db), caseId: caseId, organizationId: organizationId, response: response,
                           statement: statement, at: date, actor: actor, source: source)
    }

    static func waitingParticipant(_ db: Database, caseId: String, organizationId: String) throws -> WaitingParticipant? {
        try waitingParticipant(SQLiteSession(db), caseId: caseId, organizationId: organizationId)
    }

    static func recordReminder(_ db: Database, caseId: String, organizationId: String, at date: Date) throws {
        try recordReminder(SQLiteSession(db), caseId: caseId, organizationId: organizationId, at: date)
    }

    static func recordEscalation(_ db: Database, caseId: String, organizationId: String, at date: Date, actor: String) throws {
        try recordEscalation(SQLiteSession(db), caseId: caseId, organizationId: organizationId, at: date, actor: actor)
    }
}

extension ParticipantTransitions {
    @discardableResult
    static func apply(_ db: Database, caseId: String, organizationId: String, at date: Date, actor: String) throws -> Delivery? {
        try apply(SQLiteSession(db), caseId: caseId, organizationId: organizationId, at: date, actor: actor)
    }
}

extension InboundTransaction {
    /// Records product statements a reply made for a participant (its VEX document, or its text for all its
    /// products), with one event `participant.products`, and returns the response the participant's statements
    /// that now stand mean.
    public func recordProductStatements(_ statements: [ProductStatement], actor: String) throws -> Response? {
        try ProductStatement.record(SQLiteSession(db), statements, actor: actor)
    }
}

extension OutboxVoiding {
    /// Voids one message inside a case store's transaction (`withdraw`). `OutboxVoiding` still runs on a GRDB
    /// connection, so this is the SQLite engine's only until it runs over `SQLSession`.
    static func void(_ session: any SQLSession, id: Int64, reason: String, actor: String, at now: Date, action: String) throws {
        guard let sqlite = session as? SQLiteSession else {
            throw StoreError.invalidArgument("withdrawing a case's queued messages is not yet possible on \(session.kind.rawValue)")
        }
        try void(sqlite.db, id: id, reason: reason, actor: actor, at: now, action: action)
    }
}
