import Foundation

/// The tolerant RFC 5322 mailbox parser behind `EmailAddress(parsing:)`.
enum AddressSyntax {
    /// Splits `text` at commas outside quoted strings, comments and angle brackets; strips group syntax.
    static func splitList(_ text: String) -> [String] {
        var elements: [String] = []
        var current = String.UnicodeScalarView()
        var inQuotes = false, escaped = false, commentDepth = 0, inAngle = false
        for scalar in text.unicodeScalars {
            if escaped { escaped = false; current.append(scalar); continue }
            switch scalar {
            case "\\" where inQuotes || commentDepth > 0: escaped = true
            case "\"" where commentDepth == 0: inQuotes.toggle()
            case "(" where !inQuotes: commentDepth += 1
            case ")" where !inQuotes && commentDepth > 0: commentDepth -= 1
            case "<" where !inQuotes && commentDepth == 0: inAngle = true
            case ">" where !inQuotes && commentDepth == 0: inAngle = false
            case "," where !inQuotes && commentDepth == 0 && !inAngle:
                elements.append(String(current))
                current = .init()
                continue
            case ";" where !inQuotes && commentDepth == 0 && !inAngle:
                // End of a group: "Team: a@b, c@d;"
                elements.append(String(current))
                current = .init()
                continue
            case ":" where !inQuotes && commentDepth == 0 && !inAngle:
                // Start of a group: drop the group name.
                current = .init()
                continue
            default: break
            }
            current.append(scalar)
        }
        elements.append(String(current))
        return elements.map(HeaderText.trimmingWSP).filter { !$0.isEmpty }
    }

    /// Splits one mailbox into its address and display name.
    static func parseMailbox(_ text: String) throws(MailError) -> (address: String, displayName: String?) {
        let scalars = Array(text.unicodeScalars)
        var phrase = PhraseBuilder()                 // outside angle brackets, comments removed
        var comment = String.UnicodeScalarView()    // text of the comments, for "a@b (Name)"
        var angle: String.UnicodeScalarView?
        var angleClosed = false
        var inQuotes = false, escaped = false, commentDepth = 0
        for scalar in scalars {
            if escaped {
                escaped = false
                if commentDepth > 0 { comment.append(scalar) } else { phrase.append(scalar, quoted: inQuotes) }
                continue
            }
            if commentDepth > 0 {
                switch scalar {
                case "\\": escaped = true
                case "(": commentDepth += 1; comment.append(scalar)
                case ")":
                    commentDepth -= 1
                    if commentDepth > 0 { comment.append(scalar) } else { comment.append(" ") }
                default: comment.append(scalar)
                }
                continue
            }
            if var inside = angle, !angleClosed {
                if scalar == ">" { angleClosed = true } else { inside.append(scalar); angle = inside }
                continue
            }
            switch scalar {
            case "\\" where inQuotes: escaped = true
            case "\"": inQuotes.toggle()
            case "(" where !inQuotes: commentDepth = 1
            case "<" where !inQuotes && angle == nil: angle = .init()
            default:
                if angle == nil { phrase.append(scalar, quoted: inQuotes) }
            }
        }
        guard !inQuotes else { throw MailError.invalidAddress(text, "a quoted string is not closed") }
        let commentText = HeaderText.trimmingWSP(String(comment))
        if let angle {
            guard angleClosed else { throw MailError.invalidAddress(text, "the < is not closed by >") }
            var address = HeaderText.trimmingWSP(String(angle))
            // Obsolete source route "<@relay:user@host>".
            if address.hasPrefix("@"), let colon = address.firstIndex(of: ":") {
                address = String(address[address.index(after: colon)...])
            }
            let name = phrase.displayName
            return (address, name.isEmpty ? (commentText.isEmpty ? nil : EncodedWord.decode(commentText)) : name)
        }
        let address = HeaderText.trimmingWSP(phrase.raw)
        guard !address.contains(" ") && !address.contains("\t") else {
            throw MailError.invalidAddress(text, "it contains a space outside a display name; write Name <address>")
        }
        return (address, commentText.isEmpty ? nil : EncodedWord.decode(commentText))
    }
}

/// Collects the words of a display name, remembering which were quoted.
private struct PhraseBuilder {
    private var segments: [(text: String.UnicodeScalarView, quoted: Bool)] = []

    mutating func append(_ scalar: Unicode.Scalar, quoted: Bool) {
        if segments.last?.quoted != quoted { segments.append((.init(), quoted)) }
        segments[segments.count - 1].text.append(scalar)
    }

    /// Everything as written, without quotes.
    var raw: String { segments.map { String($0.text) }.joined() }

    /// The display name: whitespace runs outside quotes collapsed, quoted text kept as is,
    /// encoded words decoded (inside quotes too, as many mailers write them there).
    var displayName: String {
        var joined = ""
        for segment in segments {
            if segment.quoted {
                joined += String(segment.text)
                continue
            }
            var lastWasSpace = false
            for scalar in segment.text {
                if HeaderText.isWSP(scalar) {
                    if !lastWasSpace { joined.unicodeScalars.append(" ") }
                    lastWasSpace = true
                } else {
                    joined.unicodeScalars.append(scalar)
                    lastWasSpace = false
                }
            }
        }
        return HeaderText.trimmingWSP(EncodedWord.decode(joined))
    }
}
