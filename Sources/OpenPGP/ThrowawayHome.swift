import CGPGME
import Foundation

/// A GnuPG home made for one operation and removed after it.
public enum ThrowawayHome {
    /// Stops the daemons GnuPG started on `path` (`gpgconf --homedir PATH --kill all`) and removes the folder.
    ///
    /// A daemon deletes its sockets while exiting, which can race with the removal: the removal is retried for
    /// up to two seconds, so no empty folder is left behind. Never throws; a folder that cannot be removed stays.
    public static func remove(_ path: String) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let gpgconf = GPGMELibrary.string(liaison_gpgme_gpgconf_path()) ?? "/usr/bin/gpgconf"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gpgconf)
        process.arguments = ["--homedir", path, "--kill", "all"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if (try? process.run()) != nil { process.waitUntilExit() }
        let deadline = Date().addingTimeInterval(2)
        while FileManager.default.fileExists(atPath: path) {
            if (try? FileManager.default.removeItem(atPath: path)) != nil { continue }
            if Date() >= deadline { return }
            usleep(10_000)
        }
    }
}
