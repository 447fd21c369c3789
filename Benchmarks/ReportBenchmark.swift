import Foundation
import GRDB
@_spi(Benchmarks) import Registry
import Reports

/// `liaison-bench report`: builds a registry of 10,000 organisations, 50,000 cases and 1,000,000 notifications in a
/// temporary SQLite file, then times `report quarter` in every format beside the time SQLite spends in its queries,
/// first with the shared schema's indexes alone, then with ``ReportIndexes`` added.
enum ReportBenchmark {
    static let organizations = 10_000
    static let cases = 50_000
    static let notifications = 1_000_000
    static let participantsPerCase = 4
    static let runs = 5

    static func run() throws {
        // LIAISON_BENCH_DATABASE keeps the generated registry at that path and reuses it on the next run.
        let kept = ProcessInfo.processInfo.environment["LIAISON_BENCH_DATABASE"]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-bench-report-\(UUID().uuidString)")
        let path = kept ?? folder.appendingPathComponent("registry.sqlite").path
        if kept == nil { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        defer { if kept == nil { try? FileManager.default.removeItem(at: folder) } }

        if !FileManager.default.fileExists(atPath: path) {
            let generation = Date()
            let writer = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(writer)
            let rows = try writer.write { db in
                var generator = RegistryGenerator(db)
                return try generator.generate()
            }
            try writer.close()
            print(String(format: "generated %@ in %.1f s", rows.description, Date().timeIntervalSince(generation)))
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print(String(format: "registry %@, %.0f MB", path, Double(size) / 1_000_000))
        try ReportIndexes.drop(in: RegistryStore(path: path))

        let quarter = try Quarter(parsing: "2007Q3")
        let timeZone = try ReportTimeZone.named("Asia/Tokyo")
        print("report quarter \(quarter) in \(timeZone.identifier), best of \(runs) runs by CPU time (warm cache)\n")

        try measure(path: path, quarter: quarter, timeZone: timeZone, heading: "schema v1 indexes only")
        let indexing = Date()
        try ReportIndexes.create(in: RegistryStore(path: path))
        print(String(format: "\nadded ReportIndexes in %.1f s: %@\n", Date().timeIntervalSince(indexing),
                     ReportIndexes.names.joined(separator: ", ")))
        try measure(path: path, quarter: quarter, timeZone: timeZone, heading: "with ReportIndexes")
        try measure(path: path, quarter: quarter, timeZone: timeZone, compareTo: quarter.previous,
                    heading: "with ReportIndexes, --compare \(quarter.previous)")
        // An early quarter: every message sent after its end is looked at for "still deferred at quarter end".
        let early = try Quarter(parsing: "2004Q1")
        try measure(path: path, quarter: early, timeZone: timeZone, heading: "with ReportIndexes, report \(early)")
    }

    /// Prints, per format, the best wall time of build + render and the SQLite time inside it.
    static let verbose = ProcessInfo.processInfo.environment["LIAISON_BENCH_VERBOSE"] != nil

    /// Prints, per format, the best wall time of build + render, beside the time SQLite alone takes to run the same
    /// statements (captured with their arguments, then stepped through without reading a column).
    private static func measure(path: String, quarter: Quarter, timeZone: TimeZone, compareTo: Quarter? = nil,
                                heading: String) throws {
        let reader = try DatabaseQueue(path: path)
        defer { try? reader.close() }
        let reports = try RegistryStore.opened(with: reader).reports
        func build() throws -> QuarterReport {
            try QuarterReportBuilder.build(reports, quarter: quarter, timeZone: timeZone, compareTo: compareTo,
                                           logIntegrity: LogIntegrity(intact: true, eventCount: 0))
        }

        let captured = StatementLog()
        try reader.inDatabase { db in
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event { captured.append(statement.expandedSQL) }
            }
        }
        _ = try build()
        try reader.inDatabase { db in db.trace(options: [], nil) }
        let statements = captured.all.filter { !$0.hasPrefix("BEGIN") && !$0.hasPrefix("COMMIT") }

        // Best of `runs`, in wall time and in this process's CPU time (steadier on a shared machine).
        var sqlite = Timing.worst
        var perStatement = [(String, TimeInterval)]()
        for _ in 0..<runs {
            var timings = [(String, TimeInterval)]()
            let start = Timing.now()
            try reader.read { db in
                for sql in statements {
                    let began = Date()
                    try db.execute(sql: sql)
                    timings.append((sql, Date().timeIntervalSince(began)))
                }
            }
            let total = Timing.now() - start
            if total.cpu < sqlite.cpu { (sqlite, perStatement) = (total, timings) }
        }

        print(heading)
        print(String(format: "  SQLite alone, the report's %d statements: %.1f ms wall, %.1f ms CPU",
                     statements.count, sqlite.wall * 1000, sqlite.cpu * 1000))
        print("  format     build+render: wall ms   CPU ms   CPU ÷ SQLite CPU   render ms")
        for format in ReportFormat.allCases {
            var best = (total: Timing.worst, render: 0.0)
            for _ in 0..<runs {
                let start = Timing.now()
                let report = try build()
                let built = Timing.now()
                let text = ReportRenderer.render(report, format: format, language: .en)
                precondition(!text.isEmpty)
                let end = Timing.now()
                if (end - start).cpu < best.total.cpu { best = (end - start, (end - built).cpu) }
            }
            print("  " + format.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                  + String(format: "%24.1f %8.1f %18.2f %11.1f", best.total.wall * 1000, best.total.cpu * 1000,
                           best.total.cpu / sqlite.cpu, best.render * 1000))
        }
        print("  slowest statements (SQLite alone):")
        for (sql, duration) in perStatement.sorted(by: { $0.1 > $1.1 }).prefix(verbose ? 40 : 4) {
            let line = sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            print(String(format: "    %6.1f ms  ", duration * 1000) + line.prefix(verbose ? 400 : 100))
        }
    }
}

/// A moment in wall time and in this process's CPU time (user + system).
private struct Timing {
    var wall: TimeInterval
    var cpu: TimeInterval

