import Foundation

/// A mailbox: an address such as `yamada@vendor.example` and an optional display name.
///
/// ```swift
/// let a = try EmailAddress(parsing: "\"山田 太郎\" <yamada@vendor.example>")
/// a.headerValue  // "=?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@vendor.example>"
/// ```
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The bare address, `local@domain`.
    public let address: String
    /// The display name, decoded; nil when there is none.
    public let displayName: String?

    /// The part before the `@`.
    public var localPart: String { String(address[..<atIndex]) }
    /// The part after the `@`.
    public var domain: String { String(address[address.index(after: atIndex)...]) }

    private var atIndex: String.Index { address.lastIndex(of: "@") ?? address.endIndex }

    /// Validates `address` and `displayName`; a display name that is empty after trimming counts as none.
    public init(address: String, displayName: String? = nil) throws(MailError) {
        try HeaderText.validate(address, header: "address")
        try Self.validate(address: address)
        self.address = address
        if let displayName {
            try HeaderText.validate(displayName, header: "display name")
            let trimmed = HeaderText.trimmingWSP(displayName)
            self.displayName = trimmed.isEmpty ? nil : trimmed
        } else {
            self.displayName = nil
        }
    }

    /// Parses `a@b.example`, `Name <a@b.example>`, `"山田 太郎" <a@b.example>`, RFC 2047 encoded
    /// display names and the old `a@b.example (Name)` form.
    public init(parsing text: String) throws(MailError) {
        try HeaderText.validate(text, header: "address")
        let parsed = try AddressSyntax.parseMailbox(text)
        try self.init(address: parsed.address, displayName: parsed.displayName)
    }

    /// Parses a comma-separated address list such as a To header; group names are ignored.
    public static func list(parsing text: String) throws(MailError) -> [EmailAddress] {
        try HeaderText.validate(text, header: "address list")
        var result: [EmailAddress] = []
        for element in AddressSyntax.splitList(text) {
            result.append(try EmailAddress(parsing: element))
        }
        return result
    }

    /// The mailbox as written in a header: the display name quoted when needed, RFC 2047
    /// encoded when not ASCII, then `<address>`; or the bare address when there is no name.
    public var headerValue: String {
        let name = phraseItems.flatMap { item in
            item.encode ? EncodedWord.encode(item.text) : [item.text]
        }
        return name.isEmpty ? address : (name + ["<\(address)>"]).joined(separator: " ")
    }

    /// `Name <address>` for people to read; not encoded.
    public var description: String {
        guard let displayName else { return address }
        let needsQuotes = !displayName.unicodeScalars.allSatisfy { $0 == " " || HeaderText.isAtext($0) || !$0.isASCII }
        return "\(needsQuotes ? HeaderText.quoted(displayName) : displayName) <\(address)>"
    }

    /// The display name as header words: atoms, one quoted string, or text to encode.
    var phraseItems: [(text: String, encode: Bool)] {
        guard let name = displayName else { return [] }
        if !HeaderText.isASCII(name) || name.contains("=?") { return [(name, true)] }
        let atoms = name.split(separator: " ", omittingEmptySubsequences: false)
        let plainAtoms = atoms.allSatisfy { atom in
            !atom.isEmpty && atom.utf8.count <= UnstructuredText.longestRawWord
                && atom.unicodeScalars.allSatisfy(HeaderText.isAtext)
        }
        if plainAtoms { return atoms.map { (String($0), false) } }
        let quoted = HeaderText.quoted(name)
        // A quoted string cannot be folded; a long one is encoded instead so it can be.
        return quoted.utf8.count <= UnstructuredText.longestRawWord ? [(quoted, false)] : [(name, true)]
    }

    static func validate(address: String) throws(MailError) {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw MailError.invalidAddress(address, parts.count < 2 ? "it has no @" : "it has more than one @")
        }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty else { throw MailError.invalidAddress(address, "the part before @ is empty") }
        guard local.utf8.count <= 64 else { throw MailError.invalidAddress(address, "the part before @ is longer than 64 characters") }
        if let bad = local.unicodeScalars.first(where: { !HeaderText.isAtext($0) && $0 != "." }) {
            throw MailError.invalidAddress(address, "the part before @ contains \"\(bad.escaped(asASCII: true))\"")
        }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            throw MailError.invalidAddress(address, "the part before @ has a misplaced dot")
        }
        guard !domain.isEmpty else { throw MailError.invalidAddress(address, "the domain is empty") }
        guard domain.utf8.count <= 253 else { throw MailError.invalidAddress(address, "the domain is longer than 253 characters") }
        for label in domain.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { throw MailError.invalidAddress(address, "the domain has an empty label") }
            guard label.utf8.count <= 63 else { throw MailError.invalidAddress(address, "a domain label is longer than 63 characters") }
            let valid = label.unicodeScalars.allSatisfy { scalar in
                switch scalar { case "a"..."z", "A"..."Z", "0"..."9", "-": true; default: false }
            }
            guard valid else { throw MailError.invalidAddress(address, "the domain may hold only letters, digits, hyphens and dots") }
            guard !label.hasPrefix("-") && !label.hasSuffix("-") else {
                throw MailError.invalidAddress(address, "a domain label begins or ends with a hyphen")
            }
        }
    }
}
