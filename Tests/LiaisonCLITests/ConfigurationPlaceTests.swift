import Foundation
import Testing
import TestSupport

/// A setting of liaison.yaml that stops a command is named with its line, as the configuration's own errors are:
/// `liaison.yaml:7: smtp.tls: …`.
@Suite struct ConfigurationPlaceTests {
    static let signingKey = "0123456789ABCDEF0123456789ABCDEF01234567"

    /// A workspace whose liaison.yaml has `sender.signing_key` on line 4, `smtp.tls` on line 7 and `gnupg.home`
    /// on line 9, a case with one vendor, and the repository's vendor-initial templates.
    static func workspace(url: String, tls: String, home: String) throws -> TemporaryWorkspace {
        let ws = try TemporaryWorkspace()
        do {
            try ws.write("liaison.yaml", """
                sender:
                  from: "Test CSIRT <vuls@csirt.example>"
                  organization: test-csirt
                  signing_key: \(signingKey)
                smtp:
                  url: \(url)
                  tls: \(tls)
                gnupg:
                  home: \(home)
                timezone: UTC

                """)
            for name in ["vendor-initial.en.mustache", "vendor-initial.ja.mustache"] {
                try FileManager.default.copyItem(at: GatewayWorkspace.repository.appendingPathComponent("Templates/\(name)"),
                                                 to: ws.root.appendingPathComponent("Templates/\(name)"))
            }
            try ws.writeOrganization("test-csirt", TemporaryWorkspace.organizationYAML(
                id: "test-csirt", name: "Test CSIRT", kind: "national-csirt", technologies: [], email: "vuls@csirt.example"))
            try ws.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora"))
            for args in [["directory", "sync"], ["case", "open", "JVNVU#31415926", "--title", "t", "--origin", "jvn-jp"],
                         ["case", "add", "JVNVU#31415926", "aozora"]] {
                let run = try runLiaison(args, workspace: ws.root)
                guard run.status == 0 else { throw SetupFailed(description: "\(args): \(run.stderr)") }
            }
        } catch {
            ws.remove()
            throw error
        }
        return ws
    }

    @Test func plainSMTPToARemoteRelayNamesSMTPTLS() throws {
        let ws = try Self.workspace(url: "smtp://relay.example:25", tls: "none", home: ".liaison/gnupg")
        defer { ws.remove() }
        let send = try runLiaison(["send"], workspace: ws.root)
        #expect(send.status == 1)
        #expect(send.stderr == "liaison.yaml:7: smtp.tls: Plain SMTP (tls: none) is allowed only to a loopback address "
                + "(127.0.0.0/8, ::1, localhost), not to relay.example; use tls: required.\n")
    }

    @Test func aMissingGnuPGHomeNamesGnuPGHome() throws {
        let ws = try Self.workspace(url: "smtp://127.0.0.1:2525", tls: "none", home: ".liaison/missing")
        defer { ws.remove() }
        let notify = try runLiaison(["notify", "JVNVU#31415926", "--template", "vendor-initial"], workspace: ws.root)
        #expect(notify.status == 1)
        #expect(notify.stderr.hasPrefix("liaison.yaml:9: gnupg.home: The GnuPG home directory "), "\(notify.stderr)")
        #expect(notify.stderr.contains("/.liaison/missing does not exist."), "\(notify.stderr)")
    }

    @Test func aSigningKeyWithoutItsSecretKeyNamesSenderSigningKey() throws {
        let gnupg = try GnuPGHome.make()
        let ws = try Self.workspace(url: "smtp://127.0.0.1:2525", tls: "none", home: gnupg.path)
        defer { ws.remove(); gnupg.shutdown() }
        let notify = try runLiaison(["notify", "JVNVU#31415926", "--template", "vendor-initial"], workspace: ws.root)
        #expect(notify.status == 1)
        let lines = notify.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("liaison.yaml:4: sender.signing_key: signing key \(Self.signingKey) has no secret key in \(gnupg.path)"),
                "\(notify.stderr)")
    }
}

extension ConfigurationPlaceTests {
    @Test func doctorNamesTheFieldAndLineOfAMissingGnuPGHomeAndOfPlainSMTP() throws {
        let ws = try Self.workspace(url: "smtp://relay.example:25", tls: "none", home: ".liaison/missing")
        defer { ws.remove() }
        let doctor = try runLiaison(["doctor"], workspace: ws.root)
        #expect(doctor.status == 1)
        let lines = doctor.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("FAIL signing key: liaison.yaml:9: gnupg.home: The GnuPG home directory ") },
                "\(doctor.stdout)")
        #expect(lines.contains { $0.hasPrefix("FAIL relay: liaison.yaml:7: smtp.tls: Plain SMTP (tls: none) is allowed only to a loopback address") },
                "\(doctor.stdout)")
    }

    @Test func doctorNamesTheFieldAndLineOfASigningKeyItCannotUse() throws {
        let gnupg = try GnuPGHome.make()
        let ws = try Self.workspace(url: "smtp://127.0.0.1:2525", tls: "none", home: gnupg.path)
        defer { ws.remove(); gnupg.shutdown() }
        let doctor = try runLiaison(["doctor"], workspace: ws.root)
        #expect(doctor.status == 1)
        let lines = doctor.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("FAIL signing key: liaison.yaml:4: sender.signing_key: Signing key \(Self.signingKey) ") },
                "\(doctor.stdout)")
    }
}

struct SetupFailed: Error, CustomStringConvertible {
    let description: String
}
