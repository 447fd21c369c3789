import Foundation

/// A `security.txt` file as RFC 9116 defines it: fields `Contact`, `Encryption`, `Preferred-Languages`, `Expires`,
/// `Canonical`, `Policy`, `Acknowledgments`, `Hiring`, and `CSAF` (CSAF 2.0 §7.1.8); `#` comments; optionally an
/// OpenPGP cleartext-signed message (RFC 4880 §7), whose signature is checked elsewhere.
///
/// ```swift
/// let file = try SecurityTxt.parse(data)
/// file.contacts            // ["mailto:psirt@example.com"]
/// file.problems            // ["line 4: Expires is not an RFC 3339 date-time"]
/// ```
public struct SecurityTxt: Sendable, Equatable {
    public var contacts: [String] = []
    public var encryption: [String] = []
    /// BCP 47 tags, in the order given.
    public var preferredLanguages: [String] = []
    public var expires: Date?
    public var canonical: [String] = []
    public var policy: [String] = []
    public var acknowledgments: [String] = []
    public var hiring: [String] = []
    public var csaf: [String] = []
    /// The file is an OpenPGP cleartext-signed message.
    public var isSigned = false
    /// What does not follow RFC 9116 (missing or repeated Expires, malformed lines), each naming its line.
    public var problems: [String] = []

    /// The mailto: contacts as bare addresses, in order.
    public var emailAddresses: [String] {
        contacts.compactMap { uri in
            guard uri.lowercased().hasPrefix("mailto:") else { return nil }
            let address = String(uri.dropFirst("mailto:".count)).split(separator: "?").first.map(String.init) ?? ""
            return address.removingPercentEncoding ?? address
        }
    }

    /// Every URI with the field it came from, to check their schemes.
    public var uris: [(field: String, uri: String)] {
        contacts.map { ("Contact", $0) } + encryption.map { ("Encryption", $0) } + canonical.map { ("Canonical", $0) }
            + policy.map { ("Policy", $0) } + acknowledgments.map { ("Acknowledgments", $0) }
            + hiring.map { ("Hiring", $0) } + csaf.map { ("CSAF", $0) }
    }

    /// Parses `data`; throws when it is not UTF-8 text, is binary, or holds no field at all. Of a cleartext-signed
    /// file, only the signed text is read (as this parser finds it; the text GnuPG verified is read with
    /// `parse(_:firstLine:)` instead), and `isSigned` is set.
    public static func parse(_ data: Data) throws(SecurityTxtError) -> SecurityTxt {
        try parse(data, firstLine: 1)
    }

    /// The armour line that ends the signed text of a cleartext-signed message.
    static let signatureStart = "-----BEGIN PGP SIGNATURE-----"
    static let signatureEnd = "-----END PGP SIGNATURE-----"

    /// Of a cleartext-signed file: the message GnuPG is to verify (everything up to the end of the first
    /// `-----END PGP SIGNATURE-----` line, trailing white space allowed as GnuPG allows it), and the numbers of
    /// the lines after it that are not blank: text nobody signed. Nil when there is no signature block.
    public static func signedMessage(in data: Data) -> (message: Data, unsignedLines: [Int])? {
        guard let text = String(data: data, encoding: .utf8) else { return nil }
        var offset = text.startIndex
        var number = 0
        var inSignature = false
        while offset < text.endIndex {
            let lineEnd = text[offset...].firstIndex(of: "\n") ?? text.endIndex
            let next = lineEnd < text.endIndex ? text.index(after: lineEnd) : lineEnd
            number += 1
            let line = text[offset..<lineEnd].trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line == signatureStart { inSignature = true }
            if inSignature && line == signatureEnd {
                let rest = text[next...].split(separator: "\n", omittingEmptySubsequences: false)
                let unsigned = rest.enumerated().compactMap { index, line in
                    line.allSatisfy(\.isWhitespace) ? nil : number + 1 + index
                }
                return (Data(text[..<next].utf8), unsigned)
            }
            offset = next
        }
        return nil
    }

    /// Parses `data` whose first line is line `firstLine` of the file it came from (the text GnuPG verified starts
    /// after the armour headers), so that problems name the file's lines.
    public static func parse(_ data: Data, firstLine: Int) throws(SecurityTxtError) -> SecurityTxt {
        guard let text = String(data: data, encoding: .utf8) else { throw .invalidUTF8 }
        // C0 controls other than tab and line ends, DEL and C1 controls: binary data, or terminal escapes.
        if text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || (0x7F...0x9F).contains($0.value) }) {
            throw .binary
        }
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        var file = SecurityTxt()
        var lineOffset = firstLine - 1
        if lines.first?.trimmingCharacters(in: .whitespaces) == "-----BEGIN PGP SIGNED MESSAGE-----" {
            file.isSigned = true
            // Armor headers (Hash: …) end at the first empty line; the signed text ends at the first signature
            // block, whose armour line GnuPG also takes with trailing white space.
            guard let blank = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }),
                  let end = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == signatureStart }),
                  end > blank else {
                throw .malformedSignedMessage
            }
            lineOffset += blank + 1
            lines = lines[(blank + 1)..<end].map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
        }
        var expiresSeen = 0
        var fields = 0
        for (index, raw) in lines.enumerated() {
            let number = index + 1 + lineOffset
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                file.problems.append("line \(number): not a field (Name: value) nor a # comment")
                continue
            }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { file.problems.append("line \(number): \(line[..<colon]) has no value"); continue }
            fields += 1
            switch name {
            case "contact": file.contacts.append(value)
            case "encryption": file.encryption.append(value)
            case "canonical": file.canonical.append(value)
            case "policy": file.policy.append(value)
            case "acknowledgments", "acknowledgements": file.acknowledgments.append(value)
            case "hiring": file.hiring.append(value)
            case "csaf": file.csaf.append(value)
            case "preferred-languages":
                if !file.preferredLanguages.isEmpty { file.problems.append("line \(number): Preferred-Languages appears more than once") }
                file.preferredLanguages += value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            case "expires":
                expiresSeen += 1
                if expiresSeen > 1 { file.problems.append("line \(number): Expires appears more than once") ; continue }
                if let date = parseDate(value) { file.expires = date } else {
                    file.problems.append("line \(number): Expires \(value) is not an RFC 3339 date-time")
                }
            default: fields -= 1  // other fields are allowed and ignored (RFC 9116 §2.4)
            }
        }
        guard fields > 0 else { throw .noFields }
        if file.contacts.isEmpty { file.problems.append("no Contact field (RFC 9116 requires one)") }
        if expiresSeen == 0 { file.problems.append("no Expires field (RFC 9116 requires one)") }
        return file
    }

    /// RFC 3339 date-time, with or without fractional seconds.
    static func parseDate(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

/// Why a `security.txt` could not be read at all.
public struct SecurityTxtError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    private init(_ description: String) { self.description = description }

    public static let invalidUTF8 = SecurityTxtError("is not valid UTF-8 text")
    public static let binary = SecurityTxtError("is binary, not text (it holds control characters)")
    public static let noFields = SecurityTxtError("holds no security.txt field")
    public static let malformedSignedMessage = SecurityTxtError("starts as an OpenPGP signed message but has no signature block")
}
