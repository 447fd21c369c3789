import Foundation
import Registry

/// Registries for the tests on either engine: SQLite in memory, or a fresh database of the test process's
/// PostgreSQL server (`PostgresServer.shared()`), both with the whole schema. Tests of what the store answers take
/// the engine as a parameter (`@Test(arguments: StoreEngineKind.allCases)`) and get their registry here.
public enum PostgresFixture {
    /// The variable the password is read from, as `store.password_env` names it in a workspace.
    static let passwordVariable = "LIAISON_TEST_STORE_PASSWORD"

    /// A registry with the whole schema in a fresh database of the shared test server, opened as a workspace's
    /// `store:` names one (loopback, no TLS, password from `store.password_env`). Throws when PostgreSQL is not
    /// installed or does not start.
    public static func store() throws -> RegistryStore {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let settings = WorkspaceConfiguration.Store(url: database.url, passwordEnv: passwordVariable, tls: "none")
        return try Workspace(root: FileManager.default.temporaryDirectory)
            .openStore(settings, sqlitePath: "", opening: .init(creatingIfMissing: true),
                       environment: [passwordVariable: server.password])
    }

    /// A registry on `kind`: in memory for SQLite, a fresh database of the test server for PostgreSQL.
    public static func store(_ kind: StoreEngineKind) throws -> RegistryStore {
        switch kind {
        case .sqlite: return try RegistryStore.inMemory()
        case .postgresql: return try store()
        }
    }
}
