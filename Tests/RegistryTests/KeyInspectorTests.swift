import Foundation
@testable import Registry
import Testing
import TestSupport

/// The GnuPG-backed key inspector, the seam the OpenPGP module will later fill.
@Suite struct KeyInspectorTests {
    @Test func aPublicKeyIsDescribed() throws {
        let keys = try GnuPGKeyInspector().inspect(Data(SharedKeys.good.publicKey.utf8))
        #expect(keys == [InspectedKey(fingerprint: SharedKeys.good.fingerprint, userIds: ["PSIRT <psirt@good.example>"],
                                      algorithm: "ed25519", created: keys.first?.created, expires: nil, revoked: false,
                                      isSecret: false)])
        #expect(keys.first?.emailAddresses == ["psirt@good.example"])
    }

    @Test func expiryRevocationAndSecretsAreSeen() throws {
        let inspector = GnuPGKeyInspector()
        let expired = try #require(try inspector.inspect(Data(SharedKeys.expired.publicKey.utf8)).first)
        #expect(expired.expires == Date(timeIntervalSince1970: 1_609_372_800))   // 2020-12-31
        #expect(try inspector.inspect(Data(SharedKeys.revoked.publicKey.utf8)).first?.revoked == true)
        let secret = try #require(SharedKeys.withSecret.secretKey)
        #expect(try inspector.inspect(Data(secret.utf8)).first?.isSecret == true)
    }

    @Test func dataWithoutAKeyIsRefused() {
        #expect(throws: RegistryError.keyData) {
            try GnuPGKeyInspector().inspect(Data("not a key\n".utf8))
        }
    }

    @Test func revokedUserIdsAreLeftOutUnlessTheKeyIsRevoked() {
        let listing = """
            pub:-:255:22:712CFCF731BAC497:1795912665:::-:::scESC:::::ed25519:::0:
            fpr:::::::::67B4F3BE19147F1A3B13A122712CFCF731BAC497:
            uid:r::::1795912665::AAAA::Old Name <old@a.example>::::::::::0:
            uid:-::::1795912665::BBBB::New Name \\x3a Team <new@a.example>::::::::::0:
            sub:-:255:18:D7DC23BDCF2C9B96:1795912665::::::e:::::cv25519::
            fpr:::::::::96D13F66C1EFB0FFBD66DCD4D7DC23BDCF2C9B96:
            """
        let keys = GnuPGKeyInspector.parseColons(listing)
        #expect(keys.count == 1)
        #expect(keys[0].fingerprint == "67B4F3BE19147F1A3B13A122712CFCF731BAC497")
        #expect(keys[0].userIds == ["New Name : Team <new@a.example>"])
    }
}
