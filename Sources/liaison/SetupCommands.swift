import ArgumentParser
import Foundation
import Gateway
import IMAP
import Mail
import OpenPGP
import Registry
import SMTP

extension KeyCommand {
    /// `liaison key setup [--import FILE]`
    struct Setup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make (or import) the CSIRT's signing key in the workspace's GnuPG home and write its fingerprint to liaison.yaml.",
            discussion: """
                Without --import, makes an Ed25519 signing key with a Curve25519 encryption subkey for sender.from, \
                without passphrase (the home is the gateway's own). With --import FILE, imports a secret key exported \
                with `gpg --export-secret-keys --armor`. Then sets sender.signing_key in liaison.yaml, keeping its \
                comments. If sender.signing_key already names a key that signs, nothing is changed.
                """)
        @OptionGroup var workspace: WorkspaceOptions
        @Option(name: .customLong("import"), help: ArgumentHelp("Import this secret key instead of making one.", valueName: "FILE"))
        var importFile: String?
        @Option(help: "User ID of a new key (default: sender.from).") var userId: String?

        func run() throws {
            try CommandSupport.reportingErrors {
                let workspace = try workspace.locate()
                let configuration = try workspace.configuration
                let home = workspace.gnupgHome(configuration: configuration)
                try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                let context = try OpenPGPContext(homeDirectory: home)
                if let existing = configuration.sender.signingKey, let key = try context.key(fingerprint: existing, secret: true),
                   key.canSign, !key.isExpired, !key.isRevoked {
                    print("sender.signing_key \(existing) is already in \(home) and signs; nothing changed")
                    return
                }
                let fingerprint: String
                if let importFile {
                    let data: Data
                    do { data = try Data(contentsOf: URL(fileURLWithPath: importFile)) } catch {
                        throw ValidationError("\(importFile): cannot be read (\(error.localizedDescription))")
                    }
                    let imported = try context.importKeys(data)
                    let secret = try imported.filter { try context.key(fingerprint: $0, secret: true)?.canSign == true }
                    guard secret.count == 1, let only = secret.first else {
                        throw ValidationError("\(importFile): expected exactly one secret key that can sign, found \(secret.count)")
                    }
                    fingerprint = only
                    print("imported \(fingerprint) into \(home)")
                } else {
                    guard let id = userId ?? configuration.sender.from else {
                        throw ValidationError("no user ID: set sender.from in liaison.yaml or pass --user-id")
                    }
                    fingerprint = try context.generateSigningKey(userId: id)
                    print("made Ed25519 signing key \(fingerprint) for \(id) in \(home)")
                }
                let text = try String(contentsOf: workspace.configurationURL, encoding: .utf8)
                let edited = ConfigurationEditing.settingSigningKey(fingerprint, in: text)
                _ = try WorkspaceConfiguration.parse(edited)
                try edited.write(to: workspace.configurationURL, atomically: true, encoding: .utf8)
                print("sender.signing_key: \(fingerprint) written to \(workspace.configurationURL.path)")
                print("publish the public key: gpg --homedir \(home) --export --armor \(fingerprint)")
            }
        }
    }
}

