import Foundation
import Logging

/// A dry-run transport: writes each message's exact bytes to `DIR/<Message-ID>.eml` instead of sending it.
///
/// ```swift
/// let transport = FileTransport(directory: URL(fileURLWithPath: "/tmp/outbox"))
/// let reports = transport.send([message])   // writes /tmp/outbox/1234@csirt.example.eml
/// ```
public struct FileTransport: MailTransport, Sendable {
    /// The folder the files go to; created when missing.
    public let directory: URL
    private let logger: Logger

    /// A transport writing into `directory`.
    public init(directory: URL, logger: Logger = Logger(label: "liaison.smtp.file")) {
        self.directory = directory
        self.logger = logger
    }

    /// Writes each message (atomically, replacing an earlier file of the same Message-ID) and reports every
    /// recipient accepted, or every recipient failed when the envelope is invalid or the file cannot be written.
    public func send(_ messages: [OutgoingMessage]) -> [DeliveryReport] {
        messages.map(write)
    }

    /// The path a message with this Message-ID is written to.
    public func fileURL(forMessageID messageID: String) -> URL {
        directory.appendingPathComponent(Self.fileName(forMessageID: messageID) + ".eml", isDirectory: false)
    }

    private func write(_ message: OutgoingMessage) -> DeliveryReport {
        if let problem = message.envelopeProblem() {
            return Self.report(message, failing: problem)
        }
        let file = fileURL(forMessageID: message.messageID)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try message.bytes.write(to: file, options: .atomic)
        } catch {
            let failure = SMTPError.fileWriteFailed(path: file.path, reason: Self.reason(error))
            logger.error("\(failure.description)")
            return Self.report(message, failing: failure)
        }
        logger.info("Wrote \(message.messageID) for \(message.recipients.count) recipient(s) to \(file.path)")
        let outcome = RecipientOutcome.accepted(code: 250, reply: "250 Written to \(file.path) (dry run)")
        return DeliveryReport(messageID: message.messageID,
                              outcomes: message.recipients.map { ($0, outcome) }, error: nil)
    }

    private static func report(_ message: OutgoingMessage, failing error: SMTPError) -> DeliveryReport {
        let outcome = RecipientOutcome.from(error)
        return DeliveryReport(messageID: message.messageID,
                              outcomes: message.recipients.map { ($0, outcome) }, error: error)
    }

    private static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError, let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        return error.localizedDescription
    }

    /// A file name that cannot leave the folder nor hide: angle brackets dropped, anything but letters, digits
    /// and `.@_+=-` replaced by `_`, no leading dot. When anything was replaced, a hash of the full Message-ID is
    /// appended so two different IDs never share a file.
    static func fileName(forMessageID messageID: String) -> String {
        var core = Substring(messageID)
        if core.hasPrefix("<") && core.hasSuffix(">") && core.count >= 2 { core = core.dropFirst().dropLast() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@_+=-")
        var name = String(core.map { allowed.contains($0) ? $0 : "_" })
        if name.hasPrefix(".") { name = "_" + name.dropFirst() }
        var changed = name != core
        if name.isEmpty { name = "message"; changed = true }
        if name.utf8.count > 180 { name = String(name.prefix(180)); changed = true }
        guard changed else { return name }
        // FNV-1a: stable across runs and platforms, unlike Hasher.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in messageID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return name + "-" + String(hash, radix: 16)
    }
}
