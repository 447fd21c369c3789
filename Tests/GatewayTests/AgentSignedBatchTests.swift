import Foundation
import Mail
import Testing
import TestSupport
@testable import Gateway

/// A batch of notices, most of them signed by gpg-agent directly: every one must verify, for every verifier,
/// over the bytes the SMTP server received.
@Suite struct AgentSignedBatchTests {
    @Test func everyNoticeOfABatchVerifiesWithGpgSqvAndRnpAsReceived() throws {
        let f = try GatewayFixture()
        let vendors = (1...6).map { "vendor-\($0)" }
        for vendor in vendors {
            try f.addOrganization(vendor, languages: ["en"], technologies: ["tls"],
                                  contacts: [("psirt@\(vendor).example", "to", "en", nil)])
        }
        try f.caseBook.open(id: "VU#424242", title: "TLS session resumption", origin: "cert-cc", due: "2007-10-15")
        _ = try f.caseBook.addParticipants(caseId: "VU#424242", technologies: ["tls"])

        // With one gpgme context per core, each signs its first notice through gpg and the rest through the agent.
        let planned = try f.composer.queue(NotificationRequest(caseId: "VU#424242", template: "vendor-initial",
                                                               purpose: .caseNotification))
        #expect(planned.count == vendors.count)
        let summary = try f.dispatcher().run()
        #expect(summary.sent == vendors.count)
        let received = try f.sink.waitForMessages(count: vendors.count)

        let keyring = try write(try f.gnupg.exportPublic(f.signingKey), in: f.folder, named: "sender.asc")
        for message in received {
            let parsed = try ParsedMessage(bytes: message.bytes)
            #expect(parsed.root.contentType.subtype == "signed")
            let micalg = parsed.root.contentType.parameters["micalg"]
            #expect(micalg == "pgp-sha256", "Ed25519 signs SHA-256, and micalg says so")
            let tag = UUID().uuidString.prefix(8)
            let data = try write(parsed.root.parts[0].rawBytes, in: f.folder, named: "part-\(tag)")
            let signature = try write(parsed.root.parts[1].decodedBody, in: f.folder, named: "part-\(tag).asc")

            let gpg = try f.gnupg.gpg(["--status-fd", "1", "--verify", signature, data])
            #expect(gpg.status == 0, "gpg --verify: \(gpg.stderr)")
            #expect(String(decoding: gpg.stdout, as: UTF8.self).contains("[GNUPG:] VALIDSIG \(f.signingKey)"))
            let sqv = try runProcess("/usr/bin/sqv", ["--keyring", keyring, signature, data])
            #expect(sqv.status == 0, "sqv: \(sqv.stderr)")
            let rnp = try runProcess("/usr/bin/rnp", ["--homedir", f.folder.appendingPathComponent("rnp-\(tag)").path,
                                                      "--keyfile", keyring, "--verify", signature, "--source", data])
            #expect(rnp.status == 0, "rnp: \(rnp.stderr)")

            let packets = try f.gnupg.gpg(["--list-packets", signature])
            let listed = String(decoding: packets.stdout, as: UTF8.self)
            #expect(listed.contains("version 4,") && listed.contains("sigclass 0x00") && listed.contains("digest algo 8,"))
            #expect(listed.contains("hashed subpkt 33 len 21 (issuer fpr v4 \(f.signingKey))"))
            #expect(listed.contains("hashed subpkt 2 len 4 (sig created"))
            #expect(listed.contains("subpkt 16 len 8 (issuer key ID \(f.signingKey.suffix(16)))"))
        }
    }

    private func write(_ data: Data, in folder: URL, named name: String) throws -> String {
        let file = folder.appendingPathComponent(name)
        try data.write(to: file)
        return file.path
    }
}
