/// What `liaison audit verify` found when it recomputed the event log's hash chain; the report prints it.
public struct LogIntegrity: Sendable, Hashable {
    /// True when every event's hash matched.
    public var intact: Bool
    /// How many events were checked.
    public var eventCount: Int
    /// The latest audit seal of the workspace, as one line (`AuditSeal.summary`); nil when there is none.
    public var latestSeal: String?

    public init(intact: Bool, eventCount: Int, latestSeal: String? = nil) {
        self.intact = intact
        self.eventCount = eventCount
        self.latestSeal = latestSeal
    }
}
