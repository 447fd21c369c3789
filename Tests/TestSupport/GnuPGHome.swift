import Foundation

/// A throwaway GnuPG home directory for one test: its own keyring and gpg-agent, removed by `shutdown()`.
///
/// Every test that needs keys makes its own home, so tests run in parallel without sharing a keyring or an
/// agent. The path is short (`/tmp/lg-XXXXXX`) because gpg-agent puts its Unix sockets there and socket paths
/// must stay under 108 bytes. The agent never asks for a passphrase: keys are made without one, gpg uses
/// loopback pinentry, and the agent's pinentry program is `/bin/false` so a mistake fails instead of hanging.
///
/// The class is `Sendable` because its only stored state is the immutable `path`; `shutdown()` is idempotent
/// (it does nothing once the directory is gone), so calling it from a `defer` and again from `deinit` is fine.
///
/// ```swift
/// let home = try GnuPGHome.make()
/// defer { home.shutdown() }
/// let fingerprint = try home.generateKey(name: "Alice", email: "alice@example.org")
/// let context = try OpenPGPContext(homeDirectory: home.path)
/// ```
public final class GnuPGHome: Sendable {
    /// The key types `generateKey` makes: the primary key signs and certifies, a subkey encrypts.
    public enum KeyAlgorithm: String, Sendable {
        /// Ed25519 primary key with a Curve25519 (cv25519) encryption subkey.
        case ed25519
        /// RSA-3072 primary key with an RSA-3072 encryption subkey.
        case rsa3072

        var encryptionAlgorithm: String { self == .ed25519 ? "cv25519" : "rsa3072" }
    }

    /// A gpg command that failed, with what gpg said.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Absolute path of the home directory (mode 0700).
    public let path: String

    /// `GNUPGHOME` pointing at this home, for child processes such as the `liaison` executable.
    public var environment: [String: String] { ["GNUPGHOME": path] }

    private init(path: String) { self.path = path }

    deinit { shutdown() }

    /// Creates an empty home with `gpg.conf` and `gpg-agent.conf` set up for unattended use.
    public static func make() throws -> GnuPGHome {
        var template = Array("/tmp/lg-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw Failure(description: "Cannot create a GnuPG home in /tmp: \(String(cString: strerror(errno))).")
        }
        let home = GnuPGHome(path: String(cString: created))  // mkdtemp makes it 0700, as gpg requires
        do {
            try """
            # Throwaway keyring for a test: never ask, never go online.
            no-greeting
            pinentry-mode loopback
            no-auto-key-retrieve
            auto-key-locate local
            """.write(toFile: home.path + "/gpg.conf", atomically: true, encoding: .utf8)
            try """
            allow-loopback-pinentry
            pinentry-program /bin/false
            disable-scdaemon
            """.write(toFile: home.path + "/gpg-agent.conf", atomically: true, encoding: .utf8)
        } catch {
            home.shutdown()
            throw error
        }
        return home
    }

    /// Generates a key without passphrase and returns its upper-case fingerprint.
    ///
    /// - Parameters:
    ///   - expires: "never", a period such as "1d" or "1y", or an ISO date ("2030-01-01"); applies to the
    ///     primary key and the encryption subkey.
    ///   - fakedSystemTime: make the key as if the clock read this (gpg's `--faked-system-time`, e.g.
    ///     "20200101T000000!"), to obtain a key that has already expired.
    ///   - passphrase: protects the secret key ("" for none).
    ///   - signingSubkey: the primary key only certifies and a separate subkey signs.
    @discardableResult
    public func generateKey(name: String, email: String, algorithm: KeyAlgorithm = .ed25519,
                            expires: String = "never", fakedSystemTime: String? = nil,
                            passphrase: String = "", signingSubkey: Bool = false) throws -> String {
        var common = ["--status-fd", "1", "--pinentry-mode", "loopback", "--passphrase", passphrase, "--yes"]
        if let fakedSystemTime { common += ["--faked-system-time", fakedSystemTime] }

        let created = try run(common + ["--quick-gen-key", "\(name) <\(email)>", algorithm.rawValue,
                                        signingSubkey ? "cert" : "sign,cert", expires])
        let statusLines = String(decoding: created, as: UTF8.self).split(separator: "\n")
        guard let line = statusLines.first(where: { $0.hasPrefix("[GNUPG:] KEY_CREATED ") }),
              let fingerprint = line.split(separator: " ").last.map(String.init) else {
            throw Failure(description: "gpg --quick-gen-key in \(path) reported no KEY_CREATED status.")
        }
        if signingSubkey { try run(common + ["--quick-add-key", fingerprint, algorithm.rawValue, "sign", expires]) }
        try run(common + ["--quick-add-key", fingerprint, algorithm.encryptionAlgorithm, "encr", expires])
        return fingerprint.uppercased()
    }

