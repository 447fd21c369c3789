/// What `EventLog.verify` found.
public enum EventLogVerification: Sendable, Equatable, CustomStringConvertible {
    /// Every row follows the previous one; `count` rows.
    case intact(count: Int)
    /// The first break: the row concerned, why, and a sentence for the user.
    case broken(eventId: Int64, reason: EventLogBreak, detail: String)

    /// Whether no break was found.
    public var isIntact: Bool {
        if case .intact = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .intact(let count): return "The event log is intact: \(count) event\(count == 1 ? "" : "s"), each following the one before."
        case .broken(_, _, let detail): return "The event log was tampered with: \(detail)."
        }
    }
}

/// How the chain was broken.
public enum EventLogBreak: String, Sendable, Equatable, Codable {
    /// A row's contents or hash were changed.
    case edited
    /// One or more rows are missing.
    case deleted
    /// A row sits where it was not written.
    case reordered
}
