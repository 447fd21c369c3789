import Foundation

/// The span a report counts: instants for timestamp columns (`[start, end)`), calendar days for date columns
/// (`firstDay` to `lastDay`, both included).
public struct ReportPeriod: Sendable, Hashable {
    /// First instant of the period.
    public var start: Date
    /// First instant after the period.
    public var end: Date
    /// First calendar day, for columns that hold dates (agreements, memberships).
    public var firstDay: CalendarDate
    /// Last calendar day.
    public var lastDay: CalendarDate

    public init(start: Date, end: Date, firstDay: CalendarDate, lastDay: CalendarDate) {
        self.start = start
        self.end = end
        self.firstDay = firstDay
        self.lastDay = lastDay
    }
}

/// The registry's answers to the reports (`store.reports`): the quarter's figures over one consistent view of its
/// tables, the event log's integrity, and the developers that could not be reached. The same on SQLite and
/// PostgreSQL: the SQL is shared, and what only one engine computes (days between instants, where an event's own
/// date falls) is computed in Swift, so the same history gives the same report, byte for byte.
///
/// ```swift
/// let sent = try store.reports.read { queries in try queries.sentNotifications(in: period) }
/// let unreachable = try store.reports.unreachableOrganizations()
/// ```
public protocol ReportStoring: Sendable {
    /// Runs `body` over one read transaction (one snapshot), so every figure agrees with the others; errors thrown
    /// by the store or by `body` are passed on.
    func read<T>(_ body: (any ReportQueries) throws -> T) throws -> T
    /// Recomputes the event log's hash chain (see `EventLog.verify`); the report says whether it is intact.
    func verifyEventLog() throws -> EventLogVerification
    /// Organisations with a participant currently marked unreachable (a response clears the mark; the event log
    /// keeps it), ordered by id, each with its cases (by first notification, then id) and the addresses tried.
    func unreachableOrganizations() throws -> [UnreachableOrganization]
}

/// The report's read queries, each for a period; valid only inside ``ReportStoring/read(_:)``.
///
/// Instants are compared as half-open ranges `[start, end)`; days (`YYYY-MM-DD`) as closed ranges.
public protocol ReportQueries {
    // MARK: Notifications (the outbox)

    /// Messages in state `sent` with `sentAt` in `period`, counted by purpose, incident category and the recipient
    /// organisation's kind and country (nil when the organisation is unknown).
    func sentNotifications(in period: ReportPeriod) throws -> [SentNotificationGroup]
    /// Messages created before `period.end` and not sent by then: queued, sending or deferred now, or sent after.
    func unsentNotifications(atEndOf period: ReportPeriod) throws -> Int
    /// Messages created in `period` that are now `failed`.
    func failedNotifications(createdIn period: ReportPeriod) throws -> Int
    /// Messages created in the period that a person voided (a failure of ours, or their case withdrawn).
    func voidedNotifications(createdIn period: ReportPeriod) throws -> Int
    /// Ids of the cases opened before the period's end that are withdrawn (opened by mistake), by id; the
    /// other case and participant figures leave them out.
    func withdrawnCases(atEndOf period: ReportPeriod) throws -> [String]
    /// Messages in state `sent` with `sentAt` in each span `[bounds[i], bounds[i+1])`; `bounds.count - 1` counts.
    func sentNotificationCounts(between bounds: [Date]) throws -> [Int]

    // MARK: Bounces

    /// Recipients marked `bounced` with `updatedAt` in `period`.
    func bouncedRecipients(in period: ReportPeriod) throws -> [BouncedRecipient]
    /// Bounce reports received in `period`: the message each names, nil when matched to none.
    func bounceReports(in period: ReportPeriod) throws -> [Int64?]
    /// Contacts whose `lastBounceAt` is in `period`.
    func bouncedContacts(in period: ReportPeriod) throws -> [BouncedContact]
    /// Delivery reports received in `period` that blame our message or domain (kind `our-delivery-problem`).
    func ourDeliveryProblems(in period: ReportPeriod) throws -> Int

    // MARK: Cases and participants

