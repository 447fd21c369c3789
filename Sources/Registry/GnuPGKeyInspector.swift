import Foundation

/// Inspects keys with `gpg --batch --with-colons --import-options show-only --import`, in a scratch home.
public struct GnuPGKeyInspector: KeyInspector {
    private let command: GnuPGCommand

    public init(executable: String = "/usr/bin/gpg") {
        command = GnuPGCommand(executable: executable)
    }

    public func inspect(_ data: Data) throws(RegistryError) -> [InspectedKey] {
        let home = try ScratchGnuPGHome()
        defer { home.remove() }
        let output = try command.run(["--homedir", home.path, "--batch", "--no-autostart", "--no-tty",
                                      "--with-colons", "--import-options", "show-only", "--import"], input: data)
        let keys = Self.parseColons(String(decoding: output.standardOutput, as: UTF8.self))
        guard output.status == 0 || !keys.isEmpty else {
            throw .keyData("no OpenPGP key found (\(GnuPGCommand.reason(output.standardError)))")
        }
        guard !keys.isEmpty else { throw .keyData("no OpenPGP key found") }
        return keys
    }

    /// Reads gpg's `--with-colons` listing: `pub`/`sec` records open a key, the next `fpr` is its
    /// fingerprint, `uid` records add user IDs.
    static func parseColons(_ text: String) -> [InspectedKey] {
        var keys: [InspectedKey] = []
        var expectingPrimaryFingerprint = false
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard let type = fields.first else { continue }
            func field(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
            switch type {
            case "pub", "sec":
                keys.append(InspectedKey(
                    fingerprint: "",
                    userIds: [],
                    algorithm: algorithmName(id: field(3), length: field(2), curve: field(16)),
                    created: date(field(5)),
                    expires: date(field(6)),
                    revoked: field(1) == "r",
                    isSecret: type == "sec"))
                expectingPrimaryFingerprint = true
            case "fpr" where expectingPrimaryFingerprint && !keys.isEmpty:
                keys[keys.count - 1].fingerprint = field(9).uppercased()
                expectingPrimaryFingerprint = false
            case "uid" where !keys.isEmpty:
                // A revoked user ID no longer vouches for its address (all of them show as revoked when the
                // whole key is, and are kept then, to say whose key it was).
                if field(1) != "r" || keys[keys.count - 1].revoked {
                    keys[keys.count - 1].userIds.append(unescape(field(9)))
                }
            case "sub", "ssb":
                expectingPrimaryFingerprint = false
                if type == "ssb", !keys.isEmpty { keys[keys.count - 1].isSecret = true }
            default:
                break
            }
        }
        return keys.filter { !$0.fingerprint.isEmpty }
    }

    private static func date(_ field: String) -> Date? {
        guard let seconds = TimeInterval(field), seconds > 0 else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    private static func algorithmName(id: String, length: String, curve: String) -> String {
        if !curve.isEmpty { return curve }
        switch id {
        case "1", "2", "3": return "rsa\(length)"
        case "16": return "elg\(length)"
        case "17": return "dsa\(length)"
        case "18": return "ecdh"
        case "19": return "ecdsa"
        case "22": return "eddsa"
        default: return "algorithm-\(id)"
        }
    }

    /// gpg writes `:` and other bytes of a user ID as `\x3a`.
    private static func unescape(_ text: String) -> String {
        guard text.contains("\\x") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.first {
            if byte == UInt8(ascii: "\\"), utf8.count >= 4, utf8.dropFirst().first == UInt8(ascii: "x"),
               let value = UInt8(String(decoding: utf8.dropFirst(2).prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(4)
            } else {
                bytes.append(byte)
                utf8 = utf8.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
