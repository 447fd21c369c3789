import Registry

/// What went wrong in a gateway workflow, in one sentence a coordinator can act on.
public struct GatewayError: Error, CustomStringConvertible, Equatable {
    private enum Code: Equatable {
        case templateNotFound, templateSyntax, missingVariable, unknownCase, unknownOrganization, caseExists
        case noRecipients, keyProblem, invalidArgument, alreadyNotified, configuration, input
        case smtpConfiguration, recordingFailed, recipientsChanged, notHeld, signingKey, aboutAnotherCase
    }
    private let code: Code
    /// The sentence shown to the user.
    public let description: String

    private init(_ code: Code, _ description: String) { self.code = code; self.description = description }

    public static func templateNotFound(_ d: String) -> GatewayError { .init(.templateNotFound, d) }
    public static func templateSyntax(_ d: String) -> GatewayError { .init(.templateSyntax, d) }
    public static func missingVariable(_ d: String) -> GatewayError { .init(.missingVariable, d) }
    public static func unknownCase(_ id: String) -> GatewayError { .init(.unknownCase, "no case \(id); `liaison case list` shows the cases") }
    public static func unknownOrganization(_ id: String, known: [String] = []) -> GatewayError { .init(.unknownOrganization, "no organisation \(id) in the registry\(NearestName.suggestion(for: id, in: known)); run `liaison directory sync` after adding Directory/organizations/\(id).yaml") }
    public static func caseExists(_ id: String) -> GatewayError { .init(.caseExists, "case \(id) is already open") }
    public static func noRecipients(_ d: String) -> GatewayError { .init(.noRecipients, d) }
    public static func keyProblem(_ d: String) -> GatewayError { .init(.keyProblem, d) }
    /// The configured signing key (`sender.signing_key`) has no secret key in the GnuPG home, or cannot sign.
    public static func signingKey(_ d: String) -> GatewayError { .init(.signingKey, d) }
    public static func invalidArgument(_ d: String) -> GatewayError { .init(.invalidArgument, d) }
    public static func alreadyNotified(_ d: String) -> GatewayError { .init(.alreadyNotified, d) }
    public static func configuration(_ d: String) -> GatewayError { .init(.configuration, d) }
    public static func input(_ d: String) -> GatewayError { .init(.input, d) }
    /// Our own relay or its settings are wrong (refused login, untrusted certificate, no STARTTLS, wrong port,
    /// sender refused): `send` stopped and changed nothing.
    public static func smtpConfiguration(_ d: String) -> GatewayError { .init(.smtpConfiguration, d) }
    /// The server accepted a message but its delivery could not be recorded; the message is held.
    public static func recordingFailed(_ d: String) -> GatewayError { .init(.recordingFailed, d) }
    /// An organisation's contacts changed while its messages were being prepared; nothing was queued.
    public static func recipientsChanged(_ d: String) -> GatewayError { .init(.recipientsChanged, d) }
    /// `outbox release` named a message that is not held.
    public static func notHeld(_ d: String) -> GatewayError { .init(.notHeld, d) }
    /// A statement (a VEX document sent through an answer link) is about another vulnerability, not the case it
    /// was sent for; nothing was recorded.
    public static func aboutAnotherCase(_ d: String) -> GatewayError { .init(.aboutAnotherCase, d) }

    /// Kinds to match with `==` or `isSameKind(as:)`.
    public static let smtpConfiguration = GatewayError(.smtpConfiguration, "The SMTP settings or relay are wrong.")
    public static let recordingFailed = GatewayError(.recordingFailed, "A delivery could not be recorded.")
    public static let alreadyNotified = GatewayError(.alreadyNotified, "Already notified.")
    public static let unknownCase = GatewayError(.unknownCase, "No such case.")
    public static let signingKey = GatewayError(.signingKey, "The signing key cannot sign.")
    public static let aboutAnotherCase = GatewayError(.aboutAnotherCase, "About another case.")

    /// The gateway's error for a refusal of the store, with the store's sentence.
    public static func from(_ error: StoreError) -> GatewayError {
        let code: Code
        switch error {
        case .unknownCase: code = .unknownCase
        case .caseExists: code = .caseExists
        case .unknownOrganization: code = .unknownOrganization
        case .alreadyNotified: code = .alreadyNotified
        case .recipientsChanged: code = .recipientsChanged
        case .noMatch: code = .notHeld
        default: code = .invalidArgument
        }
        return GatewayError(code, error.description)
    }

    /// Runs `body`, turning a refusal of the store into the gateway's error.
    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StoreError { throw GatewayError.from(error) }
    }

    public static func == (a: GatewayError, b: GatewayError) -> Bool { a.code == b.code }
    /// True when both errors are of the same kind, whatever their text.
    public func isSameKind(as other: GatewayError) -> Bool { code == other.code }
}

/// Every problem found before anything was queued; `notify` is all or nothing.
public struct GatewayProblems: Error, CustomStringConvertible {
    public let problems: [String]
    /// The liaison.yaml field (e.g. `sender.signing_key`) behind a problem, keyed by the problem's sentence;
    /// a problem not listed comes from the request or the directory, not from a setting.
    public let fields: [String: String]
    public init(_ problems: [String], fields: [String: String] = [:]) { self.problems = problems; self.fields = fields }
    public var description: String { problems.joined(separator: "\n") }
}
