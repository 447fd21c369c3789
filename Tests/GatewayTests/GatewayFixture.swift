import Foundation
@testable import Registry
import SMTP
import Synchronization
import TestSupport
@testable import Gateway

/// A clock the test moves by hand, so backoff and reminders need no waiting.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_188_604_800)) { current = Mutex(start) }   // 2007-09-01T00:00:00Z
    var now: Date { current.withLock { $0 } }
    func advance(days: Double = 0, seconds: Double = 0) { current.withLock { $0 = $0.addingTimeInterval(days * 86_400 + seconds) } }
}

/// A registry with a few organisations, our signing key, vendor keys in their own GnuPG homes, and an SMTP sink.
final class GatewayFixture {
    let folder: URL
    let store: RegistryStore
    let gnupg: GnuPGHome
    let signingKey: String
    let sink: SMTPSink
    let clock = TestClock()
    var vendorHomes: [String: GnuPGHome] = [:]     // email → home holding that contact's secret key
    var encryption: EncryptionPolicy = .whenKey

    static let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates")

    /// `singleConnection`: the registry is one in-memory connection (as a database opened while another process
    /// held its write lock is), which cannot be read while it is written. `engine` `.postgresql`: the registry is a
    /// fresh database of the test process's PostgreSQL server.
    init(sink options: SMTPSink.Options = SMTPSink.Options(), singleConnection: Bool = false,
         engine: StoreEngineKind = .sqlite) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        switch engine {
        case .postgresql:
            let server = try PostgresServer.shared()
            let database = try server.makeDatabase()
            store = try RegistryStore(postgres: PostgresLocation(host: "127.0.0.1", port: server.port, user: server.user,
                                                                 database: database.name, password: server.password,
                                                                 requiresTLS: false, shownURL: database.url),
                                      opening: .init(creatingIfMissing: true))
        case .sqlite:
            store = singleConnection ? try RegistryStore.inMemory()
                : try RegistryStore(path: folder.appendingPathComponent("registry.sqlite").path)
        }
        gnupg = try GnuPGHome.make()
        signingKey = try gnupg.generateKey(name: "JPCERT/CC Vulnerability Coordination", email: "vuls@jpcert.example")
        sink = try SMTPSink.start(options)
        try addOrganization("jpcert-cc", name: "JPCERT Coordination Center", localName: "JPCERT コーディネーションセンター",
                            kind: "national-csirt", languages: ["ja", "en"], contacts: [("vuls@jpcert.example", "to", "ja", nil)])
    }

    deinit {
        sink.stop()
        gnupg.shutdown()
        for home in vendorHomes.values { home.shutdown() }
        try? FileManager.default.removeItem(at: folder)
    }

    var smtp: SMTPConfiguration {
        var smtp = SMTPConfiguration(url: sink.url)
        smtp.tls = .none
        return smtp
    }

    var settings: GatewaySettings {
        GatewaySettings(sender: try! .init(parsing: "JPCERT/CC Vulnerability Coordination <vuls@jpcert.example>"),
                               senderOrganizationId: "jpcert-cc", signingKey: signingKey, gnupgHome: gnupg.path,
                               encryption: encryption, templatesDirectory: Self.templates,
                               actor: "test")
    }

    var composer: NotificationComposer {
        var composer = NotificationComposer(store: store, settings: settings)
        let clock = clock
        composer.now = { clock.now }
        return composer
    }

    var caseBook: CaseBook {
        var book = CaseBook(store: store, actor: "test")
        let clock = clock
        book.now = { clock.now }
        return book
    }

    func dispatcher(maxAttempts: Int = 3, outbox: (any OutboxStoring)? = nil, smtp custom: SMTPConfiguration? = nil,
                    observer: (@Sendable (DispatchEvent) -> Void)? = nil) -> OutboxDispatcher {
        let smtp = custom ?? smtp
        let clock = clock
        return OutboxDispatcher(outbox: outbox ?? store.outbox, maxAttempts: maxAttempts, actor: "test",
                                now: { clock.now }, observer: observer) {
            try makeTransport(smtp, logger: .init(label: "test"))
        }
    }

    var ingester: ReplyIngester {
        var ingester = ReplyIngester(store: store, gnupgHome: gnupg.path, actor: "test")
        let clock = clock
        ingester.now = { clock.now }
        return ingester
    }

    /// A contact: email, role, language, and whether it has a key (made in its own GnuPG home, public part imported).
    typealias ContactSpec = (email: String, role: String, language: String?, key: Bool?)

    func addOrganization(_ id: String, name: String? = nil, localName: String? = nil, kind: String = "product-developer",
                         country: String = "JP", languages: [String] = ["ja"], technologies: [String] = [],
                         domains: [String]? = nil, contacts: [ContactSpec]) throws {
        var fingerprints: [String: String] = [:]
        for contact in contacts where contact.key == true {
            let home = try GnuPGHome.make()
            let fpr = try home.generateKey(name: "\(id) PSIRT", email: contact.email)
            try gnupg.importKey(try home.exportPublic(fpr))
            vendorHomes[contact.email] = home
            fingerprints[contact.email] = fpr
        }
        let domain = String(contacts.first?.email.split(separator: "@").last ?? "\(id).example")
        try store.engine.write { session in
            try session.insert(Organization(id: id, name: name ?? "\(id.capitalized) Inc.", localName: localName,
                                            kind: OrganizationKind(rawValue: kind)!, country: country, domains: domains ?? [domain],
                                            languages: languages, technologies: technologies))
            for contact in contacts {
                let record = Contact(organizationId: id, email: contact.email, name: "\(id) PSIRT",
                                     role: ContactRole(rawValue: contact.role)!, language: contact.language,
                                     pgp: fingerprints[contact.email])
                try session.insert(record)
            }
        }
    }

    func participant(_ caseId: String, _ org: String) throws -> ParticipantRecord {
        try store.cases.participant(caseId: caseId, organizationId: org)!
    }

    func notifications() throws -> [NotificationRecord] {
        try store.engine.read { try $0.records(NotificationRecord.self, "SELECT * FROM notification ORDER BY id") }
    }

    func bounceCount(_ email: String) throws -> Int {
        try store.engine.read { try $0.value("SELECT bounceCount FROM contact WHERE email = ?", email, as: Int.self) } ?? -1
    }
}
