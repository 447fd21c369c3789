import Foundation

/// A Liaison workspace in a fresh temporary folder: `liaison.yaml`, `Directory/organizations/`,
/// `Directory/keys/`, `Templates/`, `.liaison/`, with helpers to write organisation and key files.
/// Call `remove()` when done (it also stops any gpg-agent started for the workspace's GnuPG home).
public final class TemporaryWorkspace: Sendable {
    public let root: URL

    /// A configuration for tests: GnuPG home inside the workspace, file transport, UTC.
    public static let defaultConfiguration = """
        sender:
          from: "Test CSIRT <vuls@csirt.example>"
          organization: test-csirt
        smtp:
          url: smtp://127.0.0.1:2525
          tls: none
        gnupg:
          home: .liaison/gnupg
        report:
          timezone: UTC

        """

    public init(configuration: String = TemporaryWorkspace.defaultConfiguration) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("liaison-ws-\(UUID().uuidString.prefix(12))", isDirectory: true)
        for folder in ["Directory/organizations", "Directory/keys", "Templates", ".liaison"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try write("liaison.yaml", configuration)
    }

    public var organizationsURL: URL { root.appendingPathComponent("Directory/organizations", isDirectory: true) }
    public var keysURL: URL { root.appendingPathComponent("Directory/keys", isDirectory: true) }
    public var gnupgHome: URL { root.appendingPathComponent(".liaison/gnupg", isDirectory: true) }

    /// Writes `text` at `relativePath` under the root, creating folders.
    public func write(_ relativePath: String, _ text: String) throws {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Writes `Directory/organizations/<id>.yaml`.
    public func writeOrganization(_ id: String, _ yaml: String) throws {
        try write("Directory/organizations/\(id).yaml", yaml)
    }

    /// Deletes `Directory/organizations/<id>.yaml`.
    public func removeOrganization(_ id: String) throws {
        try FileManager.default.removeItem(at: organizationsURL.appendingPathComponent("\(id).yaml"))
    }

    /// Writes the public part of `key` as `Directory/keys/<FINGERPRINT>.asc`.
    public func writeKey(_ key: Key) throws {
        try write("Directory/keys/\(key.fingerprint).asc", key.publicKey)
    }

    /// A minimal valid organisation file with one `to` contact.
    public static func organizationYAML(id: String, name: String? = nil, kind: String = "product-developer",
                                        country: String = "JP", technologies: [String] = ["tls"],
                                        email: String? = nil, pgp: String? = nil, extra: String = "") -> String {
        let address = email ?? "psirt@\(id).example"
        let key = pgp.map { ", pgp: \($0)" } ?? ""
        return """
            id: \(id)
            name: \(name ?? "Company \(id)")
            kind: \(kind)
            country: \(country)
            technologies: [\(technologies.joined(separator: ", "))]
            \(extra)contacts:
              - { email: \(address), name: PSIRT, role: to, language: ja\(key) }

            """
    }

    /// Removes the folder, stopping a gpg-agent of its GnuPG home first.
    public func remove() {
        if FileManager.default.fileExists(atPath: gnupgHome.path) {
            TemporaryWorkspace.stopAgent(home: gnupgHome.path)
        }
        try? FileManager.default.removeItem(at: root)
    }

    // MARK: Keys

    /// A key generated for a test: its fingerprint, armored public key and, if asked, armored secret key.
    public struct Key: Sendable, Equatable {
        public let fingerprint: String
        public let publicKey: String
        public let secretKey: String?
    }

    /// How long a generated key lives.
    public enum Expiry: Sendable {
        case never
        /// Expires this many days from now.
        case inDays(Int)
        /// Created in 2020 with a one-year lifetime: expired long ago.
        case expired
    }

    /// What key to generate.
    public struct KeySpec: Sendable {
        public var userId: String
        public var expiry: Expiry
        public var revoked: Bool
        public var withSecret: Bool

        public init(userId: String, expiry: Expiry = .never, revoked: Bool = false, withSecret: Bool = false) {
            self.userId = userId
            self.expiry = expiry
            self.revoked = revoked
            self.withSecret = withSecret
        }
    }

    /// Generates Ed25519 keys (with a Curve25519 encryption subkey) in a throwaway GnuPG home, which is
    /// removed (and its agent stopped) before returning.
    public static func generateKeys(_ specs: [KeySpec]) throws -> [Key] {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("lgk-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer {
            stopAgent(home: home.path)
            try? FileManager.default.removeItem(at: home)
        }
        var keys: [Key] = []
        for spec in specs {
            var arguments = ["--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
            let lifetime: String
            switch spec.expiry {
            case .never: lifetime = "never"
            case .inDays(let days): lifetime = "\(days)d"
            case .expired:
                arguments += ["--faked-system-time", "20200101T000000!"]  // frozen: the subkey is never "created in the future" of a slow primary
                lifetime = "1y"
            }
            _ = try gpg(home: home.path, arguments + ["--quick-gen-key", spec.userId, "ed25519", "sign", lifetime])
            let listing = try gpg(home: home.path, ["--batch", "--with-colons", "--list-keys", "=\(spec.userId)"])
            guard let fingerprint = listing.split(separator: "\n").first(where: { $0.hasPrefix("fpr:") })?
                .split(separator: ":", omittingEmptySubsequences: false)[9] else {
                throw GeneratedKeyMissing(userId: spec.userId)
            }
            _ = try gpg(home: home.path, arguments + ["--quick-add-key", String(fingerprint), "cv25519", "encr", lifetime])
            if spec.revoked {
                let certificate = home.appendingPathComponent("openpgp-revocs.d/\(fingerprint).rev")
                let text = try String(contentsOf: certificate, encoding: .utf8).replacingOccurrences(of: ":-----BEGIN", with: "-----BEGIN")
                _ = try gpg(home: home.path, ["--batch", "--import"], input: Data(text.utf8))
            }
            let publicKey = try gpg(home: home.path, ["--batch", "--armor", "--export", String(fingerprint)])
            let secretKey = spec.withSecret
                ? try gpg(home: home.path, ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--armor",
                                            "--export-secret-keys", String(fingerprint)])
                : nil
            keys.append(Key(fingerprint: String(fingerprint), publicKey: publicKey, secretKey: secretKey))
        }
        return keys
    }

    /// One key; see `generateKeys`.
    public static func generateKey(_ spec: KeySpec) throws -> Key {
        try generateKeys([spec])[0]
    }

    static func stopAgent(home: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gpgconf")
        process.arguments = ["--homedir", home, "--kill", "all"]
        _ = try? CapturedProcess.run(process)
    }

    private static func gpg(home: String, _ arguments: [String], input: Data? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gpg")
        process.arguments = ["--homedir", home] + arguments
        let result = try CapturedProcess.run(process, input: input)
        guard result.status == 0 else { throw GnuPGFailed(arguments: arguments, stderr: result.stderr) }
        return result.stdout
    }
}

/// gpg failed while preparing a test.
public struct GnuPGFailed: Error, CustomStringConvertible {
    public let arguments: [String]
    public let stderr: String
    public var description: String { "gpg \(arguments.joined(separator: " ")) failed: \(stderr)" }
}

/// A key was generated but could not be found again.
public struct GeneratedKeyMissing: Error, CustomStringConvertible {
    public let userId: String
    public var description: String { "The key generated for \(userId) is not in the GnuPG home." }
}
