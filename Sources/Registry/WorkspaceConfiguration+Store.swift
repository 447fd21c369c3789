import Foundation
import URLMasking
import Yams

extension WorkspaceConfiguration {
    /// Where the registry lives (`store:` in liaison.yaml): SQLite in `.liaison/registry.sqlite` (the default, or
    /// `store: sqlite`), or a PostgreSQL database shared by a team:
    ///
    /// ```yaml
    /// store:
    ///   url: postgresql://liaison@db.example.org:5432/liaison
    ///   password_env: LIAISON_STORE_PASSWORD   # the variable holding the password, never the password
    ///   tls: required                          # required | none (none only to a server on this machine)
    /// ```
    /// `store: postgresql://…` alone is the same with no password and TLS required. A server on this machine may be
    /// reached through its Unix socket: `postgresql://liaison@/liaison?host=/run/postgresql` (peer or password
    /// authentication; `tls` does not apply).
    public struct Store: Sendable, Equatable {
        /// Nil for SQLite; else `postgresql://USER@HOST[:PORT]/DATABASE` (also `postgres://`, and
        /// `postgresql://USER@/DATABASE?host=/FOLDER` for a Unix socket), never with a password.
        public var url: String?
        /// The environment variable that holds the database user's password; nil: connect without one.
        public var passwordEnv: String?
        /// `"required"` (the default) or `"none"`, only to a loopback host.
        public var tls: String?
        /// How a person set these: the names the messages about them use.
        public var names: SettingNames

        public init(url: String? = nil, passwordEnv: String? = nil, tls: String? = nil, names: SettingNames = .liaisonYAML) {
            self.url = url
            self.passwordEnv = passwordEnv
            self.tls = tls
            self.names = names
        }

        /// The names of the store's settings as a person wrote them: `liaison.yaml`'s fields, or a command's options.
        public struct SettingNames: Sendable, Equatable {
            public var url: String
            public var passwordEnv: String
            public var tls: String
            /// The setting that turns TLS off, as written.
            public var noTLS: String

            public init(url: String, passwordEnv: String, tls: String, noTLS: String) {
                self.url = url; self.passwordEnv = passwordEnv; self.tls = tls; self.noTLS = noTLS
            }

            /// `store.url`, `store.password_env` and `store.tls` of liaison.yaml.
            public static let liaisonYAML = SettingNames(url: "store.url", passwordEnv: "store.password_env", tls: "store.tls",
                                                         noTLS: "store.tls: none")
        }

        /// The engine these settings name.
        public var kind: StoreEngineKind { url == nil ? .sqlite : .postgresql }
    }

    /// Reads only `store:` of the text of liaison.yaml: what opening the registry needs, so that a mistake elsewhere
    /// in the file is reported by the command that reads it, not by every command that opens the registry. Throws
    /// `RegistryError.invalidConfiguration` with one `FILE:LINE: message` line per problem of `store:`.
    public static func parseStore(_ text: String, file: String = "liaison.yaml") throws(RegistryError) -> Store {
        var reader = YAMLFields(file: file)
        var configuration = WorkspaceConfiguration()
        if let root = reader.compose(text), case .mapping(let mapping) = root {
            for (key, value) in mapping where key.string == "store" {
                configuration.readStore(value, with: &reader)
            }
        }
        // A file YAML cannot read at all is an error too: no registry is opened on a guess of where it is.
        let errors = reader.problems.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw .invalidConfiguration(errors.map { "\($0.file):\($0.line): \($0.message)" })
        }
        return configuration.store
    }

    /// Reads `store:`, in its short form (a URL, or `sqlite`) or as a mapping of `url`, `password_env` and `tls`.
    mutating func readStore(_ node: Node, with reader: inout YAMLFields) {
        var urlLine = YAMLFields.line(node)
        var tlsLine: Int?
        var settings = Store()
        if case .scalar = node {
            guard let text = reader.singleLine(node, field: "store") else { return }
            settings.url = text
            lines["store"] = urlLine
        } else {
            guard let fields = reader.fields(of: node, what: "store", allowed: ["url", "password_env", "tls"]) else { return }
            for (name, _, value) in fields.entries {
                let line = YAMLFields.line(value)
                lines["store.\(name)"] = line
                guard let text = reader.singleLine(value, field: "store.\(name)") else { continue }
                switch name {
                case "url":
                    settings.url = text
                    urlLine = line
                case "password_env":
                    if text.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil {
                        settings.passwordEnv = text
                    } else {
                        reader.error(line, "store.password_env must name an environment variable (the password itself never goes in this file)")
                    }
                default:
                    if text == "required" || text == "none" {
                        settings.tls = text
                        tlsLine = line
                    } else {
                        reader.error(line, "store.tls must be required or none, not \"\(text)\"")
                    }
                }
            }
        }
        let field = lines["store"] != nil ? "store" : "store.url"
        if settings.url == nil || settings.url == "sqlite" {
            settings.url = nil
            if settings.passwordEnv != nil || settings.tls != nil {
                reader.error(urlLine, "store.password_env and store.tls apply to a PostgreSQL store only: set store.url to postgresql://USER@HOST/DATABASE, or remove them")
            }
            store = settings
            return
        }
        switch PostgresLocation.parse(settings.url!) {
        case .failure(let problem):
            reader.error(urlLine, "\(field) \(problem.sentence)")
        case .success(let location):
            if settings.tls == "none" && !location.isUnixSocket && !PostgresLocation.isLoopback(location.host) {
                reader.error(tlsLine ?? urlLine, "store.tls none is allowed only to a server on this machine (127.0.0.1, ::1 or localhost), not \(location.host): the password and the registry would cross the network in clear")
            }
            store = settings
        }
    }
}

extension WorkspaceConfiguration.Store {
    /// The PostgreSQL server and database these settings name, with the password read from `environment`.
    /// Throws `RegistryError.invalidConfiguration` naming the field when the URL is wrong or the variable named by
    /// `store.password_env` is not set.
    func postgresLocation(environment: [String: String]) throws(RegistryError) -> PostgresLocation {
        guard let url else { throw .invalidConfiguration(["\(names.url) is not a PostgreSQL URL."]) }
        var location: PostgresLocation
        switch PostgresLocation.parse(url, names: names) {
        case .failure(let problem): throw .invalidConfiguration(["\(names.url) \(problem.sentence)"])
        case .success(let parsed): location = parsed
        }
        // A Unix socket stays on this machine, where PostgreSQL offers no TLS: store.tls applies to TCP only.
        location.requiresTLS = tls != "none" && !location.isUnixSocket
        if let passwordEnv {
            guard let password = environment[passwordEnv], !password.isEmpty else {
                let state = environment[passwordEnv] == nil ? "which is not set in the environment" : "which is set but empty"
                throw .invalidConfiguration(["\(names.passwordEnv) names \(passwordEnv), \(state): set it to the password of \(location.user) on \(location.shownURL)."])
            }
            location.password = password
        }
        return location
    }
}
