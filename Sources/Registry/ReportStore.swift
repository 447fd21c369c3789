import Foundation

/// ``ReportStoring`` over the registry's engine; the `v2-report-indexes` migration serves its range queries.
struct ReportStore: ReportStoring {
    let engine: any StoreEngine

    func read<T>(_ body: (any ReportQueries) throws -> T) throws -> T {
        try engine.read { session in try body(SQLReportQueries(session: session)) }
    }

    func verifyEventLog() throws -> EventLogVerification {
        try engine.read { session in try EventLog.verify(session) }
    }
}

/// The report's statements, run inside one read transaction, the same on both engines.
///
/// Instants are bound as the stored text (`YYYY-MM-DD HH:MM:SS.SSS`), so ranges compare as text on both. What
/// SQLite would compute with `julianday()` (days between two instants, where an event's own date falls) is
/// computed here from the text, as SQLite reads it (`JulianInstant`).
struct SQLReportQueries: ReportQueries {
    let session: any SQLSession

    /// `column` kept from the query planner's index choice: SQLite's unary `+` (nearly every message is `sent`, so
    /// an index on the state would select nothing); PostgreSQL has no `+` for text and plans by its statistics.
    private func unindexed(_ column: String) -> String {
        session.kind == .sqlite ? "+" + column : column
    }

    /// The text of the member `key` of the JSON object in the column `data` (an event's data), NULL when absent;
    /// SQLite's `json_extract`, PostgreSQL's `->>`.
    private func eventData(_ key: String) -> String {
        session.kind == .sqlite ? "json_extract(data, '$.\(key)')" : "(data::jsonb ->> '\(key)')"
    }

    // MARK: Notifications

    func sentNotifications(in period: ReportPeriod) throws -> [SentNotificationGroup] {
        // The state test is kept off its index: SQLite stays on the sentAt index (notification_report).
        try session.rows("""
            SELECT n.purpose, n.incidentCategory, o.kind, o.country, COUNT(*)
            FROM notification n LEFT JOIN organization o ON o.id = n.organizationId
            WHERE \(unindexed("n.state")) = 'sent' AND n.sentAt >= ? AND n.sentAt < ?
            GROUP BY n.purpose, n.incidentCategory, o.kind, o.country
            """, period.start, period.end).map {
            SentNotificationGroup(purpose: try $0[0], incidentCategory: try $0[1], organizationKind: try $0[2],
                                  country: try $0[3], count: try $0[4])
        }
    }

    func unsentNotifications(atEndOf period: ReportPeriod) throws -> Int {
        try session.value("""
            SELECT (SELECT COUNT(*) FROM notification
                    WHERE state IN ('queued', 'sending', 'deferred') AND createdAt < ?)
                 + (SELECT COUNT(*) FROM notification
                    WHERE sentAt >= ? AND \(unindexed("state")) = 'sent' AND createdAt < ?)
            """, period.end, period.end, period.end) ?? 0
    }

    func failedNotifications(createdIn period: ReportPeriod) throws -> Int {
        try session.value("""
            SELECT COUNT(*) FROM notification WHERE state = 'failed' AND createdAt >= ? AND createdAt < ?
            """, period.start, period.end) ?? 0
    }

    func voidedNotifications(createdIn period: ReportPeriod) throws -> Int {
        try session.value("""
            SELECT COUNT(*) FROM notification WHERE state = 'voided' AND createdAt >= ? AND createdAt < ?
            """, period.start, period.end) ?? 0
    }

    func withdrawnCases(atEndOf period: ReportPeriod) throws -> [String] {
        try session.values("""
            SELECT id FROM "case" WHERE withdrawnAt IS NOT NULL AND openedAt < ? ORDER BY id
            """, period.end)
    }

    /// Participants of withdrawn cases are left out of every participant figure (the case id kept off its index,
    /// so that SQLite stays on the range indexes).
    private var notWithdrawn: String {
        #"\#(unindexed("caseId")) NOT IN (SELECT id FROM "case" WHERE withdrawnAt IS NOT NULL)"#
    }

    func sentNotificationCounts(between bounds: [Date]) throws -> [Int] {
        // One count per span on the sentAt index; a single pass bucketing rows with CASE costs more.
        let sql = "SELECT COUNT(*) FROM notification WHERE \(unindexed("state")) = 'sent' AND sentAt >= ? AND sentAt < ?"
        return try bounds.indices.dropLast().map { index in
            try session.value(sql, bounds[index], bounds[index + 1]) ?? 0
        }
    }

