import Foundation
import Mail
import Testing
import TestSupport

/// `liaison mail send` as an operator runs it to prove that the signing key and the relay work: the real
/// executable, a throwaway GnuPG home with keys made by the test, and aiosmtpd on loopback. Every check is on
/// what the server received (or what was written), never on bytes held in memory.
@Suite struct MailSendCommandTests {
    /// A body with what breaks naive encoders: Japanese text, a line starting "From ", a lone dot, trailing
    /// spaces and a tab, and a line far longer than 76 characters.
    static let japaneseBody = """
        山田 太郎 様

        JPCERT/CC 脆弱性調整担当です。貴社製品に影響する可能性のある脆弱性情報をお送りします。
        From the reporter: the flaw is in the TLS handshake.
        .
        行末に空白があります。  \u{20}
        タブもあります。\t
        \(String(repeating: "詳細は添付の報告書をご覧ください。", count: 12))

        よろしくお願いいたします。

        """

    // MARK: The message on the wire

    @Test(arguments: [(GnuPGHome.KeyAlgorithm.ed25519, "pgp-sha256"), (.rsa3072, "pgp-sha512")])
    func japaneseMessageOverSTARTTLSArrivesIntactAndVerifiesEverywhere(algorithm: GnuPGHome.KeyAlgorithm,
                                                                       micalg: String) throws {
        let fixture = try MailSendFixture(algorithm: algorithm)
        defer { fixture.shutdown() }
        var options = SMTPSink.Options()
        options.starttls = true
        options.requireTLS = true
        let sink = try SMTPSink.start(options)
        defer { sink.stop() }

        let result = try fixture.send(body: Self.japaneseBody,
                                      extra: ["--reply-to", "Coordination <coord@csirt.example>",
                                              "--smtp", sink.url, "--ca-file", try #require(sink.caFile)])

        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty)
        let received = try sink.waitForMessages(count: 1)
        #expect(received.count == 1)
        #expect(received[0].tls)
        #expect(received[0].mailFrom == "vuls@csirt.example")
        #expect(received[0].recipients == ["yamada@vendor.example"])

        let bytes = received[0].bytes
        MailSendFixture.expectWireForm(bytes)
        let message = try ParsedMessage(bytes: bytes)
        #expect(message.subject == MailSendFixture.subject)
        #expect(message.to.map(\.address) == ["yamada@vendor.example"])
        #expect(message.to.first?.displayName == "山田 太郎")
        #expect(message.from?.address == "vuls@csirt.example")
        #expect(message.from?.displayName == "Example CSIRT")
        #expect(message.decodedHeader("Reply-To") == "Coordination <coord@csirt.example>")
        #expect(message.bodyText.map(Self.lf) == Self.japaneseBody)
        for name in ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version"] {
            #expect(message.headers(name).count == 1, "\(name) appears \(message.headers(name).count) times")
        }
        #expect(message.headers("Bcc").isEmpty)
        #expect(message.date != nil)
        #expect(message.messageID?.hasSuffix("@csirt.example") == true)
        #expect(MailSendFixture.sentMessageID(result.stdout).map { "<\($0)>" } == message.header("Message-ID"))

        let contentType = message.root.contentType
        #expect(contentType.mediaType == "multipart/signed")
        #expect(contentType.parameters["protocol"] == "application/pgp-signature")
        #expect(contentType.parameters["micalg"] == micalg)
        try fixture.expectSignatureVerifiesEverywhere(bytes)
    }

