import Foundation
import URLMasking
import Yams

/// The settings of `liaison.yaml`. Every key is optional; the defaults are those of DESIGN.md.
public struct WorkspaceConfiguration: Sendable, Equatable {
    /// Who the notifications come from.
    public struct Sender: Sendable, Equatable {
        /// The From header, such as `"Example CSIRT <vuls@csirt.example>"`.
        public var from: String?
        /// The id of our own organisation in `Directory/`.
        public var organization: String?
        /// Fingerprint (upper-case hex) of the signing key in the GnuPG home.
        public var signingKey: String?
        /// Each notification's envelope sender is `local+LSN-…@domain` (VERP); off for relays that refuse it.
        public var verp = true

        public init(from: String? = nil, organization: String? = nil, signingKey: String? = nil) {
            self.from = from
            self.organization = organization
            self.signingKey = signingKey
        }
    }

    /// How mail leaves.
    public struct SMTP: Sendable, Equatable {
        /// `smtp://host:port` (STARTTLS), `smtps://host:port`, or `file:///path` for dry runs.
        public var url: String?
        /// `"required"` or `"none"`; nil means required.
        public var tls: String?
        public var username: String?
        /// The environment variable holding the password; the password itself is never in a file.
        public var passwordEnv: String
        /// Attempts before a transient failure becomes permanent.
        public var maxAttempts: Int
        /// A PEM file of trusted certificates, relative to the workspace root.
        public var caFile: String?
        /// Seconds allowed to connect and for the relay's greeting, EHLO, STARTTLS and login (`connect_timeout`,
        /// 1 to 600); nil means the transport's default (30).
        public var connectTimeout: Int?
        /// SMTP connections `send` and `run` use at once, each for many messages (`max_connections`, 1 to 16);
        /// 1 for a relay that wants a single connection.
        public var maxConnections: Int = SMTP.defaultMaxConnections
        /// Four connections keep a relay busy while each waits for its replies, without crowding it.
        public static let defaultMaxConnections = 4

        /// Whether TLS must be used (anything but an explicit `tls: none`).
        public var requiresTLS: Bool { tls != "none" }

        public init(url: String? = nil, tls: String? = nil, username: String? = nil,
                    passwordEnv: String = "LIAISON_SMTP_PASSWORD", maxAttempts: Int = 8, caFile: String? = nil) {
            self.url = url
            self.tls = tls
            self.username = username
            self.passwordEnv = passwordEnv
            self.maxAttempts = maxAttempts
            self.caFile = caFile
        }
    }

    /// Where replies and bounces are read (`liaison ingest`, `liaison run`).
    public struct IMAP: Sendable, Equatable {
        /// `imaps://user@host/INBOX` or `imap://…` (STARTTLS).
        public var url: String?
        /// `"required"` or `"none"` (none only to loopback); nil means required.
        public var tls: String?
        /// The login, when not in the URL.
        public var username: String?
        /// The environment variable holding the password; the password itself is never in a file.
        public var passwordEnv: String
        /// A PEM file of trusted certificates, relative to the workspace root.
        public var caFile: String?
        /// Where each message goes once stored (e.g. `Liaison/Processed`); nil leaves it in place.
        public var moveTo: String?
        /// Seconds between two looks at the mailbox when the server offers no IDLE.
        public var pollInterval: Int

        public init(url: String? = nil, tls: String? = nil, username: String? = nil,
                    passwordEnv: String = "LIAISON_IMAP_PASSWORD", caFile: String? = nil, moveTo: String? = nil,
                    pollInterval: Int = 60) {
            self.url = url
            self.tls = tls
            self.username = username
            self.passwordEnv = passwordEnv
            self.caFile = caFile
            self.moveTo = moveTo
            self.pollInterval = pollInterval
        }
    }

    /// When to encrypt to a contact's key.
    public enum EncryptPolicy: String, Sendable, Equatable, CaseIterable {
        /// Encrypt when the contact has a usable key, sign only otherwise.
        case whenKey = "when-key"
        /// Refuse to queue for a contact without a usable key.
        case always
        /// Sign only.
        case never
    }

