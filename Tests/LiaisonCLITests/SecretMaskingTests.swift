import Foundation
import Testing
import TestSupport

/// An SMTP password never shows: not when written by mistake into smtp.url, not in debug logs, not in the
/// database.
@Suite struct SecretMaskingTests {
    static let password = "s3cr3t-Passw0rd-in-url"

    @Test func aPasswordInSmtpURLIsRefusedWithThePasswordMasked() throws {
        let temp = try TemporaryWorkspace(configuration: """
            sender:
              from: "Test CSIRT <vuls@csirt.example>"
            smtp:
              url: smtp://gateway:\(Self.password)@127.0.0.1:2525
              tls: none

            """)
        defer { temp.remove() }
        for args in [["directory", "check"], ["directory", "sync"], ["send"], ["outbox"]] {
            let result = try runLiaison(args, workspace: temp.root)
            #expect(result.status == 1, "\(args)")
            #expect(!(result.stdout + result.stderr).contains(Self.password), "\(args): \(result.stderr)")
            if args != ["outbox"] {
                #expect(result.stderr.contains("smtp://gateway:***@127.0.0.1:2525"), "\(args): \(result.stderr)")
            }
        }
        let help = try runLiaison(["send", "--help"], workspace: temp.root)
        #expect(!(help.stdout + help.stderr).contains(Self.password))
    }

    @Test func aPasswordOnTheCommandLineURLIsMaskedInTheError() throws {
        let fixture = try MailSendFixture()
        defer { fixture.shutdown() }
        let result = try fixture.send(extra: ["--smtp", "smtp://gateway:\(Self.password)@127.0.0.1:1", "--tls", "none"])
        #expect(result.status == 1)
        #expect(!(result.stdout + result.stderr).contains(Self.password), "\(result.stderr)")
        #expect(result.stderr.contains("gateway:***@"), "\(result.stderr)")
    }

    @Test func debugLogsAndTheDatabaseNeverHoldThePassword() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        options.requireTLS = true
        options.auth = ("gateway", Self.password)
        let ws = try GatewayWorkspace(developers: ["aozora"], sink: options)
        defer { ws.remove() }
        let configuration = try String(contentsOf: ws.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  tls: none\n", with: "  tls: required\n  username: gateway\n  ca_file: \(try #require(ws.sink.caFile))\n")
        try ws.temp.write("liaison.yaml", configuration)
        try ws.openAndNotify("JVNVU#16180339")
        let send = try runLiaison(["send"], workspace: ws.root,
                                  environment: ["LIAISON_SMTP_PASSWORD": Self.password, "LIAISON_LOG_LEVEL": "trace"])
        #expect(send.status == 0, "\(send.stderr)")
        #expect(try ws.sink.waitForMessages(count: 1).first?.user == "gateway")
        #expect(send.stderr.contains("AUTH"), "the dialogue was logged")
        let plain = Data("\u{0}gateway\u{0}\(Self.password)".utf8).base64EncodedString()
        for secret in [Self.password, plain, Data(Self.password.utf8).base64EncodedString()] {
            #expect(!(send.stdout + send.stderr).contains(secret))
        }
        let state = ws.root.appendingPathComponent(".liaison")
        for name in try FileManager.default.contentsOfDirectory(atPath: state.path) where name.hasPrefix("registry.sqlite") {
            let bytes = try Data(contentsOf: state.appendingPathComponent(name))
            #expect(bytes.range(of: Data(Self.password.utf8)) == nil, "\(name) holds the password")
        }
    }
}