    static let worst = Timing(wall: .infinity, cpu: .infinity)

    static func now() -> Timing {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> TimeInterval { TimeInterval(time.tv_sec) + TimeInterval(time.tv_usec) / 1_000_000 }
        return Timing(wall: Date().timeIntervalSince1970, cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }

    static func - (lhs: Timing, rhs: Timing) -> Timing { Timing(wall: lhs.wall - rhs.wall, cpu: lhs.cpu - rhs.cpu) }
}

/// The statements a report ran, in order, collected from the connection's trace callback.
private final class StatementLog: Sendable {
    private let lock = NSLock()
    // Guarded by `lock`: the trace callback and the benchmark reach it only through the methods below.
    nonisolated(unsafe) private var statements = [String]()

    func append(_ sql: String) { lock.withLock { statements.append(sql) } }
    var all: [String] { lock.withLock { statements } }
}

/// Writes a large, plausible registry in one transaction with prepared statements; deterministic (seeded).
private struct RegistryGenerator {
    let db: Database
    var random = SplitMix64(seed: 2007)
    /// 2003-01-01T00:00:00Z to 2007-12-31: five years of history, twenty quarters.
    let historyStart = 1_041_379_200
    let historyLength = 5 * 365 * 86_400

    init(_ db: Database) { self.db = db }

    struct Counts: CustomStringConvertible {
        var organizations = 0, contacts = 0, cases = 0, participants = 0, notifications = 0, recipients = 0, events = 0
        var description: String {
            "\(organizations) organisations, \(contacts) contacts, \(cases) cases, \(participants) participants, "
                + "\(notifications) notifications, \(recipients) recipients, \(events) events"
        }
    }