    // MARK: Bounces

    func bouncedRecipients(in period: ReportPeriod) throws -> [BouncedRecipient] {
        try session.rows("""
            SELECT r.notificationId, lower(r.email), n.organizationId
            FROM notificationRecipient r LEFT JOIN notification n ON n.id = r.notificationId
            WHERE r.status = 'bounced' AND r.updatedAt >= ? AND r.updatedAt < ?
            """, period.start, period.end).map {
            BouncedRecipient(notificationId: try $0[0], email: try $0[1], organizationId: try $0[2])
        }
    }

    func bounceReports(in period: ReportPeriod) throws -> [Int64?] {
        try session.rows("""
            SELECT notificationId FROM inboundMessage WHERE kind = 'bounce' AND receivedAt >= ? AND receivedAt < ?
            """, period.start, period.end).map { try $0[0] as Int64? }
    }

    func ourDeliveryProblems(in period: ReportPeriod) throws -> Int {
        try session.value("""
            SELECT COUNT(*) FROM inboundMessage
            WHERE kind = 'our-delivery-problem' AND receivedAt >= ? AND receivedAt < ?
            """, period.start, period.end) ?? 0
    }

    func bouncedContacts(in period: ReportPeriod) throws -> [BouncedContact] {
        try session.rows("""
            SELECT lower(email), organizationId FROM contact WHERE lastBounceAt >= ? AND lastBounceAt < ?
            """, period.start, period.end).map { BouncedContact(email: try $0[0], organizationId: try $0[1]) }
    }

    // MARK: Cases and participants

    func casesByOrigin(in period: ReportPeriod) throws -> [CaseCountsByOrigin] {
        try session.rows("""
            SELECT origin,
                COUNT(CASE WHEN openedAt >= ? AND openedAt < ? THEN 1 END),
                COUNT(CASE WHEN openedAt < ? THEN 1 END),
                COUNT(CASE WHEN publishedAt >= ? AND publishedAt < ? THEN 1 END),
                COUNT(CASE WHEN publishedAt < ? THEN 1 END)
            FROM "case" WHERE withdrawnAt IS NULL GROUP BY origin
            """, period.start, period.end, period.end, period.start, period.end, period.end).map {
            CaseCountsByOrigin(origin: try $0[0], openedInPeriod: try $0[1], openedBeforeEnd: try $0[2],
                               publishedInPeriod: try $0[3], publishedBeforeEnd: try $0[4])
        }
    }

    func publishedCases(between bounds: [Date]) throws -> [PublishedCasesInSpan] {
        guard bounds.count > 1 else { return [] }
        // Cases are few: one pass puts each in its span by comparing with the boundaries.
        let bucket = "CASE " + (1..<bounds.count).map { "WHEN publishedAt < ? THEN \($0 - 1)" }.joined(separator: " ") + " END"
        let arguments = bounds.dropFirst().map(\.sqlValue) + [bounds[0].sqlValue, bounds[bounds.count - 1].sqlValue]
        return try session.rows("""
            SELECT origin, \(bucket), COUNT(*) FROM "case"
            WHERE publishedAt >= ? AND publishedAt < ? AND withdrawnAt IS NULL GROUP BY 1, 2
            """, arguments).map { PublishedCasesInSpan(origin: try $0[0], span: try $0[1], count: try $0[2]) }
    }

    func participantsNotified(in period: ReportPeriod) throws -> NotifiedParticipants {
        // Separate range queries, so that the indexes on firstNotifiedAt / firstResponseAt serve each.
        let row = try session.row("""
            SELECT COUNT(*), COUNT(DISTINCT organizationId), COUNT(CASE WHEN firstResponseAt < ? THEN 1 END)
            FROM participant WHERE firstNotifiedAt >= ? AND firstNotifiedAt < ? AND \(notWithdrawn)
            """, period.end, period.start, period.end)
        return NotifiedParticipants(participants: try row?[0] ?? 0, organizations: try row?[1] ?? 0,
                                    respondedBeforeEnd: try row?[2] ?? 0)
    }

