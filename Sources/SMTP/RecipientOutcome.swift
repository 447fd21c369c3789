/// What happened to one envelope recipient of one message.
public enum RecipientOutcome: Sendable, Equatable {
    /// The server took responsibility for delivery; `reply` is its end-of-data reply.
    case accepted(code: Int, reply: String)
    /// Try again later: a 4xx reply, or no reply at all (connection failure, timeout); `code` is nil then.
    case transientFailure(code: Int?, reply: String)
    /// Do not try again: a 5xx reply, or an envelope refused before sending.
    case permanentFailure(code: Int, reply: String)

    /// True for `.accepted`.
    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }

    /// True for `.transientFailure`.
    public var isTransient: Bool {
        if case .transientFailure = self { return true }
        return false
    }

    /// True for `.permanentFailure`.
    public var isPermanent: Bool {
        if case .permanentFailure = self { return true }
        return false
    }

    /// The SMTP reply code, if there was one.
    public var code: Int? {
        switch self {
        case .accepted(let code, _), .permanentFailure(let code, _): code
        case .transientFailure(let code, _): code
        }
    }

    /// The server's reply (lines joined with "\n"), or the reason when there was no reply.
    public var reply: String {
        switch self {
        case .accepted(_, let reply), .transientFailure(_, let reply), .permanentFailure(_, let reply): reply
        }
    }

    /// The outcome a server reply means: 2xx accepted, 5xx permanent, anything else transient.
    static func from(_ reply: SMTPReply) -> RecipientOutcome {
        switch reply.code / 100 {
        case 2: .accepted(code: reply.code, reply: reply.text)
        case 5: .permanentFailure(code: reply.code, reply: reply.text)
        default: .transientFailure(code: reply.code, reply: reply.text)
        }
    }

    /// The outcome for a recipient the message-wide `error` kept from getting its own reply.
    static func from(_ error: SMTPError) -> RecipientOutcome {
        if let code = error.replyCode, let reply = error.reply {
            return from(SMTPReply(code: code, lines: reply.components(separatedBy: "\n")))
        }
        // No server reply: report the error's sentence. A permanent local refusal uses the codes a server would
        // give (553 for a bad address, 554 otherwise), and the sentence says it was decided here.
        if error.isTransient { return .transientFailure(code: nil, reply: error.description) }
        return .permanentFailure(code: error == .invalidAddress ? 553 : 554, reply: error.description)
    }
}
