import Foundation
@testable import Registry
import TestSupport

/// A registry with a known history across the quarters 2006Q4–2007Q4, for the report tests, on either engine: a
/// temporary SQLite file, or a fresh database of the tests' PostgreSQL server. The expected figures for 2007Q3 in
/// Asia/Tokyo are worked out beside each row.
///
/// Quarter 2007Q3 in Asia/Tokyo runs from 2007-06-30T15:00Z to 2007-09-30T15:00Z; in UTC from 2007-07-01T00:00Z to
/// 2007-10-01T00:00Z, so rows placed between those instants land in different quarters by time zone.
final class ReportFixtureDatabase: Sendable {
    /// The registry the reports read.
    let store: RegistryStore
    /// A temporary folder of the test's own (holding the SQLite file on SQLite).
    let directory: URL

    /// An empty registry (schema only) on `engine`, with a fresh temporary folder.
    init(_ engine: StoreEngineKind = .sqlite) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("liaison-reports-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch engine {
        case .sqlite: store = try RegistryStore(path: directory.appendingPathComponent("registry.sqlite").path)
        case .postgresql: store = try PostgresFixture.store()
        }
    }

    /// The report's queries over this registry.
    var reports: any ReportStoring { store.reports }

    /// Runs `body` in one transaction: the fixture writes rows with plain SQL, as any writer following the schema
    /// would, and a test edits the tables behind the event log's back.
    func write(_ body: (any SQLSession) throws -> Void) throws {
        try store.engine.write(body)
    }

    /// Runs `sql` in a transaction.
    func execute(_ sql: String) throws {
        try write { try $0.execute(sql) }
    }

    /// Appends an event as the registry would log it (`data` is written as JSON with sorted keys).
    func appendEvent(at: String, action: String, objectType: String, objectId: String, data: [String: String]) throws {
        try write { session in
            try HistoryWriter(session).event(at: at, action: action, type: objectType, id: objectId, data: data)
        }
    }

    /// Removes the temporary folder.
    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Writes the known history; see ``ReportFixtureDatabase``.
enum ReportFixtures {
    /// A registry on `engine` holding the whole known history.
    static func history(_ engine: StoreEngineKind = .sqlite) throws -> ReportFixtureDatabase {
        let database = try ReportFixtureDatabase(engine)
        try database.write { session in try writeHistory(session) }
        return database
    }

    /// Runs `body` over the known history on `engine`, which it only reads: on SQLite a fresh history in a temporary
    /// file, removed after; on PostgreSQL the one history written once per test process (a database of the tests'
    /// server, dropped with it), so that reading it again costs no new database.
    static func withHistory<T>(_ engine: StoreEngineKind, _ body: (any ReportStoring) throws -> T) throws -> T {
        switch engine {
        case .sqlite:
            let database = try history(.sqlite)
            defer { database.remove() }
            return try body(database.reports)
        case .postgresql:
            return try body(sharedPostgresHistory.get().reports)
        }
    }

    private static let sharedPostgresHistory = Result { try history(.postgresql) }

    /// `2007-07-06T00:00:00Z` as a date (tests use it for expectations too).
    static func instant(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { preconditionFailure("bad fixture instant \(text)") }
        return date
    }