    func participantsAwaitingResponse(atEndOf period: ReportPeriod) throws -> Int {
        // Withdrawn cases are few: their waiting participants are counted apart and taken off, so that the main
        // count stays on participant_responded.
        try session.value("""
            SELECT (SELECT COUNT(*) FROM participant
                    WHERE firstNotifiedAt < ? AND (firstResponseAt IS NULL OR firstResponseAt >= ?))
                 - (SELECT COUNT(*) FROM "case" c JOIN participant p ON p.caseId = c.id
                    WHERE c.withdrawnAt IS NOT NULL AND p.firstNotifiedAt < ?
                      AND (p.firstResponseAt IS NULL OR p.firstResponseAt >= ?))
            """, period.end, period.end, period.end, period.end) ?? 0
    }

    func participantsAwaitingResponse(atEndOf period: ReportPeriod, limit: Int) throws -> [AwaitingParticipantRow] {
        try session.rows("""
            SELECT p.caseId, p.organizationId, o.name, p.firstNotifiedAt, o.localName, c.tlp
            FROM participant p LEFT JOIN organization o ON o.id = p.organizationId
            LEFT JOIN "case" c ON c.id = p.caseId
            WHERE p.firstNotifiedAt < ? AND (p.firstResponseAt IS NULL OR p.firstResponseAt >= ?) AND c.withdrawnAt IS NULL
            ORDER BY p.firstNotifiedAt, p.caseId, p.organizationId
            LIMIT ?
            """, period.end, period.end, limit).map {
            AwaitingParticipantRow(caseId: try $0[0], organizationId: try $0[1], organizationName: try $0[2],
                                   organizationLocalName: try $0[4], firstNotifiedAt: try $0[3],
                                   tlp: (try $0[5] as String?).flatMap(TrafficLightProtocol.init(rawValue:)))
        }
    }

    func daysToFirstResponse(in period: ReportPeriod) throws -> [Double] {
        var days: [Double] = []
        try session.forEachRow("""
            SELECT firstResponseAt, firstNotifiedAt FROM participant
            WHERE firstResponseAt >= ? AND firstResponseAt < ? AND firstNotifiedAt IS NOT NULL AND \(notWithdrawn)
            """, [period.start.sqlValue, period.end.sqlValue]) { row in
            // As SQLite's max(0, julianday(firstResponseAt) - julianday(firstNotifiedAt)); an unreadable instant
            // gives no figure, as julianday() gives NULL.
            if let responded = JulianInstant.day(row.values[0]), let notified = JulianInstant.day(row.values[1]) {
                days.append(Swift.max(0, responded - notified))
            }
            return true
        }
        return days
    }

    // MARK: Directory

    func members(of body: String, on day: CalendarDate) throws -> Int {
        try session.value("""
            SELECT COUNT(DISTINCT organizationId) FROM membership
            WHERE upper(body) = upper(?) AND (since IS NULL OR since <= ?) AND (until IS NULL OR until > ?)
            """, body, day.description, day.description) ?? 0
    }

    func nationalCSIRTPartners(on day: CalendarDate) throws -> Int {
        try session.value("""
            SELECT COUNT(*) FROM organization o
            WHERE o.kind = 'national-csirt' AND (
                o.status = 'active' OR o.statusDate > ?
                OR EXISTS (SELECT 1 FROM agreement a WHERE a.organizationId = o.id AND a.kind = 'mou'
                           AND a.signed <= ? AND (a.ended IS NULL OR a.ended > ?)))
            """, day.description, day.description, day.description) ?? 0
    }

    func agreementsSigned(from firstDay: CalendarDate, through lastDay: CalendarDate) throws -> [SignedAgreementRow] {
        try session.rows("""
            SELECT a.organizationId, o.name, a.kind, a.signed, o.localName
            FROM agreement a LEFT JOIN organization o ON o.id = a.organizationId
            WHERE a.signed >= ? AND a.signed <= ?
            ORDER BY a.signed, a.organizationId, a.kind
            """, firstDay.description, lastDay.description).map {
            SignedAgreementRow(organizationId: try $0[0], organizationName: try $0[1], organizationLocalName: try $0[4],
                               kind: try $0[2], signed: try $0[3])
        }
    }

