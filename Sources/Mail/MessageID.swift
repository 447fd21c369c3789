import Foundation

/// Message-ID generation.
public enum MessageID {
    /// A new unique id `time.random@domain` (no angle brackets): the time in milliseconds and
    /// 128 random bits, both base 36.
    public static func generate(domain: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        let millis = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        let random = String(high, radix: 36) + String(low, radix: 36)
        let host = (try? EmailAddress.validate(address: "x@\(domain)")) != nil ? domain : "localhost"
        return "\(String(millis, radix: 36)).\(random)@\(host)"
    }

    /// Ids in `text` (`<a@b> <c@d>`), without angle brackets; bare ids are accepted too.
    public static func parseList(_ text: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let id = HeaderText.trimmingWSP(String(rest[rest.index(after: open)..<close]))
            if !id.isEmpty { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        if ids.isEmpty {
            ids = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        }
        return ids
    }

    /// Throws unless `id` is `left@right` (or at least non-empty) printable ASCII without spaces or brackets.
    static func validate(_ id: String, header: String) throws(MailError) {
        try HeaderText.validate(id, header: header)
        let valid = !id.isEmpty && id.utf8.count <= 900
            && id.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" }
        if !valid { throw MailError.invalidMessageID(id, in: header) }
    }
}
