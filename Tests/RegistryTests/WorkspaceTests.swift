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
        #expect(Set(created) == ["liaison.yaml", "Directory/", "Directory/organizations/", "Directory/keys/", "Templates/", ".liaison/", ".liaison/.gitignore"])
        let configuration = try Workspace(root: root).configuration
        #expect(configuration.sender.from == "Example CSIRT <vuls@csirt.example>")
        #expect(configuration.gnupg.home == ".liaison/gnupg")

        let edited = "sender:\n  organization: mine\n"
        try Data(edited.utf8).write(to: root.appendingPathComponent("liaison.yaml"))
        #expect(try Workspace.initialize(at: root).isEmpty)
        #expect(try String(contentsOf: root.appendingPathComponent("liaison.yaml"), encoding: .utf8) == edited)
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
            gnupg:
              home: keys/gnupg
              encrypt: always
            report:
              timezone: Asia/Tokyo
            """)
        #expect(configuration.sender == .init(from: "JPCERT/CC <vuls@jpcert.example>", organization: "jpcert-cc",
                                              signingKey: "0123456789ABCDEF0123456789ABCDEF01234567"))
        #expect(configuration.smtp == .init(url: "smtps://mail.example:465", tls: "none", username: "gateway",
                                            passwordEnv: "MY_PASSWORD", maxAttempts: 3, caFile: "certs/ca.pem"))
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
                report:
                  timezone: Mars/Olympus
                """)
            Issue.record("a bad configuration was accepted")
        } catch {
            let lines = error.description.split(separator: "\n").map(String.init)
            #expect(lines == [
                "liaison.yaml:2: unknown field \"form\" in sender (did you mean \"from\"?)",
                "liaison.yaml:4: smtp.tls must be required or none, not \"maybe\"",
                "liaison.yaml:6: report.timezone \"Mars/Olympus\" is not a time zone name such as Asia/Tokyo or UTC",
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
