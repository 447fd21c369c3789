import Foundation
import Mail
import OpenPGP
import Registry

/// The apply step of ingest: stores the message byte for byte with what was made of it, and changes records only
/// as the trust rule allows.
///
/// - A delivery report bounces only envelope recipients of the notification it matched (never every contact it
///   names); `delayed` changes nothing; a report that matched nothing changes nothing and waits for review.
/// - An automatic reply is recorded and never acknowledges anything.
/// - A human reply changes its participant's response unless its signature is bad or made by a key that is not
///   the organisation's (then it waits for review), or `ingest.require_signature` asks for a verified signature
///   it does not have.
public struct InboundApplier: Sendable {
    public let actor: String
    public let requireSignature: WorkspaceConfiguration.Ingest.RequireSignature

    public init(actor: String, requireSignature: WorkspaceConfiguration.Ingest.RequireSignature = .none) {
        self.actor = actor; self.requireSignature = requireSignature
    }

    /// What applying one message decided and changed.
    struct Decision {
        var kind: InboundKind
        var disposition: IngestOutcome.Disposition
        var signature: InboundSignature
        var review: (state: InboundReviewState, reason: String)?
        var applied: Response?
        var effects: [String]
        /// A recipient, participant or contact was changed.
        var changedRecords: Bool
        /// The signed content names the case the reply was applied to (true when unsigned).
        var signedForCase = true
    }

    /// Stores a newly read message with what applying it did, and an event `inbound.recorded`.
    /// `hold`: why the attribute step would not credit the statement to anyone unseen (`StatementAttribution`);
    /// the message is then stored with its match and listed for review, and changes nothing.
    ///
    /// `streamed` and `unreadRest` are given for a message too large to read whole (`LargeMessage`): `message` is
    /// its first window, its bytes are stored from the file, and `unreadRest` (`too big to read in full (53 MB):
    /// stored as received`) lists it for review unless the window's result is clear (`isClear`).
    public func apply(_ message: ClassifiedMessage, match: InboundMatch?, hold: String? = nil, messageId: String, sha256: String,
                      signedDigest: String? = nil, source: String?, streamed: StreamedBytes? = nil, unreadRest: String? = nil,
                      now: Date, in store: InboundTransaction) throws -> IngestOutcome {
        let parsed = message.parsed
        let classification = message.classification
        var decision = try decide(message, match: match, hold: hold, messageId: messageId, now: now, in: store)
        if let unreadRest, !Self.isClear(decision, of: message) {
            decision.review = (.open, unreadRest + (decision.review.map { "; " + $0.reason } ?? ""))
        }
        let (kind, disposition, signature, review, applied, effects) =
            (decision.kind, decision.disposition, decision.signature, decision.review, decision.applied, decision.effects)
        let record = NewInboundMessage(
            messageId: messageId, receivedAt: now, fromAddress: parsed.from?.address, subject: message.content.subject ?? parsed.subject,
            kind: kind, classification: classification.kind.rawValue, disposition: disposition.rawValue,
            notificationId: match?.notification?.id, caseId: match?.caseId, organizationId: match?.organizationId,
            signature: signature, encrypted: message.encrypted, review: review, appliedResponse: applied,
            undecodable: message.undecodable, source: source, bytes: message.bytes, streamed: streamed, signedDigest: signedDigest,
            signedForCase: decision.signedForCase)
        try store.insert(record, sha256: sha256)
        var data: [String: String?] = ["kind": kind.rawValue, "classification": classification.kind.rawValue,
                                       "disposition": disposition.rawValue, "from": parsed.from?.address, "caseId": match?.caseId,
                                       "organizationId": match?.organizationId, "signature": signature.rawValue,
                                       "encrypted": message.encrypted ? "true" : "false", "review": review?.reason]
        if let id = match?.notification?.id { data["notificationId"] = String(id) }
        try store.recordInboundEvent(messageId: messageId, actor: actor, data: data)
        return IngestOutcome(disposition: disposition, kind: classification.kind.rawValue, messageId: messageId,
                             from: parsed.from?.address, subject: record.subject, caseId: match?.caseId,
                             organizationId: match?.organizationId, matchedBy: match?.via, signature: signature,
                             encrypted: message.encrypted, review: review?.reason, source: source, effects: effects)
    }