    /// Revokes the key by importing the revocation certificate gpg stored when it generated the key.
    public func revokeKey(_ fpr: String) throws {
        let certificatePath = "\(path)/openpgp-revocs.d/\(fpr.uppercased()).rev"
        guard let stored = FileManager.default.contents(atPath: certificatePath) else {
            throw Failure(description: "No revocation certificate for \(fpr) at \(certificatePath).")
        }
        // gpg prefixes the armor header with ":" so the certificate cannot be imported by accident.
        let text = String(decoding: stored, as: UTF8.self)
            .replacingOccurrences(of: ":-----BEGIN PGP PUBLIC KEY BLOCK-----", with: "-----BEGIN PGP PUBLIC KEY BLOCK-----")
        try run(["--import"], input: Data(text.utf8))
    }

    /// The armored public key.
    public func exportPublic(_ fpr: String) throws -> Data {
        let exported = try run(["--armor", "--export", fpr])
        guard !exported.isEmpty else { throw Failure(description: "Key \(fpr) is not in \(path).") }
        return exported
    }

    /// The armored secret key (it has no passphrase).
    public func exportSecret(_ fpr: String) throws -> Data {
        let exported = try run(["--pinentry-mode", "loopback", "--passphrase", "", "--armor",
                                "--export-secret-keys", fpr])
        guard !exported.isEmpty else { throw Failure(description: "Secret key \(fpr) is not in \(path).") }
        return exported
    }

    /// Imports public or secret key data.
    public func importKey(_ armored: Data) throws {
        try run(["--pinentry-mode", "loopback", "--passphrase", "", "--import"], input: armored)
    }

    /// Runs `gpg --homedir <path> --batch <args>`, whatever its exit status.
    public func gpg(_ args: [String], input: Data? = nil) throws -> (status: Int32, stdout: Data, stderr: String) {
        try runProcess(GnuPGHome.tool("gpg"), ["--homedir", path, "--batch"] + args, input: input,
                       environment: environment.merging(["LC_ALL": "C.UTF-8"]) { _, new in new })
    }

    /// Stops this home's gpg-agent, if one runs; the next gpg (or Liaison) starts a new one.
    public func stopAgent() {
        _ = try? runProcess(GnuPGHome.tool("gpgconf"), ["--homedir", path, "--kill", "gpg-agent"])
    }

    /// The process id of this home's running gpg-agent, asked of the agent itself; nil when none runs (never
    /// starts one).
    public func agentPID() throws -> Int32? {
        let result = try runProcess(GnuPGHome.tool("gpg-connect-agent"),
                                    ["--homedir", path, "--no-autostart", "GETINFO pid", "/bye"])
        let text = String(decoding: result.stdout, as: UTF8.self)
        return text.split(separator: "\n").lazy.compactMap { line in
            line.hasPrefix("D ") ? Int32(line.dropFirst(2).trimmingCharacters(in: .whitespaces)) : nil
        }.first
    }

    /// Stops this home's gpg-agent (and any other daemon) and removes the directory; safe to call twice.
    public func shutdown() {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let gpgconf = GnuPGHome.tool("gpgconf")
        _ = try? runProcess(gpgconf, ["--homedir", path, "--kill", "all"])
        _ = try? runProcess(gpgconf, ["--homedir", path, "--remove-socketdir"])
        // The agent removes its sockets while exiting, which can race with our removal: retry until gone.
        let deadline = Date().addingTimeInterval(10)
        while FileManager.default.fileExists(atPath: path), Date() < deadline {
            if (try? FileManager.default.removeItem(atPath: path)) == nil { usleep(20_000) }
        }
    }

    /// gpg with a zero exit status required; returns stdout.
    @discardableResult
    private func run(_ args: [String], input: Data? = nil) throws -> Data {
        let result = try gpg(args, input: input)
        guard result.status == 0 else {
            let said = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "gpg \(args.joined(separator: " ")) failed in \(path) (status \(result.status)): \(said)")
        }
        return result.stdout
    }

    /// The GnuPG program `name` from /usr/bin, /usr/local/bin, /opt/homebrew/bin or PATH.
    private static func tool(_ name: String) -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] + path.split(separator: ":").map(String.init)
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "/usr/bin/\(name)"
    }
}