/// `liaison doctor`: checks the whole setup, one line per check.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the workspace before the first notification: directory, signing key, templates, SMTP relay, IMAP.",
        discussion: """
            One line per check, `ok` or `FAIL` with what to fix; exits 1 if any check fails. Nothing is sent: the \
            relay check stops after the login.
            """)
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        var failures = 0
        func report(_ ok: Bool, _ line: String) {
            if !ok { failures += 1 }
            print("\(ok ? "ok  " : "FAIL") \(line)")
        }
        let workspace = try workspace.locate()
        let configuration = try self.workspace.configuration(of: workspace)
        report(true, "configuration: \(workspace.configurationURL.path) reads without problems")
        // A check failed by a setting names its liaison.yaml line and field, as every command does.
        ConfigurationPlaces.remember(configuration)
        func described(_ error: any Error) -> String { ConfigurationPlaces.locate(error) ?? "\(error)" }

        // Registry: the database liaison.yaml names opens (the SQLite file, or the PostgreSQL server and database).
        let store: RegistryStore?
        do {
            let opened = try workspace.openStore()
            let settings = configuration.store
            report(true, "registry: " + (settings.kind == .postgresql ? "PostgreSQL \(settings.url ?? "")"
                                                                  : "SQLite \(workspace.relativePath(of: workspace.databaseURL))") + " opens")
            store = opened
        } catch {
            report(false, "registry: \(described(error))")
            store = nil
        }

        // Sender organisation: in Directory/ and synced into the registry.
        if let id = configuration.sender.organization {
            let file = workspace.organizationsURL.appendingPathComponent("\(id).yaml")
            let synced = store.flatMap { try? $0.directory.organization(id: id) } != nil
            if !FileManager.default.fileExists(atPath: file.path) {
                report(false, "sender organisation: no \(workspace.relativePath(of: file)); describe the CSIRT there, then run `liaison directory sync`")
            } else if store == nil {
                report(false, "sender organisation: not checked: the registry does not open (above)")
            } else if !synced {
                report(false, "sender organisation: \(id) is not in the registry; run `liaison directory sync`")
            } else {
                report(true, "sender organisation: \(id) is in the directory")
            }
        } else {
            report(false, "sender organisation: set sender.organization in liaison.yaml to our own entry in Directory/organizations/")
        }

        // Signing key: sign a few bytes with it.
        let home = workspace.gnupgHome(configuration: configuration)
        if let fingerprint = configuration.sender.signingKey {
            do {
                let passphrase = try workspace.signingPassphrase(configuration: configuration)
                let signature = try OpenPGPContext(homeDirectory: home, passphrase: passphrase).signDetached(Data("liaison doctor\r\n".utf8), signer: fingerprint)
                report(true, "signing key: \(fingerprint) signs (\(signature.micalg))")
            } catch let error as OpenPGPError where OpenPGPContext.unusableHome(home) != nil {
                // key setup cannot mend a home this user may not use, nor make one where it points.
                report(false, "signing key: \(described(error))")
            } catch {
                report(false, "signing key: \(described(error)) — run `liaison key setup`")
            }
        } else {
            report(false, "signing key: sender.signing_key is not set; run `liaison key setup`")
        }

        // Templates: every template in every language renders for a sample case without a due date.
        do {
            guard let fromText = configuration.sender.from else { throw ValidationError("sender.from is not set in liaison.yaml") }
            var settings = GatewaySettings(sender: try EmailAddress(parsing: fromText), signingKey: configuration.sender.signingKey,
                                           gnupgHome: home, templatesDirectory: workspace.templatesURL, actor: EventLog.defaultActor)
            settings.timeZone = configuration.workspaceTimeZone
            settings.defaultTLP = configuration.cases.tlp
            settings.answer = configuration.answer
            let library = try TemplateLibrary(directory: workspace.templatesURL)
            let (checked, problems) = TemplateSample.check(library, settings: settings)
            if checked.isEmpty {
                report(false, "templates: \(workspace.relativePath(of: workspace.templatesURL)) has none; `liaison init` copies the shipped ones")
            } else if !library.names.contains("vendor-initial") {
                report(false, "templates: no vendor-initial; `liaison init` copies the shipped templates without overwriting yours")
            } else if problems.isEmpty {
                report(true, "templates: \(checked.count) render for a sample case (\(library.names.joined(separator: ", ")))")
            } else {
                for problem in problems { report(false, "templates: \(problem)") }
            }
        } catch {
            report(false, "templates: \(error)")
        }

        // Reminder policy: which of its settings the case's TLP overrides (TrafficLightProtocol's sharing rule).
        if let coordinator = configuration.reminders.coordinator {
            let within = TrafficLightProtocol.withinOrganization.map(\.label).joined(separator: " and ")
            let allowed = TrafficLightProtocol.allCases.filter(\.allowsOtherOrganizations).map(\.label).joined(separator: ", ")
            let carbonless = TrafficLightProtocol.allCases.filter { !$0.allowsCarbonCopies }.map(\.label).joined(separator: ", ")
            let defaultLevel = configuration.cases.tlp
            report(true, "reminder policy: \(configuration.place(of: "reminders.coordinator")) (\(coordinator)) gets a copy of "
                   + "escalations of \(allowed) cases only: the TLP overrides it for \(within) cases, whose escalations stay "
                   + "with the participant's organisation (and \(carbonless) ones with its `to` contacts)"
                   + (defaultLevel.allowsOtherOrganizations ? "" : "; cases.tlp is \(defaultLevel.rawValue), so a case opened without --tlp gets no copy"))
        }

        // Relay: EHLO, STARTTLS with a verifying certificate, login; nothing sent.
        if let url = configuration.smtp.url, url.hasPrefix("file:") {
            report(true, "relay: smtp.url is \(url), a dry run folder; nothing to connect to")
        } else {
            do {
                let smtp = try GatewayEnvironment.smtp(configuration, root: workspace.root, environment: ProcessInfo.processInfo.environment,
                                                       url: nil, tls: nil, caFile: nil, username: nil)
                let check = try CurlSMTPTransport(configuration: smtp).checkConnection()
                var steps = ["answers EHLO"]
                if check.startedTLS { steps.append("offers STARTTLS with a certificate that verifies") }
                if check.loggedIn { steps.append("accepts the login of \(smtp.username ?? "")") }
                report(true, "relay: \(smtp.url) \(steps.joined(separator: ", ")); nothing was sent")
            } catch {
                report(false, "relay: \(described(error))")
            }
        }

        // IMAP: log in and open the mailbox read-only (EXAMINE), when liaison.yaml has an imap section.
        let imap = configuration.imap
        if let url = imap.url {
            do {
                let tlsText = imap.tls ?? "required"
                guard let tls = IMAPConfiguration.TLSPolicy(rawValue: tlsText) else {
                    throw ValidationError("imap.tls \(tlsText) is neither required nor none")
                }
                let session = IMAPConfiguration(url: url, tls: tls, username: imap.username,
                                                password: ProcessInfo.processInfo.environment[imap.passwordEnv],
                                                caFile: imap.caFile.map { GatewayEnvironment.resolve($0, against: workspace.root) })
                try session.validate()
                let status = try IMAPSession(configuration: session).examine()
                report(true, "imap: \(url) opens (\(status.exists) message\(status.exists == 1 ? "" : "s"))")
            } catch {
                report(false, "imap: \(error)")
            }
        } else {
            print("skip imap: no imap section in liaison.yaml")
        }
        if failures > 0 {
            CommandSupport.printError("\(failures) check\(failures == 1 ? "" : "s") failed")
            throw ExitCode(1)
        }
    }
}