    /// Where keys live.
    public struct GnuPG: Sendable, Equatable {
        /// The GnuPG home, relative to the workspace root; nil means `$GNUPGHOME`, else `~/.gnupg`.
        public var home: String?
        public var encrypt: EncryptPolicy
        /// A file (relative to the workspace root) whose first line is the signing key's passphrase, given to
        /// gpg-agent through loopback pinentry; nil when the key has none or `passphraseEnv` is used.
        public var passphraseFile: String?
        /// The environment variable holding the signing key's passphrase; the passphrase itself is never in
        /// liaison.yaml.
        public var passphraseEnv: String?
        /// The field that gives the passphrase: `gnupg.passphrase_env` when set (it is read first), else
        /// `gnupg.passphrase_file` when set, else nil.
        public var passphraseField: String? {
            passphraseEnv != nil ? "gnupg.passphrase_env" : passphraseFile != nil ? "gnupg.passphrase_file" : nil
        }

        public init(home: String? = nil, encrypt: EncryptPolicy = .whenKey, passphraseFile: String? = nil,
                    passphraseEnv: String? = nil) {
            self.home = home
            self.encrypt = encrypt
            self.passphraseFile = passphraseFile
            self.passphraseEnv = passphraseEnv
        }
    }

    /// The old `report:` section, whose only key `timezone` is now the workspace-wide ``timezone``.
    public struct Report: Sendable, Equatable {
        /// The IANA time zone in which quarters begin and end.
        public var timezone: String

        /// The configured zone (valid: the parser checks it).
        public var timeZone: TimeZone { TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")! }

        public init(timezone: String = "UTC") {
            self.timezone = timezone
        }
    }

    public var sender: Sender
    public var smtp: SMTP
    public var gnupg: GnuPG
    /// The IANA time zone (`timezone`, formerly `report.timezone`) in which a person reads and types dates: quarter
    /// bounds, dates in templates and tables, `--at` dates. `UTC` when not set.
    public var timezone: String
    public var imap: IMAP
    public var cases = Cases()
    public var reminders = ReminderPolicy()
    public var ingest = Ingest()
    public var answer = Answer()
    public var desk = Desk()
    /// Where the registry lives: SQLite (the default) or PostgreSQL (`store:`).
    public var store = Store()

    /// The configured zone (valid: the parser checks it).
    public var timeZone: TimeZone { TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")! }

    /// The 1-based line of the configuration file on which each `sender.*`, `smtp.*` and `gnupg.*` field was
    /// read, by dotted name (`smtp.tls` → 14); empty for a configuration not parsed from a file.
    public var lines: [String: Int] = [:]
    /// The file the configuration was parsed from, as ``parse(_:file:)`` was told (`liaison.yaml`).
    public var file = "liaison.yaml"

    /// Where `field` is set, in the form of configuration errors: `liaison.yaml:14: smtp.tls`, or
    /// `smtp.tls in liaison.yaml` when the line is not known.
    public func place(of field: String) -> String {
        lines[field].map { "\(file):\($0): \(field)" } ?? "\(field) in \(file)"
    }

    /// Dates read and typed in the configured zone.
    public var dates: WorkspaceDates { WorkspaceDates(timeZone: timeZone) }

    /// The workspace time zone under its old name, `report.timezone`.
    public var report: Report {
        get { Report(timezone: timezone) }
        set { timezone = newValue.timezone }
    }

    public init(sender: Sender = Sender(), smtp: SMTP = SMTP(), gnupg: GnuPG = GnuPG(), timezone: String = "UTC",
                imap: IMAP = IMAP()) {
        self.sender = sender
        self.smtp = smtp
        self.gnupg = gnupg
        self.timezone = timezone
        self.imap = imap
    }

    /// Parses the text of `liaison.yaml`; `file` names it in errors. Unknown keys and bad values are errors,
    /// all of them reported at once as `FILE:LINE: message` lines.
    public static func parse(_ text: String, file: String = "liaison.yaml") throws(RegistryError) -> WorkspaceConfiguration {
        var reader = YAMLFields(file: file)
        var configuration = WorkspaceConfiguration()
        configuration.file = file
        if let root = reader.compose(text) {
            configuration.read(root, with: &reader)
        }
        let errors = reader.problems.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw .invalidConfiguration(errors.map { "\($0.file):\($0.line): \($0.message)" })
        }
        return configuration
    }

