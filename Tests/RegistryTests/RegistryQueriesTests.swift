import Foundation
import Registry
import Testing
import TestSupport

/// Filters of `org list`, key problems, and the quarter-end counts of the audit; on both engines.
@Suite struct RegistryQueriesTests {
    /// A small registry in the shape of the sample, on `engine`: CSIRTs with APCERT memberships, developers registered
    /// over 2004–2007 (one ended), MoUs signed in 2007.
    static func makeRegistry(_ engine: StoreEngineKind = .sqlite) throws -> (TemporaryWorkspace, RegistryStore) {
        let temp = try TemporaryWorkspace()
        func csirt(_ id: String, _ country: String, memberships: String, agreements: String = "[]") throws {
            try temp.writeOrganization(id, """
                id: \(id)
                name: \(id.uppercased())
                kind: national-csirt
                country: \(country)
                memberships: \(memberships)
                agreements: \(agreements)
                contacts:
                  - { email: cert@\(id).example, role: to }

                """)
        }
        try csirt("jpcert-cc", "JP", memberships: "[{ body: APCERT, role: full, since: 2003-02-01 }, { body: APCERT, role: secretariat, since: 2003-02-01 }]")
        try csirt("krcert-cc", "KR", memberships: "[{ body: APCERT, role: full, since: 2003-02-01 }]",
                  agreements: "[{ kind: mou, signed: 2007-08-20 }]")
        try csirt("mycert", "MY", memberships: "[{ body: APCERT, role: full, since: 2003-02-01 }]",
                  agreements: "[{ kind: mou, signed: 2007-06-30 }]")
        try csirt("bkis", "VN", memberships: "[{ body: APCERT, role: general, since: 2007-10-01 }]",
                  agreements: "[{ kind: mou, signed: 2007-09-30 }]")
        try csirt("oldcert", "SG", memberships: "[{ body: APCERT, role: full, since: 2003-02-01, until: 2006-01-01 }]")
        func developer(_ id: String, _ technologies: [String], signed: String, ended: String? = nil, country: String = "JP") throws {
            let end = ended.map { ", ended: \($0)" } ?? ""
            try temp.writeOrganization(id, TemporaryWorkspace.organizationYAML(
                id: id, country: country, technologies: technologies,
                extra: "agreements:\n  - { kind: developer-registration, signed: \(signed)\(end) }\n"))
        }
        try developer("aozora", ["tls", "http-server"], signed: "2004-07-08")
        try developer("kumo", ["dns"], signed: "2005-03-01", ended: "2007-09-01")
        try developer("tsubame", ["tls", "dns", "tcp-ip"], signed: "2007-09-30")
        try developer("hoshi", ["tls"], signed: "2007-10-01")
        try developer("foreign", ["tls"], signed: "2006-01-01", country: "US")
        let store = try Self.store(engine, temp)
        let result = try DirectorySync(workspace: Workspace(root: temp.root), store: store, actor: "test").run()
        #expect(result.applied)
        return (temp, store)
    }

    /// The workspace's own SQLite file, or a fresh PostgreSQL database.
    static func store(_ engine: StoreEngineKind, _ temp: TemporaryWorkspace) throws -> RegistryStore {
        engine == .sqlite ? try Workspace(root: temp.root).openStore(.init(creatingIfMissing: true)) : try PostgresFixture.store()
    }

    private func ids(_ organizations: [Organization]) -> [String] { organizations.map(\.id) }

    @Test(arguments: StoreEngineKind.allCases)
    func organizationsAreFilteredByEveryGivenCriterion(_ engine: StoreEngineKind) throws {
        let (temp, store) = try Self.makeRegistry(engine)
        defer { temp.remove() }
        let queries = store.directory
        #expect(ids(try queries.organizations()).count == 10)
        #expect(ids(try queries.organizations(filter: .init(kind: .nationalCSIRT))) == ["bkis", "jpcert-cc", "krcert-cc", "mycert", "oldcert"])
        #expect(ids(try queries.organizations(filter: .init(country: "jp"))) == ["aozora", "hoshi", "jpcert-cc", "kumo", "tsubame"])
        #expect(ids(try queries.organizations(filter: .init(memberOf: "apcert"))) == ["bkis", "jpcert-cc", "krcert-cc", "mycert"])
        #expect(ids(try queries.organizations(filter: .init(memberOf: "APCERT", date: CalendarDate("2005-06-30")))) == ["jpcert-cc", "krcert-cc", "mycert", "oldcert"])
        #expect(ids(try queries.organizations(filter: .init(technologies: ["tls"]))) == ["aozora", "foreign", "hoshi", "tsubame"])
        #expect(ids(try queries.organizations(filter: .init(technologies: ["tls", "dns"]))) == ["tsubame"])
        #expect(ids(try queries.organizations(filter: .init(country: "JP", technologies: ["tls"]))) == ["aozora", "hoshi", "tsubame"])
        #expect(ids(try queries.organizations(filter: .init(kind: .coordinator))).isEmpty)
        #expect(try queries.contact(email: "CERT@KrCert-CC.example")?.organizationId == "krcert-cc")
    }

