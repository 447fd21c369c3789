import Foundation
import Logging
import Mail
import OpenPGP
import SMTP
import TestSupport

/// `liaison-bench mail`: 500 notifications of about 2 KB, PGP/MIME-signed with an Ed25519 key (Mail + OpenPGP,
/// a throwaway GnuPG home) and sent over one connection to a local aiosmtpd (SMTPSink). Prints messages per second
/// for signing alone (compose + sign + serialize), sending alone (the signed bytes built beforehand), and both
/// (each message signed, then sent, one after the other), with plain SMTP and with STARTTLS.
enum MailBenchmark {
    static let messageCount = 500

    static func run() throws {
        let home = try GnuPGHome.make()
        defer { home.shutdown() }
        let signer = try home.generateKey(name: "Example CSIRT", email: "vuls@csirt.test", algorithm: .ed25519)
        let pgp = try OpenPGPContext(homeDirectory: home.path)
        // The first signature starts gpg-agent: keep that out of the figures.
        _ = try pgp.signDetached(Data("warm-up\r\n".utf8), signer: signer)
        let composer = try Composer(pgp: pgp, signer: signer)

        var signed: [OutgoingMessage] = []
        let signing = try ContinuousClock().measure {
            signed = try (0..<messageCount).map(composer.signedMessage)
        }
        let averageSize = signed.reduce(0) { $0 + $1.bytes.count } / messageCount
        print("mail: \(messageCount) PGP/MIME-signed messages (Ed25519, average \(averageSize) bytes) "
              + "to a local aiosmtpd (SMTPSink), one connection per run")
        report("sign (compose + sign + serialize)", signing)

        var starttls = SMTPSink.Options()
        starttls.starttls = true
        for (label, options, tls) in [("tls none", SMTPSink.Options(), SMTPConfiguration.TLSPolicy.none),
                                      ("STARTTLS", starttls, .required)] {
            let sending = try measureSending(label: label, options: options, tls: tls) { transport in
                transport.send(signed)
            }
            report("send, pre-built bytes (\(label))", sending.elapsed, connections: sending.connections)
            let both = try measureSending(label: label, options: options, tls: tls) { transport in
                try (0..<messageCount).flatMap { transport.send([try composer.signedMessage($0)]) }
            }
            report("sign + send (\(label))", both.elapsed, connections: both.connections)
        }
    }

    /// Runs `work` against a fresh sink and checks that every message arrived over one connection.
    private static func measureSending(label: String, options: SMTPSink.Options, tls: SMTPConfiguration.TLSPolicy,
                                       _ work: (CurlSMTPTransport) throws -> [DeliveryReport]) throws
        -> (elapsed: Duration, connections: Int)
    {
        let sink = try SMTPSink.start(options)
        defer { sink.stop() }
        var logger = Logger(label: "liaison-bench.mail")
        logger.logLevel = .warning
        let configuration = SMTPConfiguration(url: sink.url, tls: tls, caFile: sink.caFile,
                                              heloName: "bench.liaison.test")
        let transport = try CurlSMTPTransport(configuration: configuration, logger: logger)
        var reports: [DeliveryReport] = []
        let elapsed = try ContinuousClock().measure { reports = try work(transport) }

        let accepted = reports.filter(\.allAccepted).count
        guard accepted == messageCount else {
            let failure = reports.first { !$0.allAccepted }
            throw SMTPSinkError("\(label): only \(accepted) of \(messageCount) accepted; first failure: "
                                + "\(failure?.error?.description ?? "\(failure?.outcomes ?? [])")")
        }
        try sink.waitForMessages(count: messageCount, timeout: 30)
        return (elapsed, sink.connectionCount)
    }

    private static func report(_ label: String, _ elapsed: Duration, connections: Int? = nil) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let over = connections.map { " over \($0) connection\($0 == 1 ? "" : "s")" } ?? ""
        let padded = label.padding(toLength: 40, withPad: " ", startingAt: 0)
        print("  " + padded + String(format: " %6.3f s = %6.0f messages/s", seconds, Double(messageCount) / seconds) + over)
    }

    /// Builds the signed notifications the way the gateway does: text → multipart/signed → RFC 5322 bytes.
    private struct Composer {
        let pgp: OpenPGPContext
        let signer: String
        let from: EmailAddress
        /// About 1.3 KB of mixed Japanese and English text: with headers and signature, about 2 KB on the wire.
        let body: String = {
            var lines = ["ご担当者様", "", "JPCERT/CC 脆弱性調整担当です。貴社製品に関する脆弱性情報をお送りします。", ""]
            let paragraph = "We are writing to inform you of a vulnerability that may affect your product."
            while lines.joined(separator: "\n").utf8.count < 1_000 { lines.append(paragraph) }
            return lines.joined(separator: "\n") + "\n"
        }()

        init(pgp: OpenPGPContext, signer: String) throws {
            self.pgp = pgp
            self.signer = signer
            from = try EmailAddress(parsing: "Example CSIRT <vuls@csirt.test>")
        }

        func signedMessage(_ index: Int) throws -> OutgoingMessage {
            let recipient = try EmailAddress(address: "psirt\(index % 50)@vendor.test")
            let content = MIMEEntity.text("Case JVNVU#\(12_345_000 + index)\n\n" + body)
            let signature = try pgp.signDetached(content.serialized(), signer: signer)
            let message = Message(from: from, to: [recipient], subject: "[JVNVU#\(12_345_000 + index)] 脆弱性情報のご連絡",
                                  body: .signed(content: content, signature: signature.armored, micalg: signature.micalg))
            return OutgoingMessage(messageID: message.messageID, sender: from.address,
                                   recipients: message.envelopeRecipients, bytes: try message.serialized())
        }
    }
}
