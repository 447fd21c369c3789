import Registry

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

    /// Verifies the event log of `source`: intact with the events checked, or broken with the events in the log.
    /// Throws ``ReportError/database`` when the registry cannot be read.
    public static func verify(_ source: any ReportStoring) throws -> LogIntegrity {
        do {
            switch try source.verifyEventLog() {
            case .intact(let count): return LogIntegrity(intact: true, eventCount: count)
            case .broken: return LogIntegrity(intact: false, eventCount: try source.read { try $0.eventCount() })
            }
        } catch {
            throw ReportError.database(error)
        }
    }
}