    /// Whether what the readable window of a large message gave needs no person: it matched, was applied or
    /// recorded without any review, and holds no signature or encrypted part that went unchecked.
    static func isClear(_ decision: Decision, of message: ClassifiedMessage) -> Bool {
        decision.review == nil && !message.unchecked
    }

    /// Applies a stored message a person tied to a case and organisation (`liaison inbox assign`), exactly as
    /// ingest would have had it matched: the same trust rule, `require_signature`, bounces of that participant's
    /// recipients only, automatic replies never a response. Records the new resolution with an event, unless it
    /// is the one already stored and nothing changed. A message already applied to this participant (by ingest or
    /// an earlier assignment) is not applied again: assigning twice changes nothing the second time, and an older
    /// reply never undoes a later answer.
    ///
    /// `response` is the status a person read in the reply (`inbox assign --response`): it is applied instead of
    /// what Liaison reads, under the same trust rule.
    ///
    /// - Returns: the outcome, and whether anything changed.
    public func assign(_ message: ClassifiedMessage, stored id: Int64, messageId: String, to match: InboundMatch, now: Date,
                       in store: InboundTransaction, response: Response? = nil) throws -> (outcome: IngestOutcome, changed: Bool) {
        guard let before = try store.resolution(id: id) else { throw GatewayError.input("no stored message \(messageId)") }
        if response == nil, before.caseId == match.caseId, before.organizationId == match.organizationId,
           before.reviewState == nil || before.reviewState == .assigned {
            // Already applied to this participant: applying it again could only undo a later answer.
            let outcome = IngestOutcome(disposition: IngestOutcome.Disposition(rawValue: before.disposition ?? "") ?? .reply,
                                        kind: message.classification.kind.rawValue, messageId: messageId,
                                        from: message.parsed.from?.address, subject: message.content.subject ?? message.parsed.subject,
                                        caseId: match.caseId, organizationId: match.organizationId, matchedBy: match.via,
                                        signature: before.signature, encrypted: message.encrypted, effects: [])
            return (outcome, false)
        }
        // Tied to another participant than the one it was applied to: that one's answer from it is taken back.
        var withdrawn: [String] = []
        if before.appliedResponse != nil, let oldCase = before.caseId, let oldOrganization = before.organizationId,
           oldCase != match.caseId || oldOrganization != match.organizationId,
           let restored = try store.withdrawResponse(caseId: oldCase, organizationId: oldOrganization, source: "reply \(messageId)",
                                                     actor: actor, at: now) {
            withdrawn.append("\(oldCase) / \(oldOrganization): its answer from this message taken back (now \(restored.rawValue))")
        }
        var decision = try decide(message, match: match, messageId: messageId, now: now, in: store, statedByPerson: response)
        if !withdrawn.isEmpty {
            decision.effects = withdrawn + decision.effects
            decision.changedRecords = true
        }
        let after = InboundTransaction.Resolution(
            notificationId: match.notification?.id, caseId: match.caseId, organizationId: match.organizationId, kind: decision.kind,
            disposition: decision.disposition.rawValue, signature: decision.signature,
            reviewState: decision.review == nil ? .assigned : decision.review!.state, reviewReason: decision.review?.reason,
            appliedResponse: decision.applied ?? (withdrawn.isEmpty ? before.appliedResponse : nil))
        let changed = after != before || decision.changedRecords
        if changed {
            try store.assign(id: id, after, effects: decision.effects, actor: actor, at: now)
        }
        let outcome = IngestOutcome(disposition: decision.disposition, kind: message.classification.kind.rawValue, messageId: messageId,
                                    from: message.parsed.from?.address, subject: message.content.subject ?? message.parsed.subject,
                                    caseId: match.caseId, organizationId: match.organizationId, matchedBy: match.via,
                                    signature: decision.signature, encrypted: message.encrypted, review: decision.review?.reason,
                                    effects: decision.effects)
        return (outcome, changed)
    }