    /// Cases opened and published, in `period` and before its end, by origin (every origin with a case).
    func casesByOrigin(in period: ReportPeriod) throws -> [CaseCountsByOrigin]
    /// Cases with `publishedAt` in each span `[bounds[i], bounds[i+1])`, by origin; spans without a case are absent.
    func publishedCases(between bounds: [Date]) throws -> [PublishedCasesInSpan]
    /// Participants first notified in `period`: how many, how many organisations, how many answered by its end.
    func participantsNotified(in period: ReportPeriod) throws -> NotifiedParticipants
    /// Participants first notified before `period.end` with no first response before it.
    func participantsAwaitingResponse(atEndOf period: ReportPeriod) throws -> Int
    /// The first `limit` of those, longest waiting first (then by case and organisation), with their case's TLP level.
    func participantsAwaitingResponse(atEndOf period: ReportPeriod, limit: Int) throws -> [AwaitingParticipantRow]
    /// Days (fractional, never negative) from first notification to first response, for participants first
    /// responding in `period`; unsorted.
    func daysToFirstResponse(in period: ReportPeriod) throws -> [Double]

    // MARK: Directory

    /// Organisations with a membership of `body` (any case) whose `since` is on or before `day` (or not recorded)
    /// and whose `until` is empty or after `day`.
    func members(of body: String, on day: CalendarDate) throws -> Int
    /// Organisations of kind `national-csirt` active on `day` (status active, or retired only after it) or with an
    /// `mou` agreement signed by then and not ended.
    func nationalCSIRTPartners(on day: CalendarDate) throws -> Int
    /// Agreements signed from `firstDay` to `lastDay`, by signing day, organisation and kind.
    func agreementsSigned(from firstDay: CalendarDate, through lastDay: CalendarDate) throws -> [SignedAgreementRow]
    /// The `developer-registration` agreements of product developers that have a signing day.
    func developerRegistrations() throws -> [DeveloperRegistration]
    /// Active contacts with a fingerprint whose key is missing, revoked, or expiring before `instant`; ordered by
    /// organisation and address (case-insensitive).
    func contactKeysUnusable(before instant: Date) throws -> [ContactKeyState]

    // MARK: Event log

    /// The `notification.sent` events logged within `slack` of `period`, one row per message (by object id), with
    /// where the message's own `data.at` falls. Rows are passed to `body` as they are read.
    func notificationSentEvents(around period: ReportPeriod, slack: TimeInterval,
                                _ body: (SentNotificationEvent) throws -> Void) throws
    /// Every `case.opened` and `case.published` event, ordered by case and then as logged, with where its
    /// `data.openedAt` / `data.publishedAt` falls relative to `period`. Rows are passed to `body` as they are read.
    func caseEvents(relativeTo period: ReportPeriod, _ body: (CaseEvent) throws -> Void) throws
    /// Events in the log.
    func eventCount() throws -> Int
}

/// Sent messages sharing a purpose, category and recipient kind and country.
public struct SentNotificationGroup: Sendable, Hashable {
    public var purpose: String
    public var incidentCategory: String?
    /// Nil when the recipient organisation is not in the directory.
    public var organizationKind: String?
    /// ISO 3166-1 alpha-2; nil when the recipient organisation is not in the directory.
    public var country: String?
    public var count: Int

    public init(purpose: String, incidentCategory: String?, organizationKind: String?, country: String?, count: Int) {
        self.purpose = purpose
        self.incidentCategory = incidentCategory
        self.organizationKind = organizationKind
        self.country = country
        self.count = count
    }
}

/// A recipient marked bounced.
public struct BouncedRecipient: Sendable, Hashable {
    public var notificationId: Int64
    /// Lower-cased.
    public var email: String
    /// The organisation the message went to; nil when the message is gone.
    public var organizationId: String?

    public init(notificationId: Int64, email: String, organizationId: String?) {
        self.notificationId = notificationId
        self.email = email
        self.organizationId = organizationId
    }
}

/// A contact whose last bounce is in the period.
public struct BouncedContact: Sendable, Hashable {
    /// Lower-cased.
    public var email: String
    public var organizationId: String

    public init(email: String, organizationId: String) {
        self.email = email
        self.organizationId = organizationId
    }
}

/// Cases of one origin: opened and published in the period, and before its end (all time).
public struct CaseCountsByOrigin: Sendable, Hashable {
    public var origin: String
    public var openedInPeriod: Int
    public var openedBeforeEnd: Int
    public var publishedInPeriod: Int
    public var publishedBeforeEnd: Int

    public init(origin: String, openedInPeriod: Int, openedBeforeEnd: Int, publishedInPeriod: Int, publishedBeforeEnd: Int) {
        self.origin = origin
        self.openedInPeriod = openedInPeriod
        self.openedBeforeEnd = openedBeforeEnd
        self.publishedInPeriod = publishedInPeriod
        self.publishedBeforeEnd = publishedBeforeEnd
    }
}

/// Cases of one origin published in one span of ``ReportQueries/publishedCases(between:)``.
public struct PublishedCasesInSpan: Sendable, Hashable {
    public var origin: String
    /// The span's index, from 0.
    public var span: Int
    public var count: Int

