import Foundation
import OpenPGP
import Testing
import TestSupport

/// Checking signatures made by others, as a reply ingester would.
struct VerificationTests {
    @Test func clearsignedTextVerifiesInline() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Vendor", email: "psirt@vendor.example")
        let text = Data("We acknowledge JVNVU#12345678.\nOur product is not affected.\n".utf8)
        let clearsigned = try home.gpg(["--clearsign", "--local-user", fingerprint], input: text)
        try #require(clearsigned.status == 0, "gpg --clearsign: \(clearsigned.stderr)")

        let result = try OpenPGPContext(homeDirectory: home.path).verifyInline(clearsigned.stdout)

        #expect(result.plaintext == text)
        #expect(result.signatures.count == 1)
        #expect(result.signatures.first?.status == .valid)
        #expect(result.signatures.first?.fingerprint == fingerprint)
        #expect(result.signatures.first?.createdAt != nil)
    }

    @Test func alteredDataMakesADetachedSignatureBad() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Signer", email: "signer@example.org")
        let context = try OpenPGPContext(homeDirectory: home.path)
        let signature = try context.signDetached(sampleBody, signer: fingerprint)

        let intact = try context.verifyDetached(signedData: sampleBody, signature: signature.armored)
        var altered = sampleBody
        altered.append(contentsOf: Array("P.S. wire the money\r\n".utf8))
        let tampered = try context.verifyDetached(signedData: altered, signature: signature.armored)

        #expect(intact.map(\.isValid) == [true])
        #expect(tampered.map(\.status) == [.bad])
    }

    @Test func signatureByAnUnknownKeyReportsNoPublicKey() throws {
        let signer = try GnuPGHome.make()
        defer { signer.shutdown() }
        let verifier = try GnuPGHome.make()
        defer { verifier.shutdown() }
        let fingerprint = try signer.generateKey(name: "Stranger", email: "stranger@example.org")
        let signature = try OpenPGPContext(homeDirectory: signer.path).signDetached(sampleBody, signer: fingerprint)

        let checks = try OpenPGPContext(homeDirectory: verifier.path)
            .verifyDetached(signedData: sampleBody, signature: signature.armored)

        #expect(checks.map(\.status) == [.noPublicKey])
        #expect(checks.first?.isValid == false)
        #expect(fingerprint.hasSuffix(checks.first?.fingerprint ?? "-"))
    }

    @Test func signatureByARevokedKeyIsNotValid() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Signer", email: "signer@example.org")
        let context = try OpenPGPContext(homeDirectory: home.path)
        let signature = try context.signDetached(sampleBody, signer: fingerprint)
        try home.revokeKey(fingerprint)

        let checks = try context.verifyDetached(signedData: sampleBody, signature: signature.armored)

        #expect(checks.map(\.status) == [.keyRevoked])
        #expect(checks.first?.isValid == false)
    }

    @Test func dataWithoutASignatureIsBadData() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let context = try OpenPGPContext(homeDirectory: home.path)

        #expect(throws: OpenPGPError.badData) {
            try context.verifyDetached(signedData: sampleBody, signature: Data("not a signature".utf8))
        }
        #expect(throws: OpenPGPError.badData) { try context.verifyInline(Data("just text\n".utf8)) }
    }
}
