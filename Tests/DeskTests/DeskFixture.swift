import Foundation
import Gateway
import Registry
import TestSupport

/// A workspace for the desk's tests: a few product developers synced into the registry, users of each role added
/// through `liaison user add`, and `liaison serve` started on a free loopback port.
final class DeskFixture {
    let workspace: TemporaryWorkspace
    let server: DeskServerProcess
    static let password = "correct horse battery staple"

    var root: URL { workspace.root }

    /// `developers` become product developers implementing tls; `names` gives some a display name.
    init(developers: [String] = ["acme", "globex", "initech"], names: [String: String] = [:],
         users: [(String, String)] = [("alice", "coordinator"), ("lena", "lead"), ("audrey", "auditor")],
         prepare: (RegistryStore) throws -> Void = { _ in }) throws {
        let workspace = try TemporaryWorkspace()
        self.workspace = workspace
        let root = workspace.root
        do {
            try workspace.writeOrganization("test-csirt", TemporaryWorkspace.organizationYAML(
                id: "test-csirt", name: "Test CSIRT", kind: "national-csirt", technologies: [], email: "vuls@csirt.example"))
            for id in developers {
                try workspace.writeOrganization(id, TemporaryWorkspace.organizationYAML(id: id, name: names[id].map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }))
            }
            let sync = try runLiaison(["directory", "sync"], workspace: root)
            guard sync.status == 0 else { throw DeskServerDidNotStart(stderr: sync.stderr) }
            for (name, role) in users {
                try DeskServerProcess.addUser(name, role: role, password: Self.password, workspace: root)
            }
            let store = try RegistryStore(path: root.appendingPathComponent(".liaison/registry.sqlite").path)
            try prepare(store)
            server = try DeskServerProcess.start(workspace: root)
        } catch {
            workspace.remove()
            throw error
        }
    }

    /// A client logged in as `name`.
    func client(as name: String) throws -> DeskHTTPClient {
        let client = DeskHTTPClient(base: server.baseURL)
        try client.login(name: name, password: Self.password)
        return client
    }

    /// A client without a session.
    func anonymous() -> DeskHTTPClient { DeskHTTPClient(base: server.baseURL) }

    /// The workspace's store, opened by the test (beside the server).
    func store() throws -> RegistryStore {
        try RegistryStore(path: root.appendingPathComponent(".liaison/registry.sqlite").path)
    }

    func remove() {
        server.stop()
        workspace.remove()
    }
}
