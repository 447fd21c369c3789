/// Syntax rules for the values of the directory: addresses, domain names, language tags, slugs.
public enum TextSyntax {
    /// An addr-spec of dot-atoms (`local@example.org`): what a mail gateway can put in a header and an SMTP
    /// envelope without quoting. Quoted local parts and address literals are refused.
    public static func isEmailAddress(_ text: String) -> Bool {
        guard text.utf8.count <= 254, let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64, isDomainName(String(domain)) else { return false }
        return local.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.unicodeScalars.allSatisfy { atomCharacters.contains($0) }
        }
    }

    private static let atomCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-".unicodeScalars)

    /// A host name of at least two labels (`example.org`): letters, digits and inner hyphens.
    public static func isDomainName(_ text: String) -> Bool {
        guard text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
            return label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// A BCP 47 language tag in its common shape: `ja`, `en`, `zh-Hant`, `pt-BR`.
    public static func isLanguageTag(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return false
        }
        return parts.dropFirst().allSatisfy { part in
            (1...8).contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }

    /// A lower-case identifier: organisation ids, technology tags, agreement kinds (`jpcert-cc`, `tcp-ip`,
    /// `http-server`). Dots and pluses are allowed inside for tags such as `ipv6` or `c++`.
    public static func isSlug(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLowercase || first.isNumber else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." || $0 == "+" || $0 == "_") }
    }
}