    /// The apply step proper: decides what the message is evidence of and changes the records the trust rule
    /// allows it to change.
    /// `statedByPerson` is the response a person read in the reply (`inbox assign --response`), used instead of
    /// what Liaison reads in it.
    func decide(_ message: ClassifiedMessage, match: InboundMatch?, hold: String? = nil, messageId: String, now: Date,
                in store: InboundTransaction, statedByPerson: Response? = nil) throws -> Decision {
        let parsed = message.parsed
        let classification = message.classification
        var effects: [String] = message.notes
        var review: (state: InboundReviewState, reason: String)?
        var kind: InboundKind
        var disposition: IngestOutcome.Disposition
        var signature = InboundSignature.none
        var applied: Response?
        var changedRecords = false
        var signedForCase = true

        switch classification.kind {
        case .deliveryReport:
            kind = .bounce
            disposition = .bounce
            let report = classification.report
            let allFailed = report?.failedRecipients ?? []
            // A failure that blames our message or domain is ours, never a bounce on the vendor's address.
            let ours = allFailed.filter { $0.senderSideFailure != nil }
            if !ours.isEmpty {
                if ours.count == allFailed.count { kind = .ourDeliveryProblem; disposition = .ourDeliveryProblem }
                effects += ours.map { "delivery problem of ours: \($0.address) (\($0.status), \($0.senderSideFailure!.reason.rawValue))" }
                review = (.open, OurDeliveryProblem.reviewReason(ours))
            }
            if let notification = match?.notification {
                var bounced = 0
                var failed = allFailed.filter { $0.senderSideFailure == nil }
                let known = Set(notification.recipients.map(\.email))
                if allFailed.isEmpty, report?.isFailure == true, match?.via == "VERP", notification.recipients.count == 1 {
                    // The report says nothing readable, but it came back to this notification's own envelope sender.
                    failed = [InboundDeliveryReport.Recipient(address: notification.recipients[0].email, action: .failed, status: "5.0.0")]
                }
                var strangers: [String] = []
                for recipient in failed {
                    guard known.contains(recipient.address) else {
                        effects.append("not a recipient of \(notification.trackingRef): \(recipient.address)")
                        strangers.append(recipient.address)
                        continue
                    }
                    if try store.bounceRecipient(notificationId: notification.id, email: recipient.address, status: recipient.status,
                                                 diagnostic: recipient.diagnostic, inboundMessageId: messageId, at: now, actor: actor) {
                        bounced += 1
                        changedRecords = true
                        effects.append("bounced: \(recipient.address)")
                    }
                }
                if bounced > 0, let caseId = notification.caseId,
                   try store.updateDeliveryAfterBounce(caseId: caseId, organizationId: notification.organizationId, at: now, actor: actor) {
                    effects.append("undeliverable")
                }
                if !strangers.isEmpty, review == nil {
                    // A report on our message about someone we did not write to: forged, or our message forwarded.
                    review = (.open, "delivery report names \(strangers.prefix(3).joined(separator: ", "))\(strangers.count > 3 ? ", …" : ""), "
                              + "not a recipient of \(notification.trackingRef): nothing recorded for them")
                } else if report?.isFailure == true, failed.isEmpty, ours.isEmpty {
                    review = (.open, "delivery report names no recipient of \(notification.trackingRef)")
                } else if report?.isFailure == false {
                    effects.append("delayed")
                }
            } else if ours.isEmpty {
                review = (.open, "delivery report matched no notification")
            }
        case .automaticReply:
            kind = match == nil ? .unmatched : .autoReply
            disposition = match == nil ? .unmatched : .autoReply
            effects.append("automatic reply (\(classification.automaticKind?.rawValue ?? "other")): no response recorded")
            if let notice = classification.automaticKind, MachineMail.notAnswerKinds.contains(notice) {
                // Not an answer, and a person must know: a quarantine means the vendor never got the notice.
                review = (.open, "not an answer: \(classification.reason)")
            } else if match != nil, let reason = MachineMail.freeStatementForReview(classification, content: message.content) {
                review = (.open, reason)
            }
        case .unrelated:
            kind = .unmatched
            disposition = .unmatched
            review = (.open, "not a reply: \(classification.reason)")
        case .humanReply:
            guard let match, let caseId = match.caseId else {
                kind = .unmatched
                disposition = .unmatched
                review = (.open, "matched no notification")
                break
            }
            kind = .reply
            disposition = .reply
            signature = try judge(message, organizationId: match.organizationId, store: store)
            let body = StatedResponse.text(of: message.content)
            let reading = StatedResponse.reading(of: body)
            // A statement in an attached VEX document about this case (product by product) speaks before the text.
            let files = VEXDocument.read(message.content, caseId: caseId,
                                         references: [match.notification?.trackingRef].compactMap { $0 })
            if !files.foreign.isEmpty && files.statements.isEmpty { disposition = .review }
            // Statements of the same files about other vulnerabilities are left aside, and said so.
            effects += VEXDocument.notApplied(files.otherVulnerabilities)
            for foreign in files.foreign {
                review = (.open, "\(foreign.label) is about \(foreign.vulnerabilityIds.isEmpty ? "no vulnerability it names" : foreign.vulnerabilityIds.joined(separator: ", ")), not \(caseId): not applied")
                effects.append("not applied: \(review!.reason)")
            }
            var readInText: Response?
            if case .status(let response, _) = reading { readInText = response }
            let stated = statedByPerson ?? ProductStatement.derivedResponse(files.statements.map(\.statement.status)) ?? readInText
            let notUnderstood = statedByPerson == nil && files.statements.isEmpty && files.foreign.isEmpty && reading == .notUnderstood
            // Words Liaison cannot read are kept as the statement, and a person sets the status in one step.
            // A person's reading replaces the files' too: the statement is then the reply's own words.
            let statement = files.statements.isEmpty || statedByPerson != nil
                ? (stated == nil && !notUnderstood ? nil : StatedResponse.statement(in: body))
                : VEXDocument.summary(files.statements, otherVulnerabilities: files.otherVulnerabilities)
            if notUnderstood {
                review = (.open, "answer not understood: no status could be read (liaison inbox assign MSG CASE ORG --response R)")
            }
            // A good signature vouches for its text only: it counts for this case when that text names the case,
            // and for the statement when the status (or the VEX file) is inside what it covers.
            let binding = signature == .verified
                ? try SignedStatement.binding(of: message, caseId: caseId, organizationId: match.organizationId, in: store) : .unsigned
            signedForCase = binding == .thisCase || binding == .unsigned
            let coversStatement: Bool
            if signature != .verified || statedByPerson != nil {
                coversStatement = false
            } else if !files.statements.isEmpty {
                coversStatement = SignedStatement.coversFiles(of: message)
            } else if let readInText {
                if case .status(let signed, _)? = SignedStatement.reading(of: message) { coversStatement = signed == readInText } else { coversStatement = false }
            } else {
                coversStatement = true
            }
            let verifiedForCase = signature == .verified && binding == .thisCase && coversStatement
            let outsideSignature = signature == .verified && binding == .thisCase && !coversStatement && statedByPerson == nil
            // The answer it records is not the signed one: never shown as a verified answer.
            if outsideSignature && stated != nil { signedForCase = false }
            let withdrawal = statedByPerson == nil ? try store.withdrawal(caseId: caseId) : nil
            if statedByPerson == nil, let notAnAnswer = message.notAnAnswer {
                // Content nobody read acknowledges nothing.
                disposition = .review
                review = (.open, "not an answer: \(notAnAnswer)")
                effects.append("not applied: not an answer")
            } else if let hold {
                disposition = .review
                review = (.open, hold)
                effects.append("not applied: \(hold)")
            } else if let withdrawal {
                disposition = .review
                review = (.open, "case \(caseId) is withdrawn\(withdrawal.isEmpty ? "" : " (\(withdrawal))"): not applied until it is reopened")
                effects.append("not applied: \(review!.reason)")
            } else if signature == .bad || signature == .unknownKey {
                disposition = .review
                review = (.open, signature == .bad ? "bad signature"
                          : try unusableKeyReason(message, organizationId: match.organizationId, store: store) ?? "signed by a key that is not the organisation's")
                effects.append("not applied: \(review!.reason)")
            } else if signature == .unsupported, message.signatureKind != .smime, statedByPerson == nil {
                // A signature is claimed and could not be checked: what it would vouch for is for a person to judge.
                disposition = .review
                review = (.open, "signed, but the signature could not be checked\(unreadableSignatureDetail(message))")
                effects.append("not applied: \(review!.reason)")

            } else if case .otherCase(let named) = binding {
                disposition = .review
                review = (.open, "signed, about another case: the signed text names \(named), not \(caseId)")
                effects.append("not applied: \(review!.reason)")
            } else if let participant = try store.participant(caseId: caseId, organizationId: match.organizationId) {
                // A reply whose only statement is a file about something else acknowledges nothing either.
                let acknowledges = participant.response == .none && files.foreign.isEmpty
                let wanted: Response? = stated.map { $0 == participant.response ? nil : $0 } ?? (acknowledges ? .acknowledged : nil)
                let at = ReplyIngester.responseTime(claimed: parsed.date, notifiedAt: participant.firstNotifiedAt, now: now)
                if binding == .noCase {
                    review = (.open, "signed, but the signed text names neither \(caseId) nor its reference, so it "
                              + "is not counted as a verified answer")
                    effects.append("signature good, but the signed text names no case")
                } else if outsideSignature, stated != nil {
                    review = (.open, "signed, but the \(files.statements.isEmpty ? "status" : "VEX file") is outside the signed "
                              + "\(files.statements.isEmpty ? "text" : "part"), so it is not counted as a verified answer")
                    effects.append("signature good, but the statement is not signed")
                }
                // Compared by the message's own date, even one before we wrote to them (an old reply sent again).
                let dated = parsed.date.map { min($0, now) } ?? now
                // An acknowledgement states nothing: an older status still replaces it.
                let stands = participant.response != .none && participant.response != .acknowledged
                // When this reply states something and a status stands: the time that status was recorded.
                let standing = (wanted != nil || !files.statements.isEmpty) && stands ? participant.respondedAt : nil
                if let later = standing, dated < later {
                    // An older statement never overrides a newer one (by its own Date, then by receipt order).
                    effects.append("not applied: older than the answer recorded at \(EventTimestamp.string(later))")
                    if let stated {
                        review = (.open, "\(stated.rawValue) dated before the answer recorded at \(EventTimestamp.string(later)): not applied")
                    }
                } else if statedByPerson == nil, let later = standing, let unknown = Self.unknownDate(parsed.date, now: now) {
                    // Whether it is newer than the answer that stands cannot be told: an old reply sent again with a
                    // wrong clock would otherwise replace a newer answer. For a person, whose assignment applies it.
                    review = (.open, "\(stated?.rawValue ?? "VEX file") not applied: \(unknown), so whether it is newer than the "
                              + "answer recorded at \(EventTimestamp.string(later)) cannot be told (liaison inbox assign MSG CASE ORG "
                              + "--response R applies it)")
                    effects.append("not applied: \(unknown)")
                } else if let wanted = wanted ?? (files.statements.isEmpty ? nil : participant.response) {
                    let needsSignature = requireSignature == .all
                        || (requireSignature == .statements && (wanted == .notAffected || wanted == .fixed))
                    if needsSignature && !verifiedForCase {
                        disposition = .review
                        let over = signature != .verified ? "" : outsideSignature ? " over the statement itself" : " over text naming \(caseId)"
                        review = (.open, "\(wanted.rawValue) needs a verified signature\(over) (ingest.require_signature: \(requireSignature.rawValue))")
                        effects.append("not applied: \(review!.reason)")
                    } else {
                        // Product statements first: the participant's response is what all its products now mean. A
                        // person's reading (`inbox assign --response`) replaces what Liaison read, files included.
                        var records = statedByPerson != nil ? [] : files.statements.map {
                            $0.record(caseId: caseId, organizationId: match.organizationId, messageId: messageId, statedAt: at, now: now)
                        }
                        // A status stated in the text speaks for all the organisation's products.
                        if records.isEmpty, let status = ProductStatement.status(of: wanted) {
                            let source: ProductStatement.Source = statedByPerson != nil ? .person : verifiedForCase ? .signedMail : .mail
                            records = [ProductStatement(caseId: caseId, organizationId: match.organizationId, product: "", productId: nil,
                                                        status: status, justification: nil, detail: nil, source: source,
                                                        reference: "reply \(messageId)", statedAt: at, recordedAt: now)]
                        }
                        let response = try store.recordProductStatements(records, actor: actor) ?? wanted
                        if statedByPerson == nil, !files.statements.isEmpty {
                            effects.append("\(records.count) product statement\(records.count == 1 ? "" : "s")")
                        }
                        if response != participant.response || statement != nil {
                            try store.recordResponse(caseId: caseId, organizationId: match.organizationId, response: response,
                                                     statement: statement, at: at, actor: actor, source: "reply \(messageId)")
                            applied = response
                            effects.append(response.rawValue)
                        }
                        changedRecords = true
                    }
                }
            }
        }
        if message.undecodable, review == nil { review = (.open, "a part could not be decoded in its charset (kept as received)") }
        if message.undecodable { effects.append("undecodable part kept as received") }
        return Decision(kind: kind, disposition: disposition, signature: signature, review: review, applied: applied, effects: effects,
                        changedRecords: changedRecords, signedForCase: signedForCase)
    }

