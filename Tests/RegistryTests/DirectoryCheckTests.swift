import Foundation
import Registry
import Testing
import TestSupport

/// `directory check`: every error and warning of the issue, at the right file and line.
@Suite struct DirectoryCheckTests {
    private func check(_ setUp: (TemporaryWorkspace) throws -> Void) throws -> [DirectoryProblem] {
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        try setUp(temp)
        return DirectoryLoader().load(Workspace(root: temp.root)).1
    }

    private func descriptions(_ problems: [DirectoryProblem]) -> String {
        problems.map(\.description).joined(separator: "\n")
    }

    @Test func aValidOrganizationHasNoProblems() throws {
        let problems = try check { temp in
            try temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora", extra: """
                localName: 株式会社あおぞら
                domains: [aozora.example]
                languages: [ja, en]
                memberships:
                  - { body: FIRST, role: full, since: 2005-01-01, until: 2007-01-01 }
                agreements:
                  - { kind: developer-registration, signed: 2004-07-08 }
                status: active
                notes: |
                  Two lines
                  of notes.

                """))
        }
        #expect(problems.isEmpty, "\(descriptions(problems))")
    }

    @Test func yamlSyntaxErrorIsReportedAtItsLine() throws {
        let problems = try check { temp in
            try temp.writeOrganization("broken", "id: broken\nname: Broken\ncontacts:\n  - { email: a@b.example\nkind: csirt\n")
        }
        #expect(problems.count == 1)
        #expect(problems[0].severity == .error)
        #expect(problems[0].file == "Directory/organizations/broken.yaml")
        #expect(problems[0].message.hasPrefix("YAML syntax"))
        #expect(problems[0].line >= 4)
    }

    @Test func unknownFieldIsAnErrorAtItsLineWithASuggestion() throws {
        let problems = try check { temp in
            try temp.writeOrganization("x", TemporaryWorkspace.organizationYAML(id: "x", extra: "contry: JP\n"))
        }
        let problem = try #require(problems.first { $0.message.contains("contry") })
        #expect(problem.severity == .error)
        #expect(problem.line == 6)
        #expect(problem.message.contains("did you mean \"country\""))
        #expect(problem.description.hasPrefix("Directory/organizations/x.yaml:6: error: unknown field"))
    }

    @Test func missingFieldsAreErrors() throws {
        let problems = try check { temp in
            try temp.writeOrganization("x", "id: x\nname: X\ncontacts:\n  - { name: No address }\n")
        }
        let messages = problems.filter { $0.severity == .error }.map(\.message)
        #expect(messages.contains { $0.contains("missing the field \"kind\"") })
        #expect(messages.contains { $0.contains("missing the field \"country\"") })
        #expect(messages.contains { $0.contains("contact is missing the field \"email\"") })
    }

    @Test func idMustMatchTheFileName() throws {
        let problems = try check { temp in
            try temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora-systems"))
        }
        let problem = try #require(problems.first)
        #expect(problem.line == 1)
        #expect(problem.message.contains("does not match the file name aozora.yaml"))
    }

    @Test func unknownKindIsAnError() throws {
        let problems = try check { temp in
            try temp.writeOrganization("x", TemporaryWorkspace.organizationYAML(id: "x", kind: "vendor"))
        }
        let problem = try #require(problems.first)
        #expect(problem.line == 3)
        #expect(problem.message.contains("unknown kind \"vendor\""))
    }

    @Test func countryMustBeAnISOAlpha2Code() throws {
        let problems = try check { temp in
            try temp.writeOrganization("a", TemporaryWorkspace.organizationYAML(id: "a", country: "XX"))
            try temp.writeOrganization("b", TemporaryWorkspace.organizationYAML(id: "b", country: "jp"))
            try temp.writeOrganization("c", TemporaryWorkspace.organizationYAML(id: "c", country: "JPN"))
        }
        #expect(problems.count == 3)
        #expect(problems.allSatisfy { $0.severity == .error && $0.line == 4 && $0.message.contains("ISO 3166-1 alpha-2") })
        #expect(problems[1].message.contains("upper case: JP"))
    }

    @Test func malformedEmailAddressIsAnError() throws {
        for address in ["psirt", "psirt@", "@x.example", "a..b@x.example", "a@localhost", "a b@x.example", "\"q\"@x.example"] {
            let problems = try check { temp in
                try temp.writeOrganization("x", TemporaryWorkspace.organizationYAML(id: "x", email: "'\(address)'"))
            }
            #expect(problems.contains { $0.severity == .error && $0.line == 7 && $0.message.contains("malformed email address") },
                    "\(address): \(descriptions(problems))")
        }
    }

    @Test func theSameAddressTwiceInTheDirectoryIsAnError() throws {
        let problems = try check { temp in
            try temp.writeOrganization("a", TemporaryWorkspace.organizationYAML(id: "a", email: "psirt@shared.example"))
            try temp.writeOrganization("b", TemporaryWorkspace.organizationYAML(id: "b", email: "PSIRT@Shared.example"))
        }
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.file == "Directory/organizations/b.yaml")
        #expect(problem.line == 7)
        #expect(problem.message.contains("already used at Directory/organizations/a.yaml:7"))
    }

    @Test func controlCharactersInNamesAndAddressesAreErrors() throws {
        let problems = try check { temp in
            try temp.writeOrganization("x", """
                id: x
                name: "Evil\\r\\nBcc: victim@elsewhere.example"
                kind: csirt
                country: JP
                contacts:
                  - { email: "a@x.example\\nBcc: b@y.example", name: "Tab\\there", role: to }

                """)
        }
        let errors = problems.filter { $0.severity == .error }
        #expect(errors.contains { $0.line == 2 && $0.message.contains("control character CR") })
        #expect(errors.contains { $0.line == 6 && $0.message.contains("email contains the control character LF") })
        #expect(errors.contains { $0.line == 6 && $0.message.contains("contact name contains the control character TAB") })
    }

    @Test func aFingerprintWithoutItsKeyFileIsAnError() throws {
        let fingerprint = String(repeating: "AB12", count: 10)
        let problems = try check { temp in
            try temp.writeOrganization("x", TemporaryWorkspace.organizationYAML(id: "x", pgp: fingerprint))
        }
        let problem = try #require(problems.first)
        #expect(problem.severity == .error)
        #expect(problem.line == 7)
        #expect(problem.message.contains("has no key file Directory/keys/\(fingerprint).asc"))
    }

    @Test func aKeyFileThatIsNotAPublicKeyIsAnError() throws {
        let fingerprint = String(repeating: "CD34", count: 10)
        let problems = try check { temp in
            try temp.write("Directory/keys/\(fingerprint).asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n")
            try temp.write("Directory/keys/\(String(repeating: "EF56", count: 10)).asc", "hello\n")
        }
        #expect(problems.count == 2)
        #expect(problems.allSatisfy { $0.severity == .error && $0.message.contains("not an OpenPGP public key") })
    }

    @Test func aKeyFileHoldingASecretKeyIsAnError() throws {
        let key = SharedKeys.withSecret
        let problems = try check { temp in
            try temp.write("Directory/keys/\(key.fingerprint).asc", try #require(key.secretKey))
        }
        let problem = try #require(problems.first)
        #expect(problem.severity == .error)
        #expect(problem.message.contains("holds a secret key"))
    }

    @Test func aKeyFileNamedAfterAnotherKeyIsAnError() throws {
        let problems = try check { temp in
            try temp.write("Directory/keys/\(SharedKeys.expired.fingerprint).asc", SharedKeys.good.publicKey)
        }
        #expect(problems.first?.message.contains("rename the file to \(SharedKeys.good.fingerprint).asc") == true)
    }

    @Test func membershipEndingBeforeItBeginsIsAnError() throws {
        let problems = try check { temp in
            try temp.writeOrganization("x", TemporaryWorkspace.organizationYAML(id: "x", extra: """
                memberships:
                  - body: APCERT
                    role: full
                    since: 2005-01-01
                    until: 2004-12-31

                """))
        }
        let problem = try #require(problems.first)
        #expect(problem.severity == .error)
        #expect(problem.line == 10)
        #expect(problem.message.contains("before it begins"))
    }

    @Test func expiredRevokedAndSoonExpiringKeysAreWarnings() throws {
        let problems = try check { temp in
            for (id, key) in [("old", SharedKeys.expired), ("soon", SharedKeys.expiringSoon), ("revoked", SharedKeys.revoked)] {
                try temp.writeKey(key)
                try temp.writeOrganization(id, TemporaryWorkspace.organizationYAML(id: id, email: "psirt@\(id).example", pgp: key.fingerprint))
            }
        }
        #expect(problems.count == 3, "\(descriptions(problems))")
        #expect(problems.allSatisfy { $0.severity == .warning && $0.line == 7 })
        #expect(problems.contains { $0.file.hasSuffix("old.yaml") && $0.message.contains("expired on 2020-12-31") })
        #expect(problems.contains { $0.file.hasSuffix("soon.yaml") && $0.message.contains("in 10 days") })
        #expect(problems.contains { $0.file.hasSuffix("revoked.yaml") && $0.message.contains("is revoked") })
    }

    @Test func aKeyWithoutTheContactsAddressIsAWarning() throws {
        let problems = try check { temp in
            try temp.writeKey(SharedKeys.good)
            try temp.writeOrganization("x", TemporaryWorkspace.organizationYAML(id: "x", email: "other@x.example", pgp: SharedKeys.good.fingerprint))
        }
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.severity == .warning)
        #expect(problem.message.contains("no user ID of the key"))
        #expect(problem.message.contains("PSIRT <psirt@good.example>"))
    }

    @Test func anOrganizationWithoutAnActiveToContactIsAWarning() throws {
        let problems = try check { temp in
            try temp.writeOrganization("x", """
                id: x
                name: X
                kind: csirt
                country: JP
                contacts:
                  - { email: cc@x.example, role: cc }
                  - { email: old@x.example, role: to, active: false }

                """)
        }
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.severity == .warning)
        #expect(problem.line == 5)
        #expect(problem.message.contains("no active contact with role to"))
    }

    @Test func aDeveloperWithoutTechnologiesIsAWarning() throws {
        let problems = try check { temp in
            try temp.writeOrganization("x", TemporaryWorkspace.organizationYAML(id: "x", technologies: []))
        }
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.severity == .warning)
        #expect(problem.line == 5)
        #expect(problem.message.contains("lists no technologies"))
    }

    @Test func retiredOrganizationsNeedARetirementDate() throws {
        let problems = try check { temp in
            try temp.writeOrganization("x", TemporaryWorkspace.organizationYAML(id: "x", extra: "status: retired\n"))
            try temp.writeOrganization("y", TemporaryWorkspace.organizationYAML(id: "y", extra: "status: { retired: 2007-02-30 }\n"))
        }
        #expect(problems.count == 2)
        #expect(problems[0].message.contains("needs its date"))
        #expect(problems[1].message.contains("\"2007-02-30\" is not a day of the calendar"))
    }
}
