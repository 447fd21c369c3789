import Foundation
import Testing
import TestSupport

/// The registry commands as a user runs them: exit status, stdout, stderr.
@Suite struct RegistryCommandTests {
    private func workspace(_ organizations: [String: String] = [:]) throws -> TemporaryWorkspace {
        let temp = try TemporaryWorkspace()
        for (id, yaml) in organizations { try temp.writeOrganization(id, yaml) }
        return temp
    }

    @Test func initMakesAWorkspaceAndNeverOverwrites() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-init-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try runLiaison(["init", root.path], workspace: nil)
        #expect(first.status == 0)
        #expect(first.stdout.contains("created liaison.yaml"))
        #expect(first.stdout.contains("created Directory/organizations/"))
        for path in ["liaison.yaml", "Directory/organizations", "Directory/keys", "Templates", ".liaison"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "\(path)")
        }
        try Data("report:\n  timezone: Asia/Tokyo\n".utf8).write(to: root.appendingPathComponent("liaison.yaml"))
        let second = try runLiaison(["init", root.path], workspace: nil)
        #expect(second.status == 0)
        #expect(second.stdout.contains("nothing was changed"))
        #expect(try String(contentsOf: root.appendingPathComponent("liaison.yaml"), encoding: .utf8) == "report:\n  timezone: Asia/Tokyo\n")
    }

    @Test func withoutAWorkspaceTheErrorIsOneClearLine() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-none-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let result = try runLiaison(["org", "list", "--workspace", empty.path], workspace: nil)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("is not a Liaison workspace"))
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func aUsageErrorExitsWithOne() throws {
        let temp = try workspace()
        defer { temp.remove() }
        let result = try runLiaison(["org", "list", "--format", "xml"], workspace: temp.root)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: The value 'xml' is invalid for '--format <format>'"))
    }

    @Test func checkPrintsEveryProblemAsFileLineAndFailsOnErrors() throws {
        let temp = try workspace([
            "good": TemporaryWorkspace.organizationYAML(id: "good"),
            "bad": TemporaryWorkspace.organizationYAML(id: "bad", kind: "vendor", country: "XX", email: "nobody"),
        ])
        defer { temp.remove() }
        let result = try runLiaison(["directory", "check"], workspace: temp.root)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines == [
            "Directory/organizations/bad.yaml:3: error: unknown kind \"vendor\" (expected one of national-csirt, coordinator, product-developer, csirt, government, other)",
            "Directory/organizations/bad.yaml:4: error: country \"XX\" is not an ISO 3166-1 alpha-2 code",
            "Directory/organizations/bad.yaml:7: error: malformed email address \"nobody\"",
        ])
        #expect(result.stdout.contains("3 errors, 0 warnings"))
    }

    @Test func checkWithOnlyWarningsSucceeds() throws {
        let temp = try workspace(["lazy": TemporaryWorkspace.organizationYAML(id: "lazy", technologies: [])])
        defer { temp.remove() }
        let result = try runLiaison(["directory", "check"], workspace: temp.root)
        #expect(result.status == 0)
        #expect(result.stderr.contains("Directory/organizations/lazy.yaml:5: warning: the product developer lazy lists no technologies"))
        #expect(result.stdout.contains("0 errors, 1 warning"))
    }

    @Test func syncPrintsChangesThenNothingChanged() throws {
        let temp = try workspace(["aozora": TemporaryWorkspace.organizationYAML(id: "aozora")])
        defer { temp.remove() }
        let dryRun = try runLiaison(["directory", "sync", "--dry-run"], workspace: temp.root)
        #expect(dryRun.status == 0)
        #expect(dryRun.stdout.contains("+ organization aozora"))
        #expect(dryRun.stdout.contains("dry run: nothing was written"))

        let first = try runLiaison(["directory", "sync"], workspace: temp.root)
        #expect(first.status == 0)
        #expect(first.stdout.contains("+ organization aozora\n+ contact psirt@aozora.example (aozora)\n"))

        try temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora", name: "Aozora Systems"))
        let second = try runLiaison(["directory", "sync"], workspace: temp.root)
        #expect(second.stdout.contains("~ organization aozora: name \"Company aozora\" → \"Aozora Systems\""))

        let third = try runLiaison(["directory", "sync"], workspace: temp.root)
        #expect(third.status == 0)
        #expect(third.stdout == "Nothing changed.\n")

        let audit = try runLiaison(["audit", "verify"], workspace: temp.root)
        #expect(audit.status == 0)
        #expect(audit.stdout.contains("intact: 3 events"))
    }

    @Test func syncRefusesADirectoryWithErrors() throws {
        let temp = try workspace(["bad": TemporaryWorkspace.organizationYAML(id: "bad", country: "ZZ")])
        defer { temp.remove() }
        let result = try runLiaison(["directory", "sync"], workspace: temp.root)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("Directory/organizations/bad.yaml:4: error:"))
        #expect(result.stderr.contains("Nothing was synced"))
    }

    @Test func orgListFiltersAndFormats() throws {
        let temp = try workspace([
            "aozora": TemporaryWorkspace.organizationYAML(id: "aozora", name: "株式会社あおぞら", technologies: ["tls", "dns"]),
            "kumo": TemporaryWorkspace.organizationYAML(id: "kumo", technologies: ["tls"]),
            "eagle": TemporaryWorkspace.organizationYAML(id: "eagle", country: "US", technologies: ["dns"]),
            "krcert-cc": TemporaryWorkspace.organizationYAML(id: "krcert-cc", kind: "national-csirt", country: "KR", technologies: [],
                                                            extra: "memberships: [{ body: APCERT, role: full, since: 2003-02-01 }]\n"),
        ])
        defer { temp.remove() }
        #expect(try runLiaison(["directory", "sync"], workspace: temp.root).status == 0)

        func listed(_ arguments: [String]) throws -> [String] {
            let result = try runLiaison(["org", "list", "--format", "json"] + arguments, workspace: temp.root)
            #expect(result.status == 0, "\(result.stderr)")
            let objects = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
            return objects.compactMap { $0["id"] as? String }
        }
        #expect(try listed([]) == ["aozora", "eagle", "krcert-cc", "kumo"])
        #expect(try listed(["--kind", "national-csirt"]) == ["krcert-cc"])
        #expect(try listed(["--country", "JP"]) == ["aozora", "kumo"])
        #expect(try listed(["--member", "APCERT"]) == ["krcert-cc"])
        #expect(try listed(["--technology", "tls"]) == ["aozora", "kumo"])
        #expect(try listed(["--technology", "tls", "--technology", "dns"]) == ["aozora"])
        #expect(try listed(["--technology", "dns", "--country", "US"]) == ["eagle"])

        let table = try runLiaison(["org", "list", "--technology", "dns"], workspace: temp.root)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        // Wide characters count two columns, so the next column lines up under its header.
        let header = try #require(lines.first)
        let aozora = try #require(lines.first { $0.hasPrefix("aozora") })
        let technologiesColumn = try #require(header.range(of: "TECHNOLOGIES")).lowerBound.utf16Offset(in: header)
        let prefix = try #require(aozora.range(of: "tls, dns")).lowerBound
        let width = aozora[..<prefix].unicodeScalars.reduce(0) { $0 + ($1.value >= 0x3000 ? 2 : 1) }
        #expect(width == technologiesColumn)

        let csv = try runLiaison(["org", "list", "--format", "csv", "--country", "US"], workspace: temp.root)
        #expect(csv.stdout == "id,name,localName,kind,country,status,technologies\r\neagle,Company eagle,,product-developer,US,active,dns\r\n")

        let bad = try runLiaison(["org", "list", "--kind", "vendor"], workspace: temp.root)
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("--kind vendor is not a kind"))
    }

    @Test func orgShowListsContactsKeysMembershipsAndAgreements() throws {
        let temp = try workspace()
        defer { temp.remove() }
        let key = try TemporaryWorkspace.generateKey(.init(userId: "PSIRT <psirt@aozora.example>"))
        try temp.writeKey(key)
        try temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(
            id: "aozora", pgp: key.fingerprint,
            extra: "agreements: [{ kind: developer-registration, signed: 2004-07-08 }]\nmemberships: [{ body: FIRST, role: full, since: 2005-01-01 }]\n"))
        #expect(try runLiaison(["directory", "sync"], workspace: temp.root).status == 0)

        let table = try runLiaison(["org", "show", "aozora"], workspace: temp.root)
        #expect(table.status == 0)
        #expect(table.stdout.contains(key.fingerprint))
        #expect(table.stdout.contains("developer-registration  2004-07-08"))
        #expect(table.stdout.contains("FIRST  full  2005-01-01"))

        let json = try runLiaison(["org", "show", "aozora", "--format", "json"], workspace: temp.root)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let contacts = try #require(document["contacts"] as? [[String: Any]])
        let contactKey = try #require(contacts.first?["key"] as? [String: Any])
        #expect(contactKey["fingerprint"] as? String == key.fingerprint)
        #expect(contactKey["usable"] as? Bool == true)

        let missing = try runLiaison(["org", "show", "nobody"], workspace: temp.root)
        #expect(missing.status == 1)
        #expect(missing.stderr == "No organisation has the id \"nobody\"; see `liaison org list`.\n")
    }

    /// A key file is ASCII armor, printable lines: a control character in it (here U+0000 in an armor header,
    /// which gpg itself would read past) is named with its file and line by check and sync, and nothing is synced.
    @Test func aControlCharacterInAKeyFileIsNamedWithItsLine() throws {
        let temp = try workspace()
        defer { temp.remove() }
        let key = try TemporaryWorkspace.generateKey(.init(userId: "PSIRT <psirt@aozora.example>"))
        let armored = key.publicKey.replacingOccurrences(of: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n",
                                                          with: "-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: a\u{0}b\n")
        try temp.write("Directory/keys/\(key.fingerprint).asc", armored)
        try temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora", pgp: key.fingerprint))
        for command in ["check", "sync"] {
            let result = try runLiaison(["directory", command], workspace: temp.root)
            #expect(result.status == 1, "\(command): \(result.stdout)")
            #expect(result.stderr.contains("Directory/keys/\(key.fingerprint).asc:2: error: contains the control character U+0000"),
                    "\(command): \(result.stderr)")
        }
        #expect(!(try runLiaison(["org", "list"], workspace: temp.root).stdout.contains("aozora")))
    }

    @Test func keyCheckFailsWhenAKeyIsExpired() throws {
        let temp = try workspace()
        defer { temp.remove() }
        let expired = try TemporaryWorkspace.generateKey(.init(userId: "Old <psirt@old.example>", expiry: .expired))
        try temp.writeKey(expired)
        try temp.writeOrganization("old", TemporaryWorkspace.organizationYAML(id: "old", email: "psirt@old.example", pgp: expired.fingerprint))
        try temp.writeOrganization("fine", TemporaryWorkspace.organizationYAML(id: "fine"))
        #expect(try runLiaison(["directory", "sync"], workspace: temp.root).status == 0)

        let result = try runLiaison(["key", "check", "--within", "30"], workspace: temp.root)
        #expect(result.status == 1)
        #expect(result.stdout == "psirt@old.example (old): key \(expired.fingerprint) expired on 2020-12-31\n")
        let keyless = try runLiaison(["key", "check", "--include-keyless"], workspace: temp.root)
        #expect(keyless.stdout.contains("psirt@fine.example (fine) has no key"))
    }

    @Test func exportWritesYAMLJSONAndCSV() throws {
        let temp = try workspace(["aozora": TemporaryWorkspace.organizationYAML(id: "aozora", name: "Aozora, Inc.")])
        defer { temp.remove() }
        #expect(try runLiaison(["directory", "sync"], workspace: temp.root).status == 0)
        let yaml = try runLiaison(["directory", "export"], workspace: temp.root)
        #expect(yaml.stdout.hasPrefix("---\nid: aozora\nname: \"Aozora, Inc.\"\n"))
        let csv = try runLiaison(["directory", "export", "--format", "csv"], workspace: temp.root)
        #expect(csv.stdout.contains("\r\naozora,\"Aozora, Inc.\",,product-developer,JP,active,tls,,psirt@aozora.example,PSIRT,to,ja,,yes\r\n"))
        let json = try runLiaison(["directory", "export", "--format", "json"], workspace: temp.root)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(array.first?["id"] as? String == "aozora")

        let out = temp.root.appendingPathComponent("exported")
        let written = try runLiaison(["directory", "export", "--output", out.path], workspace: temp.root)
        #expect(written.status == 0)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("organizations/aozora.yaml").path))
    }

    @Test func theSampleDirectoryOfTheRepositoryChecksWithoutErrors() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try runLiaison(["directory", "check", "--workspace", repository.path], workspace: nil)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("error:"))
    }
}
