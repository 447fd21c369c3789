import Foundation
import Registry
import Testing
import TestSupport

/// Making, finding and configuring a workspace.
@Suite struct WorkspaceTests {
    private func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-wt-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func initializeMakesEverythingAndNeverOverwrites() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let created = try Workspace.initialize(at: root)
        let configuration = try Workspace(root: root).configuration
        let templates = ShippedTemplates.files.keys.map { "Templates/\($0)" }
        #expect(Set(created) == Set(["liaison.yaml", "Directory/", "Directory/organizations/", "Directory/keys/", "Templates/", ".liaison/", ".liaison/.gitignore",
                                     "Directory/organizations/example-csirt.yaml"] + templates))
        #expect(templates.contains("Templates/vendor-initial.ja.mustache") && templates.contains("Templates/escalation.en.mustache"))
        #expect(configuration.cases.embargoDays == 45 && configuration.cases.tlp == .amberStrict)
        #expect(configuration.reminders == WorkspaceConfiguration.ReminderPolicy())
        #expect(configuration.sender.from == "Example CSIRT <vuls@csirt.example>")
        #expect(configuration.gnupg.home == ".liaison/gnupg")

        let edited = "sender:\n  organization: mine\n"
        try Data(edited.utf8).write(to: root.appendingPathComponent("liaison.yaml"))
        #expect(try Workspace.initialize(at: root).isEmpty)
        #expect(try String(contentsOf: root.appendingPathComponent("liaison.yaml"), encoding: .utf8) == edited)
    }

    /// `scripts/embed-templates` keeps the binary's copy of Templates/ in step with the repository's.
    @Test func shippedTemplatesMatchTheRepositoryTemplates() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = repository.appendingPathComponent("Templates")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }
        #expect(Set(names) == Set(ShippedTemplates.files.keys), "run scripts/embed-templates")
        for name in names {
            #expect(try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) == ShippedTemplates.files[name],
                    "\(name) differs from its embedded copy: run scripts/embed-templates")
        }
    }

    @Test func casesAndReminderPolicyAreReadAndChecked() throws {
        let configuration = try WorkspaceConfiguration.parse("""
            cases:
              embargo_days: 30
              tlp: red
            reminders:
              first_after_days: 7
              second_after_days: 14
              escalate_after_days: 21
              unreachable_after_days: 30
              coordinator: cert-cc
            """)
        #expect(configuration.cases == WorkspaceConfiguration.Cases(embargoDays: 30, tlp: .red))
        #expect(configuration.reminders == WorkspaceConfiguration.ReminderPolicy(firstAfterDays: 7, secondAfterDays: 14, escalateAfterDays: 21,
                                                                                  unreachableAfterDays: 30, coordinator: "cert-cc"))
        #expect(throws: RegistryError.invalidConfiguration) {
            try WorkspaceConfiguration.parse("cases:\n  tlp: PURPLE\nreminders:\n  first_after_days: 40\n")
        }
    }

    @Test func theWorkspaceIsFoundByOptionEnvironmentOrParentFolder() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try Workspace.initialize(at: root)
        let deep = root.appendingPathComponent("Directory/organizations")

        #expect(try Workspace.locate(explicit: nil, environment: [:], currentDirectory: deep).root.path == root.path)
        #expect(try Workspace.locate(explicit: root.path, environment: [:], currentDirectory: URL(fileURLWithPath: "/")).root.path == root.path)
        #expect(try Workspace.locate(explicit: nil, environment: ["LIAISON_WORKSPACE": root.path], currentDirectory: URL(fileURLWithPath: "/")).root.path == root.path)

        #expect(throws: RegistryError.workspaceNotFound) {
            try Workspace.locate(explicit: nil, environment: [:], currentDirectory: URL(fileURLWithPath: "/"))
        }
        do {
            _ = try Workspace.locate(explicit: deep.path, environment: [:], currentDirectory: root)
            Issue.record("a folder without liaison.yaml was taken for a workspace")
        } catch {
            #expect(error.description.contains("has no liaison.yaml"))
        }
    }

    @Test func theLargestMessageReadWholeIsASettingInBytes() throws {
        #expect(try WorkspaceConfiguration.parse("# nothing set\n").ingest.maxReadBytes == 10_000_000)
        let configuration = try WorkspaceConfiguration.parse("ingest:\n  require_signature: all\n  max_read_bytes: 2000000\n")
        #expect(configuration.ingest == WorkspaceConfiguration.Ingest(requireSignature: .all, maxReadBytes: 2_000_000))
        for wrong in ["10MB", "100", "-1"] {
            #expect(throws: RegistryError.invalidConfiguration) {
                try WorkspaceConfiguration.parse("ingest:\n  max_read_bytes: \(wrong)\n")
            }
        }
    }

    @Test func configurationDefaultsFollowTheDesign() throws {
        let configuration = try WorkspaceConfiguration.parse("# nothing set\n")
        #expect(configuration.smtp.passwordEnv == "LIAISON_SMTP_PASSWORD")
        #expect(configuration.smtp.maxAttempts == 8)
        #expect(configuration.smtp.requiresTLS)
        #expect(configuration.gnupg.encrypt == .whenKey)
        #expect(configuration.report.timezone == "UTC")
    }

    @Test func configurationIsReadInFull() throws {
        let configuration = try WorkspaceConfiguration.parse("""
            sender:
              from: "JPCERT/CC <vuls@jpcert.example>"
              organization: jpcert-cc
              signing_key: 0123 4567 89ab cdef 0123 4567 89AB CDEF 0123 4567
            smtp:
              url: smtps://mail.example:465
              tls: none
              username: gateway
              password_env: MY_PASSWORD
              max_attempts: 3
              ca_file: certs/ca.pem
              connect_timeout: 5
            gnupg:
              home: keys/gnupg
              encrypt: always
            report:
              timezone: Asia/Tokyo
            """)
        #expect(configuration.sender == .init(from: "JPCERT/CC <vuls@jpcert.example>", organization: "jpcert-cc",
                                              signingKey: "0123456789ABCDEF0123456789ABCDEF01234567"))
        var smtp = WorkspaceConfiguration.SMTP(url: "smtps://mail.example:465", tls: "none", username: "gateway",
                                               passwordEnv: "MY_PASSWORD", maxAttempts: 3, caFile: "certs/ca.pem")
        smtp.connectTimeout = 5
        #expect(configuration.smtp == smtp)
        #expect(configuration.gnupg == .init(home: "keys/gnupg", encrypt: .always))
        #expect(configuration.report.timeZone.identifier == "Asia/Tokyo")
    }

    @Test func unknownKeysAndBadValuesAreErrorsNamingTheLine() throws {
        do {
            _ = try WorkspaceConfiguration.parse("""
                sender:
                  form: x
                smtp:
                  tls: maybe
                  connect_timeout: 0.5
                report:
                  timezone: Mars/Olympus
                """)
            Issue.record("a bad configuration was accepted")
        } catch {
            let lines = error.description.split(separator: "\n").map(String.init)
            #expect(lines == [
                "liaison.yaml:2: unknown field \"form\" in sender (did you mean \"from\"?)",
                "liaison.yaml:4: smtp.tls must be required or none, not \"maybe\"",
                "liaison.yaml:5: smtp.connect_timeout must be a whole number of seconds from 1 to 600, not \"0.5\"",
                "liaison.yaml:7: report.timezone \"Mars/Olympus\" is not a time zone name such as Asia/Tokyo or UTC",
            ])
        }
    }

    @Test func theGnuPGHomeIsResolvedFromConfigurationThenEnvironment() throws {
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        let workspace = Workspace(root: temp.root)
        #expect(workspace.gnupgHome(environment: [:]) == temp.root.appendingPathComponent(".liaison/gnupg").path)
        try temp.write("liaison.yaml", "report:\n  timezone: UTC\n")
        #expect(workspace.gnupgHome(environment: ["GNUPGHOME": "/tmp/g"]) == "/tmp/g")
        #expect(workspace.gnupgHome(environment: ["HOME": "/home/u"]) == "/home/u/.gnupg")
    }
}
