import Foundation

/// Splits mailboxes into messages for `ingest`.
public enum MailboxReader {
    /// Messages of an mbox file (mboxrd: `>From ` lines are unquoted once).
    public static func mbox(_ data: Data) -> [Data] {
        var messages: [Data] = []
        var current: [Substring] = []
        var inMessage = false
        let text = String(decoding: data, as: UTF8.self)
        func flush() {
            guard inMessage else { return }
            var lines = current
            while let last = lines.last, last.isEmpty { lines.removeLast() }
            messages.append(Data((lines.joined(separator: "\n") + "\n").utf8))
            current = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.hasPrefix("From ") {
                flush()
                inMessage = true
                continue
            }
            guard inMessage else { continue }
            if line.range(of: "^>+From ", options: .regularExpression) != nil { current.append(line.dropFirst()) }
            else { current.append(line) }
        }
        flush()
        return messages
    }

    /// Files of a Maildir's `new/` and `cur/` folders, oldest name first.
    public static func maildir(_ url: URL) throws(GatewayError) -> [(name: String, data: Data)] {
        var found: [(String, Data)] = []
        var any = false
        for sub in ["new", "cur"] {
            let folder = url.appendingPathComponent(sub)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            any = true
            for name in names.sorted() where !name.hasPrefix(".") {
                guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
                found.append(("\(sub)/\(name)", data))
            }
        }
        if !any { throw .input("\(url.path) is not a Maildir (no new/ or cur/ folder)") }
        return found
    }
}
