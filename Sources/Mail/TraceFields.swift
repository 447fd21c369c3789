import Foundation

/// The header fields that mail systems add to a message on its way (RFC 5321 §4.4 trace fields, and their kin:
/// delivery addresses, authentication results, spam verdicts), which say nothing of what its author wrote. Two
/// copies of a message that differ only in them are the same message delivered twice.
///
/// ```swift
/// TraceFields.removed(from: redelivered) == TraceFields.removed(from: original)   // true
/// ```
public enum TraceFields {
    /// Field names, lowercased, that a relay or mailbox adds.
    static let names: Set<String> = ["received", "return-path", "delivered-to", "x-original-to", "x-received", "authentication-results",
                                     "received-spf", "dkim-signature", "x-google-dkim-signature", "x-gm-message-state",
                                     "x-google-smtp-source", "envelope-to", "x-envelope-from", "x-envelope-to", "status", "x-status",
                                     "x-uid", "x-keywords", "content-length", "lines"]
    /// Prefixes of such field names (`ARC-Seal`, `X-Spam-Status`, `X-MS-Exchange-…`).
    static let prefixes = ["arc-", "x-spam-", "x-virus-", "x-ms-exchange-", "x-ironport-", "x-proofpoint-", "x-mimecast-"]

    /// The message with its trace fields left out and every line end as LF (an IMAP copy has CRLF, an mbox copy LF).
    public static func removed(from bytes: Data) -> Data {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A, previous == 0x0D { text.removeLast() }
            text.append(byte)
            previous = byte
        }
        // The header block ends at the first empty line.
        var end = text.count
        var index = 0
        while index < text.count {
            if text[index] == 0x0A, index + 1 < text.count, text[index + 1] == 0x0A { end = index + 1; break }
            index += 1
        }
        var kept = [UInt8]()
        kept.reserveCapacity(text.count)
        var dropping = false
        var lineStart = 0
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end, text[lineEnd] != 0x0A { lineEnd += 1 }
            let line = text[lineStart..<min(lineEnd + 1, end)]
            let continuation = line.first == 0x20 || line.first == 0x09
            if !continuation {
                let name = String(decoding: line.prefix { $0 != 0x3A }, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
                dropping = names.contains(name) || prefixes.contains { name.hasPrefix($0) }
            }
            if !dropping { kept.append(contentsOf: line) }
            lineStart = lineEnd + 1
        }
        kept.append(contentsOf: text[end...])
        return Data(kept)
    }
}
