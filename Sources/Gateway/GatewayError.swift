/// What went wrong in a gateway workflow, in one sentence a coordinator can act on.
public struct GatewayError: Error, CustomStringConvertible, Equatable {
    private enum Code: Equatable {
        case templateNotFound, templateSyntax, missingVariable, unknownCase, unknownOrganization, caseExists
        case noRecipients, keyProblem, invalidArgument, alreadyNotified, configuration, input
    }
    private let code: Code
    /// The sentence shown to the user.
    public let description: String

    private init(_ code: Code, _ description: String) { self.code = code; self.description = description }

    public static func templateNotFound(_ d: String) -> GatewayError { .init(.templateNotFound, d) }
    public static func templateSyntax(_ d: String) -> GatewayError { .init(.templateSyntax, d) }
    public static func missingVariable(_ d: String) -> GatewayError { .init(.missingVariable, d) }
    public static func unknownCase(_ id: String) -> GatewayError { .init(.unknownCase, "no case \(id); `liaison case list` shows the cases") }
    public static func unknownOrganization(_ id: String) -> GatewayError { .init(.unknownOrganization, "no organisation \(id) in the registry; run `liaison directory sync` after adding Directory/organizations/\(id).yaml") }
    public static func caseExists(_ id: String) -> GatewayError { .init(.caseExists, "case \(id) is already open") }
    public static func noRecipients(_ d: String) -> GatewayError { .init(.noRecipients, d) }
    public static func keyProblem(_ d: String) -> GatewayError { .init(.keyProblem, d) }
    public static func invalidArgument(_ d: String) -> GatewayError { .init(.invalidArgument, d) }
    public static func alreadyNotified(_ d: String) -> GatewayError { .init(.alreadyNotified, d) }
    public static func configuration(_ d: String) -> GatewayError { .init(.configuration, d) }
    public static func input(_ d: String) -> GatewayError { .init(.input, d) }

    public static func == (a: GatewayError, b: GatewayError) -> Bool { a.code == b.code }
    /// True when both errors are of the same kind, whatever their text.
    public func isSameKind(as other: GatewayError) -> Bool { code == other.code }
}

/// Every problem found before anything was queued; `notify` is all or nothing.
public struct GatewayProblems: Error, CustomStringConvertible {
    public let problems: [String]
    public init(_ problems: [String]) { self.problems = problems }
    public var description: String { problems.joined(separator: "\n") }
}
