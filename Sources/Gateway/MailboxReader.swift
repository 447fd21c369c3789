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

    /// Splits an mbox file as `mbox(_:)` does, reading it a line at a time: each message is written to `scratch`
    /// (replaced for each one) and handed to `each` with its number, counted from 1, before the next is read. So
    /// memory holds one line and the message's last line, never the file nor a whole message (a large one then
    /// goes to `ReplyIngester.ingest(file:)`). Throws `GatewayError.input` when the file cannot be read.
    public static func mbox(file: URL, scratch: URL, each: (Int, URL) -> Void) throws(GatewayError) {
        guard let input = try? FileHandle(forReadingFrom: file) else { throw .input("\(file.path): cannot read the mbox file") }
        defer { try? input.close() }
        let from = Array("From ".utf8)
        var output: FileHandle?
        var number = 0
        // The message's last line is held back: a blank one before the next separator belongs to the mbox.
        var heldBack: [UInt8]?
        var previousBlank = true
        func write(_ line: [UInt8]) throws {
            try output?.write(contentsOf: line)
        }
        func flush() throws {
            guard let handle = output else { return }
            let written = try handle.offset()
            if let last = heldBack, !(last == [0x0A] || last == [0x0D, 0x0A]) || written == 0 {
                try handle.write(contentsOf: last)
            }
            heldBack = nil
            try handle.close()
            output = nil
            number += 1
            each(number, scratch)
        }
        func line(_ line: [UInt8]) throws {
            var contentEnd = line.count
            if contentEnd > 0 && line[contentEnd - 1] == 0x0A { contentEnd -= 1 }
            if contentEnd > 0 && line[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let isBlank = contentEnd == 0
            if previousBlank && line.starts(with: from) && isSeparator(line[...]) {
                try flush()
                FileManager.default.createFile(atPath: scratch.path, contents: nil, attributes: [.posixPermissions: 0o600])
                output = try FileHandle(forWritingTo: scratch)
            } else if output != nil {
                if let last = heldBack { try write(last) }
                let quoted = line.drop { $0 == UInt8(ascii: ">") }
                heldBack = quoted.count < line.count && quoted.starts(with: from) ? Array(line.dropFirst()) : line
            }
            previousBlank = isBlank
        }
        do {
            var pending: [UInt8] = []
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                pending.append(contentsOf: chunk)
                var start = 0
                while let end = pending[start...].firstIndex(of: 0x0A) {
                    try line(Array(pending[start...end]))
                    start = end + 1
                }
                pending.removeFirst(start)
            }
            if !pending.isEmpty { try line(pending) }
            try flush()
        } catch let error as GatewayError {
            throw error
        } catch {
            throw .input("\(file.path): \(error)")
        }
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
