import Foundation
import Registry
import Testing
import TestSupport

/// `RegistryStore.changeToken()`: moves with every committed write, from any connection or process, and only then.
@Suite struct ChangeTokenTests {
    @Test func theTokenMovesWithEveryCommitFromAnyConnectionAndOnlyThen() throws {
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        let path = temp.root.appendingPathComponent(".liaison/registry.sqlite").path
        let desk = try RegistryStore(path: path)
        let other = try RegistryStore(path: path)
        let start = try desk.changeToken()
        #expect(try desk.changeToken() == start, "nothing committed: the same token")
        _ = try CaseStore(desk).list(openOnly: false)
        #expect(try desk.changeToken() == start, "a read commits nothing")

        // A write by another connection (as another process's).
        try CaseStore(other).open(CaseRecord(id: "JVNVU#1", title: "TLS", origin: "jvn-jp", openedAt: Date()), actor: "cli")
        let afterOther = try desk.changeToken()
        #expect(afterOther != start)
        #expect(try desk.changeToken() == afterOther)

        // A write through the store's own writer.
        try CaseStore(desk).open(CaseRecord(id: "JVNVU#2", title: "DNS", origin: "jvn-jp", openedAt: Date()), actor: "desk")
        let afterOwn = try desk.changeToken()
        #expect(afterOwn != afterOther)

        // A write by another process: python3's sqlite3.
        let script = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE \\\"case\\\" SET title = 'changed' WHERE id = 'JVNVU#1'\"); c.commit()"
        let run = try runProcess("/usr/bin/python3", ["-c", script, path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try desk.changeToken() != afterOwn)
    }

    @Test func anInMemoryStoreCountsItsOwnWrites() throws {
        let store = try RegistryStore.inMemory()
        let start = try store.changeToken()
        #expect(try store.changeToken() == start)
        try CaseStore(store).open(CaseRecord(id: "JVNVU#1", title: "TLS", origin: "jvn-jp", openedAt: Date()), actor: "test")
        #expect(try store.changeToken() != start)
    }
}