    public init(origin: String, span: Int, count: Int) {
        self.origin = origin
        self.span = span
        self.count = count
    }
}

/// Participants first notified in a period.
public struct NotifiedParticipants: Sendable, Hashable {
    /// Participants (case, organisation).
    public var participants: Int
    /// Distinct organisations among them.
    public var organizations: Int
    /// Those with a first response before the period's end.
    public var respondedBeforeEnd: Int

    public init(participants: Int, organizations: Int, respondedBeforeEnd: Int) {
        self.participants = participants
        self.organizations = organizations
        self.respondedBeforeEnd = respondedBeforeEnd
    }
}

/// A participant still waiting for a first response at a period's end.
public struct AwaitingParticipantRow: Sendable, Hashable {
    public var caseId: String
    public var organizationId: String
    /// Nil when the organisation is not in the directory.
    public var organizationName: String?
    public var organizationLocalName: String?
    public var firstNotifiedAt: Date
    /// The case's TLP level; nil for a case opened before levels were kept.
    public var tlp: TrafficLightProtocol?

    public init(caseId: String, organizationId: String, organizationName: String?, organizationLocalName: String?,
                firstNotifiedAt: Date, tlp: TrafficLightProtocol? = nil) {
        self.caseId = caseId
        self.organizationId = organizationId
        self.organizationName = organizationName
        self.organizationLocalName = organizationLocalName
        self.firstNotifiedAt = firstNotifiedAt
        self.tlp = tlp
    }
}

/// An agreement signed in a period.
public struct SignedAgreementRow: Sendable, Hashable {
    public var organizationId: String
    /// Nil when the organisation is not in the directory.
    public var organizationName: String?
    public var organizationLocalName: String?
    public var kind: String
    public var signed: CalendarDate

    public init(organizationId: String, organizationName: String?, organizationLocalName: String?, kind: String, signed: CalendarDate) {
        self.organizationId = organizationId
        self.organizationName = organizationName
        self.organizationLocalName = organizationLocalName
        self.kind = kind
        self.signed = signed
    }
}

/// A product developer's registration agreement.
public struct DeveloperRegistration: Sendable, Hashable {
    public var organizationId: String
    /// `YYYY-MM-DD`, as stored.
    public var signed: String
    /// `YYYY-MM-DD`, as stored; nil while in force.
    public var ended: String?

    public init(organizationId: String, signed: String, ended: String?) {
        self.organizationId = organizationId
        self.signed = signed
        self.ended = ended
    }
}

/// An active contact's key that cannot be used, or soon cannot.
public struct ContactKeyState: Sendable, Hashable {
    public var email: String
    public var organizationId: String
    public var fingerprint: String
    /// The fingerprint has no row in the key table.
    public var missing: Bool
    public var revoked: Bool
    public var expiresAt: Date?

    public init(email: String, organizationId: String, fingerprint: String, missing: Bool, revoked: Bool, expiresAt: Date?) {
        self.email = email
        self.organizationId = organizationId
        self.fingerprint = fingerprint
        self.missing = missing
        self.revoked = revoked
        self.expiresAt = expiresAt
    }
}

/// Where an instant read from the event log falls relative to a period.
public enum PeriodPlacement: Sendable, Hashable {
    case before
    case within
    case after
}

/// The `notification.sent` events of one message.
public struct SentNotificationEvent: Sendable, Hashable {
    /// `data.purpose`, nil when absent.
    public var purpose: String?
    /// `data.category`, nil when absent.
    public var category: String?
    /// Where the first event's `data.at` falls; nil when it is missing or unreadable.
    public var placement: PeriodPlacement?
    /// Events logged for the message.
    public var events: Int

    public init(purpose: String?, category: String?, placement: PeriodPlacement?, events: Int) {
        self.purpose = purpose
        self.category = category
        self.placement = placement
        self.events = events
    }
}

/// A `case.opened` or `case.published` event.
public struct CaseEvent: Sendable, Hashable {
    public var caseId: String
    /// True for `case.opened`, false for `case.published`.
    public var isOpening: Bool
    /// `data.origin`, nil when absent.
    public var origin: String?
    /// Where `data.openedAt` (or `data.publishedAt`) falls; nil when it is missing or unreadable.
    public var placement: PeriodPlacement?

    public init(caseId: String, isOpening: Bool, origin: String?, placement: PeriodPlacement?) {
        self.caseId = caseId
        self.isOpening = isOpening
        self.origin = origin
        self.placement = placement
    }
}
