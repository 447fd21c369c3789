import Foundation
import Mail
import Testing
import TestSupport

/// A signing key protected by a passphrase: `gnupg.passphrase_file` or `gnupg.passphrase_env` gives it to
/// gpg-agent through loopback pinentry, and it never shows in any output.
struct SigningPassphraseTests {
    static let caseId = "JVNVU#90000010"
    static let passphrase = "correct horse battery staple"

    func openCase(_ ws: GatewayWorkspace) throws {
        for args in [["directory", "sync"], ["case", "open", Self.caseId, "--title", "TLS certificate check", "--origin", "jvn-jp",
                                             "--due", "2030-01-15"],
                     ["case", "add", Self.caseId, "--technology", "tls"]] {
            let result = try ws.liaison(args)
            guard result.status == 0 else { throw LiaisonFailed(run: result) }
        }
    }

    func setGnuPG(_ ws: GatewayWorkspace, _ line: String) throws {
        let url = ws.root.appendingPathComponent("liaison.yaml")
        let yaml = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "  encrypt: when-key\n", with: "  encrypt: when-key\n  \(line)\n")
        try Data(yaml.utf8).write(to: url)
    }

    @Test func aProtectedKeySignsWithThePassphraseFromItsFile() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"], passphrase: Self.passphrase)
        defer { ws.remove() }
        try openCase(ws)

        // Without the passphrase the key cannot sign: one line, nothing queued.
        let locked = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial"])
        #expect(locked.status == 1, "\(locked.stdout) \(locked.stderr)")
        #expect(try ws.outbox().isEmpty)

        try ws.temp.write(".liaison/signing-passphrase", Self.passphrase + "\n")
        chmod(ws.root.appendingPathComponent(".liaison/signing-passphrase").path, 0o600)
        try setGnuPG(ws, "passphrase_file: .liaison/signing-passphrase")
        let notify = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial"])
        #expect(notify.status == 0, "\(notify.stdout) \(notify.stderr)")
        #expect(!(notify.stdout + notify.stderr).contains(Self.passphrase))
        #expect(try ws.outbox().count == 2)

        let send = try ws.liaison(["send"])
        #expect(send.stdout == "sent 2, deferred 0, failed 0\n", "\(send.stderr)")
        for message in ws.sink.messages() {
            let parsed = try ParsedMessage(bytes: message.bytes)
            #expect(parsed.root.contentType.subtype == "signed")
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("verify-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try parsed.root.parts[0].rawBytes.write(to: folder.appendingPathComponent("data"))
            try parsed.root.parts[1].decodedBody.write(to: folder.appendingPathComponent("data.asc"))
            let verified = try ws.gnupg.gpg(["--verify", folder.appendingPathComponent("data.asc").path,
                                             folder.appendingPathComponent("data").path])
            #expect(verified.status == 0, "gpg --verify: \(verified.stderr)")
        }
    }

    @Test func aPassphraseVariableThatIsNotSetIsOneLineNamingIt() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"], passphrase: Self.passphrase)
        defer { ws.remove() }
        try openCase(ws)
        try setGnuPG(ws, "passphrase_env: TEST_SIGNING_PASSPHRASE")

        let unset = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial"])
        #expect(unset.status == 1)
        #expect(unset.errorLines.count == 1, "\(unset.stderr)")
        #expect(unset.stderr.contains("gnupg.passphrase_env") && unset.stderr.contains("TEST_SIGNING_PASSPHRASE"))
        #expect(try ws.outbox().isEmpty)

        let notify = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial"],
                                    environment: ["TEST_SIGNING_PASSPHRASE": Self.passphrase])
        #expect(notify.status == 0, "\(notify.stdout) \(notify.stderr)")
        #expect(!(notify.stdout + notify.stderr).contains(Self.passphrase))
        #expect(try ws.outbox().count == 1)
    }

    @Test func aProtectedKeySealsTheAuditLogWithThePassphraseFromItsFile() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"], passphrase: Self.passphrase)
        defer { ws.remove() }
        try openCase(ws)

        // Without the passphrase the key cannot sign the seal: nothing is sealed.
        let locked = try ws.liaison(["audit", "seal"])
        #expect(locked.status == 1, "\(locked.stdout) \(locked.stderr)")
        #expect(!locked.stdout.contains("Sealed"))

        try ws.temp.write(".liaison/signing-passphrase", Self.passphrase + "\n")
        chmod(ws.root.appendingPathComponent(".liaison/signing-passphrase").path, 0o600)
        try setGnuPG(ws, "passphrase_file: .liaison/signing-passphrase")
        let seal = try ws.liaison(["audit", "seal"])
        #expect(seal.status == 0, "\(seal.stdout) \(seal.stderr)")
        #expect(seal.stdout.hasPrefix("Sealed "), "\(seal.stdout)")
        #expect(!(seal.stdout + seal.stderr).contains(Self.passphrase))

        let verify = try ws.liaison(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("It matches 1 seal"), "\(verify.stdout)")
    }

    @Test func aPassphraseFileOthersCanReadIsRefusedWithOneLineNamingIt() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"], passphrase: Self.passphrase)
        defer { ws.remove() }
        try openCase(ws)
        try ws.temp.write(".liaison/signing-passphrase", Self.passphrase + "\n")
        let file = ws.root.appendingPathComponent(".liaison/signing-passphrase").path
        chmod(file, 0o644)
        try setGnuPG(ws, "passphrase_file: .liaison/signing-passphrase")
        let line = try #require(try String(contentsOf: ws.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
            .components(separatedBy: "\n").firstIndex { $0.contains("passphrase_file:") }) + 1

        let refused = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial"])
        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.errorLines.count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("liaison.yaml:\(line): gnupg.passphrase_file") && refused.stderr.contains("0644"),
                "\(refused.stderr)")
        #expect(!(refused.stdout + refused.stderr).contains(Self.passphrase))
        #expect(try ws.outbox().isEmpty)

        chmod(file, 0o600)
        let notify = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial"])
        #expect(notify.status == 0, "\(notify.stdout) \(notify.stderr)")
        #expect(try ws.outbox().count == 1)
    }

    @Test func theAgentLiaisonStartsDoesNotKeepThePassphraseVariable() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"], passphrase: Self.passphrase)
        defer { ws.remove() }
        try openCase(ws)
        try setGnuPG(ws, "passphrase_env: TEST_SIGNING_PASSPHRASE")
        // The agent that generated the test key is gone: the one running after notify is the one Liaison started.
        ws.gnupg.stopAgent()
        #expect(try ws.gnupg.agentPID() == nil)

        let notify = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial"],
                                    environment: ["TEST_SIGNING_PASSPHRASE": Self.passphrase])
        #expect(notify.status == 0, "\(notify.stdout) \(notify.stderr)")
        #expect(try ws.outbox().count == 1)
        let pid = try #require(try ws.gnupg.agentPID())
        let environment = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        #expect(!environment.isEmpty)
        #expect(environment.range(of: Data(Self.passphrase.utf8)) == nil)
        #expect(environment.range(of: Data("TEST_SIGNING_PASSPHRASE".utf8)) == nil)
    }

    @Test func ingestWithAPassphraseVariableThatIsNotSetReadsNothingAndAsksTheMTAToRetry() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"], passphrase: Self.passphrase)
        defer { ws.remove() }
        try openCase(ws)
        try setGnuPG(ws, "passphrase_env: TEST_SIGNING_PASSPHRASE")
        let reply = Data("From: psirt@aozora.example\r\nTo: vuls@csirt.example\r\nSubject: Re: TLS\r\nMessage-ID: <r1@aozora.example>\r\n\r\nStatus: fixed\r\n".utf8)

        let unset = try ws.liaison(["ingest", "-"], input: reply)
        #expect(unset.status == 75, "\(unset.stdout) \(unset.stderr)")
        #expect(unset.errorLines.count == 1 && unset.stderr.contains("gnupg.passphrase_env"), "\(unset.stderr)")
        #expect(try ws.liaison(["inbox"]).outputLines.last == "0 messages")

        let ingest = try ws.liaison(["ingest", "-"], input: reply, environment: ["TEST_SIGNING_PASSPHRASE": Self.passphrase])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try ws.liaison(["inbox"]).outputLines.last == "1 message")
    }

    /// `liaison.yaml:LINE: FIELD: ` for the line holding `text` in the workspace's liaison.yaml.
    func place(_ ws: GatewayWorkspace, _ text: String, field: String) throws -> String {
        let lines = try String(contentsOf: ws.root.appendingPathComponent("liaison.yaml"), encoding: .utf8).components(separatedBy: "\n")
        let number = (lines.firstIndex { $0.contains(text) } ?? -2) + 1
        return "liaison.yaml:\(number): \(field): "
    }

    /// Notifies both vendors with the right passphrase, sends, and moves the first notification 15 days back so
    /// that a reminder is due.
    func notifiedFifteenDaysAgo(_ ws: GatewayWorkspace) throws {
        try ws.temp.write(".liaison/signing-passphrase", Self.passphrase + "\n")
        chmod(ws.root.appendingPathComponent(".liaison/signing-passphrase").path, 0o600)
        try setGnuPG(ws, "passphrase_file: .liaison/signing-passphrase")
        for args in [["notify", Self.caseId, "--template", "vendor-initial"], ["send"]] {
            let result = try ws.liaison(args)
            guard result.status == 0 else { throw LiaisonFailed(run: result) }
        }
        try ws.moveFirstNotificationsBack(days: 15)
    }

    /// Runs notify, remind, run and mail send with a key that cannot sign: each exits 1 with the one line `expected`
    /// names (and no vendor's name), and nothing is queued or sent.
    func everyCommandSaysOnce(_ ws: GatewayWorkspace, startingWith prefix: String, containing detail: String) throws {
        let queued = try ws.outbox().count
        let sent = ws.sink.messages().count
        try ws.temp.write("body.txt", "Test of the signing key.\n")
        let commands: [[String]] = [
            ["notify", Self.caseId, "--template", "vendor-initial", "--again"],
            ["remind", "--all"],
            ["remind", Self.caseId, "--after", "14"],
            ["run", "--interval", "1"],
            ["mail", "send", "--to", "psirt@aozora.example", "--subject", "Key test", "--body-file", "body.txt"],
        ]
        for args in commands {
            let result = try ws.liaison(args, timeout: 60)
            #expect(result.status == 1, "\(args): \(result.stdout) \(result.stderr)")
            // `run` logs its start and stop around it; the others say only this.
            let said = result.errorLines.filter { !$0.contains("liaison.run") }
            if args[0] == "notify" { print("liaison notify with a key that cannot sign: \(said.joined(separator: " | "))") }
            #expect(said.count == 1 && said.first?.hasPrefix(prefix) == true && said.first?.contains(detail) == true,
                    "\(args): \(result.stderr)")
            #expect(!result.stderr.contains("aozora") && !result.stderr.contains("kumo"), "never under a vendor's name: \(result.stderr)")
        }
        #expect(try ws.outbox().count == queued, "nothing queued")
        #expect(ws.sink.messages().count == sent, "nothing sent")
    }

    /// Both vendors notified fifteen days ago, then the passphrase file changed to a wrong passphrase.
    func wrongPassphraseAfterNotifying() throws -> GatewayWorkspace {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"], passphrase: Self.passphrase)
        do {
            try openCase(ws)
            try notifiedFifteenDaysAgo(ws)
            try ws.temp.write(".liaison/signing-passphrase", "wrong horse battery staple\n")
            chmod(ws.root.appendingPathComponent(".liaison/signing-passphrase").path, 0o600)
            return ws
        } catch {
            ws.remove()
            throw error
        }
    }

    @Test func aWrongPassphraseIsOurFaultSaidOnceNamingItsSettingForEveryCommand() throws {
        let ws = try wrongPassphraseAfterNotifying()
        defer { ws.remove() }
        try everyCommandSaysOnce(ws, startingWith: try place(ws, "passphrase_file:", field: "gnupg.passphrase_file"),
                                 containing: "Bad passphrase")
    }

    @Test func serveWithRunStopsOnAWrongPassphraseSayingItOnceAsRunDoes() throws {
        let ws = try wrongPassphraseAfterNotifying()
        defer { ws.remove() }
        let queued = try ws.outbox().count

        // The first round's reminders cannot be signed: the service stops, and the desk with it.
        let result = try ws.start(["serve", "--run", "--listen", "127.0.0.1:0"]).wait(timeout: 60)
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        let said = result.errorLines.filter { !$0.contains("liaison.run") && !$0.contains("liaison.serve") }
        let prefix = try place(ws, "passphrase_file:", field: "gnupg.passphrase_file")
        #expect(said.count == 1 && said.first?.hasPrefix(prefix) == true && said.first?.contains("Bad passphrase") == true,
                "\(result.stderr)")
        #expect(!result.stderr.contains("aozora") && !result.stderr.contains("kumo"), "never under a vendor's name: \(result.stderr)")
        #expect(try ws.outbox().count == queued, "nothing queued")
    }

    @Test func aRevokedSigningKeyIsOurFaultSaidOnceNamingItsSettingForEveryCommand() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"], passphrase: Self.passphrase)
        defer { ws.remove() }
        try openCase(ws)
        try notifiedFifteenDaysAgo(ws)
        try ws.gnupg.revokeKey(ws.signingKey)
        try everyCommandSaysOnce(ws, startingWith: try place(ws, "signing_key:", field: "sender.signing_key"), containing: ws.signingKey)
    }
}
