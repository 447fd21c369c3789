extension DeliveryReport {
    /// Derives each recipient's outcome from the captured dialogue.
    ///
    /// - A recipient whose RCPT TO got 4xx/5xx gets that reply (transient/permanent).
    /// - A recipient whose RCPT TO got 2xx gets the reply that settled the message: DATA's reply if DATA was
    ///   refused, else the reply to the end of the data (250 → accepted, 4xx/5xx → failed), else — the transfer
    ///   broke off — the message-wide error.
    /// - A recipient whose RCPT TO was never sent (connection, TLS, login or MAIL FROM failed) gets the
    ///   message-wide error: with the server's code when it gave one, else transient without a code.
    ///
    /// `transferError` is libcurl's failure already mapped (nil when libcurl reported success). The message-wide
    /// `error` prefers the server's own failing reply (MAIL FROM, DATA, AUTH, …) over libcurl's generic code, and is
    /// nil when every recipient has its own reply, even if the server refused them all.
    init(message: OutgoingMessage, exchanges: [SMTPDialogue.Exchange], transferError: SMTPError?,
         server: String, username: String?)
    {
        let recipientReplies = exchanges.filter { $0.step == .rcptTo }.map(\.reply)
        let dataReply = exchanges.last { $0.step == .data }?.reply
        let endReply = exchanges.last { $0.step == .endOfData }?.reply

        var error: SMTPError? = nil
        if let transferError {
            error = Self.failingReply(in: exchanges, message: message, server: server, username: username)
                ?? transferError
            let everyoneAnswered = recipientReplies.count == message.recipients.count
                && recipientReplies.allSatisfy { $0.map { $0.code / 100 != 2 } ?? false }
            if everyoneAnswered && dataReply == nil { error = nil }
        }
        let fallback = error ?? transferError

        var outcomes: [(recipient: String, outcome: RecipientOutcome)] = []
        for (index, recipient) in message.recipients.enumerated() {
            let outcome: RecipientOutcome
            if index < recipientReplies.count, let reply = recipientReplies[index] {
                if reply.code / 100 != 2 {
                    outcome = .from(reply)
                } else if let dataReply, dataReply.code != 354 {
                    outcome = .from(dataReply)
                } else if let endReply {
                    outcome = .from(endReply)
                } else if let fallback {
                    outcome = .from(fallback)
                } else {
                    // libcurl checked for 250 itself; only the capture missed the reply.
                    outcome = .accepted(code: 250, reply: "250 (reply not captured)")
                }
            } else if let fallback {
                outcome = .from(fallback)
            } else {
                outcome = .transientFailure(code: nil, reply: "No RCPT TO reply was seen for this recipient.")
            }
            outcomes.append((recipient, outcome))
        }
        if error == nil, !outcomes.isEmpty, recipientReplies.count == message.recipients.count,
           let refusal = recipientReplies.compactMap({ $0 }).first,
           recipientReplies.allSatisfy({ $0.map { RelayRefusal.isRelayRefusal(code: $0.code, reply: $0.text) } ?? false }) {
            // Our relay refused every recipient as one refuses a stranger (relay access denied, sender not
            // ours): the fault is ours, not the recipients'.
            error = .relayRefused(server: server, reply: refusal)
        }
        self.init(messageID: message.messageID, outcomes: outcomes, error: error)
    }

    /// The last reply in the dialogue, when it is a refusal of the whole message rather than of one recipient.
    private static func failingReply(in exchanges: [SMTPDialogue.Exchange], message: OutgoingMessage,
                                     server: String, username: String?) -> SMTPError?
    {
        // libcurl ends a failed session with QUIT, whose 221 says nothing about the failure: look before it.
        guard let last = exchanges.last(where: { $0.reply != nil && $0.step != .quit }), let reply = last.reply,
              !reply.isPositive
        else { return nil }
        switch last.step {
        case .rcptTo, .quit:
            return nil
        case .startTLS:
            return .startTLSNotOffered(server: server, reply: reply)
        case .auth, .authContinuation:
            return .authenticationFailed(server: server, username: username ?? "", reply: reply, reason: "")
        case .mailFrom:
            // A refusal of this message's declared SIZE is about the message, not our sender: it fails alone (or
            // waits, for a 4xx) and the rest of the queue goes out.
            let text = reply.text.lowercased()
            if text.contains(".3.4") || text.contains("5.2.3") || text.contains("size") {
                return .serverRejected(server: server, step: "MAIL FROM:<\(message.sender)> (the message's size)", reply: reply, refused: .message)
            }
            return .serverRejected(server: server, step: "MAIL FROM:<\(message.sender)>", reply: reply, refused: .sender)
        case .data:
            return .serverRejected(server: server, step: "DATA", reply: reply, refused: .message)
        case .endOfData:
            return .serverRejected(server: server, step: "message \(message.messageID) at the end of DATA",
                                   reply: reply, refused: .message)
        case .greeting:
            return .serverRejected(server: server, step: "the connection in its greeting", reply: reply, refused: .session)
        case .ehlo, .helo:
            return .serverRejected(server: server, step: "EHLO", reply: reply, refused: .session)
        case .unsolicited:
            return .serverRejected(server: server, step: "the session", reply: reply)
        case .other(let verb):
            return .serverRejected(server: server, step: verb, reply: reply)
        }
    }
}
