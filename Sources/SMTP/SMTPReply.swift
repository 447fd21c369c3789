/// One complete server reply, possibly multi-line (`250-…` lines then a final `250 …` line).
struct SMTPReply: Sendable, Equatable {
    /// The three-digit code (0 when the server sent no number).
    let code: Int
    /// The lines as received, without CRLF, code included.
    let lines: [String]

    /// The reply exactly as the server worded it, lines joined with "\n".
    var text: String { lines.joined(separator: "\n") }

    /// The reply on one line, for sentences and logs.
    var singleLine: String { lines.joined(separator: " ") }

    /// True for 2xx and 3xx replies.
    var isPositive: Bool { (200..<400).contains(code) }

    /// True when `line` ends a reply: "250 text", "250", anything not of the form "250-".
    static func isFinalLine(_ line: String) -> Bool {
        let scalars = Array(line.unicodeScalars.prefix(4))
        return !(scalars.count == 4 && scalars[3] == "-")
    }

    /// The code a reply line starts with, or 0.
    static func code(of line: String) -> Int {
        let digits = line.unicodeScalars.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ ("0"..."9").contains($0) }) else { return 0 }
        return Int(String(String.UnicodeScalarView(digits))) ?? 0
    }
}
