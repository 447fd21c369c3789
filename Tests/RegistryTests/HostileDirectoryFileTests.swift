import Foundation
import Registry
import Testing
import TestSupport

/// `Directory/` arrives by pull request: links, special files, keys with extras, invisible characters and
/// broken encodings are errors naming the file (and line), and nothing behind a link is ever read.
@Suite struct HostileDirectoryFileTests {
    private func check(_ setUp: (TemporaryWorkspace) throws -> Void) throws -> [DirectoryProblem] {
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        try setUp(temp)
        return DirectoryLoader().load(Workspace(root: temp.root)).1
    }

    private func errors(_ problems: [DirectoryProblem], in file: String) -> [DirectoryProblem] {
        problems.filter { $0.severity == .error && $0.file == file }
    }

    @Test func aSymbolicLinkIsAnErrorAndItsTargetIsNeverRead() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-secret-\(UUID().uuidString).yaml")
        try Data("id: leaked\nname: SECRET-LINE-FROM-TARGET\n".utf8).write(to: secret)
        defer { try? FileManager.default.removeItem(at: secret) }
        let problems = try check { temp in
            try FileManager.default.createSymbolicLink(at: temp.organizationsURL.appendingPathComponent("leak.yaml"),
                                                       withDestinationURL: secret)
            try FileManager.default.createSymbolicLink(at: temp.keysURL.appendingPathComponent("\(SharedKeys.good.fingerprint).asc"),
                                                       withDestinationURL: URL(fileURLWithPath: "/etc/passwd"))
        }
        let organization = errors(problems, in: "Directory/organizations/leak.yaml")
        #expect(organization.count == 1)
        #expect(organization.first?.message.contains("is a symbolic link") == true)
        let key = errors(problems, in: "Directory/keys/\(SharedKeys.good.fingerprint).asc")
        #expect(key.count == 1)
        #expect(key.first?.message.contains("is a symbolic link") == true)
        let all = problems.map(\.description).joined(separator: "\n")
        #expect(!all.contains("SECRET-LINE"))
        #expect(!all.contains("root:"))
    }

    @Test func aLinkedFolderAndSpecialFilesAreErrors() throws {
        let problems = try check { temp in
            try FileManager.default.createDirectory(at: temp.organizationsURL.appendingPathComponent("folder.yaml"),
                                                    withIntermediateDirectories: true)
            #expect(mkfifo(temp.keysURL.appendingPathComponent("\(SharedKeys.good.fingerprint).asc").path, 0o644) == 0)
        }
        #expect(errors(problems, in: "Directory/organizations/folder.yaml").first?.message.contains("is a folder") == true)
        #expect(errors(problems, in: "Directory/keys/\(SharedKeys.good.fingerprint).asc").first?.message.contains("is a named pipe") == true)

        let linked = try check { temp in
            try FileManager.default.removeItem(at: temp.organizationsURL)
            try FileManager.default.createSymbolicLink(at: temp.organizationsURL, withDestinationURL: URL(fileURLWithPath: "/etc"))
        }
        #expect(errors(linked, in: "Directory/organizations/").first?.message.contains("is a symbolic link") == true)
    }

    @Test func aKeyFileWithAnythingBeyondOnePublicKeyIsAnError() throws {
        let good = SharedKeys.good, other = SharedKeys.expiringSoon
        let problems = try check { temp in
            try temp.write("Directory/keys/\(good.fingerprint).asc", good.publicKey + "\n" + String(repeating: "trailing text\n", count: 1000))
            try temp.write("Directory/keys/\(other.fingerprint).asc", other.publicKey + SharedKeys.expired.publicKey)
            try temp.write("Directory/keys/\(SharedKeys.revoked.fingerprint).asc", "Hello\n" + SharedKeys.revoked.publicKey)
            try temp.write("Directory/keys/\(SharedKeys.withSecret.fingerprint).asc",
                           SharedKeys.withSecret.publicKey + (SharedKeys.withSecret.secretKey ?? ""))
        }
        let trailing = try #require(errors(problems, in: "Directory/keys/\(good.fingerprint).asc").first)
        #expect(trailing.message.contains("text after the public key"))
        #expect(trailing.line > 3)
        #expect(errors(problems, in: "Directory/keys/\(other.fingerprint).asc").first?.message.contains("a second public key block") == true)
        #expect(errors(problems, in: "Directory/keys/\(SharedKeys.revoked.fingerprint).asc").first?.message.contains("text before the public key") == true)
        #expect(errors(problems, in: "Directory/keys/\(SharedKeys.withSecret.fingerprint).asc").first?.message.contains("secret key") == true)
    }

    @Test(arguments: [("\u{202E}", "U+202E"), ("\u{200B}", "U+200B"), ("\u{FEFF}", "U+FEFF"), ("\u{2066}", "U+2066"),
                      ("\u{202A}", "U+202A"), ("\u{00AD}", "U+00AD")])
    func namesWithBidiControlsOrInvisibleCharactersAreErrors(character: String, code: String) throws {
        let problems = try check { temp in
            try temp.writeOrganization("evil", TemporaryWorkspace.organizationYAML(id: "evil", name: "Good\(character)Corp"))
        }
        let problem = try #require(errors(problems, in: "Directory/organizations/evil.yaml").first)
        #expect(problem.line == 2)
        #expect(problem.message.contains("name contains the invisible character \(code)"), "\(problem)")
    }

    @Test func anInvalidUTF8ByteIsNamedWithItsLine() throws {
        let problems = try check { temp in
            var bytes = Data(TemporaryWorkspace.organizationYAML(id: "latin", extra: "notes: caf\n").utf8)
            let notes = try #require(bytes.range(of: Data("notes: caf".utf8)))
            bytes.insert(0xE9, at: notes.upperBound)
            try bytes.write(to: temp.organizationsURL.appendingPathComponent("latin.yaml"))
        }
        let problem = try #require(errors(problems, in: "Directory/organizations/latin.yaml").first)
        #expect(problem.line == 6)
        #expect(problem.message.contains("0xE9 is not UTF-8"))
    }
}
