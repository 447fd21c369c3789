import Foundation
import Mail
import Testing
import TestSupport

/// What a `liaison mail send` test needs: a sender's throwaway GnuPG home with a signing key, a scratch folder
/// for body files and extracted parts, and a way to run the command as an operator would outside any workspace.
///
/// Call `shutdown()` in a `defer`: it stops the home's gpg-agent by its GnuPG home and removes both folders.
final class MailSendFixture {
    /// The sender, as an operator types it.
    static let sender = "Example CSIRT <vuls@csirt.example>"
    /// A Japanese subject, the body of a first notification to a vendor.
    static let subject = "脆弱性情報のご連絡"

    let home: GnuPGHome
    /// Fingerprint of the sender's signing key.
    let fingerprint: String
    let scratch: URL

    init(algorithm: GnuPGHome.KeyAlgorithm = .ed25519) throws {
        home = try GnuPGHome.make()
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("liaison-mail-\(UUID().uuidString.prefix(12))", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            fingerprint = try home.generateKey(name: "Example CSIRT", email: "vuls@csirt.example", algorithm: algorithm)
        } catch {
            home.shutdown()
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
    }

    func shutdown() {
        home.shutdown()
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Writes `data` into the scratch folder and returns its path.
    @discardableResult
    func write(_ data: Data, named name: String) throws -> String {
        let url = scratch.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    /// Writes UTF-8 `text` into the scratch folder and returns its path.
    @discardableResult
    func write(_ text: String, named name: String) throws -> String {
        try write(Data(text.utf8), named: name)
    }

    /// Runs `liaison ARGS` in the scratch folder (no liaison.yaml there or above, so no workspace), with
    /// `GNUPGHOME` set to the sender's home and `environment` added.
    func run(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        // runLiaison keeps the test process's working folder (the package, itself a workspace); env -C runs the
        // command where no liaison.yaml can be found, and -u drops a LIAISON_WORKSPACE the test run may carry.
        let executable = try LiaisonExecutable.url().path
        let unset = environment["LIAISON_WORKSPACE"] == nil ? ["-u", "LIAISON_WORKSPACE"] : []
        let result = try runProcess("/usr/bin/env", unset + ["-C", scratch.path, executable] + args,
                                    environment: ["GNUPGHOME": home.path, "LC_ALL": "C.UTF-8", "LIAISON_ACTOR": "test"]
                                        .merging(environment) { _, new in new })
        return (result.status, String(decoding: result.stdout, as: UTF8.self), result.stderr)
    }

    /// `mail send` from the sender, signed with its key, with a body file; `extra` adds or overrides options.
    func send(to recipients: [String] = ["\"山田 太郎\" <yamada@vendor.example>"], subject: String = MailSendFixture.subject,
              body: String = "山田様\n\n脆弱性情報をお送りします。\n", extra: [String],
              environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let bodyFile = try write(body, named: "body-\(UUID().uuidString.prefix(8)).txt")
        var args = ["mail", "send", "--from", Self.sender, "--subject", subject, "--body-file", bodyFile,
                    "--sign-key", fingerprint]
        for recipient in recipients { args += ["--to", recipient] }
        return try run(args + extra, environment: environment)
    }

    /// The Message-ID printed on success (`sent <id>`), without angle brackets.
    static func sentMessageID(_ stdout: String) -> String? {
        stdout.split(separator: "\n").last { $0.hasPrefix("sent ") }.map { String($0.dropFirst(5)) }
    }

    // MARK: Checking what arrived

    /// The signed content (exact bytes) and the armored signature of a `multipart/signed` message.
    static func signedParts(of message: ParsedMessage, sourceLocation: SourceLocation = #_sourceLocation)
        -> (content: Data, signature: Data)? {
        guard let parts = message.root.signedParts else {
            Issue.record("not multipart/signed: \(message.header("Content-Type") ?? "no Content-Type")",
                         sourceLocation: sourceLocation)
            return nil
        }
        return (parts.content.rawBytes, parts.signature.decodedBody)
    }

    /// Checks the signature of the received `bytes` with GnuPG (in the sender's home: it must be a good signature
    /// by `fingerprint`), Sequoia's sqv and RNP (both with only the exported public key as keyring).
    func expectSignatureVerifiesEverywhere(_ bytes: Data, signer: String? = nil,
                                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        let signer = signer ?? fingerprint
        let message = try ParsedMessage(bytes: bytes)
        guard let (content, signature) = Self.signedParts(of: message, sourceLocation: sourceLocation) else { return }
        let tag = UUID().uuidString.prefix(8)
        let contentFile = try write(content, named: "signed-\(tag).eml")
        let signatureFile = try write(signature, named: "signature-\(tag).asc")
        let keyring = try write(try home.exportPublic(signer), named: "public-\(tag).asc")

        let gpg = try home.gpg(["--status-fd", "1", "--verify", signatureFile, contentFile])
        let status = String(decoding: gpg.stdout, as: UTF8.self)
        #expect(gpg.status == 0, "gpg --verify: \(gpg.stderr)", sourceLocation: sourceLocation)
        #expect(status.contains("[GNUPG:] VALIDSIG \(signer)"), "gpg status: \(status)", sourceLocation: sourceLocation)

        let sqv = try runProcess("/usr/bin/sqv", ["--keyring", keyring, signatureFile, contentFile])
        #expect(sqv.status == 0, "sqv: \(sqv.stderr)", sourceLocation: sourceLocation)
        #expect(String(decoding: sqv.stdout, as: UTF8.self).uppercased().contains(signer),
                "sqv names the signer", sourceLocation: sourceLocation)

        // RNP 0.16 (Thunderbird's OpenPGP library): --keyfile loads only that key, the empty --homedir keeps it
        // from reading a user's keyrings.
        let rnpHome = scratch.appendingPathComponent("rnp-\(tag)").path
        let rnp = try runProcess("/usr/bin/rnp", ["--homedir", rnpHome, "--keyfile", keyring,
                                                  "--verify", signatureFile, "--source", contentFile])
        #expect(rnp.status == 0, "rnp --verify: \(rnp.stderr)", sourceLocation: sourceLocation)
        #expect(rnp.stderr.contains("Signature(s) verified successfully"), "rnp: \(rnp.stderr)",
                sourceLocation: sourceLocation)
    }

    /// RFC 5322 wire form as received: 7-bit, CRLF only, no line over 998 octets.
    static func expectWireForm(_ bytes: Data, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(bytes.allSatisfy { $0 < 0x80 }, "a byte of the message is not 7-bit", sourceLocation: sourceLocation)
        let array = [UInt8](bytes)
        var longest = 0, bareLineEnds = 0, start = 0
        for index in array.indices where array[index] == 0x0A {
            if index == 0 || array[index - 1] != 0x0D { bareLineEnds += 1 }
            longest = max(longest, index - start - 1)
            start = index + 1
        }
        #expect(longest <= 998, "a line has \(longest) octets", sourceLocation: sourceLocation)
        // A mailbox would turn such a line into ">From " and break the signature.
        #expect(!String(decoding: bytes, as: UTF8.self).contains("\r\nFrom "), "a line begins with \"From \"",
                sourceLocation: sourceLocation)
        #expect(bareLineEnds == 0, "\(bareLineEnds) line(s) end in LF without CR", sourceLocation: sourceLocation)
    }

    /// Lines of standard error, without empty ones.
    static func errorLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// Standard error as a user should see it on a refusal: one line, no crash report, no Swift type names.
    static func expectOneClearLine(_ stderr: String, mentioning fragment: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = errorLines(stderr)
        #expect(lines.count == 1, "stderr: \(stderr)", sourceLocation: sourceLocation)
        #expect(stderr.localizedCaseInsensitiveContains(fragment), "stderr: \(stderr)", sourceLocation: sourceLocation)
        for leak in ["Fatal error", "Stack dump", "MailError", "GatewayError", "SMTPError", "OpenPGPError",
                     "RegistryError", "ValidationError", "Swift.", "(code:", "Optional("] {
            #expect(!stderr.contains(leak), "stderr shows \(leak): \(stderr)", sourceLocation: sourceLocation)
        }
    }
}
