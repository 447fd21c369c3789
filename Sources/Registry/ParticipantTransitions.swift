import Foundation
import GRDB

/// The one rule for a participant's delivery, applied after every change to a recipient of one of the case's
/// messages to the organisation: by `send` when the server answers, and by `ingest` when a delivery report comes.
///
/// - **notified** once any `to` recipient of any of those messages has `delivered` (the first time is kept as
///   `firstNotifiedAt`);
/// - **undeliverable** once no `to` recipient is `delivered`, `pending` or `deferred` and at least one `failed`
///   or `bounced` — messages refused as a whole by our own relay do not count, that is not the vendor's fault;
/// - otherwise unchanged.
///
/// Each change writes a `participant.delivery` event in the same transaction.
public enum ParticipantTransitions {
    /// The delivery the recipients' statuses call for, or nil when they call for no change.
    public static func delivery(toRecipientStatuses statuses: [RecipientStatus]) -> Delivery? {
        if statuses.contains(.delivered) { return .notified }
        let waiting = statuses.contains { $0 == .pending || $0 == .deferred }
        if !waiting, statuses.contains(where: { $0 == .failed || $0 == .bounced }) { return .undeliverable }
        return nil
    }

    /// Re-reads the statuses of every `to` recipient of the case's messages to the organisation and moves the
    /// participant as `delivery(toRecipientStatuses:)` says. Returns the new delivery when it changed.
    @discardableResult
    public static func apply(_ db: Database, caseId: String, organizationId: String, at date: Date,
                             actor: String) throws -> Delivery? {
        // Prepared once per connection: `send` runs this for every message it records.
        guard var participant = try ParticipantRecord.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM participant WHERE caseId = ? AND organizationId = ?"),
            arguments: [caseId, organizationId])
        else { return nil }
        let statuses = try String.fetchAll(db.cachedStatement(sql: """
            SELECT r.status FROM notificationRecipient r JOIN notification n ON n.id = r.notificationId
            WHERE n.caseId = ? AND n.organizationId = ? AND r.kind = 'to' AND NOT n.relayRefused
            """), arguments: [caseId, organizationId]).compactMap(RecipientStatus.init(rawValue:))
        guard let wanted = delivery(toRecipientStatuses: statuses), wanted != participant.delivery else { return nil }
        var changed: [String] = ["delivery"]
        participant.delivery = wanted
        if wanted == .notified, participant.firstNotifiedAt == nil {
            participant.firstNotifiedAt = date
            changed.append("firstNotifiedAt")
        }
        try participant.update(db, columns: changed)
        try EventLog.append(db, actor: actor, action: "participant.delivery", objectType: "participant",
                            objectId: "\(caseId)|\(organizationId)", data: [
                                "caseId": .string(caseId), "organizationId": .string(organizationId),
                                "delivery": .string(wanted.rawValue), "at": .string(EventTimestamp.string(date)),
                            ])
        return wanted
    }
}
