import CGPGME
import Foundation
import Logging
import Synchronization

/// Starts a GnuPG home's gpg-agent from Liaison, with an environment that does not hold the passphrase.
///
/// gpg-agent outlives the command that started it. Started by gpg (which gpgme runs with this process's
/// environment), it would keep a passphrase given through an environment variable (`gnupg.passphrase_env`) in its
/// own environment, readable in /proc/PID/environ long after Liaison exits, and so would the SMTP and IMAP
/// passwords. `gpgconf --launch gpg-agent` with those variables left out starts it first; an agent already running
/// is left as it is.
enum AgentLauncher {
    private static let launched = Mutex<Set<String>>([])

    /// Launches the agent of `home` once per process, without `secret` or any variable `isSecret` names.
    static func launch(home: String, withholding secret: String, logger: Logger) {
        guard launched.withLock({ $0.insert(home).inserted }) else { return }
        let gpgconf = GPGMELibrary.string(liaison_gpgme_gpgconf_path()) ?? "/usr/bin/gpgconf"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gpgconf)
        process.arguments = ["--homedir", home, "--launch", "gpg-agent"]
        process.environment = ProcessInfo.processInfo.environment.filter { !isSecret(name: $0.key, value: $0.value, secret) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            // gpg then starts the agent itself, as before; signing still works.
            logger.warning("could not start gpg-agent for \(home) with \(gpgconf): \(error.localizedDescription)")
        }
    }

    /// A variable the agent must not inherit: one holding the passphrase, or named like a secret
    /// (LIAISON_SMTP_PASSWORD, LIAISON_IMAP_PASSWORD, a passphrase variable): the agent needs none of them.
    static func isSecret(name: String, value: String, _ secret: String?) -> Bool {
        if let secret, !secret.isEmpty, value == secret || (secret.count >= 8 && value.contains(secret)) { return true }
        let upper = name.uppercased()
        return ["PASSPHRASE", "PASSWORD", "SECRET"].contains { upper.contains($0) }
    }
}
