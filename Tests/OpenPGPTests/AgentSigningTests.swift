import Foundation
import OpenPGP
import Testing
import TestSupport

/// Signatures made by gpg-agent over Assuan, the packet built by Liaison: they must mean exactly what gpg's
/// own signatures mean, for every verifier.
struct AgentSigningTests {
    @Test(arguments: [(GnuPGHome.KeyAlgorithm.ed25519, "pgp-sha256"), (GnuPGHome.KeyAlgorithm.rsa3072, "pgp-sha512")])
    func agentSignatureVerifiesEverywhereWithTheFieldsGpgWrites(algorithm: GnuPGHome.KeyAlgorithm,
                                                                micalg: String) throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Signer", email: "signer@example.org", algorithm: algorithm)
        let context = try OpenPGPContext(homeDirectory: home.path)

        let byGPG = try context.signDetached(sampleBody, signer: fingerprint)
        #expect(context.lastSignatureRoute == .gpg)
        let byAgent = try context.signDetached(sampleBody, signer: fingerprint)
        #expect(context.lastSignatureRoute == .agent)

        #expect(byAgent.micalg == micalg && byGPG.micalg == micalg)
        #expect(byAgent.signerFingerprint == fingerprint)
        try expectVerifiesEverywhere(sampleBody, byAgent, home: home, primary: fingerprint, subkey: fingerprint)
        #expect(try packetFields(byAgent, home: home) == packetFields(byGPG, home: home))
        #expect(try packetFields(byAgent, home: home).contains("hashed subpkt 33 len 21 (issuer fpr v4 \(fingerprint))"))
    }

    @Test func manySignaturesAndOddBodiesAllVerify() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Signer", email: "signer@example.org")
        let context = try OpenPGPContext(homeDirectory: home.path)
        let bodies = [Data(), Data("x".utf8), Data(repeating: 0x25, count: 2_500), Data("%\r\n\n\0%25".utf8)]
        for body in bodies + bodies {
            let signature = try context.signDetached(body, signer: fingerprint)
            let data = try home.write(body, named: "odd.txt")
            let sig = try home.write(signature.armored, named: "odd.txt.asc")
            #expect(try home.gpg(["--verify", sig, data]).status == 0)
        }
        #expect(context.lastSignatureRoute == .agent)
    }

    @Test func passphraseProtectedKeySignsThroughLoopback() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        // The agent forgets passphrases at once, so every PKSIGN asks for it again (INQUIRE PASSPHRASE); the
        // lowest S2K count keeps protecting and unlocking the key quick.
        let agentConfiguration = home.path + "/gpg-agent.conf"
        let configured = try String(contentsOfFile: agentConfiguration, encoding: .utf8)
        try (configured + "\ndefault-cache-ttl 0\nmax-cache-ttl 0\ns2k-count 65536\n").write(toFile: agentConfiguration, atomically: true,
                                                                        encoding: .utf8)
        let fingerprint = try home.generateKey(name: "Locked", email: "locked@example.org",
                                               passphrase: "correct horse battery staple")
        let context = try OpenPGPContext(homeDirectory: home.path, passphrase: "correct horse battery staple")

        _ = try context.signDetached(sampleBody, signer: fingerprint)
        let signature = try context.signDetached(sampleBody, signer: fingerprint)

        #expect(context.lastSignatureRoute == .agent)
        try expectVerifiesEverywhere(sampleBody, signature, home: home, primary: fingerprint, subkey: fingerprint)
    }

    @Test func signingSubkeyIsUsedWhenThePrimaryOnlyCertifies() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let primary = try home.generateKey(name: "Split", email: "split@example.org", signingSubkey: true)
        let context = try OpenPGPContext(homeDirectory: home.path)
        let subkey = try #require(try context.key(fingerprint: primary)?.subkeys.first { $0.canSign && $0.fingerprint != primary })

        let byGPG = try context.signDetached(sampleBody, signer: primary)
        let byAgent = try context.signDetached(sampleBody, signer: primary)

        #expect(context.lastSignatureRoute == .agent)
        #expect(byAgent.signerFingerprint == primary)
        try expectVerifiesEverywhere(sampleBody, byAgent, home: home, primary: primary, subkey: subkey.fingerprint)
        #expect(try packetFields(byAgent, home: home) == packetFields(byGPG, home: home))
        #expect(try packetFields(byAgent, home: home).contains("subpkt 16 len 8 (issuer key ID \(subkey.keyID))"))
    }

    @Test func revokedSignerIsRefused() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Gone", email: "gone@example.org")
        try home.revokeKey(fingerprint)
        let context = try OpenPGPContext(homeDirectory: home.path)

        let error = #expect(throws: OpenPGPError.unusableKey) { try context.signDetached(sampleBody, signer: fingerprint) }
        #expect(error?.description.contains("revoked") == true)
    }

    @Test func agentSignsWhileAnotherProcessSignsWithTheSameAgent() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Busy", email: "busy@example.org")
        let context = try OpenPGPContext(homeDirectory: home.path)
        _ = try context.signDetached(sampleBody, signer: fingerprint)

        // A gpg --sign loop that says "signed" after each signature, until the stop file appears.
        let stop = home.path + "/stop"
        let loop = Process()
        loop.executableURL = URL(fileURLWithPath: "/bin/sh")
        loop.arguments = ["-c", """
            while [ ! -e "$1" ]; do
              echo hello | gpg --homedir "$2" --batch -u "$3" --sign -o /dev/null - || exit 1
              echo signed
            done
            """, "sh", stop, home.path, fingerprint]
        let output = Pipe()
        loop.standardOutput = output
        loop.standardError = FileHandle.nullDevice
        try loop.run()
        defer {
            _ = FileManager.default.createFile(atPath: stop, contents: nil)
            if loop.isRunning { kill(loop.processIdentifier, SIGTERM) }
            loop.waitUntilExit()
        }
        let reader = output.fileHandleForReading
        #expect(reader.readData(ofLength: 7) == Data("signed\n".utf8), "the other process signs")

        for index in 0..<20 {
            let body = Data("message \(index)\r\n".utf8)
            let signature = try context.signDetached(body, signer: fingerprint)
            #expect(context.lastSignatureRoute == .agent)
            let data = try home.write(body, named: "busy-\(index).txt")
            let sig = try home.write(signature.armored, named: "busy-\(index).txt.asc")
            #expect(try home.gpg(["--verify", sig, data]).status == 0)
        }
        #expect(loop.isRunning, "the other process was still signing")
    }

    @Test func stoppedAgentFallsBackToGpgWithTheSameMeaning() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let fingerprint = try home.generateKey(name: "Signer", email: "signer@example.org")
        let context = try OpenPGPContext(homeDirectory: home.path)
        _ = try context.signDetached(sampleBody, signer: fingerprint)
        _ = try context.signDetached(sampleBody, signer: fingerprint)
        #expect(context.lastSignatureRoute == .agent)

        // The agent goes away under the open connection; gpg starts a new one and signs.
        let asked = try runProcess("/usr/bin/gpg-connect-agent", ["--homedir", home.path, "getinfo pid", "/bye"])
        let agentProcess = try #require(String(decoding: asked.stdout, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix("D ") }.flatMap { pid_t($0.dropFirst(2)) })
        _ = try runProcess("/usr/bin/gpgconf", ["--homedir", home.path, "--kill", "gpg-agent"])
        let deadline = Date().addingTimeInterval(10)
        while kill(agentProcess, 0) == 0, Date() < deadline { usleep(10_000) }  // until it has exited
        let signature = try context.signDetached(sampleBody, signer: fingerprint)

        #expect(context.lastSignatureRoute == .gpg)
        try expectVerifiesEverywhere(sampleBody, signature, home: home, primary: fingerprint, subkey: fingerprint)

        // The agent gpg started is used from then on.
        let again = try context.signDetached(sampleBody, signer: fingerprint)
        #expect(context.lastSignatureRoute == .agent)
        try expectVerifiesEverywhere(sampleBody, again, home: home, primary: fingerprint, subkey: fingerprint)
    }

    // MARK: - Checks

    /// gpg (VALIDSIG naming subkey and primary), sqv and RNP, each over the signed bytes as files.
    func expectVerifiesEverywhere(_ body: Data, _ signature: DetachedSignature, home: GnuPGHome, primary: String,
                                  subkey: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let tag = UUID().uuidString.prefix(8)
        let dataFile = try home.write(body, named: "body-\(tag).txt")
        let signatureFile = try home.write(signature.armored, named: "body-\(tag).txt.asc")
        let gpg = try home.gpg(["--status-fd", "1", "--verify", signatureFile, dataFile])
        let status = String(decoding: gpg.stdout, as: UTF8.self)
        #expect(gpg.status == 0, "gpg --verify: \(gpg.stderr)", sourceLocation: sourceLocation)
        #expect(status.contains("[GNUPG:] VALIDSIG \(subkey)") && status.contains(" \(primary)\n"),
                "gpg status: \(status)", sourceLocation: sourceLocation)

        let keyring = try home.write(try home.exportPublic(primary), named: "public-\(tag).asc")
        let sqv = try runProcess("/usr/bin/sqv", ["--keyring", keyring, signatureFile, dataFile])
        #expect(sqv.status == 0, "sqv: \(sqv.stderr)", sourceLocation: sourceLocation)

        let rnpHome = home.path + "/rnp-\(tag)"
        let rnp = try runProcess("/usr/bin/rnp", ["--homedir", rnpHome, "--keyfile", keyring,
                                                  "--verify", signatureFile, "--source", dataFile])
        #expect(rnp.status == 0 && rnp.stderr.contains("Signature(s) verified successfully"), "rnp: \(rnp.stderr)",
                sourceLocation: sourceLocation)
    }

    /// `gpg --list-packets` without what differs between two signatures (time, digest start, value bits).
    func packetFields(_ signature: DetachedSignature, home: GnuPGHome) throws -> [String] {
        let listed = try home.gpg(["--list-packets"], input: signature.armored)
        return String(decoding: listed.stdout, as: UTF8.self).split(separator: "\n").map { line in
            line.trimmingCharacters(in: .whitespaces)
                .replacingOccurrences(of: #"created \d+"#, with: "created T", options: .regularExpression)
                .replacingOccurrences(of: #"begin of digest [0-9a-f]{2} [0-9a-f]{2}"#, with: "begin of digest", options: .regularExpression)
                .replacingOccurrences(of: #"\(sig created [^)]*\)"#, with: "(sig created)", options: .regularExpression)
                .replacingOccurrences(of: #"\[\d+ bits\]"#, with: "[bits]", options: .regularExpression)
                .replacingOccurrences(of: #"plen=\d+"#, with: "plen", options: .regularExpression)
        }
    }
}
