import Foundation
@testable import Registry
import Testing
import TestSupport

/// `directory sync`: one transaction, idempotent, field-by-field changes, retirement instead of deletion; on both
/// engines.
@Suite struct DirectorySyncTests {
    /// A workspace with two developers and a CSIRT, one of them with a key; its store on `engine` (the workspace's
    /// own SQLite file, or a fresh PostgreSQL database); a sync over them.
    private struct Fixture {
        let temp: TemporaryWorkspace
        let workspace: Workspace
        let store: RegistryStore

        init(_ engine: StoreEngineKind) throws {
            temp = try TemporaryWorkspace()
            workspace = Workspace(root: temp.root)
            store = engine == .sqlite ? try workspace.openStore(.init(creatingIfMissing: true)) : try PostgresFixture.store()
            try temp.writeKey(SharedKeys.good)
            try temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(
                id: "aozora", name: "Aozora Systems", technologies: ["tls", "http-server"],
                email: "psirt@good.example", pgp: SharedKeys.good.fingerprint,
                extra: "agreements:\n  - { kind: developer-registration, signed: 2004-07-08 }\n"))
            try temp.writeOrganization("kumo", TemporaryWorkspace.organizationYAML(id: "kumo", technologies: ["dns"]))
            try temp.writeOrganization("krcert-cc", """
                id: krcert-cc
                name: KrCERT/CC
                kind: national-csirt
                country: KR
                memberships:
                  - { body: APCERT, role: full, since: 2003-02-01 }
                contacts:
                  - { email: cert@krcert.example, role: to, language: en }

                """)
        }

        func sync(dryRun: Bool = false) throws -> DirectorySyncResult {
            try DirectorySync(workspace: workspace, store: store, actor: "test").run(dryRun: dryRun)
        }

