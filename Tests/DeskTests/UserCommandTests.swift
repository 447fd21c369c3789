import Foundation
import Testing
import TestSupport

/// `liaison user add | list | disable` and the actor of the command line's events.
@Suite struct UserCommandTests {
    static func syncedWorkspace() throws -> TemporaryWorkspace {
        let workspace = try TemporaryWorkspace()
        try workspace.writeOrganization("acme", TemporaryWorkspace.organizationYAML(id: "acme"))
        #expect(try runLiaison(["directory", "sync"], workspace: workspace.root).status == 0)
        return workspace
    }

    @Test func addListAndDisableUsersWithTheActorInTheAuditLog() throws {
        let workspace = try Self.syncedWorkspace()
        defer { workspace.remove() }
        let added = try runLiaison(["user", "add", "alice", "--role", "coordinator", "--actor", "lena"], workspace: workspace.root,
                                   input: Data("a long enough password\n".utf8))
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout == "added alice (coordinator)\n")
        let auditor = try runLiaison(["user", "add", "audrey", "--role", "auditor"], workspace: workspace.root,
                                     input: Data("another long password\n".utf8), )
        #expect(auditor.status == 0)
        let list = try runLiaison(["user", "list", "--format", "json"], workspace: workspace.root)
        #expect(list.stdout.contains("\"name\" : \"alice\""))
        #expect(list.stdout.contains("\"role\" : \"auditor\""))
        #expect(!list.stdout.contains("$2"))  // never the hash
        #expect(try runLiaison(["user", "disable", "alice"], workspace: workspace.root, environment: ["LIAISON_ACTOR": "root-on-desk"]).status == 0)
        #expect(try runLiaison(["user", "list"], workspace: workspace.root).stdout.contains("alice   coordinator  disabled"))
        let events = try AuditTrail.rows(workspace: workspace.root, objectType: "user")
        #expect(events.map(\.action) == ["user.added", "user.added", "user.disabled"])
        #expect(events.map(\.actor) == ["lena", "test", "root-on-desk"])
    }

    @Test func passwordsThatAreEmptyOrShortAreRefused() throws {
        let workspace = try Self.syncedWorkspace()
        defer { workspace.remove() }
        let empty = try runLiaison(["user", "add", "bob", "--role", "lead"], workspace: workspace.root, input: Data("\n".utf8))
        #expect(empty.status == 1)
        #expect(empty.stderr == "the password is empty: type it on standard input, one line\n")
        let short = try runLiaison(["user", "add", "bob", "--role", "lead"], workspace: workspace.root, input: Data("short\n".utf8))
        #expect(short.status == 1)
        #expect(short.stderr == "the password is too short: at least 12 characters\n")
        let badRole = try runLiaison(["user", "add", "bob", "--role", "boss"], workspace: workspace.root, input: Data("a long enough password\n".utf8))
        #expect(badRole.status == 1)
        #expect(try runLiaison(["user", "list", "--format", "json"], workspace: workspace.root).stdout == "[\n\n]\n")
    }

    @Test func withoutActorTheOperatingSystemUserActs() throws {
        let workspace = try Self.syncedWorkspace()
        defer { workspace.remove() }
        // Neither LIAISON_ACTOR nor USER: the name of the effective user id, never a constant.
        let added = try runLiaison(["user", "add", "carol", "--role", "lead"], workspace: workspace.root,
                                   environment: ["LIAISON_ACTOR": "", "USER": ""], input: Data("a long enough password\n".utf8))
        #expect(added.status == 0, "\(added.stderr)")
        let expected = String(cString: getpwuid(geteuid())!.pointee.pw_name)
        #expect(try AuditTrail.rows(workspace: workspace.root, objectType: "user").map(\.actor) == [expected])
    }
}