    static func writeHistory(_ session: any SQLSession) throws {
        let w = HistoryWriter(session)

        // Organisations. National CSIRTs: APCERT members at 2007Q3's end are krcert, twncert, idsirtii, acme-csirt
        // (4; 2007Q2: krcert, twncert, mycert = 3). Partners at Q3 end: krcert, twncert, idsirtii by MoU (3);
        // at Q2 end: krcert, twncert, mycert still active (3).
        try w.organization("krcert", "KrCERT/CC", kind: "national-csirt", country: "KR")
        try w.organization("twncert", "TWNCERT", kind: "national-csirt", country: "TW")
        try w.organization("idsirtii", "ID-SIRTII", kind: "national-csirt", country: "ID", status: "retired", statusDate: "2007-05-01")
        try w.organization("mycert", "MyCERT", kind: "national-csirt", country: "MY", status: "retired", statusDate: "2007-08-01")
        try w.organization("certcc", "CERT/CC", kind: "coordinator", country: "US")
        try w.organization("cpni", "CPNI", kind: "government", country: "GB")
        try w.organization("acme-csirt", "ACME CSIRT <Tokyo> & Co", localName: "アクメ CSIRT", kind: "csirt", country: "JP")
        for letter in ["a", "b", "c", "d", "e", "f", "g"] {
            try w.organization("dev-\(letter)", "Developer \(letter.uppercased())", localName: "開発者 \(letter.uppercased())",
                               kind: "product-developer", country: "JP")
        }
        try w.organization("dev-h", "Developer H", kind: "product-developer", country: "US")

        try w.membership("krcert", "APCERT", "full", since: "2003-02-01")
        try w.membership("twncert", "APCERT", "full", since: "2005-01-01")
        try w.membership("idsirtii", "APCERT", "general", since: "2007-07-15")
        try w.membership("mycert", "APCERT", "full", since: "2004-03-01", until: "2007-08-01")
        try w.membership("acme-csirt", "APCERT", "general", since: "2007-09-30")
        try w.membership("certcc", "FIRST", "full", since: "1990-01-01")

        // Registered developers at Q3 end: a, b, c, d (4); at Q2 end: a, b, f (3); new in Q3: c, d (2).
        // Series 2005Q4…2007Q3: 0, 0, 1, 1, 2, 2, 3, 4. Signed in Q3: MoU 2, other 3; in Q2: other 1.
        try w.agreement("dev-a", "developer-registration", signed: "2006-11-20")
        try w.agreement("dev-b", "developer-registration", signed: "2007-04-10")
        try w.agreement("dev-c", "developer-registration", signed: "2007-07-01")
        try w.agreement("dev-d", "developer-registration", signed: "2007-09-30")
        try w.agreement("dev-e", "developer-registration", signed: "2007-10-01")
        try w.agreement("dev-f", "developer-registration", signed: "2006-05-01", ended: "2007-08-31")
        try w.agreement("dev-h", "developer-registration", signed: "2007-09-30", ended: "2007-09-30")
        try w.agreement("twncert", "mou", signed: "2007-08-10")
        try w.agreement("idsirtii", "mou", signed: "2007-09-12")

        // Contacts and keys. Key problems at Q3 end: twncert missing, dev-a expiring, dev-b revoked, dev-c expired (4);
        // at Q2 end: twncert missing, dev-b revoked (2). Bounced addresses in Q3: ir@twncert, psirt@dev-b (2).
        try w.contact("krcert", "ir@krcert.example", pgp: "AAAA0000AAAA0000AAAA0000AAAA0000AAAA0000")
        try w.contact("twncert", "ir@twncert.example", pgp: "BBBB0000BBBB0000BBBB0000BBBB0000BBBB0000",
                      lastBounceAt: "2007-08-15T01:00:00Z")
        try w.contact("acme-csirt", "soc@acme.example")
        try w.contact("certcc", "cert@certcc.example")
        try w.contact("mycert", "mycert@mycert.example")
        try w.contact("dev-a", "psirt@dev-a.example", pgp: "CCCC0000CCCC0000CCCC0000CCCC0000CCCC0000")
        try w.contact("dev-b", "psirt@dev-b.example", pgp: "DDDD0000DDDD0000DDDD0000DDDD0000DDDD0000",
                      lastBounceAt: "2007-09-10T00:00:00Z")
        try w.contact("dev-c", "psirt@dev-c.example", pgp: "EEEE0000EEEE0000EEEE0000EEEE0000EEEE0000")
        try w.contact("dev-d", "psirt@dev-d.example")
        try w.contact("dev-e", "old@dev-e.example", pgp: "FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000", active: false)
        try w.key("AAAA0000AAAA0000AAAA0000AAAA0000AAAA0000", expiresAt: "2008-01-01T00:00:00Z")
        try w.key("CCCC0000CCCC0000CCCC0000CCCC0000CCCC0000", expiresAt: "2007-10-15T00:00:00Z")
        try w.key("DDDD0000DDDD0000DDDD0000DDDD0000DDDD0000", expiresAt: "2009-01-01T00:00:00Z", revoked: true)
        try w.key("EEEE0000EEEE0000EEEE0000EEEE0000EEEE0000", expiresAt: "2007-09-01T00:00:00Z")

        // Cases (Tokyo). Opened in Q3: C, D, F, G, I, J = 6 (jvn-jp 2, cert-cc 2, cpni 1, auscert 1), all 10 by Q3 end
        // (4, 3, 2, 1). Published in Q3: B, C, F, J = 4 (jvn-jp 2, cert-cc 1, auscert 1), 7 by Q3 end (3, 2, 1, 1).
        // D is published at Q3's end in Tokyo (Q4) but inside Q3 in UTC; F is opened in Q3 in Tokyo, Q2 in UTC.
        try w.openCase("JVNVU#11110001", origin: "jvn-jp", opened: "2007-03-10T00:00:00Z", published: "2007-05-20T00:00:00Z")
        try w.openCase("JVNVU#11110002", origin: "jvn-jp", opened: "2007-05-01T00:00:00Z", published: "2007-07-10T00:00:00Z")
        try w.openCase("JVNVU#11110003", origin: "jvn-jp", opened: "2007-07-05T00:00:00Z", published: "2007-09-30T14:59:59Z",
                       tlp: "RED")
        try w.openCase("JVNVU#11110004", origin: "jvn-jp", opened: "2007-08-01T00:00:00Z", published: "2007-09-30T15:00:00Z",
                       tlp: "AMBER+STRICT")
        try w.openCase("VU#100001", origin: "cert-cc", opened: "2006-12-01T00:00:00Z", published: "2007-02-01T00:00:00Z")
        try w.openCase("VU#100002", origin: "cert-cc", opened: "2007-06-30T16:00:00Z", published: "2007-08-15T00:00:00Z")
        try w.openCase("VU#100003", origin: "cert-cc", opened: "2007-09-01T00:00:00Z")
        try w.openCase("CPNI#200001", origin: "cpni", opened: "2007-04-01T00:00:00Z", published: "2007-06-30T14:00:00Z")
        try w.openCase("CPNI#200002", origin: "cpni", opened: "2007-07-20T00:00:00Z")
        try w.openCase("AUSCERT#300001", origin: "auscert", opened: "2007-08-20T00:00:00Z", published: "2007-09-10T00:00:00Z")

        // Participants. Q3: 7 notified (4 organisations), 4 answered by Q3 end; days to responses in Q3: 61 (B, dev-b),
        // 1, 4.5, 3, 2 -> median 3, p90 38.4; waiting at Q3 end: C/dev-c 86.63, D/dev-a 59.63, G/dev-b 0.04.
        // Q2: 2 notified, 1 answered, median 2, waiting at Q2 end: B/dev-b 59.63.
        try w.participant("JVNVU#11110002", "dev-a", notified: "2007-05-02T00:00:00Z", responded: "2007-05-04T00:00:00Z")
        try w.participant("JVNVU#11110002", "dev-b", notified: "2007-05-02T00:00:00Z", responded: "2007-07-02T00:00:00Z")
        try w.participant("JVNVU#11110003", "dev-a", notified: "2007-07-06T00:00:00Z", responded: "2007-07-07T00:00:00Z")
        try w.participant("JVNVU#11110003", "dev-b", notified: "2007-07-06T00:00:00Z", responded: "2007-07-10T12:00:00Z")
        try w.participant("JVNVU#11110003", "dev-c", notified: "2007-07-06T00:00:00Z")
        try w.participant("JVNVU#11110004", "dev-a", notified: "2007-08-02T00:00:00Z", responded: "2007-10-05T00:00:00Z")
        try w.participant("JVNVU#11110004", "dev-c", notified: "2007-08-02T00:00:00Z", responded: "2007-08-05T00:00:00Z")
        try w.participant("VU#100003", "dev-b", notified: "2007-09-30T14:00:00Z")
        try w.participant("VU#100003", "krcert", notified: "2007-09-30T16:00:00Z")
        try w.participant("VU#100002", "certcc", notified: "2007-07-01T00:00:00Z", responded: "2007-07-03T00:00:00Z")
        try w.participant("CPNI#200002", "dev-d")

        // Messages sent in Q3 (Tokyo): rows 1-14 = 14: case-notification 7, reminder 1, publication 1, incident 5
        // (scan 2, phishing 1, other 1, intrusion 1); by kind developer 8, coordinator 1, national-csirt 4, csirt 1;
        // by country JP 9, KR 2, TW 2, US 1. Deferred at Q3 end: 16, 17 (2); failed: 18 (1); bounced: 11 and an
        // unmatched report (2). In UTC, row 14 moves to Q2 and rows 15 and 26 join Q3 (15 messages, forged 1).
        let c = "case-notification"
        try w.sent(c, case: "JVNVU#11110003", to: "dev-a", at: "2007-07-06T00:00:00Z")                    // 1
        try w.sent(c, case: "JVNVU#11110003", to: "dev-b", at: "2007-07-06T00:00:00Z")                    // 2
        try w.sent(c, case: "JVNVU#11110003", to: "dev-c", at: "2007-07-06T00:00:00Z")                    // 3
        try w.sent(c, case: "JVNVU#11110004", to: "dev-a", at: "2007-08-02T00:00:00Z")                    // 4
        try w.sent(c, case: "JVNVU#11110004", to: "dev-c", at: "2007-08-02T00:00:00Z")                    // 5
        try w.sent(c, case: "VU#100002", to: "certcc", at: "2007-07-01T00:00:00Z")                        // 6
        try w.sent(c, case: "VU#100003", to: "dev-b", at: "2007-09-30T14:00:00Z")                         // 7
        try w.sent("reminder", case: "JVNVU#11110003", to: "dev-c", at: "2007-08-20T00:00:00Z")           // 8
        try w.sent("publication", case: "JVNVU#11110003", to: "dev-a", at: "2007-09-30T10:00:00Z")        // 9
        try w.sent("incident", category: "scan", to: "krcert", at: "2007-07-15T00:00:00Z")                // 10
        let bounced = try w.sent("incident", category: "scan", to: "twncert", at: "2007-08-15T00:00:00Z", // 11
                                 recipientStatus: "bounced", recipientUpdatedAt: "2007-08-15T01:00:00Z")
        try w.sent("incident", category: "phishing", to: "acme-csirt", at: "2007-09-01T00:00:00Z")        // 12
        try w.sent("incident", category: "other", to: "krcert", at: "2007-09-05T00:00:00Z")               // 13
        try w.sent("incident", category: "intrusion", to: "twncert", at: "2007-06-30T15:00:00Z",          // 14
                   created: "2007-06-30T14:00:00Z")
        try w.sent("incident", category: "forged", to: "krcert", at: "2007-09-30T16:00:00Z",              // 15
                   created: "2007-09-30T15:30:00Z")
        try w.unsent("reminder", case: "JVNVU#11110004", to: "dev-a", state: "deferred",                  // 16
                      created: "2007-09-20T00:00:00Z", attempts: 3)
        try w.sent("incident", category: "other", to: "mycert", at: "2007-10-02T00:00:00Z",               // 17
                   created: "2007-09-29T00:00:00Z")
        try w.unsent("incident", category: "scan", to: "mycert", state: "failed",                         // 18
                      created: "2007-08-10T00:00:00Z", attempts: 8)
        try w.unsent(c, case: "JVNVU#11110002", to: "dev-b", state: "failed", created: "2007-06-01T00:00:00Z", // 19
                     attempts: 1, recipientStatus: "bounced", recipientUpdatedAt: "2007-06-01T00:10:00Z")
        try w.unsent("reminder", case: "VU#100003", to: "krcert", state: "queued", created: "2007-10-05T00:00:00Z") // 20
        try w.sent(c, case: "JVNVU#11110002", to: "dev-a", at: "2007-05-02T00:00:00Z")                    // 21
        try w.sent(c, case: "JVNVU#11110002", to: "dev-b", at: "2007-05-02T00:00:00Z")                    // 22
        try w.sent("incident", category: "scan", to: "krcert", at: "2007-04-10T00:00:00Z")                // 23
        try w.sent("incident", category: "other", to: "krcert", at: "2006-12-10T00:00:00Z")               // 24
        try w.sent(c, case: "VU#100001", to: "dev-a", at: "2006-12-02T00:00:00Z")                         // 25
        try w.sent(c, case: "VU#100003", to: "krcert", at: "2007-09-30T16:00:00Z",                        // 26
                   created: "2007-09-30T15:50:00Z")

        try w.inbound(kind: "bounce", at: "2007-08-15T01:05:00Z", notificationId: bounced)
        try w.inbound(kind: "bounce", at: "2007-09-02T00:00:00Z", notificationId: nil)
        try w.inbound(kind: "reply", at: "2007-07-07T00:00:00Z", notificationId: 1)
        try w.event(at: "2007-01-01T00:00:00Z", action: "organization.added", type: "organization", id: "krcert", data: [:])
    }
}