    func developerRegistrations() throws -> [DeveloperRegistration] {
        try session.rows("""
            SELECT a.organizationId, a.signed, a.ended
            FROM agreement a JOIN organization o ON o.id = a.organizationId
            WHERE o.kind = 'product-developer' AND a.kind = 'developer-registration' AND a.signed IS NOT NULL
            """).map { DeveloperRegistration(organizationId: try $0[0], signed: try $0[1], ended: try $0[2]) }
    }

    func contactKeysUnusable(before instant: Date) throws -> [ContactKeyState] {
        try session.rows("""
            SELECT c.email, c.organizationId, c.pgp, k.fingerprint IS NULL, k.revoked, k.expiresAt
            FROM contact c LEFT JOIN key k ON k.fingerprint = c.pgp
            WHERE c.active = 1 AND c.pgp IS NOT NULL AND c.pgp <> ''
              AND (k.fingerprint IS NULL OR k.revoked = 1 OR k.expiresAt < ?)
            ORDER BY c.organizationId, lower(c.email)
            """, instant).map {
            ContactKeyState(email: try $0[0], organizationId: try $0[1], fingerprint: try $0[2], missing: try $0[3],
                            revoked: try $0[4] ?? false, expiresAt: try $0[5])
        }
    }

    // MARK: Event log

    /// The period's bounds in milliseconds since 1970, as `placement` compares them.
    private typealias Bounds = (start: Int64, end: Int64)

    private static func bounds(_ period: ReportPeriod) -> Bounds {
        (JulianInstant.milliseconds(period.start), JulianInstant.milliseconds(period.end))
    }

    /// Where the instant `value` (an event's own date, as its data holds it) falls relative to `bounds`, read as
    /// SQLite's julianday() reads it; nil when it is not an instant.
    private static func placement(_ value: SQLValue, _ bounds: Bounds) -> PeriodPlacement? {
        guard let instant = JulianInstant.milliseconds(value) else { return nil }
        return instant < bounds.start ? .before : instant < bounds.end ? .within : .after
    }

    func notificationSentEvents(around period: ReportPeriod, slack: TimeInterval,
                                _ body: (SentNotificationEvent) throws -> Void) throws {
        let bounds = Self.bounds(period)
        // The first event of each message (by objectId), and how many were logged for it.
        try session.forEachRow("""
            SELECT \(eventData("purpose")), \(eventData("category")), \(eventData("at")), f.events
            FROM (SELECT min(id) AS first, COUNT(*) AS events FROM event
                  WHERE action = 'notification.sent' AND at >= ? AND at < ? GROUP BY objectId) f
            JOIN event e ON e.id = f.first
            """, [period.start.addingTimeInterval(-slack).sqlValue, period.end.addingTimeInterval(slack).sqlValue]) { row in
            try body(SentNotificationEvent(purpose: try row[0], category: try row[1],
                                           placement: Self.placement(row.values[2], bounds), events: try row[3]))
            return true
        }
    }

    func caseEvents(relativeTo period: ReportPeriod, _ body: (CaseEvent) throws -> Void) throws {
        let bounds = Self.bounds(period)
        // Rows come in (objectId, id) order from the event_object index.
        try session.forEachRow("""
            SELECT objectId, action = 'case.opened', \(eventData("origin")),
                   CASE WHEN action = 'case.opened' THEN \(eventData("openedAt")) ELSE \(eventData("publishedAt")) END
            FROM event e WHERE objectType = 'case' AND action IN ('case.opened', 'case.published')
              AND coalesce((SELECT w.action FROM event w WHERE w.objectType = 'case' AND w.objectId = e.objectId
                            AND w.action IN ('case.withdrawn', 'case.reopened') ORDER BY w.id DESC LIMIT 1), '') != 'case.withdrawn'
            ORDER BY objectId, id
            """, []) { row in
            try body(CaseEvent(caseId: try row[0], isOpening: try row[1], origin: try row[2],
                               placement: Self.placement(row.values[3], bounds)))
            return true
        }
    }

    func eventCount() throws -> Int {
        try session.value("SELECT COUNT(*) FROM event") ?? 0
    }
}

/// Instants read as SQLite's `julianday()` reads them, so that a figure means the same whichever engine computed
/// it: `YYYY-MM-DD`, then optionally `T` or spaces and `HH:MM[:SS[.fraction]]` (hours to 24, fractions truncated
/// to milliseconds), then optionally `Z` or a `±HH:MM` offset; a bare `HH:MM[:SS]` is on 2000-01-01; a number is a
/// Julian day number. Days are not checked against their month (`02-30` is March 2nd), as SQLite does not.
enum JulianInstant {
    /// Milliseconds from 1970-01-01T00:00Z to the start of the Julian period (SQLite's `iJD` of the Unix epoch).
    private static let unixEpoch: Int64 = 210_866_760_000_000

