import Foundation
import OpenPGP
import Testing
import TestSupport

/// Encryption to directory keys, and decryption by each recipient with only their own keyring.
struct EncryptionTests {
    @Test func eachRecipientDecryptsWithTheirOwnKeyring() throws {
        let sender = try GnuPGHome.make()
        defer { sender.shutdown() }
        let alice = try GnuPGHome.make()
        defer { alice.shutdown() }
        let bob = try GnuPGHome.make()
        defer { bob.shutdown() }
        let eve = try GnuPGHome.make()
        defer { eve.shutdown() }
        let senderKey = try sender.generateKey(name: "Sender", email: "sender@example.org")
        let aliceKey = try alice.generateKey(name: "Alice", email: "alice@example.org")
        let bobKey = try bob.generateKey(name: "Bob", email: "bob@example.net", algorithm: .rsa3072)
        try eve.generateKey(name: "Eve", email: "eve@example.com")
        let context = try OpenPGPContext(homeDirectory: sender.path)
        _ = try context.importKeys(try alice.exportPublic(aliceKey))
        _ = try context.importKeys(try bob.exportPublic(bobKey))

        let armored = try context.encrypt(sampleBody, to: [aliceKey, bobKey, senderKey])

        #expect(String(decoding: armored, as: UTF8.self).hasPrefix("-----BEGIN PGP MESSAGE-----"))
        for home in [alice, bob, sender] {
            let result = try OpenPGPContext(homeDirectory: home.path).decrypt(armored)
            #expect(result.plaintext == sampleBody)
            #expect(result.signatures.isEmpty)
            #expect(result.recipients.count == 3)
        }
        let error = #expect(throws: OpenPGPError.noSecretKey) {
            try OpenPGPContext(homeDirectory: eve.path).decrypt(armored)
        }
        #expect(error?.description.hasPrefix("No secret key in \(eve.path) can decrypt the message") == true)
    }

    @Test func signedAndEncryptedMessageReportsAValidSignature() throws {
        let sender = try GnuPGHome.make()
        defer { sender.shutdown() }
        let alice = try GnuPGHome.make()
        defer { alice.shutdown() }
        let senderKey = try sender.generateKey(name: "Sender", email: "sender@example.org")
        let aliceKey = try alice.generateKey(name: "Alice", email: "alice@example.org")
        try sender.importKey(try alice.exportPublic(aliceKey))
        try alice.importKey(try sender.exportPublic(senderKey))

        let armored = try OpenPGPContext(homeDirectory: sender.path)
            .encrypt(sampleBody, to: [aliceKey, senderKey], signer: senderKey)

        let result = try OpenPGPContext(homeDirectory: alice.path).decrypt(armored)
        #expect(result.plaintext == sampleBody)
        #expect(result.signatures.count == 1)
        #expect(result.signatures.first?.isValid == true)
        #expect(result.signatures.first?.fingerprint == senderKey)

        let gpg = try alice.gpg(["--status-fd", "1", "--decrypt"], input: armored)
        #expect(gpg.status == 0, "gpg --decrypt: \(gpg.stderr)")
        #expect(String(decoding: gpg.stdout, as: UTF8.self).contains("[GNUPG:] VALIDSIG \(senderKey)"))
    }

    @Test func expiredRecipientIsRefusedNamingTheFingerprint() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let current = try home.generateKey(name: "Current", email: "current@example.org")
        let expired = try home.generateKey(name: "Old", email: "old@example.org", expires: "1y",
                                           fakedSystemTime: "20200101T000000!")
        let context = try OpenPGPContext(homeDirectory: home.path)

        let error = #expect(throws: OpenPGPError.unusableKey) {
            try context.encrypt(sampleBody, to: [current, expired])
        }
        #expect(error?.fingerprint == expired)
        #expect(error?.description ==
                "Recipient key \(expired) expired on 2020-12-31T00:00:00Z and cannot be encrypted to.")
    }

    @Test func revokedRecipientIsRefusedNamingTheFingerprint() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let revoked = try home.generateKey(name: "Gone", email: "gone@example.org")
        try home.revokeKey(revoked)
        let context = try OpenPGPContext(homeDirectory: home.path)

        #expect(try context.key(fingerprint: revoked)?.isRevoked == true)
        let error = #expect(throws: OpenPGPError.unusableKey) {
            try context.encrypt(sampleBody, to: [revoked])
        }
        #expect(error?.description == "Recipient key \(revoked) is revoked and cannot be encrypted to.")
    }

    @Test func unknownRecipientIsRefused() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let context = try OpenPGPContext(homeDirectory: home.path)

        let error = #expect(throws: OpenPGPError.keyNotFound) {
            try context.encrypt(sampleBody, to: [unknownFingerprint])
        }
        #expect(error?.description == "Recipient key \(unknownFingerprint) is not in the keyring in \(home.path).")
    }

    @Test func keyThatExpiresBeforeTheSendingDateIsRefused() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Soon", email: "soon@example.org", expires: "1d")
        let context = try OpenPGPContext(homeDirectory: home.path)

        _ = try context.encrypt(sampleBody, to: [fingerprint])
        #expect(throws: OpenPGPError.unusableKey) {
            try context.encrypt(sampleBody, to: [fingerprint], at: Date().addingTimeInterval(3 * 86_400))
        }
    }

    @Test func messageThatIsNotEncryptedIsBadData() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let context = try OpenPGPContext(homeDirectory: home.path)

        #expect(throws: OpenPGPError.badData) { try context.decrypt(Data("hello, world\n".utf8)) }
    }
}