    mutating func generate() throws -> Counts {
        var counts = Counts()
        let kinds = ["product-developer": 4_000, "national-csirt": 120, "coordinator": 30, "csirt": 2_000, "government": 850]
        let countries = ["JP", "US", "KR", "TW", "CN", "SG", "MY", "TH", "ID", "PH", "VN", "IN", "AU", "NZ", "GB", "DE",
                         "FR", "NL", "SE", "FI", "BR", "CA", "HK", "MO", "BN", "KH", "LA", "MM", "MN", "LK"]
        var organizationKinds = [String]()
        for (kind, count) in kinds.sorted(by: { $0.key < $1.key }) { organizationKinds += Array(repeating: kind, count: count) }
        organizationKinds += Array(repeating: "other", count: ReportBenchmark.organizations - organizationKinds.count)

        let organization = try db.makeStatement(sql: """
            INSERT INTO organization (id, name, kind, country, status, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        let contact = try db.makeStatement(sql: """
            INSERT INTO contact (organizationId, email, pgp, active, bounceCount, lastBounceAt) VALUES (?, ?, ?, 1, ?, ?)
            """)
        let key = try db.makeStatement(sql: """
            INSERT INTO key (fingerprint, armored, algorithm, expiresAt, revoked) VALUES (?, 'k', 'ed25519', ?, ?)
            """)
        let membership = try db.makeStatement(sql: "INSERT INTO membership (organizationId, body, role, since, until) VALUES (?, ?, 'full', ?, ?)")
        let agreement = try db.makeStatement(sql: "INSERT INTO agreement (organizationId, kind, signed, ended) VALUES (?, ?, ?, ?)")
        let created = Self.timestamp(historyStart)
        var developers = [String]()
        for index in 0..<ReportBenchmark.organizations {
            let id = "org-\(index)"
            let kind = organizationKinds[index]
            if kind == "product-developer" { developers.append(id) }
            try organization.execute(arguments: [id, "Organisation \(index)", kind, countries[random.below(countries.count)],
                                                 random.below(20) == 0 ? "retired" : "active", created, created])
            counts.organizations += 1
            for number in 0..<2 {
                let fingerprint = random.below(2) == 0 ? String(format: "%040X", index * 2 + number) : nil
                let bounced = random.below(50) == 0 ? Self.timestamp(randomInstant()) : nil
                try contact.execute(arguments: [id, "c\(number)@org-\(index).example", fingerprint, bounced == nil ? 0 : 1, bounced])
                counts.contacts += 1
                if let fingerprint, random.below(5) != 0 {
                    try key.execute(arguments: [fingerprint, Self.timestamp(randomInstant() + 2 * 365 * 86_400),
                                                random.below(40) == 0])
                }
            }
            if kind == "national-csirt" {
                if index % 3 == 0 { try membership.execute(arguments: [id, "APCERT", randomDay(), nil]) }
                if index % 4 == 0 { try agreement.execute(arguments: [id, "mou", randomDay(), nil]) }
            }
            if kind == "product-developer", random.below(4) != 0 {
                try agreement.execute(arguments: [id, "developer-registration", randomDay(),
                                                  random.below(15) == 0 ? randomDay() : nil])
            }
        }

        let caseStatement = try db.makeStatement(sql: "INSERT INTO \"case\" (id, title, origin, openedAt, publishedAt) VALUES (?, 't', ?, ?, ?)")
        let participant = try db.makeStatement(sql: """
            INSERT INTO participant (caseId, organizationId, addedAt, delivery, firstNotifiedAt, response, firstResponseAt)
            VALUES (?, ?, ?, 'notified', ?, ?, ?)
            """)
        let event = try db.makeStatement(sql: """
            INSERT INTO event (at, actor, action, objectType, objectId, data, prevHash, hash) VALUES (?, 'bench', ?, ?, ?, ?, ?, ?)
            """)
        var previousHash = String(repeating: "0", count: 64)
        func log(_ at: Int, _ action: String, _ type: String, _ id: String, _ data: String) throws {
            let hash = String(format: "%064x", counts.events + 1)
            try event.execute(arguments: [Self.timestamp(at), action, type, id, data, previousHash, hash])
            previousHash = hash
            counts.events += 1
        }
        let origins = ["jvn-jp", "jvn-jp", "jvn-jp", "jvn-jp", "cert-cc", "cert-cc", "cert-cc", "cert-cc", "cpni", "auscert"]
        var caseIds = [String]()
        for index in 0..<ReportBenchmark.cases {
            let id = "JVNVU#\(10_000_000 + index)"
            let origin = origins[random.below(origins.count)]
            let opened = historyStart + historyLength * index / ReportBenchmark.cases
            let published = random.below(20) < 17 ? opened + 86_400 * (30 + random.below(90)) : nil
            try caseStatement.execute(arguments: [id, origin, Self.timestamp(opened), published.map(Self.timestamp)])
            try log(opened, "case.opened", "case", id, "{\"openedAt\":\"\(Self.iso(opened))\",\"origin\":\"\(origin)\"}")
            if let published {
                try log(published, "case.published", "case", id, "{\"origin\":\"\(origin)\",\"publishedAt\":\"\(Self.iso(published))\"}")
            }
            caseIds.append(id)
            counts.cases += 1
            var chosen = Set<String>()
            while chosen.count < ReportBenchmark.participantsPerCase { chosen.insert(developers[random.below(developers.count)]) }
            for organizationId in chosen.sorted() {
                let notified = opened + 86_400
                let responded = random.below(10) < 8 ? notified + random.below(60 * 86_400) : nil
                try participant.execute(arguments: [id, organizationId, Self.timestamp(opened), Self.timestamp(notified),
                                                    responded == nil ? "none" : "acknowledged", responded.map(Self.timestamp)])
                counts.participants += 1
            }
        }

        let notification = try db.makeStatement(sql: """
            INSERT INTO notification (id, caseId, organizationId, purpose, incidentCategory, template, language, messageId,
                                      trackingRef, subject, mailFrom, signed, encrypted, state, attempts, createdAt, sentAt)
            VALUES (?, ?, ?, ?, ?, 't', 'en', ?, ?, 's', 'a@b', 1, 0, ?, 1, ?, ?)
            """)
        let recipient = try db.makeStatement(sql: """
            INSERT INTO notificationRecipient (notificationId, email, kind, status, updatedAt) VALUES (?, ?, 'to', ?, ?)
            """)
        let inbound = try db.makeStatement(sql: """
            INSERT INTO inboundMessage (messageId, receivedAt, kind, notificationId, bytes) VALUES (?, ?, 'bounce', ?, X'00')
            """)
        let purposes = ["case-notification", "case-notification", "case-notification", "case-notification", "reminder",
                        "reminder", "publication", "incident", "incident", "incident"]
        let categories = ["scan", "scan", "scan", "phishing", "phishing", "other", "other", "intrusion", "forged"]
        for index in 0..<ReportBenchmark.notifications {
            let id = index + 1
            let createdAt = historyStart + Int(Int64(historyLength) * Int64(index) / Int64(ReportBenchmark.notifications))
            let purpose = purposes[random.below(purposes.count)]
            let organizationId = purpose == "incident" ? "org-\(random.below(ReportBenchmark.organizations))"
                : developers[random.below(developers.count)]
            let caseId = purpose == "incident" ? nil : caseIds[min(caseIds.count - 1, index * ReportBenchmark.cases / ReportBenchmark.notifications)]
            let category = purpose == "incident" ? categories[random.below(categories.count)] : nil
            let roll = random.below(100)
            let state = roll < 97 ? "sent" : roll < 98 ? "failed" : roll < 99 ? "deferred" : "queued"
            let sentAt = state == "sent" ? createdAt + random.below(120) : nil
            try notification.execute(arguments: [id, caseId, organizationId, purpose, category, "m\(id)@b", "t\(id)", state,
                                                 Self.timestamp(createdAt), sentAt.map(Self.timestamp)])
            counts.notifications += 1
            let bounced = state == "sent" && random.below(200) == 0
            try recipient.execute(arguments: [id, "c0@\(organizationId).example", bounced ? "bounced" : state == "sent" ? "delivered" : state,
                                              Self.timestamp((sentAt ?? createdAt) + (bounced ? 300 : 0))])
            counts.recipients += 1
            if bounced { try inbound.execute(arguments: ["b\(id)@mx", Self.timestamp(sentAt! + 310), id]) }
            if let sentAt {
                var data = "{\"at\":\"\(Self.iso(sentAt))\","
                if let caseId { data += "\"caseId\":\"\(caseId)\"," }
                if let category { data += "\"category\":\"\(category)\"," }
                data += "\"organizationId\":\"\(organizationId)\",\"purpose\":\"\(purpose)\"}"
                try log(sentAt, "notification.sent", "notification", String(id), data)
            }
        }
        return counts
    }

    private mutating func randomInstant() -> Int { historyStart + random.below(historyLength) }
    private mutating func randomDay() -> String { String(Self.timestamp(randomInstant() - 3 * 365 * 86_400).prefix(10)) }

    /// `YYYY-MM-DD HH:MM:SS.000`, as GRDB stores dates, without a DateFormatter (millions of rows).
    static func timestamp(_ seconds: Int) -> String {
        EventLog.timestamp(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func iso(_ seconds: Int) -> String {
        var text = timestamp(seconds)
        text.replaceSubrange(text.index(text.startIndex, offsetBy: 10)...text.index(text.startIndex, offsetBy: 10), with: "T")
        return text + "Z"
    }
}

/// A small seeded generator, so every run builds the same registry.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
