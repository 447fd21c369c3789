import Foundation
import Testing
@testable import Mail

/// Other implementations read what we write: Python's email package parses it, GnuPG verifies a
/// PGP/MIME signature over the part our parser extracts.
@Suite struct InteropTests {
    static let python = "/usr/bin/python3"
    static var gpg: String? { ["/usr/bin/gpg", "/usr/local/bin/gpg"].first { FileManager.default.isExecutableFile(atPath: $0) } }

    struct Run { var status: Int32; var stdout: Data; var stderr: String }

    /// Runs a program; output goes to files so neither pipe can fill up and block it.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], input: Data? = nil) throws -> Run {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mail-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let inURL = folder.appendingPathComponent("in"), outURL = folder.appendingPathComponent("out"),
            errURL = folder.appendingPathComponent("err")
        try (input ?? Data()).write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
                   stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    static func temporaryFolder() throws -> URL {
        // Short path: gpg-agent's socket path must fit in sockaddr_un.
        let url = URL(fileURLWithPath: "/tmp/mt-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return url
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func pythonEmailPackageReadsOurMessage() throws {
        let pdf = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let text = "山田様\n\nFrom the CSIRT: 以下の脆弱性についてご連絡いたします。\n.\n" + String(repeating: "長文", count: 100) + "\n"
        let content = MIMEEntity.mixed([.text(text), .attachment(Attachment(filename: "脆弱性報告書_株式会社サンプル製作所御中_2025年7月.pdf", data: pdf))])
        var message = Message(from: sender, to: [vendor, address("\"Doe, John\" <john@other.example>")], subject: "[JVNVU#12345678] 脆弱性情報のご連絡（複数製品における証明書検証不備）",
                              body: .signed(content: content, signature: Data("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n".utf8), micalg: "pgp-sha256"))
        message.extraHeaders = [("X-Liaison-Note", "日本語の追加ヘッダー")]
        let script = """
        import sys, json, email
        from email import policy
        m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
        signed = m.get_payload()[0]
        parts = signed.get_payload()
        print(json.dumps({
          "subject": str(m["Subject"]),
          "from": m["From"].addresses[0].display_name,
          "to": [[a.display_name, a.addr_spec] for a in m["To"].addresses],
          "note": str(m["X-Liaison-Note"]),
          "micalg": m.get_param("micalg"),
          "text": parts[0].get_content(),
          "filename": parts[1].get_filename(),
          "size": len(parts[1].get_content()),
          "defects": [str(d) for p in m.walk() for d in p.defects],
        }))
        """
        let result = try Self.run(Self.python, ["-c", script], input: try message.serialized())
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(json["subject"] as? String == message.subject)
        #expect(json["from"] as? String == "Example CSIRT")
        #expect(json["to"] as? [[String]] == [["山田 太郎", "yamada@vendor.example"], ["Doe, John", "john@other.example"]])
        #expect(json["note"] as? String == "日本語の追加ヘッダー")
        #expect(json["micalg"] as? String == "pgp-sha256")
        #expect((json["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == text)
        #expect(json["filename"] as? String == "脆弱性報告書_株式会社サンプル製作所御中_2025年7月.pdf")
        #expect(json["size"] as? Int == pdf.count)
        #expect(json["defects"] as? [String] == [])
    }

    @Test(.enabled(if: gpg != nil))
    func gnupgVerifiesTheSignedPartOurParserExtracts() throws {
        let gpg = try #require(Self.gpg)
        let home = try Self.temporaryFolder()
        let env = ["GNUPGHOME": home.path]
        defer {
            _ = try? Self.run("/usr/bin/gpgconf", ["--kill", "all"], environment: env)
            try? FileManager.default.removeItem(at: home)
        }
        let keygen = try Self.run(gpg, ["--batch", "--passphrase", "", "--quick-gen-key", "Mail Test <test@csirt.example>", "ed25519", "sign", "never"], environment: env)
        try #require(keygen.status == 0, "\(keygen.stderr)")

        let content = MIMEEntity.mixed([
            .text("山田様\n\n署名の検証テストです。\nFrom here, trailing space \n.\n"),
            .attachment(Attachment(filename: "報告.txt", data: Data("patch\n".utf8))),
        ])
        let toSign = home.appendingPathComponent("content")
        try content.serialized().write(to: toSign)
        let sign = try Self.run(gpg, ["--batch", "--armor", "--digest-algo", "SHA256", "--detach-sign", "--output", "-", toSign.path], environment: env)
        try #require(sign.status == 0, "\(sign.stderr)")
        let message = Message(from: sender, to: [vendor], subject: "署名テスト",
                              body: .signed(content: content, signature: sign.stdout, micalg: "pgp-sha256"))
        let bytes = try message.serialized()

        // As received over SMTP (CRLF), and as stored in a Maildir (LF).
        let lf = Data(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").utf8)
        for received in [bytes, lf] {
            let parsed = try ParsedMessage(bytes: received)
            let (signed, signature) = try #require(parsed.root.signedParts)
            let dataFile = home.appendingPathComponent("data"), sigFile = home.appendingPathComponent("data.asc")
            try signed.canonicalized().write(to: dataFile)
            try signature.decodedBody.write(to: sigFile)
            let verify = try Self.run(gpg, ["--batch", "--verify", sigFile.path, dataFile.path], environment: env)
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.stderr.contains("Good signature"))
        }
    }
}