    private mutating func read(_ root: Node, with reader: inout YAMLFields) {
        if case .scalar(let scalar) = root, YAMLFields.isNull(scalar) { return }
        guard let top = reader.fields(of: root, what: "liaison.yaml", allowed: ["sender", "smtp", "gnupg", "timezone", "report", "cases", "reminders", "imap", "ingest", "answer", "desk", "store"]) else { return }
        // `timezone` and its old name `report.timezone`: where both are given they must agree.
        var zones: [(field: String, line: Int, zone: String)] = []
        func readZone(_ value: Node, field: String) {
            guard let zone = reader.singleLine(value, field: field) else { return }
            if TimeZone(identifier: zone) != nil {
                zones.append((field, YAMLFields.line(value), zone))
            } else {
                reader.error(YAMLFields.line(value), "\(field) \"\(zone)\" is not a time zone name such as Asia/Tokyo or UTC")
            }
        }
        defer {
            if let first = zones.first {
                timezone = first.zone
                for other in zones.dropFirst() where other.zone != first.zone {
                    reader.error(other.line, "\(other.field) \"\(other.zone)\" differs from \(first.field) \"\(first.zone)\" "
                                 + "on line \(first.line); keep only timezone (report.timezone is its old name)")
                }
            }
        }
        for (section, _, node) in top.entries {
            if case .scalar(let scalar) = node, YAMLFields.isNull(scalar) { continue }
            switch section {
            case "cases": readCases(node, with: &reader)
            case "reminders": readReminders(node, with: &reader)
            case "ingest": readIngest(node, with: &reader)
            case "answer": readAnswer(node, with: &reader)
            case "desk": readDesk(node, with: &reader)
            case "store": readStore(node, with: &reader)
            case "sender":
                guard let fields = reader.fields(of: node, what: "sender", allowed: ["from", "organization", "signing_key", "verp"]) else { continue }
                for (name, _, value) in fields.entries {
                    lines["sender.\(name)"] = YAMLFields.line(value)
                    switch name {
                    case "from": sender.from = reader.singleLine(value, field: "sender.from")
                    case "organization": sender.organization = reader.singleLine(value, field: "sender.organization")
                    case "verp":
                        guard let text = reader.singleLine(value, field: "sender.verp") else { continue }
                        switch text.lowercased() {
                        case "true", "yes", "on": sender.verp = true
                        case "false", "no", "off": sender.verp = false
                        default: reader.error(YAMLFields.line(value), "sender.verp must be true or false, not \"\(text)\"")
                        }
                    default:
                        guard let text = reader.singleLine(value, field: "sender.signing_key") else { continue }
                        let fingerprint = Fingerprint.normalize(text)
                        if Fingerprint.isValid(fingerprint) {
                            sender.signingKey = fingerprint
                        } else {
                            reader.error(YAMLFields.line(value), "sender.signing_key \"\(text)\" is not a key fingerprint (40 or 64 hexadecimal digits)")
                        }
                    }
                }
            case "smtp":
                guard let fields = reader.fields(of: node, what: "smtp", allowed: ["url", "tls", "username", "password_env", "max_attempts", "ca_file", "connect_timeout",
                                                                                    "max_connections"]) else { continue }
                for (name, _, value) in fields.entries {
                    let line = YAMLFields.line(value)
                    lines["smtp.\(name)"] = line
                    switch name {
                    case "url":
                        guard let url = reader.singleLine(value, field: "smtp.url") else { continue }
                        let scheme = URL(string: url)?.scheme?.lowercased()
                        if SecretMasking.urlHasPassword(url) {
                            // Refused, never echoed: the password would otherwise show in every message about it.
                            reader.error(line, "smtp.url \"\(SecretMasking.maskingURLPasswords(in: url))\" holds a password; remove it from the URL, put the user name in smtp.username and the password in the environment variable named by smtp.password_env")
                        } else if ["smtp", "smtps", "file"].contains(scheme ?? "") {
                            smtp.url = url
                        } else {
                            reader.error(line, "smtp.url \"\(url)\" must start with smtp://, smtps:// or file://")
                        }
                    case "tls":
                        guard let tls = reader.singleLine(value, field: "smtp.tls") else { continue }
                        if tls == "required" || tls == "none" {
                            smtp.tls = tls
                        } else {
                            reader.error(line, "smtp.tls must be required or none, not \"\(tls)\"")
                        }
                    case "username": smtp.username = reader.singleLine(value, field: "smtp.username")
                    case "password_env":
                        guard let name = reader.singleLine(value, field: "smtp.password_env") else { continue }
                        if name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil {
                            smtp.passwordEnv = name
                        } else {
                            reader.error(line, "smtp.password_env must name an environment variable (the password itself never goes in this file)")
                        }
                    case "max_attempts":
                        guard let text = reader.singleLine(value, field: "smtp.max_attempts") else { continue }
                        if let count = Int(text), (1...100).contains(count) {
                            smtp.maxAttempts = count
                        } else {
                            reader.error(line, "smtp.max_attempts must be a whole number from 1 to 100, not \"\(text)\"")
                        }
                    case "connect_timeout":
                        guard let text = reader.singleLine(value, field: "smtp.connect_timeout") else { continue }
                        if let seconds = Int(text), (1...600).contains(seconds) {
                            smtp.connectTimeout = seconds
                        } else {
                            reader.error(line, "smtp.connect_timeout must be a whole number of seconds from 1 to 600, not \"\(text)\"")
                        }
                    case "max_connections":
                        guard let text = reader.singleLine(value, field: "smtp.max_connections") else { continue }
                        if let count = Int(text), (1...16).contains(count) {
                            smtp.maxConnections = count
                        } else {
                            reader.error(line, "smtp.max_connections must be a whole number from 1 to 16, not \"\(text)\"")
                        }
                    default: smtp.caFile = reader.singleLine(value, field: "smtp.ca_file")
                    }
                }
            case "imap":
                readIMAP(node, with: &reader)
            case "gnupg":
                guard let fields = reader.fields(of: node, what: "gnupg", allowed: ["home", "encrypt", "passphrase_file", "passphrase_env"]) else { continue }
                if fields["passphrase_file"] != nil, let both = fields["passphrase_env"] {
                    reader.error(YAMLFields.line(both), "gnupg.passphrase_file and gnupg.passphrase_env cannot both be set: keep one")
                }
                for (name, _, value) in fields.entries {
                    lines["gnupg.\(name)"] = YAMLFields.line(value)
                    if name == "home" {
                        gnupg.home = reader.singleLine(value, field: "gnupg.home")
                    } else if name == "passphrase_file" {
                        gnupg.passphraseFile = reader.singleLine(value, field: "gnupg.passphrase_file")
                    } else if name == "passphrase_env" {
                        guard let text = reader.singleLine(value, field: "gnupg.passphrase_env") else { continue }
                        if text.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil {
                            gnupg.passphraseEnv = text
                        } else {
                            reader.error(YAMLFields.line(value), "gnupg.passphrase_env must name an environment variable (the passphrase itself never goes in this file)")
                        }
                    } else if let text = reader.singleLine(value, field: "gnupg.encrypt") {
                        if let policy = EncryptPolicy(rawValue: text) {
                            gnupg.encrypt = policy
                        } else {
                            reader.error(YAMLFields.line(value), "gnupg.encrypt must be when-key, always or never, not \"\(text)\"")
                        }
                    }
                }
            case "timezone":
                readZone(node, field: "timezone")
            default:
                guard let fields = reader.fields(of: node, what: "report", allowed: ["timezone"]) else { continue }
                if let value = fields["timezone"] { readZone(value, field: "report.timezone") }
            }
        }
    }

