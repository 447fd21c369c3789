import Foundation
@testable import Registry
import Testing
import TestSupport

/// Key files read through the OpenPGP module.
@Suite struct KeyInspectorTests {
    @Test func aPublicKeyIsDescribed() throws {
        let keys = try OpenPGPKeyInspector().inspect(Data(SharedKeys.good.publicKey.utf8))
        #expect(keys == [InspectedKey(fingerprint: SharedKeys.good.fingerprint, userIds: ["PSIRT <psirt@good.example>"],
                                      algorithm: "ed25519", created: keys.first?.created, expires: nil, revoked: false,
                                      isSecret: false)])
        #expect(keys.first?.emailAddresses == ["psirt@good.example"])
    }

    @Test func expiryRevocationAndSecretsAreSeen() throws {
        let inspector = OpenPGPKeyInspector()
        let expired = try #require(try inspector.inspect(Data(SharedKeys.expired.publicKey.utf8)).first)
        #expect(expired.expires == Date(timeIntervalSince1970: 1_609_372_800))   // 2020-12-31
        #expect(try inspector.inspect(Data(SharedKeys.revoked.publicKey.utf8)).first?.revoked == true)
        let secret = try #require(SharedKeys.withSecret.secretKey)
        #expect(try inspector.inspect(Data(secret.utf8)).first?.isSecret == true)
    }

    @Test func dataWithoutAKeyIsRefused() {
        #expect(throws: RegistryError.keyData) {
            try OpenPGPKeyInspector().inspect(Data("not a key\n".utf8))
        }
    }
}
