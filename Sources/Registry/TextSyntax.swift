/// Syntax rules for the values of the directory: addresses, domain names, language tags, slugs.
public enum TextSyntax {
    /// An addr-spec of dot-atoms (`local@example.org`): what a mail gateway can put in a header and an SMTP
    /// envelope without quoting. Quoted local parts and address literals are refused.
    public static func isEmailAddress(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= 254, let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at <= 64 else { return false }
        guard isDomainName(bytes[(at + 1)...]) else { return false }
        var previousWasDot = true
        for byte in bytes[..<at] {
            if byte == UInt8(ascii: ".") {
                if previousWasDot { return false }
                previousWasDot = true
            } else {
                guard atomBytes[Int(byte)] else { return false }
                previousWasDot = false
            }
        }
        return !previousWasDot
    }

    /// A host name of at least two labels (`example.org`): letters, digits and inner hyphens.
    public static func isDomainName(_ text: String) -> Bool {
        isDomainName(Array(text.utf8)[...])
    }

    private static func isDomainName(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        var labels = 0
        var labelLength = 0
        var previous: UInt8 = UInt8(ascii: ".")
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard labelLength > 0, previous != UInt8(ascii: "-") else { return false }
                labels += 1
                labelLength = 0
            } else {
                let isAlphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                guard isAlphanumeric || (byte == UInt8(ascii: "-") && labelLength > 0) else { return false }
                labelLength += 1
                guard labelLength <= 63 else { return false }
            }
            previous = byte
        }
        guard labelLength > 0, previous != UInt8(ascii: "-") else { return false }
        return labels + 1 >= 2
    }

    /// Which bytes may appear in a dot-atom (RFC 5322 atext).
    private static let atomBytes: [Bool] = {
        var table = Array(repeating: false, count: 256)
        for byte in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-".utf8 {
            table[Int(byte)] = true
        }
        return table
    }()

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
