import Logging

/// Something that delivers messages: one report per message, in order; delivery failures are reported, never
/// thrown.
public protocol MailTransport {
    /// Sends the messages in order and reports on each.
    func send(_ messages: [OutgoingMessage]) -> [DeliveryReport]
}

/// The transport for a configuration: `FileTransport` for file:///dir, `CurlSMTPTransport` for smtp(s)://
/// (whose transfer in progress `shouldStop` aborts, see `CurlSMTPTransport.init`).
public func makeTransport(_ configuration: SMTPConfiguration, logger: Logger,
                          shouldStop: (@Sendable () -> Bool)? = nil) throws(SMTPError) -> any MailTransport {
    switch try configuration.endpoint() {
    case .directory(let directory): FileTransport(directory: directory)
    case .smtp: try CurlSMTPTransport(configuration: configuration, logger: logger, shouldStop: shouldStop)
    }
}