    /// How far ahead of the time a reply is read its Date may be and still be taken as the time it was written (a
    /// sender's clock a little fast): a day.
    static let futureDateTolerance: TimeInterval = 86_400

    /// Why a reply's Date cannot order it against an answer already recorded: it is more than
    /// `futureDateTolerance` after `now`, so the sender's clock is wrong and the reply may be an old one sent again.
    /// Nil when the Date can be used, and for a reply without one, which is ordered by when it was read.
    static func unknownDate(_ date: Date?, now: Date) -> String? {
        guard let date, date > now.addingTimeInterval(futureDateTolerance) else { return nil }
        return "its Date (\(EventTimestamp.string(date))) is later than the time it was read"
    }

    /// Why a signature by one of the organisation's own keys does not count: the key expired or was revoked, or the
    /// signature expired (nil when no check names one of its keys).
    func unusableKeyReason(_ message: ClassifiedMessage, organizationId: String, store: InboundTransaction) throws -> String? {
        let known = try store.contactKeys(organizationId: organizationId)
        for check in message.signatureChecks where known.contains(check.fingerprint.uppercased()) {
            switch check.status {
            case .keyExpired: return "signed with \(organizationId)'s key \(check.fingerprint), which has expired"
            case .keyRevoked: return "signed with \(organizationId)'s key \(check.fingerprint), which is revoked"
            case .signatureExpired: return "signed with \(organizationId)'s key \(check.fingerprint), by a signature that has expired"
            default: continue
            }
        }
        return nil
    }

