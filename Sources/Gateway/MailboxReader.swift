import Foundation

/// Splits mailboxes into messages for `ingest`, on bytes: nothing is decoded, so every message keeps its
/// exact bytes whatever its charset.
public enum MailboxReader {
    /// Messages of an mbox file, with LF or CRLF line ends (mboxrd: `>From ` lines are unquoted once). A
    /// message starts at a `From ` line at the start of the file or after an empty line; each message keeps
    /// its own line ends, without the separator line and the empty line before the next one.
    public static func mbox(_ data: Data) -> [Data] {
        let bytes = [UInt8](data)
        var messages: [Data] = []
        var current = Data()
        var inMessage = false
        var previousBlank = true
        var lineStart = 0
        func flush() {
            guard inMessage else { return }
            // The empty line before the next separator belongs to the mbox, not the message: drop it, nothing more.
            let count = current.count
            if count >= 3, current[count - 2] == 0x0D, current[count - 1] == 0x0A, current[count - 3] == 0x0A {
                current.removeLast(2)
            } else if count >= 2, current[count - 1] == 0x0A, current[count - 2] == 0x0A {
                current.removeLast()
            }
            messages.append(current)
            current = Data()
        }
        let from = Array("From ".utf8)
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let next = min(lineEnd + 1, bytes.count)
            let line = bytes[lineStart..<next]
            var contentEnd = lineEnd
            if contentEnd > lineStart && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let isBlank = contentEnd == lineStart
            if previousBlank && line.starts(with: from) && isSeparator(line) {
                flush()
                inMessage = true
            } else if inMessage {
                var quoted = line.drop { $0 == UInt8(ascii: ">") }
                if quoted.count < line.count, quoted.starts(with: from) {
                    quoted = line.dropFirst()
                    current.append(contentsOf: quoted)
                } else {
                    current.append(contentsOf: line)
                }
            }
            previousBlank = isBlank
            lineStart = next
        }
        flush()
        return messages
    }

    /// `From sender date…`: a separator names a sender and a date (it has a digit); a body line that merely starts
    /// with "From " after an empty line in a message that was not quoted (`From the vendor.`) does not.
    static func isSeparator(_ line: ArraySlice<UInt8>) -> Bool {
        let words = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A })
        return words.count >= 3 && line.contains { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Files of a Maildir's `new/` and `cur/` folders, oldest name first. Nothing is read here: each file is read
    /// when it is ingested (`ReplyIngester.ingest(files:)`), so a file removed meanwhile is reported then, never
    /// skipped, and a large one is never held whole.
    public static func maildir(_ url: URL) throws(GatewayError) -> [(name: String, file: URL)] {
        var found: [(String, URL)] = []
        var any = false
        for sub in ["new", "cur"] {
            let folder = url.appendingPathComponent(sub)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            any = true
            for name in names.sorted() where !name.hasPrefix(".") {
                found.append(("\(sub)/\(name)", folder.appendingPathComponent(name)))
            }
        }
        if !any { throw .input("\(url.path) is not a Maildir (no new/ or cur/ folder)") }
        return found
    }
}
