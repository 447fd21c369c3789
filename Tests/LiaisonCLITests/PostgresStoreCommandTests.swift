import Foundation
import Testing
import TestSupport

/// A workspace whose registry is a PostgreSQL database (`store:` in liaison.yaml), as an operator meets it: a
/// wrong setting, a server that is down or a wrong password is one line naming the URL, never the password.
@Suite struct PostgresStoreCommandTests {
    static func workspace(store: String) throws -> TemporaryWorkspace {
        try TemporaryWorkspace(configuration: TemporaryWorkspace.defaultConfiguration + store)
    }

    @Test func aPasswordInTheURLIsRefusedInOneLine() throws {
        let temp = try Self.workspace(store: "store: postgresql://liaison:hunter2@127.0.0.1/registry\n")
        defer { temp.remove() }
        let result = try runLiaison(["case", "list"], workspace: temp.root)
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("store"), "\(result.stderr)")
        #expect(result.stderr.contains("holds a password") && result.stderr.contains("store.password_env"), "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2"))
    }

    /// `store copy` takes the destination's settings as options: what is wrong with them is said in those options'
    /// names, not liaison.yaml's, and nothing is copied.
    @Test func storeCopyNamesItsOwnOptions() throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        try temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora"))
        #expect(try runLiaison(["directory", "sync"], workspace: temp.root).status == 0)
        let plain = try runLiaison(["store", "copy", "--to", database.url, "--password-env", "LIAISON_TEST_PG"], workspace: temp.root,
                                   environment: ["LIAISON_TEST_PG": server.password])
        #expect(plain.status == 1 && plain.stderr.split(separator: "\n").count == 1, "\(plain.stderr)")
        #expect(plain.stderr.contains("does not offer TLS") && plain.stderr.contains("--tls none") && !plain.stderr.contains("store."),
                "\(plain.stderr)")
        let unset = try runLiaison(["store", "copy", "--to", database.url, "--password-env", "LIAISON_NO_SUCH_VARIABLE", "--tls", "none"],
                                   workspace: temp.root)
        #expect(unset.status == 1 && unset.stderr.contains("--password-env names LIAISON_NO_SUCH_VARIABLE"), "\(unset.stderr)")
        #expect(try server.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
                               database: database.name).trimmingCharacters(in: .whitespacesAndNewlines) == "0", "nothing copied")
        // A SQLite file in a folder that is not there, and a destination that is not empty, are named as given.
        let nowhere = "/nonexistent-\(UUID().uuidString.prefix(8))/copy.sqlite"
        let noFolder = try runLiaison(["store", "copy", "--to", nowhere], workspace: temp.root)
        #expect(noFolder.status != 0 && noFolder.stderr.contains("--to \(nowhere): the folder /nonexistent-"), "\(noFolder.stderr)")
        let copied = try runLiaison(["store", "copy", "--to", database.url, "--password-env", "LIAISON_TEST_PG", "--tls", "none"],
                                    workspace: temp.root, environment: ["LIAISON_TEST_PG": server.password])
        #expect(copied.status == 0, "\(copied.stderr)")
        let again = try runLiaison(["store", "copy", "--to", database.url, "--password-env", "LIAISON_TEST_PG", "--tls", "none"],
                                   workspace: temp.root, environment: ["LIAISON_TEST_PG": server.password])
        #expect(again.status == 1 && again.stderr.contains("the destination \(database.url) already holds"), "\(again.stderr)")
    }

    /// The desk's server on the database's own machine reaches it through its Unix socket, as libpq's URLs name
    /// it; `store copy --to` takes the same URL.
    @Test func aServerOnThisMachineIsReachedThroughItsUnixSocket() throws {
        let server = try PostgresServer.shared()
        let socketURL = { (name: String) in "postgresql://liaison@:\(server.port)/\(name)?host=\(server.socketFolder.path)" }
        let database = try server.makeDatabase()
        let temp = try TemporaryWorkspace(configuration: TemporaryWorkspace.defaultConfiguration
            + "store:\n  url: \(socketURL(database.name))\n  password_env: LIAISON_TEST_PG\n")
        defer { temp.remove() }
        try temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora"))
        let environment = ["LIAISON_TEST_PG": server.password]
        let sync = try runLiaison(["directory", "sync"], workspace: temp.root, environment: environment)
        #expect(sync.status == 0, "\(sync.stderr)")
        let list = try runLiaison(["org", "list"], workspace: temp.root, environment: environment)
        #expect(list.status == 0 && list.stdout.contains("aozora"), "\(list.stdout)\(list.stderr)")
        #expect(try server.sql("SELECT count(*) FROM organization", database: database.name)
            .trimmingCharacters(in: .whitespacesAndNewlines) == "1")

        let sqlite = try TemporaryWorkspace()
        defer { sqlite.remove() }
        try sqlite.writeOrganization("hikari", TemporaryWorkspace.organizationYAML(id: "hikari"))
        #expect(try runLiaison(["directory", "sync"], workspace: sqlite.root).status == 0)
        let target = try server.makeDatabase()
        let copy = try runLiaison(["store", "copy", "--to", socketURL(target.name), "--password-env", "LIAISON_TEST_PG"],
                                  workspace: sqlite.root, environment: environment)
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(try server.sql("SELECT id FROM organization", database: target.name)
            .trimmingCharacters(in: .whitespacesAndNewlines) == "hikari")

        // A folder or port where no server listens: one line naming the socket that is not there.
        let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-no-socket-\(UUID().uuidString.prefix(8))").path
        let missing = try TemporaryWorkspace(configuration: TemporaryWorkspace.defaultConfiguration
            + "store:\n  url: postgresql://liaison@:\(server.port)/\(database.name)?host=\(nowhere)\n  password_env: LIAISON_TEST_PG\n")
        defer { missing.remove() }
        let unreachable = try runLiaison(["org", "list"], workspace: missing.root, environment: environment)
        #expect(unreachable.status == 1 && unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("cannot be reached through the socket \(nowhere)/.s.PGSQL.\(server.port) (No such file or directory);"),
                "\(unreachable.stderr)")
    }

    /// A database user the administrator gave no rights on the registry's tables: every command is one line with
    /// the server's refusal, and nothing is changed.
    @Test func aUserWithoutRightsOnTheRegistryIsOneLine() throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let environment = ["LIAISON_TEST_PG": server.password]
        let owner = try Self.workspace(store: "store:\n  url: \(database.url)\n  password_env: LIAISON_TEST_PG\n  tls: none\n")
        defer { owner.remove() }
        #expect(try runLiaison(["directory", "sync"], workspace: owner.root, environment: environment).status == 0)
        let role = "r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        _ = try server.sql("CREATE ROLE \(role) LOGIN PASSWORD 'pw-\(role)'")
        let url = database.url.replacingOccurrences(of: "\(server.user)@", with: "\(role)@")
        let temp = try Self.workspace(store: "store:\n  url: \(url)\n  password_env: LIAISON_TEST_PG\n  tls: none\n")
        defer { temp.remove() }
        for args in [["org", "list"], ["audit", "verify"], ["case", "open", "JVNVU#20261211", "--title", "T", "--origin", "jvn-jp"],
                     ["directory", "sync"]] {
            let result = try runLiaison(args, workspace: temp.root, environment: ["LIAISON_TEST_PG": "pw-\(role)"])
            #expect(result.status == 1, "\(args): \(result.stdout)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(args): \(result.stderr)")
            #expect(result.stderr.contains("permission denied"), "\(args): \(result.stderr)")
        }
        #expect(try server.sql("SELECT count(*) FROM \"case\"", database: database.name)
            .trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func aServerThatIsDownIsOneLineNamingIt() throws {
        let closed = try LoopbackPort(listening: false)
        let url = "postgresql://liaison@127.0.0.1:\(closed.port)/registry"
        let temp = try Self.workspace(store: "store:\n  url: \(url)\n  password_env: LIAISON_TEST_PG\n  tls: none\n")
        defer { temp.remove() }
        let result = try runLiaison(["case", "list"], workspace: temp.root, environment: ["LIAISON_TEST_PG": "hunter2"])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("The registry database \(url) cannot be reached"), "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2"))
        // doctor names the registry that does not open, not a sender missing from it.
        let doctor = try runLiaison(["doctor"], workspace: temp.root, environment: ["LIAISON_TEST_PG": "hunter2"])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("FAIL registry: The registry database \(url) cannot be reached"), "\(doctor.stdout)")
        #expect(!doctor.stdout.contains("is not in the registry"), "\(doctor.stdout)")
        #expect(!FileManager.default.fileExists(atPath: temp.root.appendingPathComponent(".liaison/registry.sqlite").path))
    }

    @Test func aWrongPasswordIsOneLineWithoutIt() throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let temp = try Self.workspace(store: "store:\n  url: \(database.url)\n  password_env: LIAISON_TEST_PG\n  tls: none\n")
        defer { temp.remove() }
        let wrong = try runLiaison(["case", "list"], workspace: temp.root, environment: ["LIAISON_TEST_PG": "not-\(server.password)"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.split(separator: "\n").count == 1, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("refused the login of liaison"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains(server.password))
        // The right password reaches a database that holds no registry yet: the command says how to make one.
        let empty = try runLiaison(["case", "list"], workspace: temp.root, environment: ["LIAISON_TEST_PG": server.password])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("holds no registry yet; run `liaison directory sync`"), "\(empty.stderr)")
    }
}
