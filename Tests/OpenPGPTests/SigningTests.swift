import Foundation
import OpenPGP
import Testing
import TestSupport

/// Detached signing: what a PGP/MIME multipart/signed message carries.
struct SigningTests {
    /// micalg is what gpg reports for the hash it chose: GnuPG 2.2 signs with SHA256 for Ed25519 and SHA512
    /// for RSA-3072.
    @Test(arguments: [(GnuPGHome.KeyAlgorithm.ed25519, "SHA256", "pgp-sha256"),
                      (GnuPGHome.KeyAlgorithm.rsa3072, "SHA512", "pgp-sha512")])
    func detachedSignatureVerifiesWithGpgAndSqv(algorithm: GnuPGHome.KeyAlgorithm, hash: String,
                                                micalg: String) throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Signer", email: "signer@example.org", algorithm: algorithm)
        let context = try OpenPGPContext(homeDirectory: home.path)

        let signature = try context.signDetached(sampleBody, signer: fingerprint)

        #expect(String(decoding: signature.armored, as: UTF8.self).hasPrefix("-----BEGIN PGP SIGNATURE-----"))
        #expect(signature.hashAlgorithm == hash)
        #expect(signature.micalg == micalg)
        #expect(signature.signerFingerprint == fingerprint)

        let dataFile = try home.write(sampleBody, named: "body.txt")
        let signatureFile = try home.write(signature.armored, named: "body.txt.asc")
        let gpg = try home.gpg(["--status-fd", "1", "--verify", signatureFile, dataFile])
        #expect(gpg.status == 0, "gpg --verify: \(gpg.stderr)")
        #expect(String(decoding: gpg.stdout, as: UTF8.self).contains("[GNUPG:] VALIDSIG \(fingerprint)"))

        let keyring = try home.write(try home.exportPublic(fingerprint), named: "signer.asc")
        let sqv = try runProcess("/usr/bin/sqv", ["--keyring", keyring, signatureFile, dataFile])
        #expect(sqv.status == 0, "sqv: \(sqv.stderr)")
        #expect(String(decoding: sqv.stdout, as: UTF8.self).uppercased().contains(fingerprint))
    }

    @Test func unknownSignerIsRefusedNamingTheFingerprint() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let context = try OpenPGPContext(homeDirectory: home.path)

        let error = #expect(throws: OpenPGPError.keyNotFound) {
            try context.signDetached(sampleBody, signer: unknownFingerprint)
        }
        #expect(error?.description == "Signing key \(unknownFingerprint) is not in the keyring in \(home.path).")
    }

    @Test func signerWithOnlyAPublicKeyIsRefused() throws {
        let owner = try GnuPGHome.make()
        defer { owner.shutdown() }
        let other = try GnuPGHome.make()
        defer { other.shutdown() }
        let fingerprint = try owner.generateKey(name: "Owner", email: "owner@example.org")
        try other.importKey(try owner.exportPublic(fingerprint))
        let context = try OpenPGPContext(homeDirectory: other.path)

        let error = #expect(throws: OpenPGPError.noSecretKey) {
            try context.signDetached(sampleBody, signer: fingerprint)
        }
        #expect(error?.description == "Signing key \(fingerprint) has no secret key in \(other.path).")
    }

    @Test func expiredSignerIsRefused() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Old", email: "old@example.org", expires: "1y",
                                               fakedSystemTime: "20200101T000000!")
        let context = try OpenPGPContext(homeDirectory: home.path)

        let error = #expect(throws: OpenPGPError.unusableKey) {
            try context.signDetached(sampleBody, signer: fingerprint)
        }
        #expect(error?.description.contains(fingerprint) == true)
        #expect(error?.description.contains("expired") == true)
    }

    @Test func somethingThatIsNotAFingerprintIsRefused() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let context = try OpenPGPContext(homeDirectory: home.path)

        let error = #expect(throws: OpenPGPError.invalidFingerprint) {
            try context.signDetached(sampleBody, signer: "alice@example.org")
        }
        #expect(error?.description.contains("\"alice@example.org\" is not an OpenPGP fingerprint") == true)
    }

    @Test func fingerprintWithSpacesAndLowerCaseIsAccepted() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Signer", email: "signer@example.org")
        let context = try OpenPGPContext(homeDirectory: home.path)
        let spaced = stride(from: 0, to: 40, by: 4).map { index in
            let start = fingerprint.index(fingerprint.startIndex, offsetBy: index)
            return fingerprint[start..<fingerprint.index(start, offsetBy: 4)].lowercased()
        }.joined(separator: " ")

        let signature = try context.signDetached(sampleBody, signer: spaced)

        #expect(signature.signerFingerprint == fingerprint)
    }

    @Test func missingHomeDirectoryIsReported() throws {
        let error = #expect(throws: OpenPGPError.homeDirectory) {
            try OpenPGPContext(homeDirectory: "/tmp/lg-does-not-exist-\(UUID().uuidString)")
        }
        #expect(error?.description.contains("does not exist") == true)
    }
}
