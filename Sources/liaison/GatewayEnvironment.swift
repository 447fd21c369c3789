import ArgumentParser
import Foundation
import Gateway
import Registry
import SMTP

/// The workspace opened for a command: its configuration, store and the services of `WorkspaceServices`, acting
/// for `--actor` or the operating-system user. The services themselves live in Gateway, shared with the desk.
struct GatewayEnvironment {
    let services: WorkspaceServices

    init(_ options: WorkspaceOptions) throws {
        let workspace = try options.locate()
        let configuration = try options.configuration(of: workspace)
        ConfigurationPlaces.remember(configuration)
        let store = try options.openStore(of: workspace)
        services = WorkspaceServices(workspace: workspace, configuration: configuration, store: store,
                                     actor: options.resolvedActor())
    }

    var workspace: Workspace { services.workspace }
    var configuration: WorkspaceConfiguration { services.configuration }
    var store: RegistryStore { services.store }
    var environment: [String: String] { services.environment }
    /// Who the events of this command name: `--actor`, else the operating-system user.
    var actor: String { services.actor }
    /// Days and times as the workspace reads and types them.
    var dates: WorkspaceDates { services.dates }
    var gnupgHome: String { services.gnupgHome }

    func caseBook() -> CaseBook { services.caseBook() }
    func replyIngester() throws -> ReplyIngester { try services.replyIngester() }
    func settings() throws -> GatewaySettings { try services.settings() }

    /// The answer links of the workspace, with its key (made in `.liaison/answer-link.key` on first use).
    func answerLinks() throws -> AnswerLinks { try services.answerLinks() }

    /// SMTP settings from liaison.yaml, the password from the environment variable it names; options win.
    func smtp(url: String? = nil, tls: String? = nil, caFile: String? = nil, username: String? = nil) throws -> SMTPConfiguration {
        try Self.asValidation { try services.smtp(url: url, tls: tls, caFile: caFile, username: username) }
    }

    /// Command-line values win over liaison.yaml; relative paths are taken from `root`.
    static func smtp(_ configuration: WorkspaceConfiguration, root: URL, environment: [String: String], url: String?,
                     tls: String?, caFile: String?, username: String?) throws -> SMTPConfiguration {
        try asValidation {
            try WorkspaceServices.smtp(configuration, root: root, environment: environment, url: url, tls: tls,
                                       caFile: caFile, username: username)
        }
    }

    /// `file:relative/dir` and relative CA paths are taken from the workspace root.
    static func resolve(_ path: String, against root: URL) -> String { WorkspaceServices.resolve(path, against: root) }

    /// A configuration refusal of the gateway, as the command line's usage error (one line, exit 1).
    private static func asValidation<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as GatewayError { throw ValidationError(error.description) }
    }
}
