import ArgumentParser
import Foundation
import Gateway
import Logging
import Mail
import Registry
import SMTP

/// The workspace opened for a gateway command: its configuration, store and settings.
struct GatewayEnvironment {
    let workspace: Workspace
    let configuration: WorkspaceConfiguration
    let store: RegistryStore
    let environment: [String: String]

    init(_ options: WorkspaceOptions) throws {
        environment = ProcessInfo.processInfo.environment
        workspace = try options.locate()
        configuration = try options.configuration(of: workspace)
        ConfigurationPlaces.remember(configuration)
        store = try options.openStore(of: workspace)
    }

    var actor: String { EventLog.defaultActor }
    /// Days and times as the workspace reads and types them.
    var dates: WorkspaceDates { configuration.dates }
    var gnupgHome: String { workspace.gnupgHome(environment: environment) }

    /// The case book with the workspace's partners (`cases.origins`) and zone.
    func caseBook() -> CaseBook {
        var book = CaseBook(store: store, actor: actor)
        book.origins = configuration.cases.origins
        book.dates = dates
        book.defaultTLP = configuration.cases.tlp
        book.publicationTLP = configuration.cases.publicationTLP
        return book
    }

    /// The answer links of the workspace, with its key (made in `.liaison/answer-link.key` on first use).
    func answerLinks() throws -> AnswerLinks {
        AnswerLinks(store: store, key: try AnswerLinkKey.loadOrCreate(stateDirectory: workspace.stateURL), settings: configuration.answer)
    }

    /// The ingester every reading path uses (files, standard input, IMAP, `run`), with the workspace's
    /// `ingest.require_signature` and the key's passphrase (to decrypt an encrypted reply).
    func replyIngester() throws -> ReplyIngester {
        var ingester = ReplyIngester(store: store, gnupgHome: gnupgHome, actor: actor)
        ingester.requireSignature = configuration.ingest.requireSignature
        ingester.maxReadBytes = configuration.ingest.maxReadBytes
        ingester.passphrase = try workspace.signingPassphrase(configuration: configuration, environment: environment)
        return ingester
    }

    /// SMTP settings from liaison.yaml, the password from the environment variable it names.
    func smtp(url: String? = nil, tls: String? = nil, caFile: String? = nil, username: String? = nil) throws -> SMTPConfiguration {
        try Self.smtp(configuration, root: workspace.root, environment: environment, url: url, tls: tls, caFile: caFile, username: username)
    }

    /// Command-line values win over liaison.yaml; relative paths are taken from `root`.
    static func smtp(_ configuration: WorkspaceConfiguration, root: URL, environment: [String: String], url: String?,
                     tls: String?, caFile: String?, username: String?) throws -> SMTPConfiguration {
        guard let url = url ?? configuration.smtp.url else {
            throw ValidationError("no SMTP server: pass --smtp or set smtp.url in liaison.yaml")
        }
        var smtp = SMTPConfiguration(url: resolve(url, against: root))
        let tlsText = tls ?? configuration.smtp.tls ?? "required"
        guard let policy = SMTPConfiguration.TLSPolicy(rawValue: tlsText) else {
            throw ValidationError("TLS policy \(tlsText) is neither required nor none")
        }
        smtp.tls = policy
        smtp.username = username ?? configuration.smtp.username
        if let user = smtp.username {
            let variable = configuration.smtp.passwordEnv
            guard let password = environment[variable], !password.isEmpty else {
                throw ValidationError("the SMTP user \(user) needs its password in the environment variable \(variable) "
                                      + "(smtp.password_env), which is empty or not set")
            }
            smtp.password = password
        }
        smtp.caFile = (caFile ?? configuration.smtp.caFile).map { resolve($0, against: root) }
        if let seconds = configuration.smtp.connectTimeout { smtp.connectTimeout = TimeInterval(seconds) }
        try smtp.validate()
        return smtp
    }

    func settings() throws -> GatewaySettings {
        guard let fromText = configuration.sender.from else {
            throw GatewayError.configuration("sender.from is not set in \(workspace.root.path)/liaison.yaml")
        }
        let from = try EmailAddress(parsing: fromText)
        var settings = GatewaySettings(sender: from, senderOrganizationId: configuration.sender.organization,
                                       signingKey: configuration.sender.signingKey, gnupgHome: gnupgHome,
                                       encryption: configuration.gnupg.encrypt,
                                       templatesDirectory: workspace.templatesURL, actor: actor)
        settings.timeZone = dates.timeZone
        settings.verp = configuration.sender.verp
        settings.defaultTLP = configuration.cases.tlp
        settings.answer = configuration.answer
        settings.stateDirectory = workspace.stateURL
        settings.signingPassphrase = try workspace.signingPassphrase(configuration: configuration, environment: environment)
        settings.passphraseField = configuration.gnupg.passphraseField
        return settings
    }


    /// `file:relative/dir` and relative CA paths are taken from the workspace root.
    static func resolve(_ path: String, against root: URL) -> String {
        if path.hasPrefix("file://") {
            let rest = String(path.dropFirst("file://".count))
            return rest.hasPrefix("/") ? path : "file://" + root.appendingPathComponent(rest).path
        }
        if path.contains("://") || path.hasPrefix("/") { return path }
        return root.appendingPathComponent(path).path
    }
}
