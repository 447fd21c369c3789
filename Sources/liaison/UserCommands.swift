import ArgumentParser
import Desk
import Foundation
import Registry

/// `liaison user …`: the desk's users.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list and disable the members of the team who log in to the desk (`liaison serve`).",
        discussion: """
            Roles: coordinator (works cases), lead (the same, answering for the team) and auditor (reads \
            everything but the content of TLP:RED cases, changes nothing). Passwords are kept as bcrypt hashes only.
              echo 'correct horse battery staple' | liaison user add alice --role coordinator
              liaison user list
              liaison user disable alice
            Each change is an event of the audit log naming who made it (--actor, else the operating-system user).
            """,
        subcommands: [Add.self, List.self, Disable.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user; the password is read from standard input (one line, at least 12 characters).")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "The user name: letters, digits, '.', '_', '-' or '@' (up to 64).") var name: String
        @Option(help: "coordinator, lead or auditor.") var role: UserRole

        func run() throws {
            try CommandSupport.reportingErrors {
                guard UserRecord.isValidName(name) else {
                    throw ValidationError("user name \"\(name)\" must be 1 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit")
                }
                let password = (readLine(strippingNewline: true) ?? "").replacingOccurrences(of: "\r", with: "")
                if let problem = Desk.passwordProblem(password) { throw ValidationError(problem) }
                let env = try GatewayEnvironment(workspace)
                let record = try env.store.users.add(name: name, role: role, passwordHash: Desk.hashPassword(password), actor: env.actor)
                print("added \(record.name) (\(record.role.rawValue))")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the users.",
            discussion: "JSON: [{name, role, disabled, createdAt}] (the password hash is never shown).")
        @OptionGroup var workspace: WorkspaceOptions
        @Option(help: "table or json.") var format: OutputFormat = .table

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                let users = try env.store.users.list()
                if format == .json {
                    struct Shown: Encodable { let name: String; let role: String; let disabled: Bool; let createdAt: Date }
                    try CommandSupport.printJSON(users.map { Shown(name: $0.name, role: $0.role.rawValue, disabled: $0.disabled, createdAt: $0.createdAt) })
                    return
                }
                CommandSupport.printTable(["name", "role", "state", "created"], users.map {
                    [$0.name, $0.role.rawValue, $0.disabled ? "disabled" : "active", env.dates.dayText($0.createdAt)]
                })
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a user: they can no longer log in, and their open sessions end at their next request.")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "The user name.") var name: String

        func run() throws {
            try CommandSupport.reportingErrors {
                let env = try GatewayEnvironment(workspace)
                try env.store.users.disable(name: name, actor: env.actor)
                print("disabled \(name)")
            }
        }
    }
}

extension UserRole: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
