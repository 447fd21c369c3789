import Foundation
import Testing
import TestSupport

/// `liaison directory discover` against an HTTPS server on loopback with a test CA, serving signed, unsigned,
/// expired and malformed security.txt files; keys made in the test with gpg.
@Suite struct DirectoryDiscoverTests {
    /// A workspace holding our own entry (country JP), with a vendor's HTTPS server and a signing key.
    final class Setup {
        let ws: TemporaryWorkspace
        let server: HTTPSTestServer
        let gnupg: GnuPGHome
        let fingerprint: String
        let publicKey: Data

        init() throws {
            ws = try TemporaryWorkspace()
            server = try HTTPSTestServer.start()
            gnupg = try GnuPGHome.make()
            fingerprint = try gnupg.generateKey(name: "Vendor PSIRT", email: "psirt@vendor.example")
            publicKey = try gnupg.exportPublic(fingerprint)
            try ws.writeOrganization("test-csirt", TemporaryWorkspace.organizationYAML(
                id: "test-csirt", name: "Test CSIRT", kind: "national-csirt", technologies: [], email: "vuls@csirt.example"))
            try server.write("pgp-key.txt", data: publicKey)
        }

        func remove() {
            server.stop()
            gnupg.shutdown()
            ws.remove()
        }

        /// An RFC 9116 file naming this server, expiring `expires`.
        func securityTxt(expires: String = "2099-12-31T23:59:59Z", canonical: String? = nil) -> String {
            """
            # Our security contacts
            Contact: mailto:psirt@vendor.example
            Contact: mailto:security@vendor.example
            Contact: https://\(server.domain)/report
            Encryption: https://\(server.domain)/pgp-key.txt
            Preferred-Languages: ja, en
            Canonical: \(canonical ?? "https://\(server.domain)/.well-known/security.txt")
            Policy: https://\(server.domain)/policy
            CSAF: https://\(server.domain)/.well-known/csaf/provider-metadata.json
            Expires: \(expires)

            """
        }

        func clearsigned(_ text: String) throws -> Data {
            let signed = try gnupg.gpg(["--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", "",
                                        "--local-user", fingerprint, "--clearsign"], input: Data(text.utf8))
            guard signed.status == 0 else { throw CSAFValidator.Failure(description: "gpg --clearsign failed: \(signed.stderr)") }
            return signed.stdout
        }

        func discover(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
            try runLiaison(["directory", "discover", server.domain, "--ca-file", server.caFile] + args, workspace: ws.root,
                           environment: environment)
        }

        var proposedFile: URL { ws.organizationsURL.appendingPathComponent("localhost.yaml") }
        var keyFile: URL { ws.keysURL.appendingPathComponent("\(fingerprint).asc") }
    }

    @Test func checkingASignedFileLeavesNoTemporaryFolder() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let scratch = setup.ws.root.appendingPathComponent("t")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try setup.server.write(".well-known/security.txt", data: try setup.clearsigned(setup.securityTxt()))

