/// A role held in a body such as APCERT or FIRST.
public enum MembershipRole: String, Sendable, Codable, CaseIterable {
    case full
    case general
    case liaison
    case steeringCommittee = "steering-committee"
    case secretariat
}

/// A row of `membership`: an organisation's role in a body from `since` until (not including) `until`.
public struct Membership: Sendable, Equatable, Codable {
    public static let databaseTableName = "membership"

    public var id: Int64?
    public var organizationId: String
    /// `APCERT`, `FIRST`, ...
    public var body: String
    public var role: MembershipRole
    public var since: CalendarDate?
    public var until: CalendarDate?

    public init(id: Int64? = nil, organizationId: String, body: String, role: MembershipRole,
                since: CalendarDate? = nil, until: CalendarDate? = nil) {
        self.id = id
        self.organizationId = organizationId
        self.body = body
        self.role = role
        self.since = since
        self.until = until
    }

    /// Whether the membership holds on `date`: begun on or before it, not yet ended.
    public func holds(on date: CalendarDate) -> Bool {
        (since.map { $0 <= date } ?? true) && (until.map { date < $0 } ?? true)
    }
}
