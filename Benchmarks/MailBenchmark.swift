import Foundation
import Logging
import SMTP
import TestSupport

/// `liaison-bench mail`: how fast the SMTP transport hands messages to a local server over one connection.
enum MailBenchmark {
    static let messageCount = 500

    static func run() throws {
        print("mail: \(messageCount) messages of about 2 KB to a local aiosmtpd (SMTPSink), one connection")
        try measure(label: "tls none", sinkOptions: SMTPSink.Options(), tls: .none)
        var starttls = SMTPSink.Options()
        starttls.starttls = true
        try measure(label: "STARTTLS", sinkOptions: starttls, tls: .required)
    }

    private static func measure(label: String, sinkOptions: SMTPSink.Options,
                                tls: SMTPConfiguration.TLSPolicy) throws
    {
        let sink = try SMTPSink.start(sinkOptions)
        defer { sink.stop() }
        var logger = Logger(label: "liaison-bench.mail")
        logger.logLevel = .warning
        let configuration = SMTPConfiguration(url: sink.url, tls: tls, caFile: sink.caFile,
                                              heloName: "bench.liaison.test")
        let transport = try CurlSMTPTransport(configuration: configuration, logger: logger)
        let messages = (0..<messageCount).map(message)

        let clock = ContinuousClock()
        var reports: [DeliveryReport] = []
        let elapsed = clock.measure { reports = transport.send(messages) }

        let accepted = reports.filter(\.allAccepted).count
        guard accepted == messageCount else {
            let failure = reports.first { !$0.allAccepted }
            throw SMTPSinkError("\(label): only \(accepted) of \(messageCount) accepted; first failure: "
                                + "\(failure?.error?.description ?? "\(failure?.outcomes ?? [])")")
        }
        try sink.waitForMessages(count: messageCount, timeout: 30)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(messageCount) / seconds
        print(String(format: "mail send (%@): %d messages in %.3f s = %.0f messages/s over %d connection(s)",
                     label, messageCount, seconds, rate, sink.connectionCount))
    }

    /// A plain-text notification of about 2 KB with CRLF line ends.
    private static func message(_ index: Int) -> OutgoingMessage {
        let id = "<bench-\(index)@csirt.test>"
        var lines = [
            "From: Example CSIRT <vuls@csirt.test>",
            "To: PSIRT <psirt\(index % 50)@vendor.test>",
            "Subject: [JVNVU#\(12_345_678 + index)] Vulnerability notification",
            "Message-ID: \(id)",
            "Date: Tue, 01 Apr 2025 09:00:00 +0000",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
        ]
        let paragraph = "We are writing to inform you of a vulnerability that may affect your product. "
        while lines.joined(separator: "\r\n").utf8.count < 2000 { lines.append(paragraph) }
        let bytes = Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
        return OutgoingMessage(messageID: id, sender: "vuls@csirt.test",
                               recipients: ["psirt\(index % 50)@vendor.test"], bytes: bytes)
    }
}
