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
