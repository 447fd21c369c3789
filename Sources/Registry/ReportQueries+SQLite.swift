import Foundation
import GRDB

extension RegistryStore {
    /// The report's queries over this store.
    public var reports: any ReportSource { SQLiteReportSource(writer) }
}

/// ``ReportSource`` over the SQLite registry; the `v2-report-indexes` migration serves its range queries.
public struct SQLiteReportSource: ReportSource {
    /// The database read from.
    public let reader: any DatabaseReader

    public init(_ reader: any DatabaseReader) {
        self.reader = reader
    }

    public func read<T>(_ body: (any ReportQueries) throws -> T) throws -> T {
        try reader.read { db in try body(SQLiteReportQueries(db: db)) }
    }

    public func verifyEventLog() throws -> EventLogVerification {
        try reader.read { db in try EventLog.verify(db) }
    }
}

/// The report's statements, run inside one read transaction.
struct SQLiteReportQueries: ReportQueries {
    let db: Database

    /// Named arguments `:start`, `:end`, `:firstDay`, `:lastDay`.
    private func arguments(_ period: ReportPeriod) -> StatementArguments {
        ["start": period.start, "end": period.end, "firstDay": period.firstDay, "lastDay": period.lastDay]
    }

    // MARK: Notifications

    func sentNotifications(in period: ReportPeriod) throws -> [SentNotificationGroup] {
        // `+state` keeps SQLite on the sentAt index: nearly every row is 'sent', so the state index selects nothing.
        try Row.fetchAll(db, sql: """
            SELECT n.purpose, n.incidentCategory, o.kind, o.country, COUNT(*)
            FROM notification n LEFT JOIN organization o ON o.id = n.organizationId
            WHERE +n.state = 'sent' AND n.sentAt >= :start AND n.sentAt < :end
            GROUP BY 1, 2, 3, 4
            """, arguments: arguments(period)).map {
            SentNotificationGroup(purpose: $0[0], incidentCategory: $0[1], organizationKind: $0[2], country: $0[3], count: $0[4])
        }
    }

