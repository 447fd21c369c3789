/// One problem found in a file of the workspace, at a line, as `FILE:LINE: severity: message`.
public struct DirectoryProblem: Sendable, Hashable, CustomStringConvertible {
    /// An error stops `directory sync`; a warning only informs.
    public enum Severity: String, Sendable, Hashable, Codable {
        case error
        case warning
    }

    /// The path relative to the workspace root, such as `Directory/organizations/jpcert-cc.yaml`.
    public var file: String
    /// 1-based line; 1 for problems of a whole file.
    public var line: Int
    public var severity: Severity
    public var message: String

    public init(file: String, line: Int, severity: Severity, message: String) {
        self.file = file
        self.line = line
        self.severity = severity
        self.message = message
    }

    static func error(_ file: String, _ line: Int, _ message: String) -> DirectoryProblem {
        DirectoryProblem(file: file, line: line, severity: .error, message: message)
    }

    static func warning(_ file: String, _ line: Int, _ message: String) -> DirectoryProblem {
        DirectoryProblem(file: file, line: line, severity: .warning, message: message)
    }

    public var description: String { "\(file):\(line): \(severity.rawValue): \(message)" }
}

extension DirectoryProblem: Comparable {
    /// Ordered by file, then line, errors before warnings.
    public static func < (lhs: DirectoryProblem, rhs: DirectoryProblem) -> Bool {
        if lhs.file != rhs.file { return lhs.file < rhs.file }
        if lhs.line != rhs.line { return lhs.line < rhs.line }
        if lhs.severity != rhs.severity { return lhs.severity == .error }
        return lhs.message < rhs.message
    }
}
