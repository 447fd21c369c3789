import Foundation

/// An error of the registry: a workspace, its configuration, its directory, its database or GnuPG.
///
/// Match on the kind with `==` against the static members; `description` is one sentence for a user
/// (several lines, one per problem, when the configuration has several problems).
/// ```swift
/// do { _ = try Workspace.locate(explicit: nil, currentDirectory: cwd) }
/// catch where error == .workspaceNotFound { print("run `liaison init` first") }
/// ```
public struct RegistryError: Error, CustomStringConvertible, Equatable {
    private enum Code: Equatable {
        case workspaceNotFound
        case invalidConfiguration
        case fileSystem
        case database
        case databaseMissing
        case directoryInvalid
        case gnupg
        case keyData
        case organizationNotFound
        case invalidArgument
    }

    private let code: Code
    /// One sentence (or one line per problem) saying what went wrong and where.
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// Two errors are equal when they are of the same kind, whatever their message.
    public static func == (lhs: RegistryError, rhs: RegistryError) -> Bool { lhs.code == rhs.code }

    /// No workspace: no `--workspace`, no `LIAISON_WORKSPACE`, no `liaison.yaml` in any parent folder.
    public static let workspaceNotFound = RegistryError(.workspaceNotFound, "No Liaison workspace was found.")
    /// `liaison.yaml` is unreadable or has unknown keys or bad values.
    public static let invalidConfiguration = RegistryError(.invalidConfiguration, "The workspace configuration is invalid.")
    /// A file or folder could not be read or written.
    public static let fileSystem = RegistryError(.fileSystem, "A file could not be read or written.")
    /// The SQLite store failed.
    public static let database = RegistryError(.database, "The registry database failed.")
    /// The workspace has no registry database yet (`liaison directory sync` makes it).
    public static let databaseMissing = RegistryError(.databaseMissing, "The registry database does not exist.")
    /// `Directory/` has errors, so nothing was synced.
    public static let directoryInvalid = RegistryError(.directoryInvalid, "The directory has errors.")
    /// GnuPG could not be run or failed.
    public static let gnupg = RegistryError(.gnupg, "GnuPG failed.")
    /// Data that should hold an OpenPGP key does not.
    public static let keyData = RegistryError(.keyData, "The data is not an OpenPGP key.")
    /// No organisation has the given id.
    public static let organizationNotFound = RegistryError(.organizationNotFound, "No such organisation.")
    /// A value given by the caller is malformed.
    public static let invalidArgument = RegistryError(.invalidArgument, "An argument is invalid.")

    static func workspaceNotFound(_ message: String) -> RegistryError { .init(.workspaceNotFound, message) }
    static func invalidConfiguration(_ lines: [String]) -> RegistryError {
        .init(.invalidConfiguration, lines.joined(separator: "\n"))
    }
    static func fileSystem(_ message: String) -> RegistryError { .init(.fileSystem, message) }
    static func database(_ message: String) -> RegistryError { .init(.database, message) }
    static func databaseMissing(_ path: String) -> RegistryError {
        .init(.databaseMissing, "The registry database \(path) does not exist; run `liaison directory sync` to make it from Directory/ (or give --workspace the folder that holds it).")
    }
    static func directoryInvalid(errorCount: Int) -> RegistryError {
        .init(.directoryInvalid, "The directory has \(errorCount) error\(errorCount == 1 ? "" : "s"); nothing was changed.")
    }
    static func gnupg(_ message: String) -> RegistryError { .init(.gnupg, message) }
    static func keyData(_ message: String) -> RegistryError { .init(.keyData, message) }
    static func organizationNotFound(_ id: String) -> RegistryError {
        .init(.organizationNotFound, "No organisation has the id \"\(id)\".")
    }
    static func invalidArgument(_ message: String) -> RegistryError { .init(.invalidArgument, message) }
}
