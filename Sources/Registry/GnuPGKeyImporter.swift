import Foundation

/// Imports public keys with `gpg --homedir H --batch --import`.
public struct GnuPGKeyImporter: KeyImporter {
    private let command: GnuPGCommand

    public init(executable: String = "/usr/bin/gpg") {
        command = GnuPGCommand(executable: executable)
    }

    public func importKeys(_ keys: [Data], intoHome home: String) throws(RegistryError) {
        guard !keys.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .gnupg("The GnuPG home \(home) cannot be created: \(error.localizedDescription)")
        }
        var input = Data()
        for key in keys {
            input.append(key)
            input.append(UInt8(ascii: "\n"))
        }
        let output = try command.run(["--homedir", home, "--batch", "--no-autostart", "--no-tty", "--import"], input: input)
        guard output.status == 0 else {
            throw .gnupg("Importing \(keys.count) key\(keys.count == 1 ? "" : "s") into the GnuPG home \(home) failed: \(GnuPGCommand.reason(output.standardError)).")
        }
    }

    public func fingerprints(inHome home: String) throws(RegistryError) -> Set<String> {
        guard FileManager.default.fileExists(atPath: home) else { return [] }
        let output = try command.run(["--homedir", home, "--batch", "--no-autostart", "--no-tty", "--with-colons",
                                      "--fingerprint", "--list-keys"])
        // An empty home exits with 2 and lists nothing; that is no keys, not a failure.
        let keys = GnuPGKeyInspector.parseColons(String(decoding: output.standardOutput, as: UTF8.self))
        return Set(keys.map(\.fingerprint))
    }
}