        func events() throws -> [Event] {
            try store.engine.read { try $0.records(Event.self, "SELECT * FROM event ORDER BY id") }
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aSecondSyncChangesNothing(_ engine: StoreEngineKind) throws {
        let fixture = try Fixture(engine)
        defer { fixture.temp.remove() }
        let first = try fixture.sync()
        #expect(first.applied)
        #expect(first.changes.filter { $0.action == .added && $0.objectType == "organization" }.count == 3)
        #expect(first.changes.filter { $0.action == .added && $0.objectType == "contact" }.count == 3)
        #expect(first.changes.filter { $0.action == .imported }.count == 1)
        let eventsAfterFirst = try fixture.events().count
        #expect(eventsAfterFirst == first.changes.count)

        let second = try fixture.sync()
        #expect(second.changes.isEmpty)
        #expect(second.importedKeys == 0)
        #expect(try fixture.events().count == eventsAfterFirst)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aDryRunListsChangesButWritesNothing(_ engine: StoreEngineKind) throws {
        let fixture = try Fixture(engine)
        defer { fixture.temp.remove() }
        let planned = try fixture.sync(dryRun: true)
        #expect(!planned.applied)
        #expect(planned.changes.count == 7)
        #expect(try fixture.store.directory.organizations(filter: OrganizationFilter(includeRetired: true)).isEmpty)
        #expect(try fixture.events().isEmpty)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func changesAreReportedFieldByField(_ engine: StoreEngineKind) throws {
        let fixture = try Fixture(engine)
        defer { fixture.temp.remove() }
        _ = try fixture.sync()
        try fixture.temp.writeOrganization("kumo", TemporaryWorkspace.organizationYAML(
            id: "kumo", name: "Kumo Software", technologies: ["dns", "tls"], extra: "languages: [ja]\n"))
        let result = try fixture.sync()
        let change = try #require(result.changes.first)
        #expect(result.changes.count == 1)
        #expect(change.action == .changed)
        #expect(change.objectId == "kumo")
        #expect(change.fields.map(\.name) == ["name", "languages", "technologies"])
        #expect(change.description.contains("~ organization kumo: name \"Company kumo\" → \"Kumo Software\""))
        #expect(change.description.contains("technologies [\"dns\"] → [\"dns\", \"tls\"]"))

        let event = try #require(try fixture.events().last)
        #expect(event.action == "organization.changed")
        #expect(event.objectId == "kumo")
        #expect(event.value == ["name": ["old": "Company kumo", "new": "Kumo Software"],
                                "languages": ["old": [], "new": ["ja"]],
                                "technologies": ["old": ["dns"], "new": ["dns", "tls"]]])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func contactChangesAndRemovalsAreTracked(_ engine: StoreEngineKind) throws {
        let fixture = try Fixture(engine)
        defer { fixture.temp.remove() }
        _ = try fixture.sync()
        try fixture.temp.writeOrganization("krcert-cc", """
            id: krcert-cc
            name: KrCERT/CC
            kind: national-csirt
            country: KR
            memberships:
              - { body: APCERT, role: full, since: 2003-02-01 }
            contacts:
              - { email: incident@krcert.example, role: to, language: ko }

            """)
        try fixture.temp.writeOrganization("kumo", TemporaryWorkspace.organizationYAML(id: "kumo", technologies: ["dns"])
            .replacingOccurrences(of: "language: ja", with: "language: en"))
        let result = try fixture.sync()
        #expect(result.changes.map(\.eventAction).sorted() == ["contact.added", "contact.changed", "contact.removed"])
        let removed = try #require(result.changes.first { $0.action == .removed })
        #expect(removed.objectId == "cert@krcert.example")
        let contact = try fixture.store.directory.contact(email: "cert@krcert.example")
        #expect(contact?.active == false)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func removingAFileRetiresTheOrganizationAndKeepsItsHistory(_ engine: StoreEngineKind) throws {
        let fixture = try Fixture(engine)
        defer { fixture.temp.remove() }
        _ = try fixture.sync()
        try fixture.temp.removeOrganization("kumo")
        let result = try fixture.sync(dryRun: false)
        let retired = try #require(result.changes.first { $0.action == .retired })
        #expect(retired.objectId == "kumo")
        #expect(result.changes.contains { $0.action == .removed && $0.objectId == "psirt@kumo.example" })

        let organization = try #require(try fixture.store.directory.organization(id: "kumo")).organization
        let today = CalendarDate(Date(), in: TimeZone(identifier: "UTC")!)
        #expect(organization.status == .retired)
        #expect(organization.statusDate == today)
        let history = try fixture.store.engine.read {
            try $0.records(Event.self, "SELECT * FROM event WHERE objectId = 'kumo' ORDER BY id")
        }
        #expect(history.map(\.action) == ["organization.added", "organization.retired"])
        #expect(try fixture.sync().changes.isEmpty)

        // The file coming back makes it active again.
        try fixture.temp.writeOrganization("kumo", TemporaryWorkspace.organizationYAML(id: "kumo", technologies: ["dns"]))
        let back = try fixture.sync()
        #expect(back.changes.map(\.eventAction) == ["organization.changed", "contact.changed"])
        #expect(try fixture.store.directory.organization(id: "kumo")?.organization.status == .active)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func anyErrorLeavesTheDatabaseAsItWas(_ engine: StoreEngineKind) throws {
        let fixture = try Fixture(engine)
        defer { fixture.temp.remove() }
        _ = try fixture.sync()
        let before = try fixture.store.directory.definitions()
        try fixture.temp.writeOrganization("kumo", TemporaryWorkspace.organizationYAML(id: "kumo", name: "Renamed", technologies: ["dns"]))
        try fixture.temp.writeOrganization("broken", TemporaryWorkspace.organizationYAML(id: "broken", country: "ZZ"))
        let result = try fixture.sync()
        #expect(!result.applied)
        #expect(result.errorCount == 1)
        #expect(result.changes.isEmpty)
        #expect(try fixture.store.directory.definitions() == before)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func keysAreImportedIntoTheWorkspaceGnuPGHome(_ engine: StoreEngineKind) throws {
        let fixture = try Fixture(engine)
        defer { fixture.temp.remove() }
        let result = try fixture.sync()
        #expect(result.importedKeys == 1)
        #expect(result.gnupgHome == fixture.temp.gnupgHome.path)
        let present = try OpenPGPKeyImporter().fingerprints(inHome: fixture.temp.gnupgHome.path)
        #expect(present == [SharedKeys.good.fingerprint])
        let key = try #require(try fixture.store.directory.keys([SharedKeys.good.fingerprint]).first)
        #expect(key.userIds == ["PSIRT <psirt@good.example>"])
        #expect(key.algorithm == "ed25519")
        #expect(key.expiresAt == nil)
        #expect(!key.revoked)

        // A wiped GnuPG home gets the keys again on the next sync, though nothing else changed.
        try FileManager.default.removeItem(at: fixture.temp.gnupgHome)
        let again = try fixture.sync()
        #expect(again.changes.isEmpty)
        #expect(again.importedKeys == 1)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func exportedYAMLSyncsBackWithNoChange(_ engine: StoreEngineKind) throws {
        let fixture = try Fixture(engine)
        defer { fixture.temp.remove() }
        try fixture.temp.writeOrganization("tricky", """
            id: tricky
            name: "Tricky: Names, [brackets] & #hashes"
            localName: "株式会社トリッキー"
            kind: product-developer
            country: "NO"
            domains: [tricky.example]
            languages: [ja, en]
            memberships:
              - { body: FIRST, role: liaison, since: 2006-01-01, until: 2007-01-01 }
            agreements:
              - { kind: developer-registration, signed: 2005-04-01, ended: 2007-03-31 }
            technologies: [tcp-ip, "c++"]
            status: { retired: 2007-04-01 }
            notes: "Line one\\nLine two: with a colon\\n"
            contacts:
              - { email: "yes@tricky.example", name: "true", role: cc, language: en, active: false }
              - { email: no@tricky.example, name: "- dash", role: to }

            """)
        _ = try fixture.sync()
        let definitions = try fixture.store.directory.definitions()
        let keys = try fixture.store.directory.keys([SharedKeys.good.fingerprint])

        let exported = try TemporaryWorkspace()
        defer { exported.remove() }
        try FileManager.default.removeItem(at: exported.root.appendingPathComponent("Directory"))
        _ = try DirectoryExport.writeDirectory(definitions, keys: keys, to: exported.root.appendingPathComponent("Directory"))
        let (contents, problems) = DirectoryLoader().load(Workspace(root: exported.root))
        #expect(problems.filter { $0.severity == .error }.isEmpty, "\(problems)")
        #expect(contents.definitions == definitions)

        // Syncing the exported files into the original database changes nothing.
        let roundTrip = try DirectorySync(workspace: Workspace(root: exported.root), store: fixture.store, actor: "test").run()
        #expect(roundTrip.changes.isEmpty, "\(roundTrip.changes)")
    }
}
