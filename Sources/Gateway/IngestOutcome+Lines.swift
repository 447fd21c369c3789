import Foundation

extension IngestOutcome {
    /// One line for a log or a listing: `reply from ADDRESS case C ORG: effect; effect`
    /// (`-` for an unknown sender; case, organisation and effects only when known).
    public var line: String {
        "\(disposition.rawValue) from \(from ?? "-")"
            + (caseId.map { " case \($0)" } ?? "") + (organizationId.map { " \($0)" } ?? "")
            + (effects.isEmpty ? "" : ": " + effects.joined(separator: "; "))
    }
}

extension IMAPReadSummary {
    /// One line, `MAILBOX-URL: …`, when the server named UIDs at or above its own UIDNEXT (a buggy or hostile
    /// server): they were not read and the kept UID did not move past them; nil when it did not.
    public var ignoredUIDsLine: String? {
        var parts: [String] = []
        if let rewoundFrom {
            parts.append("the kept UID \(rewoundFrom) was at or above the UIDNEXT \(uidNext) the server announced; "
                         + "the mailbox was read again from its start (messages already stored are recognised)")
        }
        if !ignoredUIDs.isEmpty {
            parts.append("the server's UID SEARCH named \(IMAPIngester.list(ignoredUIDs)) at or above "
                         + "the UIDNEXT \(uidNext) it announced; ignored, the kept UID stays below")
        }
        return parts.isEmpty ? nil : "\(mailboxURL): " + parts.joined(separator: "; ")
    }
}
