import Foundation

/// The one rule for a participant's delivery, applied after every change to a recipient of one of the case's
/// messages to the organisation: by `send` when the server answers, and by `ingest` when a delivery report comes.
///
/// - **notified** once any `to` recipient of any of those messages has `delivered` (the first time is kept as
///   `firstNotifiedAt`);
/// - **undeliverable** once no `to` recipient is `delivered`, `pending` or `deferred` and at least one `failed`
///   or `bounced` — messages refused as a whole by our own relay do not count, that is not the vendor's fault;
/// - **pending** again when it was undeliverable and no failure is left once voided messages are set aside (a
///   fault of ours);
/// - otherwise unchanged. Voided messages are not looked at.
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
    static func apply(_ session: any SQLSession, caseId: String, organizationId: String, at date: Date,
                      actor: String) throws -> Delivery? {
        // Only the two columns it may change: `send` runs this for every message it records.
        guard let participant = try session.row(
            "SELECT delivery, firstNotifiedAt FROM participant WHERE caseId = ? AND organizationId = ?", caseId, organizationId)
        else { return nil }
        let statuses = try session.values("""
            SELECT r.status FROM notificationRecipient r JOIN notification n ON n.id = r.notificationId
            WHERE n.caseId = ? AND n.organizationId = ? AND r.kind = 'to' AND n.relayRefused = 0 AND n.state != 'voided'
            """, caseId, organizationId, as: String.self).compactMap(RecipientStatus.init(rawValue:))
        let current = Standing(delivery: Delivery(rawValue: try participant[0] as String), firstNotifiedAt: try participant[1])
        guard let moved = change(current, toRecipientStatuses: statuses, at: date) else { return nil }
        try session.execute("UPDATE participant SET delivery = ?, firstNotifiedAt = ? WHERE caseId = ? AND organizationId = ?",
                            moved.delivery.rawValue, moved.firstNotifiedAt, caseId, organizationId)
        try EventLog.append(session, actor: actor, action: "participant.delivery", objectType: "participant",
                            objectId: "\(caseId)|\(organizationId)",
                            data: eventData(caseId: caseId, organizationId: organizationId, moved, at: date))
        return moved.delivery
    }

    /// A participant's delivery and the first time it was notified.
    struct Standing: Equatable {
        var delivery: Delivery?
        var firstNotifiedAt: Date?
    }

    /// A participant's new delivery and first notification time.
    struct Move: Equatable {
        var delivery: Delivery
        var firstNotifiedAt: Date?

        /// Where the participant stands after the move.
        var standing: Standing { Standing(delivery: delivery, firstNotifiedAt: firstNotifiedAt) }
    }

    /// Where the rule moves a participant standing at `current` whose `to` recipients (of messages not voided nor
    /// refused as a whole by our relay) have `statuses`; nil when it stays.
    static func change(_ current: Standing, toRecipientStatuses statuses: [RecipientStatus], at date: Date) -> Move? {
        // Voided messages say nothing of the vendor: undeliverable with no failure left was a mistake of ours.
        let noFailureLeft = current.delivery == .undeliverable && !statuses.contains { $0 == .failed || $0 == .bounced }
        guard let wanted = Self.delivery(toRecipientStatuses: statuses) ?? (noFailureLeft ? .pending : nil),
              wanted != current.delivery
        else { return nil }
        return Move(delivery: wanted,
                    firstNotifiedAt: wanted == .notified && current.firstNotifiedAt == nil ? date : current.firstNotifiedAt)
    }

    /// The data of the `participant.delivery` event of a move to `moved`.
    static func eventData(caseId: String, organizationId: String, _ moved: Move, at date: Date) -> [String: EventValue] {
        ["caseId": .string(caseId), "organizationId": .string(organizationId),
         "delivery": .string(moved.delivery.rawValue), "at": .string(EventTimestamp.string(date))]
    }
}
