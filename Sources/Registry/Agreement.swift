/// A row of `agreement`: an MoU, a developer registration, ... signed on `signed`, in force until `ended`.
public struct Agreement: Sendable, Equatable, Codable {
    public static let databaseTableName = "agreement"

    /// The kind of agreement by which a product developer is registered.
    public static let developerRegistration = "developer-registration"
    /// A memorandum of understanding.
    public static let memorandumOfUnderstanding = "mou"

    public var id: Int64?
    public var organizationId: String
    /// `mou`, `developer-registration`, or another slug.
    public var kind: String
    public var signed: CalendarDate?
    /// The first day the agreement no longer holds.
    public var ended: CalendarDate?

    public init(id: Int64? = nil, organizationId: String, kind: String, signed: CalendarDate?, ended: CalendarDate? = nil) {
        self.id = id
        self.organizationId = organizationId
        self.kind = kind
        self.signed = signed
        self.ended = ended
    }

    /// Whether the agreement is in force on `date`: signed on or before it and not ended by then.
    public func holds(on date: CalendarDate) -> Bool {
        (signed.map { $0 <= date } ?? false) && (ended.map { date < $0 } ?? true)
    }
}
