import Foundation
import Mail

/// Whether a message read again under a Message-ID already stored is that same message, whatever trace header
/// fields (Received, Return-Path, Delivered-To, X-…) were added on the way or its line ends became: the same
/// sender, date and subject, and the same body. A different message that reuses a Message-ID is not.
enum SameMessage {
    static func isSame(_ message: ParsedMessage, as storedBytes: Data?) -> Bool {
        guard let storedBytes, let stored = try? ParsedMessage(bytes: storedBytes) else { return false }
        return message.from?.address.lowercased() == stored.from?.address.lowercased()
            && message.header("Date").map(squeezed) == stored.header("Date").map(squeezed)
            && message.header("Subject").map(squeezed) == stored.header("Subject").map(squeezed)
            && normalised(message.root.body) == normalised(stored.root.body)
    }

    private static func squeezed(_ value: String) -> String {
        value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The body with CRLF as LF and trailing blank lines dropped.
    private static func normalised(_ body: Data) -> Data {
        var out = Data(capacity: body.count)
        var previous: UInt8 = 0
        for byte in body {
            if previous == 0x0D && byte != 0x0A { out.append(0x0D) }
            if byte != 0x0D { out.append(byte) }
            previous = byte
        }
        while let last = out.last, last == 0x0A || last == 0x20 || last == 0x09 { out.removeLast() }
        return out
    }
}
