import Foundation
import SMTP
import Testing

@Suite struct SMTPConfigurationTests {
    @Test(arguments: ["smtp://127.0.0.1:2525", "smtp://127.3.4.5", "smtp://localhost:25", "smtp://LOCALHOST:25",
                      "smtp://[::1]:2525", "smtp://[0:0:0:0:0:0:0:1]:25"])
    func plainSMTPIsAllowedToLoopback(url: String) throws {
        try SMTPConfiguration(url: url, tls: .none).validate()
    }

    @Test(arguments: ["smtp://mail.vendor.example", "smtp://10.0.0.5:25", "smtp://128.0.0.1", "smtp://127.0.0.1.evil.test",
                      "smtp://[::2]:25", "smtp://localhost.evil.test", "smtp://0x7f.0.0.1"])
    func plainSMTPIsRefusedToOtherHosts(url: String) {
        #expect(throws: SMTPError.plainToNonLoopback) { try SMTPConfiguration(url: url, tls: .none).validate() }
    }

    @Test func tlsRequiredIsAcceptedForAnyHost() throws {
        try SMTPConfiguration(url: "smtp://mail.vendor.example:587").validate()
        try SMTPConfiguration(url: "smtps://mail.vendor.example").validate()
        try SMTPConfiguration(url: "file:///tmp/liaison-outbox").validate()
    }

    @Test(arguments: ["http://mail.vendor.example", "mail.vendor.example:25", "smtp://", "smtp://user:pw@host:25",
                      "smtp://host:25/path", "smtp://host:25?x=1", "file://otherhost/dir"])
    func unsupportedURLsAreRefused(url: String) {
        #expect(throws: SMTPError.unsupportedURL) { try SMTPConfiguration(url: url).validate() }
    }

    @Test func credentialsInURLAreRefusedWithoutEchoingThem() {
        do {
            try SMTPConfiguration(url: "smtp://gateway:hunter2@mail.vendor.example").validate()
            Issue.record("accepted credentials in the URL")
        } catch {
            #expect(error == .unsupportedURL)
            #expect(error.description.contains("username and password"))
        }
    }

    @Test func aPasswordInTheURLIsHiddenWholeEvenWithWhiteSpace() {
        let configuration = SMTPConfiguration(url: "smtp://gateway:hunter 2@mail.vendor.example:25")
        #expect(configuration.description.contains("smtp://gateway:***@mail.vendor.example:25"), "\(configuration)")
        #expect(!configuration.description.contains("hunter"))
        do {
            try configuration.validate()
            Issue.record("accepted credentials in the URL")
        } catch {
            #expect(!error.description.contains("hunter"), "\(error)")
        }
    }

    @Test func unreadableCAFileIsReportedWithItsPath() throws {
        let missing = "/nonexistent/liaison-\(UUID().uuidString)/ca.pem"
        do {
            try SMTPConfiguration(url: "smtp://mail.vendor.example", caFile: missing).validate()
            Issue.record("accepted a missing CA file")
        } catch {
            #expect(error == .caFileUnreadable)
            #expect(error.description.contains(missing))
        }

        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-ca-\(UUID().uuidString).pem")
        try Data("hello".utf8).write(to: notPEM)
        defer { try? FileManager.default.removeItem(at: notPEM) }
        #expect(throws: SMTPError.caFileUnreadable) {
            try SMTPConfiguration(url: "smtp://mail.vendor.example", caFile: notPEM.path).validate()
        }
        #expect(throws: SMTPError.caFileUnreadable) {
            try CurlSMTPTransport(configuration: SMTPConfiguration(url: "smtp://mail.vendor.example",
                                                                   caFile: notPEM.path))
        }
    }

    @Test func usernameWithoutPasswordIsRefused() {
        #expect(throws: SMTPError.invalidConfiguration) {
            try SMTPConfiguration(url: "smtp://mail.vendor.example", username: "gateway").validate()
        }
        #expect(throws: SMTPError.invalidConfiguration) {
            try SMTPConfiguration(url: "smtp://mail.vendor.example", username: "a\r\nRSET", password: "x").validate()
        }
        #expect(throws: SMTPError.invalidConfiguration) {
            try SMTPConfiguration(url: "smtp://mail.vendor.example", timeout: 0).validate()
        }
    }

    @Test func descriptionHidesThePassword() {
        let configuration = SMTPConfiguration(url: "smtp://mail.vendor.example", username: "gateway",
                                              password: "hunter2")
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description.contains("gateway"))
    }

    @Test func makeTransportChoosesByScheme() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        let file = try makeTransport(SMTPConfiguration(url: directory.absoluteString), logger: LogRecorder().logger())
        #expect((file as? FileTransport)?.directory.standardizedFileURL.path == directory.standardizedFileURL.path)
        let smtp = try makeTransport(SMTPConfiguration(url: "smtps://mail.vendor.example"),
                                     logger: LogRecorder().logger())
        #expect(smtp is CurlSMTPTransport)
    }
}