    func unsentNotifications(atEndOf period: ReportPeriod) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT (SELECT COUNT(*) FROM notification
                    WHERE state IN ('queued', 'sending', 'deferred') AND createdAt < :end)
                 + (SELECT COUNT(*) FROM notification
                    WHERE sentAt >= :end AND +state = 'sent' AND createdAt < :end)
            """, arguments: arguments(period)) ?? 0
    }

    func failedNotifications(createdIn period: ReportPeriod) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM notification WHERE state = 'failed' AND createdAt >= :start AND createdAt < :end
            """, arguments: arguments(period)) ?? 0
    }

    func voidedNotifications(createdIn period: ReportPeriod) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM notification WHERE state = 'voided' AND createdAt >= :start AND createdAt < :end
            """, arguments: arguments(period)) ?? 0
    }

    func withdrawnCases(atEndOf period: ReportPeriod) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT id FROM "case" WHERE withdrawnAt IS NOT NULL AND openedAt < :end ORDER BY id
            """, arguments: arguments(period))
    }

    /// Participants of withdrawn cases are left out of every participant figure (`+` keeps SQLite on the range
    /// indexes rather than the case id).
    private static let notWithdrawn = #"+caseId NOT IN (SELECT id FROM "case" WHERE withdrawnAt IS NOT NULL)"#

    func sentNotificationCounts(between bounds: [Date]) throws -> [Int] {
        // One count per span on the sentAt index; a single pass bucketing rows with CASE costs more.
        let statement = try db.makeStatement(sql: """
            SELECT COUNT(*) FROM notification WHERE +state = 'sent' AND sentAt >= ? AND sentAt < ?
            """)
        return try bounds.indices.dropLast().map { index in
            try Int.fetchOne(statement, arguments: [bounds[index], bounds[index + 1]]) ?? 0
        }
    }

    // MARK: Bounces

    func bouncedRecipients(in period: ReportPeriod) throws -> [BouncedRecipient] {
        try Row.fetchAll(db, sql: """
            SELECT r.notificationId, lower(r.email), n.organizationId
            FROM notificationRecipient r LEFT JOIN notification n ON n.id = r.notificationId
            WHERE r.status = 'bounced' AND r.updatedAt >= :start AND r.updatedAt < :end
            """, arguments: arguments(period)).map {
            BouncedRecipient(notificationId: $0[0], email: $0[1], organizationId: $0[2])
        }
    }

    func bounceReports(in period: ReportPeriod) throws -> [Int64?] {
        try Int64?.fetchAll(db, sql: """
            SELECT notificationId FROM inboundMessage WHERE kind = 'bounce' AND receivedAt >= :start AND receivedAt < :end
            """, arguments: arguments(period))
    }

    func ourDeliveryProblems(in period: ReportPeriod) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM inboundMessage
            WHERE kind = 'our-delivery-problem' AND receivedAt >= :start AND receivedAt < :end
            """, arguments: arguments(period)) ?? 0
    }

    func bouncedContacts(in period: ReportPeriod) throws -> [BouncedContact] {
        try Row.fetchAll(db, sql: """
            SELECT lower(email), organizationId FROM contact WHERE lastBounceAt >= :start AND lastBounceAt < :end
            """, arguments: arguments(period)).map { BouncedContact(email: $0[0], organizationId: $0[1]) }
    }

    // MARK: Cases and participants

    func casesByOrigin(in period: ReportPeriod) throws -> [CaseCountsByOrigin] {
        try Row.fetchAll(db, sql: """
            SELECT origin,
                COUNT(CASE WHEN openedAt >= :start AND openedAt < :end THEN 1 END),
                COUNT(CASE WHEN openedAt < :end THEN 1 END),
                COUNT(CASE WHEN publishedAt >= :start AND publishedAt < :end THEN 1 END),
                COUNT(CASE WHEN publishedAt < :end THEN 1 END)
            FROM "case" WHERE withdrawnAt IS NULL GROUP BY origin
            """, arguments: arguments(period)).map {
            CaseCountsByOrigin(origin: $0[0], openedInPeriod: $0[1], openedBeforeEnd: $0[2],
                               publishedInPeriod: $0[3], publishedBeforeEnd: $0[4])
        }
    }

    func publishedCases(between bounds: [Date]) throws -> [PublishedCasesInSpan] {
        guard bounds.count > 1 else { return [] }
        // Cases are few: one pass puts each in its span by comparing with the boundaries.
        let bucket = (1..<bounds.count).map { "WHEN publishedAt < :b\($0) THEN \($0 - 1)" }.joined(separator: " ")
        let arguments = StatementArguments(Dictionary(uniqueKeysWithValues: bounds.enumerated().map {
            ("b\($0.offset)", $0.element as (any DatabaseValueConvertible)?)
        }))
        return try Row.fetchAll(db, sql: """
            SELECT origin, CASE \(bucket) END, COUNT(*) FROM "case"
            WHERE publishedAt >= :b0 AND publishedAt < :b\(bounds.count - 1) AND withdrawnAt IS NULL GROUP BY 1, 2
            """, arguments: arguments).map { PublishedCasesInSpan(origin: $0[0], span: $0[1], count: $0[2]) }
    }

    func participantsNotified(in period: ReportPeriod) throws -> NotifiedParticipants {
        // Separate range queries, so that the indexes on firstNotifiedAt / firstResponseAt serve each.
        let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*), COUNT(DISTINCT organizationId), COUNT(CASE WHEN firstResponseAt < :end THEN 1 END)
            FROM participant WHERE firstNotifiedAt >= :start AND firstNotifiedAt < :end AND \(Self.notWithdrawn)
            """, arguments: arguments(period))
        return NotifiedParticipants(participants: row?[0] ?? 0, organizations: row?[1] ?? 0, respondedBeforeEnd: row?[2] ?? 0)
    }

    func participantsAwaitingResponse(atEndOf period: ReportPeriod) throws -> Int {
        // Withdrawn cases are few: their waiting participants are counted apart and taken off, so that the main
        // count stays on participant_responded.
        try Int.fetchOne(db, sql: """
            SELECT (SELECT COUNT(*) FROM participant
                    WHERE firstNotifiedAt < :end AND (firstResponseAt IS NULL OR firstResponseAt >= :end))
                 - (SELECT COUNT(*) FROM "case" c JOIN participant p ON p.caseId = c.id
                    WHERE c.withdrawnAt IS NOT NULL AND p.firstNotifiedAt < :end
                      AND (p.firstResponseAt IS NULL OR p.firstResponseAt >= :end))
            """, arguments: arguments(period)) ?? 0
    }

    func participantsAwaitingResponse(atEndOf period: ReportPeriod, limit: Int) throws -> [AwaitingParticipantRow] {
        var values = arguments(period)
        values += ["limit": limit]
        return try Row.fetchAll(db, sql: """
            SELECT p.caseId, p.organizationId, o.name, p.firstNotifiedAt, o.localName, c.tlp
            FROM participant p LEFT JOIN organization o ON o.id = p.organizationId
            LEFT JOIN "case" c ON c.id = p.caseId
            WHERE p.firstNotifiedAt < :end AND (p.firstResponseAt IS NULL OR p.firstResponseAt >= :end) AND c.withdrawnAt IS NULL
            ORDER BY p.firstNotifiedAt, p.caseId, p.organizationId
            LIMIT :limit
            """, arguments: values).map {
            AwaitingParticipantRow(caseId: $0[0], organizationId: $0[1], organizationName: $0[2],
                                   organizationLocalName: $0[4], firstNotifiedAt: $0[3],
                                   tlp: ($0[5] as String?).flatMap(TrafficLightProtocol.init(rawValue:)))
        }
    }

    func daysToFirstResponse(in period: ReportPeriod) throws -> [Double] {
        try Double.fetchAll(db, sql: """
            SELECT max(0, julianday(firstResponseAt) - julianday(firstNotifiedAt)) FROM participant
            WHERE firstResponseAt >= :start AND firstResponseAt < :end AND firstNotifiedAt IS NOT NULL AND \(Self.notWithdrawn)
            """, arguments: arguments(period))
    }

    // MARK: Directory

    func members(of body: String, on day: CalendarDate) throws -> Int {
        try Row.fetchAll(db, sql: """
            SELECT DISTINCT organizationId FROM membership
            WHERE upper(body) = upper(:body) AND (since IS NULL OR since <= :day) AND (until IS NULL OR until > :day)
            """, arguments: ["body": body, "day": day]).count
    }

    func nationalCSIRTPartners(on day: CalendarDate) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM organization o
            WHERE o.kind = 'national-csirt' AND (
                o.status = 'active' OR o.statusDate > :day
                OR EXISTS (SELECT 1 FROM agreement a WHERE a.organizationId = o.id AND a.kind = 'mou'
                           AND a.signed <= :day AND (a.ended IS NULL OR a.ended > :day)))
            """, arguments: ["day": day]) ?? 0
    }

    func agreementsSigned(from firstDay: CalendarDate, through lastDay: CalendarDate) throws -> [SignedAgreementRow] {
        try Row.fetchAll(db, sql: """
            SELECT a.organizationId, o.name, a.kind, a.signed, o.localName
            FROM agreement a LEFT JOIN organization o ON o.id = a.organizationId
            WHERE a.signed >= :firstDay AND a.signed <= :lastDay
            ORDER BY a.signed, a.organizationId, a.kind
            """, arguments: ["firstDay": firstDay, "lastDay": lastDay]).map {
            SignedAgreementRow(organizationId: $0[0], organizationName: $0[1], organizationLocalName: $0[4],
                               kind: $0[2], signed: $0[3])
        }
    }

    func developerRegistrations() throws -> [DeveloperRegistration] {
        try Row.fetchAll(db, sql: """
            SELECT a.organizationId, a.signed, a.ended
            FROM agreement a JOIN organization o ON o.id = a.organizationId
            WHERE o.kind = 'product-developer' AND a.kind = 'developer-registration' AND a.signed IS NOT NULL
            """).map { DeveloperRegistration(organizationId: $0[0], signed: $0[1], ended: $0[2]) }
    }

    func contactKeysUnusable(before instant: Date) throws -> [ContactKeyState] {
        try Row.fetchAll(db, sql: """
            SELECT c.email, c.organizationId, c.pgp, k.fingerprint IS NULL, k.revoked, k.expiresAt
            FROM contact c LEFT JOIN key k ON k.fingerprint = c.pgp
            WHERE c.active AND c.pgp IS NOT NULL AND c.pgp <> ''
              AND (k.fingerprint IS NULL OR k.revoked OR k.expiresAt < :warnUntil)
            ORDER BY c.organizationId, lower(c.email)
            """, arguments: ["warnUntil": instant]).map {
            ContactKeyState(email: $0[0], organizationId: $0[1], fingerprint: $0[2], missing: $0[3],
                            revoked: $0[4] ?? false, expiresAt: $0[5])
        }
    }

    // MARK: Event log

    /// Julian day numbers of the period's bounds, as julianday() computes them, so that instants of the log in any
    /// form it reads (`YYYY-MM-DD HH:MM:SS[.SSS]`, ISO 8601 with `Z` or an offset, a bare day) compare alike.
    private func julianBounds(_ period: ReportPeriod) throws -> (start: Double, end: Double) {
        let row = try Row.fetchOne(db, sql: "SELECT julianday(:start), julianday(:end)", arguments: arguments(period))
        return (row?[0] ?? 0, row?[1] ?? 0)
    }

    private static func placement(_ day: Double?, _ bounds: (start: Double, end: Double)) -> PeriodPlacement? {
        guard let day else { return nil }
        return day < bounds.start ? .before : day < bounds.end ? .within : .after
    }

    func notificationSentEvents(around period: ReportPeriod, slack: TimeInterval,
                                _ body: (SentNotificationEvent) throws -> Void) throws {
        let bounds = try julianBounds(period)
        // The first event of each message (by objectId): min(id) makes SQLite take the other columns from it.
        let rows = try Row.fetchCursor(db, sql: """
            SELECT min(id), json_extract(data, '$.purpose'), json_extract(data, '$.category'),
                   julianday(json_extract(data, '$.at')), COUNT(*)
            FROM event WHERE action = 'notification.sent' AND at >= :from AND at < :until
            GROUP BY objectId
            """, arguments: ["from": period.start.addingTimeInterval(-slack), "until": period.end.addingTimeInterval(slack)])
        while let row = try rows.next() {
            try body(SentNotificationEvent(purpose: row[1], category: row[2], placement: Self.placement(row[3], bounds),
                                           events: row[4]))
        }
    }

    func caseEvents(relativeTo period: ReportPeriod, _ body: (CaseEvent) throws -> Void) throws {
        let bounds = try julianBounds(period)
        // Rows come in (objectId, id) order from the event_object index.
        let rows = try Row.fetchCursor(db, sql: """
            SELECT objectId, action = 'case.opened', json_extract(data, '$.origin'),
                   julianday(json_extract(data, CASE action WHEN 'case.opened' THEN '$.openedAt' ELSE '$.publishedAt' END))
            FROM event e WHERE objectType = 'case' AND action IN ('case.opened', 'case.published')
              AND coalesce((SELECT w.action FROM event w WHERE w.objectType = 'case' AND w.objectId = e.objectId
                            AND w.action IN ('case.withdrawn', 'case.reopened') ORDER BY w.id DESC LIMIT 1), '') != 'case.withdrawn'
            ORDER BY objectId, id
            """)
        while let row = try rows.next() {
            try body(CaseEvent(caseId: row[0], isOpening: row[1], origin: row[2], placement: Self.placement(row[3], bounds)))
        }
    }

    func eventCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0
    }
}