    /// `: REASON` of the first check that could not be made, or nothing.
    func unreadableSignatureDetail(_ message: ClassifiedMessage) -> String {
        for check in message.signatureChecks { if case .error(let reason) = check.status { return " (\(reason))" } }
        return ""
    }

    /// Verified only when a good signature comes from a key of the organisation's contacts (OpenPGP), or from a
    /// trusted S/MIME certificate naming the sender, who is one of the organisation's contacts.
    func judge(_ message: ClassifiedMessage, organizationId: String, store: InboundTransaction) throws -> InboundSignature {
        let checks = message.signatureChecks
        switch message.signatureKind {
        case .none: return .none
        case .smime:
            if checks.contains(where: { $0.status == .bad }) { return .bad }
            guard checks.contains(where: \.isValid) else { return .unsupported }
            guard let from = message.parsed.from?.address.lowercased(), message.signerEmails.contains(from),
                  try store.organizations(contactEmail: from).contains(organizationId) else { return .unknownKey }
            return .verified
        case .pgpMIME, .inlinePGP:
            if checks.contains(where: { $0.status == .bad }) { return .bad }
            if checks.isEmpty { return .unsupported }
            let known = try store.contactKeys(organizationId: organizationId)
            if checks.contains(where: { $0.isValid && known.contains($0.fingerprint.uppercased()) }) { return .verified }
            if checks.allSatisfy({ if case .error = $0.status { return true } else { return false } }) { return .unsupported }
            return .unknownKey
        }
    }
}
