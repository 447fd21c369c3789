import Foundation

/// An error building, validating or parsing a message; match it against the static members.
///
/// ```swift
/// do { _ = try message.serialized() }
/// catch where error == .headerInjection { print(error) }
/// ```
public struct MailError: Error, CustomStringConvertible, Equatable {
    private enum Code: Equatable {
        case invalidAddress
        case headerInjection
        case invalidHeaderName
        case invalidMessageID
        case noRecipients
        case unreadableAttachment
        case malformedMessage
    }

    private let code: Code
    /// The header, address or file the error concerns, when there is one.
    public let field: String?
    private let reason: String?

    private init(_ code: Code, field: String? = nil, reason: String? = nil) {
        self.code = code
        self.field = field
        self.reason = reason
    }

    /// An email address is not a valid `local@domain` address.
    public static let invalidAddress = MailError(.invalidAddress)
    /// A header value, name or display name holds CR, LF or another control character.
    public static let headerInjection = MailError(.headerInjection)
    /// A header name is empty, holds characters outside printable ASCII or a colon, or is reserved.
    public static let invalidHeaderName = MailError(.invalidHeaderName)
    /// A Message-ID (or an id in In-Reply-To or References) is not a valid message id.
    public static let invalidMessageID = MailError(.invalidMessageID)
    /// The message has no To recipient.
    public static let noRecipients = MailError(.noRecipients)
    /// An attachment file could not be read.
    public static let unreadableAttachment = MailError(.unreadableAttachment)
    /// Bytes could not be parsed or serialized as a message.
    public static let malformedMessage = MailError(.malformedMessage)

    static func invalidAddress(_ text: String, _ reason: String) -> MailError {
        MailError(.invalidAddress, field: text, reason: reason)
    }

    static func headerInjection(in header: String, value: String) -> MailError {
        let offending = value.unicodeScalars.first(where: HeaderText.isForbiddenControl)
        let shown = offending.map { String(format: "U+%04X", $0.value) } ?? "a control character"
        return MailError(.headerInjection, field: header, reason: shown)
    }

    static func invalidHeaderName(_ name: String, _ reason: String) -> MailError {
        MailError(.invalidHeaderName, field: name, reason: reason)
    }

    static func invalidMessageID(_ id: String, in header: String) -> MailError {
        MailError(.invalidMessageID, field: header, reason: id)
    }

    static func unreadableAttachment(_ path: String, _ reason: String) -> MailError {
        MailError(.unreadableAttachment, field: path, reason: reason)
    }

    static func malformedMessage(_ reason: String) -> MailError {
        MailError(.malformedMessage, reason: reason)
    }

    /// Errors are equal when they are of the same kind, whatever header or value they name.
    public static func == (lhs: MailError, rhs: MailError) -> Bool { lhs.code == rhs.code }

    public var description: String {
        let field = self.field.map(HeaderText.visible) ?? ""
        let reason = self.reason.map(HeaderText.visible) ?? ""
        switch code {
        case .invalidAddress:
            return self.field == nil ? "An email address is not valid."
                : "The email address \"\(field)\" is not valid: \(reason)."
        case .headerInjection:
            return self.field == nil ? "A header value contains a line break or control character."
                : "The \(field) header contains a line break or control character (\(reason)); header values must be one line of text."
        case .invalidHeaderName:
            return self.field == nil ? "A header name is not valid."
                : "The header name \"\(field)\" is not allowed: \(reason)."
        case .invalidMessageID:
            return self.field == nil ? "A message id is not valid."
                : "The \(field) header holds an invalid message id \"\(reason)\"; expected local@domain without spaces or angle brackets."
        case .noRecipients:
            return "The message has no To recipient."
        case .unreadableAttachment:
            return self.field == nil ? "An attachment file could not be read."
                : "The attachment file \(field) could not be read: \(reason)."
        case .malformedMessage:
            return self.reason == nil ? "The message is malformed." : "The message is malformed: \(reason)."
        }
    }
}
