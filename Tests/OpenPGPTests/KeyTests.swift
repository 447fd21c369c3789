import Foundation
import OpenPGP
import Testing
import TestSupport

/// Reading key files from the directory, importing them, and looking keys up.
struct KeyTests {
    @Test func publicKeyFileIsInspectedWithoutImporting() throws {
        let owner = try GnuPGHome.make()
        defer { owner.shutdown() }
        let reader = try GnuPGHome.make()
        defer { reader.shutdown() }
        let fingerprint = try owner.generateKey(name: "PSIRT Team", email: "psirt@vendor.example",
                                                algorithm: .rsa3072, expires: "2099-01-01")
        let context = try OpenPGPContext(homeDirectory: reader.path)

        let keys = try context.inspectKeys(try owner.exportPublic(fingerprint))

        let key = try #require(keys.first)
        #expect(keys.count == 1)
        #expect(key.fingerprint == fingerprint)
        #expect(key.userIDs.map(\.name) == ["PSIRT Team"])
        #expect(key.userIDs.map(\.email) == ["psirt@vendor.example"])
        #expect(key.userIDs.map(\.uid) == ["PSIRT Team <psirt@vendor.example>"])
        #expect(key.algorithm == "rsa3072")
        #expect(key.expiresAt.map(isoDay) == "2099-01-01")
        #expect(key.createdAt != nil)
        #expect(key.canEncrypt && key.canSign && !key.isRevoked && !key.isExpired)
        #expect(key.isUsableForEncryption())
        #expect(!key.isUsableForEncryption(at: isoDate("2099-06-01")))
        #expect(!key.containsSecretMaterial)
        #expect(key.hasUserID(email: "PSIRT@Vendor.Example"))
        #expect(!key.hasUserID(email: "other@vendor.example"))
        #expect(try context.key(fingerprint: fingerprint) == nil)
    }

    @Test func secretKeyFileIsRecognisedWithoutImporting() throws {
        let owner = try GnuPGHome.make()
        defer { owner.shutdown() }
        let reader = try GnuPGHome.make()
        defer { reader.shutdown() }
        let fingerprint = try owner.generateKey(name: "Careless", email: "careless@example.org")
        let context = try OpenPGPContext(homeDirectory: reader.path)

        let keys = try context.inspectKeys(try owner.exportSecret(fingerprint))

        #expect(keys.map(\.fingerprint) == [fingerprint])
        #expect(keys.first?.containsSecretMaterial == true)
        #expect(keys.first?.algorithm == "ed25519")
        #expect(keys.first?.expiresAt == nil)
        #expect(try context.key(fingerprint: fingerprint) == nil)
        #expect(try context.key(fingerprint: fingerprint, secret: true) == nil)
    }

    @Test func dataWithoutAKeyIsBadData() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let context = try OpenPGPContext(homeDirectory: home.path)

        #expect(throws: OpenPGPError.badData) { try context.inspectKeys(Data("not a key\n".utf8)) }
        #expect(throws: OpenPGPError.badData) { try context.importKeys(Data("not a key\n".utf8)) }
    }

    @Test func importedKeyCanBeFoundByFingerprintAndEmail() throws {
        let owner = try GnuPGHome.make()
        defer { owner.shutdown() }
        let reader = try GnuPGHome.make()
        defer { reader.shutdown() }
        let fingerprint = try owner.generateKey(name: "Team", email: "team@csirt.example")
        let armored = try owner.exportPublic(fingerprint)
        let context = try OpenPGPContext(homeDirectory: reader.path)

        #expect(try context.importKeys(armored) == [fingerprint])
        #expect(try context.importKeys(armored) == [fingerprint])  // unchanged counts too

        let key = try #require(try context.key(fingerprint: fingerprint))
        #expect(!key.hasSecret)
        #expect(try context.key(fingerprint: fingerprint, secret: true) == nil)
        #expect(try context.keys(matching: "TEAM@csirt.example").map(\.fingerprint) == [fingerprint])
        #expect(try context.keys(matching: "nobody@csirt.example").isEmpty)
        #expect(try context.key(fingerprint: unknownFingerprint) == nil)
    }

    @Test func ownKeyHasItsSecretAndExportsItsPublicPart() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Us", email: "vuls@csirt.example")
        let context = try OpenPGPContext(homeDirectory: home.path)

        #expect(try context.key(fingerprint: fingerprint)?.hasSecret == true)
        #expect(try context.key(fingerprint: fingerprint, secret: true)?.fingerprint == fingerprint)

        let exported = try context.exportPublicKey(fingerprint: fingerprint)
        #expect(String(decoding: exported, as: UTF8.self).hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
        let inspected = try context.inspectKeys(exported)
        #expect(inspected.map(\.fingerprint) == [fingerprint])
        #expect(inspected.first?.containsSecretMaterial == false)
        #expect(throws: OpenPGPError.keyNotFound) { try context.exportPublicKey(fingerprint: unknownFingerprint) }
    }

    @Test func expiredAndRevokedKeysAreNotUsableForEncryption() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let expired = try home.generateKey(name: "Old", email: "old@example.org", expires: "1y",
                                           fakedSystemTime: "20200101T000000!")
        let revoked = try home.generateKey(name: "Gone", email: "gone@example.org")
        try home.revokeKey(revoked)
        let context = try OpenPGPContext(homeDirectory: home.path)

        let old = try #require(try context.key(fingerprint: expired))
        #expect(old.isExpired)
        #expect(old.expiresAt.map(isoDay) == "2020-12-31")
        #expect(!old.isUsableForEncryption())
        #expect(old.isUsableForEncryption(at: isoDate("2020-06-01")))
        let gone = try #require(try context.key(fingerprint: revoked))
        #expect(gone.isRevoked)
        #expect(!gone.isUsableForEncryption())
    }
}

/// "yyyy-MM-dd" of `date` in UTC.
private func isoDay(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    return formatter.string(from: date)
}

/// Midnight UTC of the "yyyy-MM-dd" day.
private func isoDate(_ day: String) -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    return formatter.date(from: day)!
}