    /// The `imap:` section.
    private mutating func readIMAP(_ node: Node, with reader: inout YAMLFields) {
        guard let fields = reader.fields(of: node, what: "imap", allowed: ["url", "tls", "username", "password_env", "ca_file", "move_to", "poll_interval"]) else { return }
        for (name, _, value) in fields.entries {
            let line = YAMLFields.line(value)
            guard let text = reader.singleLine(value, field: "imap.\(name)") else { continue }
            switch name {
            case "url":
                let shown = SecretMasking.maskingURLPasswords(in: text)
                if SecretMasking.urlHasPassword(text) {
                    reader.error(line, "imap.url \"\(shown)\" holds a password; remove it from the URL and put it in the environment variable named by imap.password_env")
                } else if ["imap", "imaps"].contains(URL(string: text)?.scheme?.lowercased() ?? "") {
                    imap.url = text
                } else {
                    reader.error(line, "imap.url \"\(shown)\" must start with imaps:// or imap://")
                }
            case "tls":
                if text == "required" || text == "none" { imap.tls = text } else {
                    reader.error(line, "imap.tls must be required or none, not \"\(text)\"")
                }
            case "username": imap.username = text
            case "password_env":
                if text.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil {
                    imap.passwordEnv = text
                } else {
                    reader.error(line, "imap.password_env must name an environment variable (the password itself never goes in this file)")
                }
            case "ca_file": imap.caFile = text
            case "move_to": imap.moveTo = text
            default:
                if let seconds = Int(text), (1...86_400).contains(seconds) { imap.pollInterval = seconds } else {
                    reader.error(line, "imap.poll_interval must be a number of seconds from 1 to 86400, not \"\(text)\"")
                }
            }
        }
    }
}
