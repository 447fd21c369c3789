import Foundation
import Mail
import OpenPGP
import Registry
import SMTP

/// A workspace's services opened for one actor: the case book, the reply ingester, the gateway settings and the
/// SMTP settings, each built from liaison.yaml and the environment the same way for the command line and the desk.
///
/// The actor is who every event written through these services names: the desk's user, or on the command line
/// `--actor NAME`, else the operating-system user (`operatingSystemActor(environment:)`).
///
/// ```swift
/// let services = WorkspaceServices(workspace: workspace, configuration: try workspace.configuration,
///                                  store: store, actor: "alice")
/// try services.caseBook().setResponse(caseId: "JVNVU#12345678", organizationId: "example", response: .fixed)
/// let bob = services.acting(as: "bob")
/// ```
public struct WorkspaceServices: Sendable {
    public let workspace: Workspace
    public let configuration: WorkspaceConfiguration
    public let store: RegistryStore
    /// The process environment (passwords named by liaison.yaml, `GNUPGHOME`).
    public let environment: [String: String]
    /// Who acts: named in every event these services write.
    public let actor: String

    public init(workspace: Workspace, configuration: WorkspaceConfiguration, store: RegistryStore, actor: String,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.workspace = workspace
        self.configuration = configuration
        self.store = store
        self.actor = actor
        self.environment = environment
    }

    /// The same services acting for someone else (a desk user, per request).
    public func acting(as actor: String) -> WorkspaceServices {
        WorkspaceServices(workspace: workspace, configuration: configuration, store: store, actor: actor, environment: environment)
    }

    /// Who runs a command: `$LIAISON_ACTOR`, else `$USER`, else the name of the effective user id
    /// (`getpwuid(geteuid())`), else `uid N`. Never a constant: the audit log must say who acted.
    public static func operatingSystemActor(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        EventLog.operatingSystemActor(environment: environment)
    }

    /// Days and times as the workspace reads and types them.
    public var dates: WorkspaceDates { configuration.dates }
    /// The GnuPG home: `gnupg.home` of liaison.yaml, else `$GNUPGHOME`, else `~/.gnupg`.
    public var gnupgHome: String { workspace.gnupgHome(environment: environment) }

    /// The case book with the workspace's partners (`cases.origins`), zone and TLP defaults.
    public func caseBook() -> CaseBook {
        var book = CaseBook(store: store, actor: actor)
        book.origins = configuration.cases.origins
        book.dates = dates
        book.defaultTLP = configuration.cases.tlp
        book.publicationTLP = configuration.cases.publicationTLP
        return book
    }

    /// The ingester every reading path uses (files, standard input, IMAP, `run`), with the workspace's
    /// `ingest.require_signature` and the key's passphrase (to decrypt an encrypted reply).
    ///
    /// Throws `RegistryError` when the passphrase is configured but cannot be read, `GatewayError.configuration`
    /// when the GnuPG home is there but this user may not use it (`OpenPGPContext.unusableHome`).
    public func replyIngester() throws -> ReplyIngester {
        // A GnuPG home this user may not use would leave every signature unchecked: nothing is read until it is fixed.
        if let problem = OpenPGPContext.unusableHome(gnupgHome) {
            throw GatewayError.configuration(problem.description + " No reply is read or assigned while it is so.")
        }
        var ingester = ReplyIngester(store: store, gnupgHome: gnupgHome, actor: actor)
        ingester.requireSignature = configuration.ingest.requireSignature
        ingester.maxReadBytes = configuration.ingest.maxReadBytes
        ingester.passphrase = try workspace.signingPassphrase(configuration: configuration, environment: environment)
        return ingester
    }

    /// SMTP settings from liaison.yaml, the password from the environment variable it names; given values win.
    ///
    /// Throws `GatewayError.configuration` with one sentence when no server is set, the TLS policy is unknown or the
    /// password is missing, and `SMTPConfiguration`'s error when the settings are inconsistent.
    public func smtp(url: String? = nil, tls: String? = nil, caFile: String? = nil, username: String? = nil) throws -> SMTPConfiguration {
        try Self.smtp(configuration, root: workspace.root, environment: environment, url: url, tls: tls, caFile: caFile, username: username)
    }

    /// Given values win over liaison.yaml; relative paths are taken from `root`.
    public static func smtp(_ configuration: WorkspaceConfiguration, root: URL, environment: [String: String], url: String?,
                            tls: String?, caFile: String?, username: String?) throws -> SMTPConfiguration {
        guard let url = url ?? configuration.smtp.url else {
            throw GatewayError.configuration("no SMTP server: pass --smtp or set smtp.url in liaison.yaml")
        }
        var smtp = SMTPConfiguration(url: resolve(url, against: root))
        let tlsText = tls ?? configuration.smtp.tls ?? "required"
        guard let policy = SMTPConfiguration.TLSPolicy(rawValue: tlsText) else {
            throw GatewayError.configuration("TLS policy \(tlsText) is neither required nor none")
        }
        smtp.tls = policy
        smtp.username = username ?? configuration.smtp.username
        if let user = smtp.username {
            let variable = configuration.smtp.passwordEnv
            guard let password = environment[variable], !password.isEmpty else {
                throw GatewayError.configuration("the SMTP user \(user) needs its password in the environment variable \(variable) "
                                                 + "(smtp.password_env), which is empty or not set")
            }
            smtp.password = password
        }
        smtp.caFile = (caFile ?? configuration.smtp.caFile).map { resolve($0, against: root) }
        if let seconds = configuration.smtp.connectTimeout { smtp.connectTimeout = TimeInterval(seconds) }
        try smtp.validate()
        return smtp
    }

    /// The settings of composing and sending: sender, signing key, GnuPG home, encryption, templates, zone.
    ///
    /// Throws `GatewayError.configuration` when `sender.from` is not set, `MailError` when it is not an address.
    public func settings() throws -> GatewaySettings {
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

    /// The vendors' answer links (`answer:`), with the workspace's key (`.liaison/answer-link.key`, made on first
    /// use). Throws `GatewayError.configuration` when the key cannot be read or made.
    public func answerLinks() throws -> AnswerLinks {
        AnswerLinks(store: store, key: try AnswerLinkKey.loadOrCreate(stateDirectory: workspace.stateURL), settings: configuration.answer)
    }

    /// `file:relative/dir` and relative CA paths are taken from the workspace root.
    public static func resolve(_ path: String, against root: URL) -> String {
        if path.hasPrefix("file://") {
            let rest = String(path.dropFirst("file://".count))
            return rest.hasPrefix("/") ? path : "file://" + root.appendingPathComponent(rest).path
        }
        if path.contains("://") || path.hasPrefix("/") { return path }
        return root.appendingPathComponent(path).path
    }
}