    @Test(arguments: StoreEngineKind.allCases)
    func retiredOrganizationsAreListedOnlyWhenAsked(_ engine: StoreEngineKind) throws {
        let (temp, store) = try Self.makeRegistry(engine)
        defer { temp.remove() }
        try temp.removeOrganization("hoshi")
        _ = try DirectorySync(workspace: Workspace(root: temp.root), store: store, actor: "test").run()
        #expect(!ids(try store.directory.organizations(filter: .init(technologies: ["tls"]))).contains("hoshi"))
        #expect(ids(try store.directory.organizations(filter: .init(technologies: ["tls"], includeRetired: true))).contains("hoshi"))
    }

    @Test(arguments: StoreEngineKind.allCases)
    func quarterEndCountsAreAnsweredFromTheStore(_ engine: StoreEngineKind) throws {
        let (temp, store) = try Self.makeRegistry(engine)
        defer { temp.remove() }
        let queries = store.directory
        let q3End = try #require(CalendarDate("2007-09-30"))
        // kumo ended on 2007-09-01; hoshi signed after the quarter; tsubame signed on its last day.
        #expect(ids(try queries.registeredDevelopers(on: q3End)) == ["aozora", "foreign", "tsubame"])
        #expect(ids(try queries.registeredDevelopers(on: try #require(CalendarDate("2007-06-30")))) == ["aozora", "foreign", "kumo"])
        #expect(ids(try queries.registeredDevelopers(on: try #require(CalendarDate("2004-07-07")))).isEmpty)
        #expect(ids(try queries.apcertMembers(on: q3End)) == ["jpcert-cc", "krcert-cc", "mycert"])
        #expect(ids(try queries.apcertMembers(on: try #require(CalendarDate("2007-10-01")))) == ["bkis", "jpcert-cc", "krcert-cc", "mycert"])
        let q3 = try queries.agreementsSigned(kind: "mou", from: try #require(CalendarDate("2007-07-01")), through: q3End)
        #expect(q3.map(\.organizationId) == ["krcert-cc", "bkis"])

        // The same quarter as instants of Asia/Tokyo.
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        let interval = DateInterval(start: try #require(CalendarDate("2007-07-01")).start(in: tokyo),
                                    end: try #require(CalendarDate("2007-10-01")).start(in: tokyo))
        #expect(try queries.agreementsSigned(kind: "mou", in: interval, timeZone: tokyo).count == 2)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func contactsWithUnusableKeysAreListed(_ engine: StoreEngineKind) throws {
        let temp = try TemporaryWorkspace()
        defer { temp.remove() }
        for (id, key) in [("good", SharedKeys.good), ("old", SharedKeys.expired), ("soon", SharedKeys.expiringSoon), ("revoked", SharedKeys.revoked)] {
            try temp.writeKey(key)
            try temp.writeOrganization(id, TemporaryWorkspace.organizationYAML(id: id, email: "psirt@\(id).example", pgp: key.fingerprint))
        }
        try temp.writeOrganization("keyless", TemporaryWorkspace.organizationYAML(id: "keyless"))
        let store = try Self.store(engine, temp)
        _ = try DirectorySync(workspace: Workspace(root: temp.root), store: store, actor: "test").run()

        let within30 = try store.directory.contactsWithKeyProblems(within: 30)
        #expect(within30.map(\.organizationId) == ["old", "revoked", "soon"])
        #expect(within30.map(\.problem) == [.expired, .revoked, .expiring])
        #expect(try store.directory.contactsWithKeyProblems(within: 5).map(\.organizationId) == ["old", "revoked"])
        let withKeyless = try store.directory.contactsWithKeyProblems(within: 5, includeKeyless: true)
        #expect(withKeyless.first { $0.organizationId == "keyless" }?.problem == .missing)
    }
}