        let result = try setup.discover([], environment: ["TMPDIR": scratch.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("signature verified: \(setup.fingerprint)"), "\(result.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == [])
    }

    @Test func aSignedFileIsVerifiedAndProposedThenWrittenAndItPassesTheCheck() throws {
        let setup = try Setup()
        defer { setup.remove() }
        try setup.server.write(".well-known/security.txt", data: try setup.clearsigned(setup.securityTxt()))

        let dryRun = try setup.discover([])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("\(setup.server.domain): https://\(setup.server.domain)/.well-known/security.txt (signature verified: \(setup.fingerprint))"))
        #expect(!dryRun.stdout.contains("warning"))
        #expect(dryRun.stdout.contains("proposed Directory/organizations/localhost.yaml:"))
        #expect(dryRun.stdout.contains("email: psirt@vendor.example"))
        #expect(dryRun.stdout.contains("pgp: \(setup.fingerprint)"))
        #expect(dryRun.stdout.contains("languages: [ja, en]"))
        #expect(dryRun.stdout.contains("key \(setup.fingerprint) from https://\(setup.server.domain)/pgp-key.txt would be saved as Directory/keys/\(setup.fingerprint).asc"))
        #expect(dryRun.stdout.contains("nothing written (use --write)"))
        #expect(!FileManager.default.fileExists(atPath: setup.proposedFile.path))
        #expect(!FileManager.default.fileExists(atPath: setup.keyFile.path))

        let written = try setup.discover(["--write"])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("wrote Directory/organizations/localhost.yaml"))
        #expect(written.stdout.contains("wrote Directory/keys/\(setup.fingerprint).asc"))
        #expect(try Data(contentsOf: setup.keyFile) == setup.publicKey)
        let check = try runLiaison(["directory", "check"], workspace: setup.ws.root)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("Checked 2 organisations and 1 key: 0 errors"))
        let sync = try runLiaison(["directory", "sync"], workspace: setup.ws.root)
        #expect(sync.status == 0, "\(sync.stderr)")
    }

    @Test func anUnsignedExpiredFileWithAForeignCanonicalAndHTTPURLsIsProposedWithNamedWarnings() throws {
        let setup = try Setup()
        defer { setup.remove() }
        // Only the legacy location: /.well-known/security.txt is missing.
        let text = setup.securityTxt(expires: "2020-01-01T00:00:00Z", canonical: "https://vendor.example/.well-known/security.txt")
            .replacingOccurrences(of: "Policy: https://", with: "Policy: http://")
        try setup.server.write("security.txt", text)
        let result = try setup.discover([])
        #expect(result.status == 0, "\(result.stderr)")
        let url = "https://\(setup.server.domain)/security.txt"
        #expect(result.stdout.contains("\(setup.server.domain): \(url) (unsigned)"))
        #expect(result.stdout.contains("warning: expired: \(url) expired on 2020-01-01T00:00:00Z"))
        #expect(result.stdout.contains("warning: canonical mismatch: fetched \(url) but Canonical names https://vendor.example/.well-known/security.txt"))
        #expect(result.stdout.contains("warning: non-HTTPS URL in Policy: http://\(setup.server.domain)/policy"))
        #expect(!FileManager.default.fileExists(atPath: setup.proposedFile.path))
    }

    @Test func aSignatureByAnotherKeyIsABadSignatureWarning() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let other = try setup.gnupg.generateKey(name: "Someone Else", email: "else@elsewhere.example")
        let signed = try setup.gnupg.gpg(["--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--local-user", other,
                                          "--clearsign"], input: Data(setup.securityTxt().utf8))
        try setup.server.write(".well-known/security.txt", data: signed.stdout)
        let result = try setup.discover([])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("warning: bad signature: https://\(setup.server.domain)/.well-known/security.txt is signed by"))

        // A signed text altered after signing.
        let tampered = String(decoding: try setup.clearsigned(setup.securityTxt()), as: UTF8.self)
            .replacingOccurrences(of: "mailto:psirt@vendor.example", with: "mailto:attacker@evil.example")
        try setup.server.write(".well-known/security.txt", tampered)
        let bad = try setup.discover([])
        #expect(bad.stdout.contains("warning: bad signature: the signature of https://\(setup.server.domain)/.well-known/security.txt does not verify"))
    }

    @Test func textOutsideTheSignedPartIsAWarningAndNeverWritten() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let signed = String(decoding: try setup.clearsigned(setup.securityTxt()), as: UTF8.self)
        let forged = "Contact: mailto:attacker@evil.example\n"
        // Text after the signature block; and the same behind a signature armour line with a trailing space, which
        // GnuPG accepts, followed by a second armour line that a reader looking for the exact line would stop at.
        let variants = [
            signed + forged,
            signed.replacingOccurrences(of: "-----BEGIN PGP SIGNATURE-----\n", with: "-----BEGIN PGP SIGNATURE----- \n")
                + forged + "-----BEGIN PGP SIGNATURE-----\n",
        ]
        for variant in variants {
            try setup.server.write(".well-known/security.txt", variant)
            let dryRun = try setup.discover([])
            #expect(dryRun.status == 0, "\(dryRun.stderr)")
            #expect(dryRun.stdout.contains("(signature verified: \(setup.fingerprint))"), "\(dryRun.stdout)")
            #expect(dryRun.stdout.contains("warning: unsigned text: https://\(setup.server.domain)/.well-known/security.txt has text after its signature block"),
                    "\(dryRun.stdout)")
            #expect(!dryRun.stdout.contains("attacker@evil.example"), "\(dryRun.stdout)")

            let written = try setup.discover(["--write"])
            #expect(written.status == 0, "\(written.stderr)")
            let yaml = try String(contentsOf: setup.proposedFile, encoding: .utf8)
            #expect(!yaml.contains("attacker") && yaml.contains("email: psirt@vendor.example") && yaml.contains("pgp: \(setup.fingerprint)"))
            #expect(try runLiaison(["directory", "check"], workspace: setup.ws.root).status == 0)
            try FileManager.default.removeItem(at: setup.proposedFile)
            try FileManager.default.removeItem(at: setup.keyFile)
        }
    }

    @Test func whatWriteWritesPassesTheCheckOrNothingIsWritten() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let second = try setup.gnupg.generateKey(name: "Vendor Other", email: "other@vendor.example")
        let binary = try setup.gnupg.gpg(["--export", setup.fingerprint]).stdout
        let hostile: [(name: String, key: Data, file: String)] = [
            ("two keys at the key URL", setup.publicKey + (try setup.gnupg.exportPublic(second)), setup.securityTxt()),
            ("text after the key", setup.publicKey + Data("\nContact us at psirt@vendor.example\n".utf8), setup.securityTxt()),
            ("a binary key", binary, setup.securityTxt()),
            ("a CR in a Contact", setup.publicKey,
             setup.securityTxt().replacingOccurrences(of: "Contact: mailto:security@vendor.example", with: "Contact: mailto:secu\rrity@vendor.example")),
        ]
        for (name, key, file) in hostile {
            try setup.server.write("pgp-key.txt", data: key)
            try setup.server.write(".well-known/security.txt", file)
            let written = try setup.discover(["--write"])
            let check = try runLiaison(["directory", "check"], workspace: setup.ws.root)
            let organizations = try FileManager.default.contentsOfDirectory(atPath: setup.ws.organizationsURL.path)
            let keys = try FileManager.default.contentsOfDirectory(atPath: setup.ws.keysURL.path)
            print("directory discover --write with \(name): \(written.status == 0 ? "written, and the check passes" : "nothing written: \(written.stderr)")")
            if written.status == 0 {
                #expect(organizations.contains("localhost.yaml"), "\(name): \(written.stdout)")
                #expect(check.status == 0, "\(name): what --write wrote fails the check: \(check.stderr)")
            } else {
                #expect(written.stderr.contains("not written: would fail `directory check`: Directory/"), "\(name): \(written.stderr)")
                #expect(organizations == ["test-csirt.yaml"] && keys.isEmpty, "\(name): nothing written")
            }
            for entry in organizations where entry != "test-csirt.yaml" { try FileManager.default.removeItem(at: setup.ws.organizationsURL.appendingPathComponent(entry)) }
            for entry in keys { try FileManager.default.removeItem(at: setup.ws.keysURL.appendingPathComponent(entry)) }
        }
        // Which way each went, as a coordinator reads it.
        try setup.server.write("pgp-key.txt", data: setup.publicKey + (try setup.gnupg.exportPublic(second)))
        try setup.server.write(".well-known/security.txt", setup.securityTxt())
        let twoKeys = try setup.discover([])
        #expect(twoKeys.stdout.contains("warning: key: https://\(setup.server.domain)/pgp-key.txt holds 2 keys"), "\(twoKeys.stdout)")
        try setup.server.write("pgp-key.txt", data: binary)
        let binaryKey = try setup.discover(["--write"])
        #expect(binaryKey.stdout.contains("serves the key in binary; only the key, armored, is kept"), "\(binaryKey.stdout)")
        #expect(String(decoding: try Data(contentsOf: setup.keyFile), as: UTF8.self).hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
    }

    @Test func aDomainAlreadyInTheDirectoryShowsItsDifferences() throws {
        let setup = try Setup()
        defer { setup.remove() }
        try setup.server.write(".well-known/security.txt", setup.securityTxt())
        try setup.ws.writeOrganization("vendor", """
            id: vendor
            name: Vendor Inc.
            kind: product-developer
            country: JP
            domains: [vendor.example]
            languages: [ja]
            contacts:
              - { email: psirt@vendor.example, role: to, language: ja }
              - { email: old@vendor.example, role: cc, language: ja }

            """)
        let result = try setup.discover(["--write"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("differences with Directory/organizations/vendor.yaml:"))
        #expect(result.stdout.contains("contact security@vendor.example is published but not in the directory"))
        #expect(result.stdout.contains("contact old@vendor.example is in the directory but not published"))
        #expect(result.stdout.contains("key \(setup.fingerprint) is published but the directory's contacts use no key"))
        #expect(result.stdout.contains("languages published ja, en, directory ja"))
        #expect(!FileManager.default.fileExists(atPath: setup.proposedFile.path), "an existing entry is never rewritten")
    }

    @Test func badInputIsOneClearLineAndNothingWritten() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let domain = setup.server.domain
        let wellKnown = ".well-known/security.txt"
        let cases: [(prepare: () throws -> Void, message: String)] = [
            ({ try setup.server.write(wellKnown + ".size", "\(10 * 1024 * 1024)") },
             "\(domain): https://\(domain)/\(wellKnown) is larger than the 65,536 bytes allowed; refused"),
            ({ try setup.server.write(wellKnown, data: Data([0x43, 0x6F, 0x00, 0x01, 0x02, 0xFF, 0xD8, 0x0A])) },
             "\(domain): https://\(domain)/\(wellKnown) is not valid UTF-8 text"),
            ({ try setup.server.write(wellKnown, data: Data("Contact: mailto:a@b.example\n\u{1}\u{2}\u{3}PNG\n".utf8)) },
             "\(domain): https://\(domain)/\(wellKnown) is binary, not text (it holds control characters)"),
            ({ try setup.server.write(wellKnown, data: Data([0x43, 0x3A, 0x20, 0xC3, 0x28, 0x0A])) },
             "\(domain): https://\(domain)/\(wellKnown) is not valid UTF-8 text"),
            ({ try setup.server.write(wellKnown + ".redirect", "https://127.0.0.1:\(setup.server.port)/security.txt") },
             "\(domain): https://\(domain)/\(wellKnown) redirects to another host (https://127.0.0.1:\(setup.server.port)/security.txt); refused"),
            ({ try setup.server.write(wellKnown, setup.securityTxt()); try setup.server.write(wellKnown + ".delay", "30") },
             "\(domain): https://\(domain)/\(wellKnown) did not answer within 1 s"),
            ({ }, "\(domain): no security.txt (https://\(domain)/security.txt answered HTTP 404)"),
        ]
        for (prepare, message) in cases {
            setup.server.remove(wellKnown)
            setup.server.remove("security.txt")
            try prepare()
            let result = try setup.discover(["--write", "--timeout", "1"])
            #expect(result.status == 1)
            #expect(result.stderr == message + "\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: setup.ws.organizationsURL.path) == ["test-csirt.yaml"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: setup.ws.keysURL.path).isEmpty)
        }
    }
}

