/// What EXAMINE reports about a mailbox (RFC 9051 §7.1 response codes).
public struct MailboxStatus: Sendable, Equatable {
    /// UIDVALIDITY: when it changes, every UID remembered for the mailbox is void.
    public let uidValidity: UInt32
    /// UIDNEXT: the UID the next message will get (0 when the server did not say).
    public let uidNext: UInt32
    /// The number of messages in the mailbox (EXISTS).
    public let exists: Int

    public init(uidValidity: UInt32, uidNext: UInt32, exists: Int) {
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.exists = exists
    }

    /// Reads UIDVALIDITY, UIDNEXT and EXISTS from untagged response lines; the last of each wins.
    static func parse(_ lines: [String]) -> (uidValidity: UInt32?, uidNext: UInt32?, exists: Int?) {
        var validity: UInt32?, next: UInt32?, exists: Int?
        for line in lines where line.hasPrefix("* ") {
            let words = line.split(separator: " ")
            if words.count >= 3, words[2].uppercased() == "EXISTS", let count = Int(words[1]) { exists = count }
            if let value = responseCode("UIDVALIDITY", in: line) { validity = value }
            if let value = responseCode("UIDNEXT", in: line) { next = value }
        }
        return (validity, next, exists)
    }

    /// The number of a `[NAME n]` response code in `line`.
    static func responseCode(_ name: String, in line: String) -> UInt32? {
        guard let start = line.range(of: "[\(name) ", options: .caseInsensitive) else { return nil }
        let digits = line[start.upperBound...].prefix(while: { $0.isNumber })
        return UInt32(digits)
    }
}
