import Foundation
import OpenPGP

/// Reads key files through the OpenPGP module, in a scratch GnuPG home so nothing is imported anywhere.
public struct OpenPGPKeyInspector: KeyInspector {
    public init() {}

    public func inspect(_ data: Data) throws(RegistryError) -> [InspectedKey] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-inspect-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let keys = try OpenPGPContext(homeDirectory: scratch.path).inspectKeys(data)
            return keys.map(InspectedKey.init)
        } catch let error as OpenPGPError where error == .badData {
            throw .keyData
        } catch {
            throw .keyData("The data could not be read as an OpenPGP key: \(error)")
        }
    }
}

/// Imports public keys into a GnuPG home through the OpenPGP module.
public struct OpenPGPKeyImporter: KeyImporter {
    public init() {}

    public func importKeys(_ keys: [Data], intoHome home: String) throws(RegistryError) {
        guard !keys.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let context = try OpenPGPContext(homeDirectory: home)
            for key in keys { _ = try context.importKeys(key) }
        } catch {
            throw .gnupg("Importing \(keys.count) key\(keys.count == 1 ? "" : "s") into the GnuPG home \(home) failed: \(error)")
        }
    }

    public func fingerprints(inHome home: String) throws(RegistryError) -> Set<String> {
        guard FileManager.default.fileExists(atPath: home) else { return [] }
        do {
            return Set(try OpenPGPContext(homeDirectory: home).allKeys().map(\.fingerprint))
        } catch {
            throw .gnupg("The keys of the GnuPG home \(home) cannot be listed: \(error)")
        }
    }
}

extension InspectedKey {
    init(_ key: KeyInfo) {
        // A revoked user ID no longer names the key's owner; keep them all only when the whole key is revoked.
        let userIds = key.userIDs.filter { key.isRevoked || !$0.isRevoked }.map(\.uid)
        self.init(fingerprint: key.fingerprint, userIds: userIds, algorithm: key.algorithm, created: key.createdAt,
                  expires: key.expiresAt, revoked: key.isRevoked, isSecret: key.containsSecretMaterial)
    }
}