/// `liaison directory check --security-txt`: warnings where a developer's published file differs from the
/// directory, expired, or disappeared. The vendor's domain is served on loopback (--connect-to) with a test CA.
@Suite struct DirectorySecurityTxtCheckTests {
    @Test func publishedContactsKeyExpiryAndDisappearanceAreWarnings() throws {
        let ws = try TemporaryWorkspace()
        let server = try HTTPSTestServer.start(hostNames: ["vendor.example", "gone.example"])
        let gnupg = try GnuPGHome.make()
        defer { server.stop(); gnupg.shutdown(); ws.remove() }
        let fingerprint = try gnupg.generateKey(name: "Vendor PSIRT", email: "psirt@vendor.example")
        try server.write("pgp-key.txt", data: try gnupg.exportPublic(fingerprint))
        try server.write(".well-known/security.txt", """
            Contact: mailto:psirt@vendor.example
            Contact: mailto:new@vendor.example
            Encryption: https://vendor.example/pgp-key.txt
            Expires: 2021-06-30T00:00:00Z

            """)
        try ws.writeOrganization("vendor", TemporaryWorkspace.organizationYAML(
            id: "vendor", name: "Vendor Inc.", email: "psirt@vendor.example", extra: "domains: [vendor.example]\n"))
        try ws.writeOrganization("gone", TemporaryWorkspace.organizationYAML(
            id: "gone", name: "Gone Inc.", email: "psirt@gone.example", extra: "domains: [gone.example]\n"))
        try FileManager.default.createDirectory(at: server.root.appendingPathComponent("_hosts/gone.example"),
                                                withIntermediateDirectories: true)
        let route = { (host: String) in ["--connect-to", "\(host):443:127.0.0.1:\(server.port)"] }

        // Offline by default: no fetch, no warning.
        let offline = try runLiaison(["directory", "check"], workspace: ws.root)
        #expect(offline.status == 0)
        #expect(!offline.stderr.contains("security.txt"))

        let result = try runLiaison(["directory", "check", "--security-txt", "--ca-file", server.caFile]
                                    + route("vendor.example") + route("gone.example"), workspace: ws.root)
        #expect(result.status == 0, "warnings alone exit 0: \(result.stderr)")
        let vendor = "Directory/organizations/vendor.yaml:1: warning: security.txt of vendor.example: "
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains(vendor + "expired: https://vendor.example/.well-known/security.txt expired on 2021-06-30T00:00:00Z"))
        #expect(lines.contains(vendor + "contact new@vendor.example is published but not in the directory"))
        #expect(lines.contains(vendor + "key \(fingerprint) is published but the directory's contacts use no key"))
        #expect(lines.contains("Directory/organizations/gone.yaml:1: warning: security.txt of gone.example: disappeared or unreadable: no security.txt (https://gone.example/security.txt answered HTTP 404)"))
        #expect(result.stdout.contains("0 errors, 4 warnings"))
    }

    @Test func textAfterTheSignatureOfAPublishedFileIsAWarning() throws {
        let ws = try TemporaryWorkspace()
        let server = try HTTPSTestServer.start(hostNames: ["vendor.example"])
        let gnupg = try GnuPGHome.make()
        defer { server.stop(); gnupg.shutdown(); ws.remove() }
        let fingerprint = try gnupg.generateKey(name: "Vendor PSIRT", email: "psirt@vendor.example")
        try server.write("pgp-key.txt", data: try gnupg.exportPublic(fingerprint))
        let text = """
            Contact: mailto:psirt@vendor.example
            Encryption: https://vendor.example/pgp-key.txt
            Expires: 2099-12-31T23:59:59Z

            """
        let signed = try gnupg.gpg(["--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--local-user", fingerprint,
                                    "--clearsign"], input: Data(text.utf8))
        try server.write(".well-known/security.txt", data: signed.stdout + Data("Contact: mailto:attacker@evil.example\n".utf8))
        try ws.writeOrganization("vendor", TemporaryWorkspace.organizationYAML(
            id: "vendor", name: "Vendor Inc.", email: "psirt@vendor.example", pgp: fingerprint, extra: "domains: [vendor.example]\n"))
        try ws.write("Directory/keys/\(fingerprint).asc", String(decoding: try gnupg.exportPublic(fingerprint), as: UTF8.self))

        let result = try runLiaison(["directory", "check", "--security-txt", "--ca-file", server.caFile,
                                     "--connect-to", "vendor.example:443:127.0.0.1:\(server.port)"], workspace: ws.root)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let prefix = "Directory/organizations/vendor.yaml:1: warning: security.txt of vendor.example: "
        #expect(lines.contains { $0.hasPrefix(prefix + "unsigned text: https://vendor.example/.well-known/security.txt has text after its signature block (line ") },
                "\(result.stderr)")
        #expect(!result.stderr.contains("attacker@evil.example"), "the unsigned Contact is no difference: it is not read")
    }
}