    @Test func attachmentWithJapaneseNameTravelsInsideTheSignedPart() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let report = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7) })  // every byte value, binary
        let path = try fixture.write(report, named: "脆弱性報告書.pdf")

        let result = try fixture.send(extra: ["--attach", path, "--smtp", sink.url, "--tls", "none"])

        #expect(result.status == 0, "stderr: \(result.stderr)")
        let bytes = try sink.waitForMessages(count: 1)[0].bytes
        MailSendFixture.expectWireForm(bytes)
        let message = try ParsedMessage(bytes: bytes)
        let signed = try #require(message.root.signedParts)
        #expect(signed.content.contentType.mediaType == "multipart/mixed")
        let parts = signed.content.parts
        try #require(parts.count == 2)
        #expect(parts[0].text.map(Self.lf) == "山田様\n\n脆弱性情報をお送りします。\n")
        let attachment = parts[1]
        #expect(attachment.isAttachment)
        #expect(attachment.transferEncoding == "base64")
        #expect(attachment.contentType.mediaType == "application/pdf")
        #expect(attachment.filename == "脆弱性報告書.pdf")
        #expect(attachment.header("Content-Disposition")?.contains("filename*") == true, "RFC 2231 file name")
        #expect(attachment.decodedBody == report)
        try fixture.expectSignatureVerifiesEverywhere(bytes)
    }

    @Test func fileTransportWritesTheMessageNamedByItsMessageID() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let outbox = fixture.scratch.appendingPathComponent("dry-run", isDirectory: true)
        try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)

        let result = try fixture.send(extra: ["--smtp", "file://\(outbox.path)"])

        #expect(result.status == 0, "stderr: \(result.stderr)")
        let id = try #require(MailSendFixture.sentMessageID(result.stdout), "stdout: \(result.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: outbox.path)
        #expect(files == ["\(id).eml"])
        let bytes = try Data(contentsOf: outbox.appendingPathComponent("\(id).eml"))
        MailSendFixture.expectWireForm(bytes)
        let message = try ParsedMessage(bytes: bytes)
        #expect(message.messageID == id)
        #expect(message.subject == MailSendFixture.subject)
        try fixture.expectSignatureVerifiesEverywhere(bytes)
    }

    // MARK: Encryption

    @Test func encryptedMessageIsReadableByTheRecipientAndInTheSentCopy() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let recipient = try GnuPGHome.make()
        defer { recipient.shutdown() }
        let recipientKey = try recipient.generateKey(name: "山田 太郎", email: "yamada@vendor.example")
        try fixture.home.importKey(try recipient.exportPublic(recipientKey))
        let sink = try SMTPSink.start()
        defer { sink.stop() }

        let result = try fixture.send(body: Self.japaneseBody, extra: ["--encrypt", "--smtp", sink.url, "--tls", "none"])

        #expect(result.status == 0, "stderr: \(result.stderr)")
        let bytes = try sink.waitForMessages(count: 1)[0].bytes
        MailSendFixture.expectWireForm(bytes)
        let message = try ParsedMessage(bytes: bytes)
        #expect(message.subject == MailSendFixture.subject)
        #expect(message.root.contentType.mediaType == "multipart/encrypted")
        #expect(message.root.contentType.parameters["protocol"] == "application/pgp-encrypted")
        try #require(message.root.parts.count == 2)
        #expect(message.root.parts[0].contentType.mediaType == "application/pgp-encrypted")
        #expect(String(decoding: message.root.parts[0].decodedBody, as: UTF8.self).contains("Version: 1"))
        #expect(!String(decoding: bytes, as: UTF8.self).contains("From the reporter"), "the body is not in clear")
        let ciphertext = try fixture.write(message.root.parts[1].decodedBody, named: "ciphertext.asc")

        // The recipient, with nothing but their own key, reads it; so does the sender from the sent copy.
        for home in [recipient, fixture.home] {
            let decrypted = try home.gpg(["--decrypt", ciphertext])
            #expect(decrypted.status == 0, "gpg --decrypt in \(home.path): \(decrypted.stderr)")
            let inner = try ParsedMessage(bytes: decrypted.stdout)
            #expect(inner.root.contentType.mediaType == "multipart/signed", "signed, then encrypted")
            #expect(inner.bodyText.map(Self.lf) == Self.japaneseBody)
        }
        let inner = try fixture.home.gpg(["--decrypt", ciphertext]).stdout
        try fixture.expectSignatureVerifiesEverywhere(inner)
    }

    /// Why a recipient's key cannot be used.
    enum UnusableKey: String, CaseIterable, Sendable {
        case missing, expired, revoked
    }

    @Test(arguments: UnusableKey.allCases)
    func encryptionToARecipientWithoutUsableKeyFailsBeforeSending(problem: UnusableKey) throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        // The good recipient has a key; the other one's key is missing, expired or revoked.
        let recipients = try GnuPGHome.make()
        defer { recipients.shutdown() }
        let good = try recipients.generateKey(name: "Good", email: "psirt@good.example")
        try fixture.home.importKey(try recipients.exportPublic(good))
        switch problem {
        case .missing:
            break
        case .expired:
            let expired = try recipients.generateKey(name: "Gone", email: "psirt@gone.example", expires: "1y",
                                                     fakedSystemTime: "20200101T000000!")
            try fixture.home.importKey(try recipients.exportPublic(expired))
        case .revoked:
            let revoked = try recipients.generateKey(name: "Gone", email: "psirt@gone.example")
            try recipients.revokeKey(revoked)
            try fixture.home.importKey(try recipients.exportPublic(revoked))
        }
        let sink = try SMTPSink.start()
        defer { sink.stop() }

        let result = try fixture.send(to: ["psirt@good.example", "PSIRT <psirt@gone.example>"],
                                      extra: ["--encrypt", "--smtp", sink.url, "--tls", "none"])

        #expect(result.status == 1)
        MailSendFixture.expectOneClearLine(result.stderr, mentioning: "psirt@gone.example")
        #expect(!result.stderr.contains("psirt@good.example"))
        #expect(sink.connectionCount == 0)
        #expect(sink.messages().isEmpty)
    }

    // MARK: What the server answers

    @Test func temporaryRefusalExitsSeventyFiveAndTheRetrySucceeds() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        var options = SMTPSink.Options()
        options.dataReplies = ["451 4.3.0 Mail server temporarily rejected message, try again later"]
        let sink = try SMTPSink.start(options)
        defer { sink.stop() }
        let args = ["--smtp", sink.url, "--tls", "none"]

        let first = try fixture.send(extra: args)

        #expect(first.status == 75, "stderr: \(first.stderr)")
        #expect(MailSendFixture.errorLines(first.stderr).count == 1, "stderr: \(first.stderr)")
        #expect(first.stderr.contains("451"))
        #expect(first.stderr.contains("try again later"))
        #expect(sink.messages().isEmpty)

        let retry = try fixture.send(extra: args)

        #expect(retry.status == 0, "stderr: \(retry.stderr)")
        #expect(try sink.waitForMessages(count: 1).count == 1)
    }

    @Test func oneRefusedRecipientOfThreeDoesNotStopTheOthers() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        var options = SMTPSink.Options()
        options.rcptReplies = ["nobody@vendor.example": ["550 5.1.1 <nobody@vendor.example>: Recipient address rejected"]]
        let sink = try SMTPSink.start(options)
        defer { sink.stop() }

        let result = try fixture.send(to: ["psirt@vendor.example", "nobody@vendor.example"],
                                      extra: ["--cc", "coordination@partner.example", "--smtp", sink.url, "--tls", "none"])

        #expect(result.status == 1)
        let lines = MailSendFixture.errorLines(result.stderr)
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.contains("nobody@vendor.example") == true)
        #expect(lines.first?.contains("550") == true)
        #expect(lines.first?.contains("Recipient address rejected") == true)
        #expect(result.stdout.contains("psirt@vendor.example: accepted"))
        #expect(result.stdout.contains("coordination@partner.example: accepted"))
        let received = try sink.waitForMessages(count: 1)
        #expect(received.count == 1)
        #expect(received[0].recipients == ["psirt@vendor.example", "coordination@partner.example"])
        let message = try ParsedMessage(bytes: received[0].bytes)
        #expect(message.cc.map(\.address) == ["coordination@partner.example"])
        #expect(message.headers("Bcc").isEmpty)
    }

    // MARK: TLS and login

    @Test func serverWithoutSTARTTLSIsRefusedByDefault() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let sink = try SMTPSink.start()  // plain SMTP, no STARTTLS offered
        defer { sink.stop() }

        let result = try fixture.send(extra: ["--smtp", sink.url])

        // A relay without STARTTLS is a configuration problem: retrying will not help, so not 75.
        #expect(result.status == 1, "stderr: \(result.stderr)")
        MailSendFixture.expectOneClearLine(result.stderr, mentioning: "STARTTLS")
        #expect(sink.messages().isEmpty)
    }

    @Test func serverCertificateFromAnUntrustedCAIsRefused() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        var options = SMTPSink.Options()
        options.starttls = true
        let sink = try SMTPSink.start(options)
        defer { sink.stop() }

        let result = try fixture.send(extra: ["--smtp", sink.url])  // no --ca-file: the private CA is not trusted

        #expect(result.status == 1, "stderr: \(result.stderr)")
        MailSendFixture.expectOneClearLine(result.stderr, mentioning: "certificate")
        #expect(sink.messages().isEmpty)
    }

    @Test func plainSMTPToANonLoopbackHostIsRefusedBeforeConnecting() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }

        // 192.0.2.25 (TEST-NET-1) would only time out if anything tried to connect.
        let result = try fixture.send(extra: ["--smtp", "smtp://192.0.2.25:25", "--tls", "none"])

        #expect(result.status == 1)
        MailSendFixture.expectOneClearLine(result.stderr, mentioning: "loopback")
        #expect(result.stderr.contains("192.0.2.25"))
        #expect(result.stdout.isEmpty)
    }

    static let smtpUser = "gateway"
    static let smtpPassword = "c0rrect-h0rse-battery"

    private func authenticatingSink() throws -> SMTPSink {
        var options = SMTPSink.Options()
        options.starttls = true
        options.requireTLS = true
        options.auth = (Self.smtpUser, Self.smtpPassword)
        return try SMTPSink.start(options)
    }

    @Test func loginWithThePasswordFromTheEnvironment() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let sink = try authenticatingSink()
        defer { sink.stop() }

        let result = try fixture.send(extra: ["--smtp", sink.url, "--ca-file", try #require(sink.caFile),
                                              "--user", Self.smtpUser],
                                      environment: ["LIAISON_SMTP_PASSWORD": Self.smtpPassword])

        #expect(result.status == 0, "stderr: \(result.stderr)")
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].user == Self.smtpUser)
        #expect(received[0].tls)
        #expect(!(result.stdout + result.stderr).contains(Self.smtpPassword))
    }

    @Test func wrongPasswordFailsClearlyWithoutShowingIt() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let sink = try authenticatingSink()
        defer { sink.stop() }
        let wrong = "not-the-Passw0rd"

        let result = try fixture.send(extra: ["--smtp", sink.url, "--ca-file", try #require(sink.caFile),
                                              "--user", Self.smtpUser],
                                      environment: ["LIAISON_SMTP_PASSWORD": wrong])

        #expect(result.status == 1, "stderr: \(result.stderr)")
        MailSendFixture.expectOneClearLine(result.stderr, mentioning: "login")
        #expect(result.stderr.contains(Self.smtpUser))
        #expect(!(result.stdout + result.stderr).contains(wrong))
        #expect(sink.messages().isEmpty)
    }

    @Test func userWithoutPasswordInTheEnvironmentNamesTheVariable() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let sink = try authenticatingSink()
        defer { sink.stop() }

        let result = try fixture.send(extra: ["--smtp", sink.url, "--ca-file", try #require(sink.caFile),
                                              "--user", Self.smtpUser],
                                      environment: ["LIAISON_SMTP_PASSWORD": ""])

        #expect(result.status == 1)
        MailSendFixture.expectOneClearLine(result.stderr, mentioning: "LIAISON_SMTP_PASSWORD")
        #expect(sink.connectionCount == 0)
    }

    // MARK: Bad input never reaches the wire

    /// Input an operator can get wrong, each refused with one line before anything is sent.
    enum BadInput: String, CaseIterable, Sendable {
        case lineBreakInSubject, lineBreakInDisplayName, malformedAddress, missingBodyFile
        case unknownSigningKey, signingKeyWithoutSecret, unreadableCAFile
    }

    @Test(arguments: BadInput.allCases)
    func badInputIsRefusedWithOneClearLineAndNothingSent(input: BadInput) throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        var options = SMTPSink.Options()
        options.starttls = true
        let sink = try SMTPSink.start(options)
        defer { sink.stop() }
        let caFile = try #require(sink.caFile)
        let bodyFile = try fixture.write("本文\n", named: "body.txt")

        var to = "\"山田 太郎\" <yamada@vendor.example>"
        var subject = MailSendFixture.subject
        var body = bodyFile
        var signingKey = fixture.fingerprint
        var ca = caFile
        let mentioned: [String]
        switch input {
        case .lineBreakInSubject:
            subject = "脆弱性情報\r\nBcc: attacker@evil.example"
            mentioned = ["Subject", "line break"]
        case .lineBreakInDisplayName:
            to = "\"山田 太郎\r\nBcc: attacker@evil.example\" <yamada@vendor.example>"
            mentioned = ["--to", "line break"]
        case .malformedAddress:
            to = "yamada@@vendor.example"
            mentioned = ["--to", "yamada@@vendor.example"]
        case .missingBodyFile:
            body = fixture.scratch.appendingPathComponent("no-such-notice.txt").path
            mentioned = ["no-such-notice.txt"]
        case .unknownSigningKey:
            signingKey = "0123456789ABCDEF0123456789ABCDEF01234567"
            mentioned = [signingKey, "not in the keyring"]
        case .signingKeyWithoutSecret:
            let other = try GnuPGHome.make()
            defer { other.shutdown() }
            signingKey = try other.generateKey(name: "Colleague", email: "colleague@csirt.example")
            try fixture.home.importKey(try other.exportPublic(signingKey))
            mentioned = [signingKey, "no secret key"]
        case .unreadableCAFile:
            ca = fixture.scratch.appendingPathComponent("missing-ca.pem").path
            mentioned = ["missing-ca.pem"]
        }

        let result = try fixture.run(["mail", "send", "--from", MailSendFixture.sender, "--to", to, "--subject", subject,
                                      "--body-file", body, "--sign-key", signingKey,
                                      "--smtp", sink.url, "--ca-file", ca])

        #expect(result.status == 1)
        for fragment in mentioned { MailSendFixture.expectOneClearLine(result.stderr, mentioning: fragment) }
        #expect(!result.stderr.contains("attacker@evil.example\r"), "the refusal does not echo a raw line break")
        #expect(sink.connectionCount == 0)
        #expect(sink.messages().isEmpty)
    }

    // MARK: liaison.yaml

    private func workspace(sender: String, signingKey: String, smtpURL: String, tls: String) throws -> TemporaryWorkspace {
        // No gnupg.home: GNUPGHOME is honoured.
        try TemporaryWorkspace(configuration: """
            sender:
              from: "\(sender)"
              signing_key: \(signingKey)
            smtp:
              url: \(smtpURL)
              tls: \(tls)
            report:
              timezone: UTC

            """)
    }

    @Test func liaisonYAMLSuppliesSenderKeyRelayAndTLSPolicy() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let temp = try workspace(sender: "Workspace CSIRT <ws@csirt.example>", signingKey: fixture.fingerprint,
                                 smtpURL: sink.url, tls: "none")
        defer { temp.remove() }
        let bodyFile = try fixture.write("本文です。\n", named: "body.txt")

        let result = try runLiaison(["mail", "send", "--to", "psirt@vendor.example", "--subject", MailSendFixture.subject,
                                     "--body-file", bodyFile],
                                    workspace: temp.root, environment: fixture.home.environment)

        #expect(result.status == 0, "stderr: \(result.stderr)")
        let received = try sink.waitForMessages(count: 1)
        #expect(received[0].mailFrom == "ws@csirt.example")
        #expect(!received[0].tls, "tls: none from liaison.yaml")
        let message = try ParsedMessage(bytes: received[0].bytes)
        #expect(message.from?.displayName == "Workspace CSIRT")
        try fixture.expectSignatureVerifiesEverywhere(received[0].bytes)
    }

    @Test func theCommandLineWinsOverLiaisonYAML() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let otherKey = try fixture.home.generateKey(name: "Other CSIRT", email: "other@csirt.example")
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let temp = try workspace(sender: "Workspace CSIRT <ws@csirt.example>", signingKey: fixture.fingerprint,
                                 smtpURL: sink.url, tls: "none")
        defer { temp.remove() }
        let bodyFile = try fixture.write("本文です。\n", named: "body.txt")
        let outbox = fixture.scratch.appendingPathComponent("dry-run", isDirectory: true)
        try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
        let common = ["mail", "send", "--to", "psirt@vendor.example", "--subject", MailSendFixture.subject,
                      "--body-file", bodyFile]

        let overridden = try runLiaison(common + ["--from", "Other CSIRT <other@csirt.example>", "--sign-key", otherKey,
                                                  "--smtp", "file://\(outbox.path)"],
                                        workspace: temp.root, environment: fixture.home.environment)

        #expect(overridden.status == 0, "stderr: \(overridden.stderr)")
        let id = try #require(MailSendFixture.sentMessageID(overridden.stdout))
        let bytes = try Data(contentsOf: outbox.appendingPathComponent("\(id).eml"))
        #expect(try ParsedMessage(bytes: bytes).from?.address == "other@csirt.example")
        try fixture.expectSignatureVerifiesEverywhere(bytes, signer: otherKey)

        // --tls required beats tls: none, so the plain sink of smtp.url is refused.
        let strict = try runLiaison(common + ["--tls", "required"], workspace: temp.root,
                                    environment: fixture.home.environment)

        #expect(strict.status == 1, "stderr: \(strict.stderr)")
        #expect(strict.stderr.contains("STARTTLS"))
        #expect(sink.messages().isEmpty)
    }

    @Test func anEmptyLiaisonWorkspaceVariableMeansNoWorkspace() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let outbox = fixture.scratch.appendingPathComponent("dry-run", isDirectory: true)

        let result = try fixture.send(extra: ["--smtp", "file://\(outbox.path)"], environment: ["LIAISON_WORKSPACE": ""])

        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outbox.path).count == 1)
    }

    /// Text with CRLF line ends turned into LF, to compare with the body file as written.
    static func lf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
    }
}
