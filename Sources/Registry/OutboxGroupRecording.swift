import Foundation

extension OutboxStore {
    /// Records a group commit's shares with a few statements for the whole group, sent back to back: what
    /// `record(_:_:id:owner:maxAttempts:actor:at:)` does message by message, with the same rules
    /// (`AttemptDecision`, `ParticipantTransitions.change`), the same rows and the same events in the same order.
    ///
    /// What a group commit runs on both engines. On PostgreSQL the transaction waits twice, whatever the group's
    /// size: for the reads (the messages, locked in id order, their recipients, their participants, locked); then
    /// for the writes, the events and the commit together, the events chained by the server
    /// (`EventLog.appendLater`), which holds the chain's lock for no round trip. A participant whose first answer
    /// here delivers to no `to` recipient needs the statuses of its other messages: one more wait. The writes and
    /// the events are one statement there (`SQLBatch.combined`) unless a contact's bounce count or a message's
    /// remaining recipients change too, or the group's values are more than one statement binds
    /// (`SQLBatch.maxValues`): then each write is a statement of its own, as on SQLite, where the events are
    /// chained by the client. On PostgreSQL it shares the writers' lock (`StoreEngine.writeAlongside`): two
    /// processes' group commits run side by side, each locking its rows in one order (messages, participants, then
    /// the event chain, only for the server's append and the commit), and no other writer runs beside them; on
    /// SQLite it runs under the one writer's lock.
    static func recordTogether(_ session: any SQLSession, _ shares: [RecordingShare], maxAttempts: Int,
                               actor: String) throws -> [RecordedShare] {
        let answeredIds = Array(Set(shares.flatMap { $0.answered.map(\.id) })).sorted()
        let allIds = Array(Set(answeredIds + shares.flatMap(\.markingInFlight))).sorted()
        let all = SQLBatch.inList(allIds.map(\.sqlValue)[...])
        let answered = SQLBatch.inList(answeredIds.map(\.sqlValue)[...])

        // The reads, sent together.
        let messageRows = try session.rowsLater("""
            SELECT id, messageId, caseId, organizationId, purpose, incidentCategory, state, attempts, sentAt, leaseOwner, relayRefused
            FROM notification WHERE id IN (\(all.marks)) ORDER BY id
            """ + OutboxRowLocks.changing(session), all.values)
        var recipientRows: SQLPendingRows?
        var participantRows: SQLPendingRows?
        if !answeredIds.isEmpty {
            recipientRows = try session.rowsLater("""
                SELECT notificationId, email, kind, status FROM notificationRecipient WHERE notificationId IN (\(answered.marks))
                """, answered.values)
            participantRows = try session.rowsLater("""
                SELECT caseId, organizationId, delivery, firstNotifiedAt FROM participant
                WHERE (caseId, organizationId) IN (SELECT caseId, organizationId FROM notification WHERE id IN (\(answered.marks)))
                ORDER BY caseId, organizationId
                """ + OutboxRowLocks.changing(session), answered.values)
        }

        var messages: [Int64: GroupedMessage] = [:]
        for row in try messageRows.rows() {
            let id: Int64 = try row[0]
            messages[id] = GroupedMessage(
                attempted: AttemptedMessage(messageId: try row[1], caseId: try row[2], organizationId: try row[3], purpose: try row[4],
                                            category: try row[5], attempts: try row[7], sentAt: try row[8]),
                state: try row[6], leaseOwner: try row[9], relayRefused: try row[10])
        }
        for row in try recipientRows?.rows() ?? [] {
            messages[try row[0]]?.recipients.append(
                GroupedRecipient(email: try row[1], isTo: try row[2] as String == "to", status: RecipientStatus(rawValue: try row[3] as String)))
        }
        var standings: [ParticipantKey: ParticipantTransitions.Standing] = [:]
        for row in try participantRows?.rows() ?? [] {
            standings[ParticipantKey(caseId: try row[0], organizationId: try row[1])] = ParticipantTransitions.Standing(
                delivery: Delivery(rawValue: try row[2] as String), firstNotifiedAt: try row[3])
        }
        // The statuses of the participants' other messages, read only for a participant whose first answer here
        // delivers to no `to` recipient: one that does is notified whatever the others say. Read after the
        // participants are locked, by a statement of its own, so that it sees what committed while it waited;
        // from the few participants outwards (index on caseId, organizationId; then the recipients' key).
        var needed: [ParticipantKey] = []
        var seen = Set<ParticipantKey>()
        for share in shares {
            for item in share.answered {
                guard let message = messages[item.id], message.state == NotificationState.sending.rawValue,
                      message.leaseOwner == share.owner, let caseId = message.attempted.caseId else { continue }
                let key = ParticipantKey(caseId: caseId, organizationId: message.attempted.organizationId)
                guard seen.insert(key).inserted, standings[key] != nil else { continue }
                let delivers = !item.attempt.refusedByRelay && item.attempt.recipients.contains { recipient in
                    recipient.outcome == .accepted && message.recipients.contains {
                        $0.isTo && $0.email.caseInsensitiveCompare(recipient.email) == .orderedSame
                    }
                }
                if !delivers { needed.append(key) }
            }
        }
        var otherStatusRows: [SQLRow] = []
        for chunk in SQLBatch.chunks(needed, of: 500) {
            let pairs = Array(repeating: "(?, ?)", count: chunk.count).joined(separator: ", ")
            otherStatusRows += try session.rows("""
                SELECT k.column1, k.column2, r.status
                FROM (VALUES \(pairs)) AS k
                JOIN notification n ON n.caseId = k.column1 AND n.organizationId = k.column2
                JOIN notificationRecipient r ON r.notificationId = n.id
                WHERE n.id NOT IN (\(answered.marks)) AND r.kind = 'to' AND n.relayRefused = 0 AND n.state != 'voided'
                """, chunk.flatMap { [$0.caseId.sqlValue, $0.organizationId.sqlValue] } + answered.values)
        }
        var otherStatuses: [ParticipantKey: [RecipientStatus]] = [:]
        for row in otherStatusRows {
            if let status = RecipientStatus(rawValue: try row[2] as String) {
                otherStatuses[ParticipantKey(caseId: try row[0], organizationId: try row[1]), default: []].append(status)
            }
        }
        // The group's messages of each participant, in id order.
        var groupMessages: [ParticipantKey: [Int64]] = [:]
        for id in answeredIds {
            guard let message = messages[id], let caseId = message.attempted.caseId else { continue }
            groupMessages[ParticipantKey(caseId: caseId, organizationId: message.attempted.organizationId), default: []].append(id)
        }

        // Each answer in turn, as recording one at a time would see the rows.
        var recipientChanges: [[SQLValue]] = []
        var givenUp: [(id: Int64, at: Date)] = []
        var bounces: [(id: Int64, email: String, at: Date)] = []
        var messageChanges: [[SQLValue]] = []
        var changedMessages = Set<Int64>()
        var participantMoves: [ParticipantKey: ParticipantTransitions.Move] = [:]
        var moveOrder: [ParticipantKey] = []
        var events: [EventLog.Entry] = []
        var toMark: [Int64] = []
        var results: [RecordedShare] = []
        for share in shares {
            var recorded: [RecordedAttempt?] = []
            for item in share.answered {
                guard var message = messages[item.id], message.state == NotificationState.sending.rawValue,
                      message.leaseOwner == share.owner
                else {
                    recorded.append(nil)
                    continue
                }
                let (id, attempt, now) = (item.id, item.attempt, item.at)
                for recipient in attempt.recipients {
                    let status = AttemptDecision.status(after: recipient.outcome)
                    recipientChanges.append([id.sqlValue, recipient.email.sqlValue, status.rawValue.sqlValue, recipient.code.sqlValue,
                                             recipient.reply.sqlValue, now.sqlValue])
                    for index in message.recipients.indices where message.recipients[index].email.caseInsensitiveCompare(recipient.email) == .orderedSame {
                        message.recipients[index].status = status
                    }
                    if AttemptDecision.countsAsBounce(recipient, of: attempt) { bounces.append((id, recipient.email, now)) }
                }
                let decision = AttemptDecision(attempt: attempt, message: message.attempted,
                                               statuses: message.recipients.compactMap(\.status), maxAttempts: maxAttempts, at: now)
                if decision.givesUpWaiting {
                    givenUp.append((id, now))
                    for index in message.recipients.indices where message.recipients[index].status == .pending || message.recipients[index].status == .deferred {
                        message.recipients[index].status = .failed
                    }
                }
                changedMessages.insert(id)
                messageChanges.append([id.sqlValue, share.owner.sqlValue, decision.state.rawValue.sqlValue, decision.attempts.sqlValue,
                                       decision.nextAttemptAt.sqlValue, decision.sentAt.sqlValue, decision.lastError.sqlValue,
                                       attempt.refusedByRelay.sqlValue])
                message.state = decision.state.rawValue
                message.leaseOwner = nil
                message.relayRefused = attempt.refusedByRelay
                messages[id] = message
                events.append(EventLog.Entry(action: decision.action, objectType: "notification", objectId: message.attempted.messageId,
                                             data: decision.data, at: Date()))
                recorded.append(RecordedAttempt(state: decision.state, refused: decision.refused))

                // The participant, as `ParticipantTransitions.apply` moves it after each message.
                guard let caseId = message.attempted.caseId else { continue }
                let key = ParticipantKey(caseId: caseId, organizationId: message.attempted.organizationId)
                guard let standing = standings[key] else { continue }
                var statuses = otherStatuses[key] ?? []
                for other in groupMessages[key] ?? [] {
                    guard let groupMessage = messages[other], !groupMessage.relayRefused,
                          groupMessage.state != NotificationState.voided.rawValue else { continue }
                    statuses += groupMessage.recipients.filter(\.isTo).compactMap(\.status)
                }
                guard let move = ParticipantTransitions.change(standing, toRecipientStatuses: statuses, at: now) else { continue }
                standings[key] = move.standing
                if participantMoves.updateValue(move, forKey: key) == nil { moveOrder.append(key) }
                events.append(EventLog.Entry(action: "participant.delivery", objectType: "participant",
                                             objectId: "\(key.caseId)|\(key.organizationId)",
                                             data: ParticipantTransitions.eventData(caseId: key.caseId, organizationId: key.organizationId,
                                                                                    move, at: now), at: Date()))
            }
            var marked = Set<Int64>()
            for id in share.markingInFlight {
                guard let message = messages[id], message.state == NotificationState.sending.rawValue,
                      message.leaseOwner == share.owner else { continue }
                marked.insert(id)
                toMark.append(id)
            }
            results.append(RecordedShare(recorded: recorded, marked: marked))
        }

        // The writes, sent together; then the event chain, read under its lock, and the events.
        // The addresses are those the claim read from these rows: compared byte for byte, which PostgreSQL does
        // from the key's first column, where its case-blind collation would compare each candidate through ICU.
        let exactly = session.kind == .postgresql ? #"COLLATE "C""# : "COLLATE BINARY"
        let recipientWrites = SQLBatch.updateStatements(recipientChanges) { values in """
            UPDATE notificationRecipient SET status = v.column3, smtpCode = CAST(v.column4 AS BIGINT), smtpReply = v.column5,
                   updatedAt = v.column6
            FROM \(values) WHERE notificationRecipient.notificationId = v.column1 AND notificationRecipient.email = v.column2 \(exactly)
            """
        }
        var rareWrites: [(sql: String, values: [SQLValue])] = []
        for bounce in bounces {
            rareWrites.append(("""
                UPDATE contact SET bounceCount = bounceCount + 1, lastBounceAt = ?
                WHERE id = (SELECT contactId FROM notificationRecipient WHERE notificationId = ? AND email = ?)
                """, [bounce.at.sqlValue, bounce.id.sqlValue, bounce.email.sqlValue]))
        }
        for message in givenUp {
            rareWrites.append(("""
                UPDATE notificationRecipient SET status = 'failed', updatedAt = ?
                WHERE notificationId = ? AND status IN ('pending', 'deferred')
                """, [message.at.sqlValue, message.id.sqlValue]))
        }
        var rowWrites = SQLBatch.updateStatements(messageChanges) { values in """
            UPDATE notification SET state = v.column3, attempts = v.column4, nextAttemptAt = v.column5, sentAt = v.column6,
                   lastError = v.column7, relayRefused = v.column8, leaseOwner = NULL, leaseUntil = NULL, inFlight = 0,
                   heldReason = NULL
            FROM \(values) WHERE notification.id = v.column1 AND notification.leaseOwner = v.column2
            """
        }
        if !toMark.isEmpty {
            let marks = SQLBatch.inList(toMark.map(\.sqlValue)[...])
            rowWrites.append(("UPDATE notification SET inFlight = 1 WHERE id IN (\(marks.marks)) AND state = 'sending'", marks.values))
        }
        rowWrites += SQLBatch.updateStatements(moveOrder.map { key in
            let move = participantMoves[key]!
            return [key.caseId.sqlValue, key.organizationId.sqlValue, move.delivery.rawValue.sqlValue, move.firstNotifiedAt.sqlValue]
        }) { values in """
            UPDATE participant SET delivery = v.column3, firstNotifiedAt = v.column4
            FROM \(values) WHERE participant.caseId = v.column1 AND participant.organizationId = v.column2
            """
        }
        // The events last: on PostgreSQL the server takes the chain's lock, after every row lock, and holds it
        // only until the commit that goes out with it.
        // One statement for every write and the events: the recipients, the messages, the next ones in flight
        // and the participants are rows of their own, each changed once, and the contacts (a bounce) and a
        // message's other recipients (attempts used up), which the first writes would race, are never among
        // them then. A group too large for one statement's values has a statement per write.
        let combined = session.kind == .postgresql && rareWrites.isEmpty && changedMessages.isDisjoint(with: toMark)
            ? SQLBatch.combined(recipientWrites + rowWrites, select: try EventLog.serverAppend(actor: actor, events) ?? ("NULL", []))
            : nil
        if let combined, combined.values.count <= SQLBatch.maxValues {
            try session.executeLater(combined.sql, combined.values)
        } else {
            for write in recipientWrites + rareWrites + rowWrites { try session.executeLater(write.sql, write.values) }
            try EventLog.appendLater(session, actor: actor, events)
        }
        return results
    }
}

/// A message of a group commit as recording sees it, changed as each answer is recorded.
private struct GroupedMessage {
    var attempted: AttemptedMessage
    var state: String
    var leaseOwner: String?
    var relayRefused: Bool
    var recipients: [GroupedRecipient] = []
}

private struct GroupedRecipient {
    var email: String
    var isTo: Bool
    /// Nil for a status the rules do not know (none is written so).
    var status: RecipientStatus?
}

private struct ParticipantKey: Hashable {
    var caseId: String
    var organizationId: String
}