/// Inserts fixture rows with plain SQL, the way any writer following the schema would, and the matching events.
struct HistoryWriter {
    let session: any SQLSession
    private let created = ReportFixtures.instant("2006-01-01T00:00:00Z")

    init(_ session: any SQLSession) { self.session = session }

    private func t(_ text: String?) -> Date? { text.map(ReportFixtures.instant) }

    func organization(_ id: String, _ name: String, localName: String? = nil, kind: String, country: String,
                      status: String = "active", statusDate: String? = nil) throws {
        try session.execute("""
            INSERT INTO organization (id, name, localName, kind, country, status, statusDate, createdAt, updatedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, id, name, localName, kind, country, status, statusDate, created, created)
    }

    func membership(_ organization: String, _ body: String, _ role: String, since: String?, until: String? = nil) throws {
        try session.execute("INSERT INTO membership (organizationId, body, role, since, until) VALUES (?, ?, ?, ?, ?)",
                            organization, body, role, since, until)
    }

    func agreement(_ organization: String, _ kind: String, signed: String?, ended: String? = nil) throws {
        try session.execute("INSERT INTO agreement (organizationId, kind, signed, ended) VALUES (?, ?, ?, ?)",
                            organization, kind, signed, ended)
    }

    func contact(_ organization: String, _ email: String, pgp: String? = nil, active: Bool = true,
                 lastBounceAt: String? = nil) throws {
        try session.execute("""
            INSERT INTO contact (organizationId, email, language, pgp, active, bounceCount, lastBounceAt)
            VALUES (?, ?, 'en', ?, ?, ?, ?)
            """, organization, email, pgp, active, lastBounceAt == nil ? 0 : 1, t(lastBounceAt))
    }

    func key(_ fingerprint: String, expiresAt: String?, revoked: Bool = false) throws {
        try session.execute("""
            INSERT INTO key (fingerprint, armored, algorithm, createdAt, expiresAt, revoked)
            VALUES (?, '-----BEGIN PGP PUBLIC KEY BLOCK-----', 'ed25519', ?, ?, ?)
            """, fingerprint, created, t(expiresAt), revoked)
    }

    /// `tlp` nil: a case opened before TLP levels were kept.
    func openCase(_ id: String, origin: String, opened: String, published: String? = nil, tlp: String? = nil) throws {
        try session.execute("INSERT INTO \"case\" (id, title, origin, openedAt, publishedAt, tlp) VALUES (?, ?, ?, ?, ?, ?)",
                            id, "Vulnerability in product \(id)", origin, t(opened), t(published), tlp)
        try event(at: opened, action: "case.opened", type: "case", id: id, data: ["origin": origin, "openedAt": iso(opened)])
        if let published {
            // Logged an hour after the date it records, as `case publish --at` may backdate.
            let logged = t(published)!.addingTimeInterval(3600)
            try event(at: logged, action: "case.published", type: "case", id: id,
                      data: ["origin": origin, "publishedAt": iso(published)])
        }
    }

    func participant(_ caseId: String, _ organization: String, notified: String? = nil, responded: String? = nil) throws {
        try session.execute("""
            INSERT INTO participant (caseId, organizationId, addedAt, delivery, firstNotifiedAt, response,
                                     firstResponseAt, respondedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, caseId, organization, t(notified) ?? created, notified == nil ? "pending" : "notified",
            t(notified), responded == nil ? "none" : "acknowledged", t(responded), t(responded))
    }

    @discardableResult
    func sent(_ purpose: String, case caseId: String? = nil, category: String? = nil, to organization: String,
              at: String, created: String? = nil, recipientStatus: String = "delivered",
              recipientUpdatedAt: String? = nil) throws -> Int64 {
        let sentAt = t(at)!
        let id = try insertNotification(purpose, caseId: caseId, category: category, organization: organization,
                                        state: "sent", created: t(created) ?? sentAt.addingTimeInterval(-60),
                                        sentAt: sentAt, attempts: 1)
        try recipient(id, organization, status: recipientStatus, updatedAt: t(recipientUpdatedAt) ?? sentAt)
        var data: [String: Any] = ["organizationId": organization, "purpose": purpose, "at": iso(at)]
        if let caseId { data["caseId"] = caseId }
        if let category { data["category"] = category }
        try event(at: sentAt, action: "notification.sent", type: "notification", id: String(id), data: data)
        return id
    }

    func unsent(_ purpose: String, case caseId: String? = nil, category: String? = nil, to organization: String,
                state: String, created: String, attempts: Int = 0, recipientStatus: String? = nil,
                recipientUpdatedAt: String? = nil) throws {
        let id = try insertNotification(purpose, caseId: caseId, category: category, organization: organization,
                                        state: state, created: t(created)!, sentAt: nil, attempts: attempts)
        try recipient(id, organization, status: recipientStatus ?? (state == "failed" ? "failed" : "deferred"),
                      updatedAt: t(recipientUpdatedAt) ?? t(created)!)
    }

    func inbound(kind: String, at: String, notificationId: Int64?) throws {
        try session.execute("""
            INSERT INTO inboundMessage (messageId, receivedAt, fromAddress, subject, kind, notificationId, bytes)
            VALUES (?, ?, 'MAILER-DAEMON@mx.example', 'Undelivered Mail', ?, ?, ?)
            """, "inbound-\(UUID().uuidString)@mx.example", t(at), kind, notificationId, Data([0]))
    }

    func event(at: String, action: String, type: String, id: String, data: [String: Any]) throws {
        try event(at: t(at)!, action: action, type: type, id: id, data: data)
    }

    private func event(at: Date, action: String, type: String, id: String, data: [String: Any]) throws {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]), as: UTF8.self)
        let previous = try session.value("SELECT hash FROM event ORDER BY id DESC LIMIT 1", as: String.self)
            ?? String(repeating: "0", count: 64)
        // The chain's real hash belongs to the registry; the reports only read events, so a stand-in value will do.
        let count = try session.value("SELECT COUNT(*) FROM event", as: Int.self) ?? 0
        let hash = String(format: "%064x", count + 1)
        try session.execute("""
            INSERT INTO event (at, actor, action, objectType, objectId, data, prevHash, hash)
            VALUES (?, 'fixture', ?, ?, ?, ?, ?, ?)
            """, at, action, type, id, json, previous, hash)
    }

    private func insertNotification(_ purpose: String, caseId: String?, category: String?, organization: String,
                                    state: String, created: Date, sentAt: Date?, attempts: Int) throws -> Int64 {
        let token = UUID().uuidString
        let id = try session.value("""
            INSERT INTO notification (caseId, organizationId, purpose, incidentCategory, template, language, messageId,
                                      trackingRef, subject, mailFrom, signed, encrypted, state, attempts,
                                      createdAt, sentAt)
            VALUES (?, ?, ?, ?, ?, 'en', ?, ?, 'Notice', 'vuls@csirt.example', 1, 0, ?, ?, ?, ?)
            RETURNING id
            """, caseId, organization, purpose, category, purpose, "\(token)@csirt.example", token,
            state, attempts, created, sentAt, as: Int64.self)
        guard let id else { throw FixtureError("no id for the notification \(token)") }
        return id
    }

    private func recipient(_ notification: Int64, _ organization: String, status: String, updatedAt: Date) throws {
        let email = try session.value("SELECT email FROM contact WHERE organizationId = ? ORDER BY id LIMIT 1", organization,
                                      as: String.self) ?? "contact@\(organization).example"
        try session.execute("""
            INSERT INTO notificationRecipient (notificationId, email, kind, status, updatedAt) VALUES (?, ?, 'to', ?, ?)
            """, notification, email, status, updatedAt)
    }

    private func iso(_ text: String) -> String {
        // Event data carries instants as ISO 8601 with milliseconds, as a JSON encoder would write them.
        text.replacingOccurrences(of: "Z", with: ".000Z")
    }
}

/// The fixture could not write its history.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
