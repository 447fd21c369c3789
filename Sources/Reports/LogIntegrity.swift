/// What `liaison audit verify` found when it recomputed the event log's hash chain; the report prints it.
public struct LogIntegrity: Sendable, Hashable {
    /// True when every event's hash matched.
    public var intact: Bool
    /// How many events were checked.
    public var eventCount: Int

    public init(intact: Bool, eventCount: Int) {
        self.intact = intact
        self.eventCount = eventCount
    }
}