    /// Milliseconds since 1970-01-01T00:00Z; nil when `value` is not an instant.
    static func milliseconds(_ value: SQLValue) -> Int64? {
        switch value {
        case .text(let text): return milliseconds(text)
        case .integer(let number): return julianNumber(Double(number))
        case .real(let number): return julianNumber(number)
        case .null, .blob: return nil
        }
    }

    /// The instant as the registry stores it, in milliseconds since 1970-01-01T00:00Z.
    static func milliseconds(_ date: Date) -> Int64 {
        milliseconds(EventLog.timestamp(date)) ?? Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// julianday(): days since noon UTC on 24 November 4714 BC.
    static func day(_ value: SQLValue) -> Double? {
        milliseconds(value).map { Double($0 + unixEpoch) / 86_400_000.0 }
    }

    private static func julianNumber(_ number: Double) -> Int64? {
        guard number >= 0, number < 5_373_484.5 else { return nil }
        return Int64(number * 86_400_000.0 + 0.5) - unixEpoch
    }

    static func milliseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func isDigit(_ at: Int) -> Bool { at < bytes.count && bytes[at] >= 48 && bytes[at] <= 57 }
        func digits(_ count: Int, max: Int) -> Int? {
            var value = 0
            for offset in 0..<count {
                guard isDigit(index + offset) else { return nil }
                value = value * 10 + Int(bytes[index + offset] - 48)
            }
            guard value <= max else { return nil }
            index += count
            return value
        }
        func skipSpaces() { while index < bytes.count, [32, 9, 10, 11, 12, 13].contains(bytes[index]) { index += 1 } }
        func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        /// `HH:MM[:SS[.fraction]]` then an optional zone, to the end: milliseconds into the day, minus the offset.
        func time() -> Int64? {
            guard let hour = digits(2, max: 24), expect(58), let minute = digits(2, max: 59) else { return nil }
            var milliseconds = Int64(hour) * 3_600_000 + Int64(minute) * 60_000
            if expect(58) {
                guard let second = digits(2, max: 59) else { return nil }
                var fraction = 0.0
                if index + 1 < bytes.count, bytes[index] == 46, isDigit(index + 1) {
                    index += 1
                    var scale = 1.0
                    while isDigit(index) { fraction = fraction * 10 + Double(bytes[index] - 48); scale *= 10; index += 1 }
                    fraction = Swift.min(fraction / scale, 0.999)
                }
                milliseconds += Int64((Double(second) + fraction) * 1000 + 0.5)
            }
            skipSpaces()
            if index < bytes.count {
                switch bytes[index] {
                case 90, 122:   // Z, z
                    index += 1
                case 43, 45:    // + or -
                    let sign: Int64 = bytes[index] == 43 ? 1 : -1
                    index += 1
                    guard let hours = digits(2, max: 14), expect(58), let minutes = digits(2, max: 59) else { return nil }
                    milliseconds -= sign * (Int64(hours) * 60 + Int64(minutes)) * 60_000
                default:
                    return nil
                }
                skipSpaces()
            }
            return index == bytes.count ? milliseconds : nil
        }
        if let year = digits(4, max: 9999), expect(45), let month = digits(2, max: 12), month >= 1, expect(45),
           let day = digits(2, max: 31), day >= 1 {
            while index < bytes.count, bytes[index] == 84 || [32, 9, 10, 11, 12, 13].contains(bytes[index]) { index += 1 }
            let midnight = SQLTimestamp.daysSinceEpoch(year: year, month: month, day: day) * 86_400_000
            if index == bytes.count { return midnight }
            return time().map { midnight + $0 }
        }
        index = 0
        if let inDay = time() {
            return SQLTimestamp.daysSinceEpoch(year: 2000, month: 1, day: 1) * 86_400_000 + inDay
        }
        // A Julian day number written as a number.
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || [43, 45, 46, 69, 101].contains($0) }),
              let number = Double(trimmed) else { return nil }
        return julianNumber(number)
    }
}
