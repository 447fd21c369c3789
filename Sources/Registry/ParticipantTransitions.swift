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

    /// One participant: a case and an organisation.
    struct Key: Hashable {
        var caseId: String
        var organizationId: String
    }

    /// What the rule reads of a participant: its delivery and first notification, and the statuses of the `to`
    /// recipients of the case's messages to it (relay refusals and voided messages left out).
    struct Facts {
        var delivery: Delivery?
        var firstNotifiedAt: Date?
        var statuses: [RecipientStatus]
    }

    /// Re-reads the statuses of every `to` recipient of the case's messages to the organisation and moves the
    /// participant as `delivery(toRecipientStatuses:)` says. Returns the new delivery when it changed.
    @discardableResult
    static func apply(_ session: any SQLSession, caseId: String, organizationId: String, at date: Date,
                      actor: String) throws -> Delivery? {
        let key = Key(caseId: caseId, organizationId: organizationId)
        guard let known = try facts(session, of: [key])[key] else { return nil }
        guard let change = change(known, at: date) else { return nil }
        var chain = try EventChain(session)
        try record(session, key, change, at: date, actor: actor, chain: &chain)
        try chain.flush(session)
        return change.delivery
    }

    /// Moves one participant whose `facts` were read in this transaction after its last change, staging its
    /// event in `chain`. Returns the new delivery when it changed.
    @discardableResult
    static func apply(_ session: any SQLSession, _ key: Key, _ facts: Facts, at date: Date, actor: String,
                      chain: inout EventChain) throws -> Delivery? {
        guard let change = change(facts, at: date) else { return nil }
        try record(session, key, change, at: date, actor: actor, chain: &chain)
        return change.delivery
    }

    /// The facts of each participant of `keys` that exists, read in two queries per case (only the two columns the
    /// rule may change: `send` runs this for every group of messages it records).
    static func facts(_ session: any SQLSession, of keys: [Key]) throws -> [Key: Facts] {
        var result: [Key: Facts] = [:]
        for (caseId, members) in Dictionary(grouping: keys, by: \.caseId) {
            for chunk in SQLList.chunks(Array(Set(members.map(\.organizationId))).sorted()) {
                let marks = SQLList.marks(chunk.count)
                let arguments = [caseId.sqlValue] + chunk.map(\.sqlValue)
                for row in try session.rows(
                    "SELECT organizationId, delivery, firstNotifiedAt FROM participant WHERE caseId = ? AND organizationId IN (\(marks))",
                    arguments) {
                    result[Key(caseId: caseId, organizationId: try row[0])] = Facts(
                        delivery: Delivery(rawValue: try row[1] as String), firstNotifiedAt: try row[2], statuses: [])
                }
                for row in try session.rows("""
                    SELECT n.organizationId, r.status FROM notificationRecipient r JOIN notification n ON n.id = r.notificationId
                    WHERE n.caseId = ? AND n.organizationId IN (\(marks)) AND r.kind = 'to' AND n.relayRefused = 0 AND n.state != 'voided'
                    """, arguments) {
                    let key = Key(caseId: caseId, organizationId: try row[0])
                    if let status = RecipientStatus(rawValue: try row[1]) { result[key]?.statuses.append(status) }
                }
            }
        }
        return result
    }

    /// The delivery (and first notification time) the rule calls for, or nil when it calls for no change.
    static func change(_ facts: Facts, at date: Date) -> (delivery: Delivery, firstNotifiedAt: Date?)? {
        // Voided messages say nothing of the vendor: undeliverable with no failure left was a mistake of ours.
        let noFailureLeft = facts.delivery == .undeliverable && !facts.statuses.contains { $0 == .failed || $0 == .bounced }
        guard let wanted = Self.delivery(toRecipientStatuses: facts.statuses) ?? (noFailureLeft ? .pending : nil),
              wanted != facts.delivery
        else { return nil }
        return (wanted, wanted == .notified && facts.firstNotifiedAt == nil ? date : facts.firstNotifiedAt)
    }

    private static func record(_ session: any SQLSession, _ key: Key, _ change: (delivery: Delivery, firstNotifiedAt: Date?),
                               at date: Date, actor: String, chain: inout EventChain) throws {
        try session.execute("UPDATE participant SET delivery = ?, firstNotifiedAt = ? WHERE caseId = ? AND organizationId = ?",
                            change.delivery.rawValue, change.firstNotifiedAt, key.caseId, key.organizationId)
        try EventLog.stage(&chain, actor: actor, action: "participant.delivery", objectType: "participant",
                           objectId: "\(key.caseId)|\(key.organizationId)", data: [
                               "caseId": .string(key.caseId), "organizationId": .string(key.organizationId),
                               "delivery": .string(change.delivery.rawValue), "at": .string(EventTimestamp.string(date)),
                           ])
    }
}
