import Foundation
@testable import Registry
import Testing
import TestSupport

/// `RegistryStore.changeToken()`: changes with every committed write, from any connection or process, and not with
/// a read, on both engines.
@Suite struct ChangeTokenTests {
    /// Two stores on one database (as two processes'), and a way for a third process to commit a change to it.
    struct Pair {
        let desk: RegistryStore
        let other: RegistryStore
        let changeFromAnotherProcess: () throws -> Void
        let cleanUp: () -> Void
    }

    static func pair(_ kind: StoreEngineKind) throws -> Pair {
        let update = "UPDATE \"case\" SET title = 'changed' WHERE id = 'JVNVU#1'"
        switch kind {
        case .sqlite:
            let temp = try TemporaryWorkspace()
            let path = temp.root.appendingPathComponent(".liaison/registry.sqlite").path
            return Pair(desk: try RegistryStore(path: path), other: try RegistryStore(path: path), changeFromAnotherProcess: {
                // python3's sqlite3.
                let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()"
                let run = try runProcess("/usr/bin/python3", ["-c", script, path, update])
                #expect(run.status == 0, "\(run.stderr)")
            }, cleanUp: { temp.remove() })
        case .postgresql:
            let location = try PostgresFixture.location()
            let opening = RegistryStore.Opening(creatingIfMissing: true)
            return Pair(desk: try RegistryStore(postgres: location, opening: opening),
                        other: try RegistryStore(postgres: location, opening: opening), changeFromAnotherProcess: {
                // psql.
                _ = try PostgresServer.shared().sql(update, database: location.database)
            }, cleanUp: {})
        }
    }

    /// Whether the token stays the same around `body`. The test PostgreSQL server is shared with the tests running
    /// beside this one, whose commits change every database's token: tried until a quiet moment, within a deadline.
    static func tokenStays(_ store: RegistryStore, around body: () throws -> Void) throws -> Bool {
        let deadline = Date().addingTimeInterval(20)
        repeat {
            let before = try store.changeToken()
            try body()
            if try store.changeToken() == before { return true }
        } while Date() < deadline
        return false
    }

    @Test(arguments: StoreEngineKind.allCases)
    func theTokenChangesWithEveryCommitFromAnyConnectionAndOnlyThen(_ kind: StoreEngineKind) throws {
        let pair = try Self.pair(kind)
        defer { pair.cleanUp() }
        let desk = pair.desk
        #expect(try Self.tokenStays(desk) {}, "nothing committed: the same token")
        #expect(try Self.tokenStays(desk) { _ = try desk.cases.list(openOnly: false) }, "a read commits nothing")

        // A write by another connection (as another process's).
        let beforeOther = try desk.changeToken()
        try pair.other.cases.open(CaseRecord(id: "JVNVU#1", title: "TLS", origin: "jvn-jp", openedAt: Date()), actor: "cli")
        let afterOther = try desk.changeToken()
        #expect(afterOther != beforeOther)

        // A write through the store's own engine.
        try desk.cases.open(CaseRecord(id: "JVNVU#2", title: "DNS", origin: "jvn-jp", openedAt: Date()), actor: "desk")
        let afterOwn = try desk.changeToken()
        #expect(afterOwn != afterOther)

        // A write by another process.
        try pair.changeFromAnotherProcess()
        #expect(try desk.changeToken() != afterOwn)
        #expect(try desk.cases.show(caseId: "JVNVU#1", now: Date()).record.title == "changed")
    }

    // SQLite only: an in-memory database is SQLite's.
    @Test func anInMemoryStoreCountsItsOwnWrites() throws {
        let store = try RegistryStore.inMemory()
        let start = try store.changeToken()
        #expect(try store.changeToken() == start)
        try store.cases.open(CaseRecord(id: "JVNVU#1", title: "TLS", origin: "jvn-jp", openedAt: Date()), actor: "test")
        #expect(try store.changeToken() != start)
    }
}
