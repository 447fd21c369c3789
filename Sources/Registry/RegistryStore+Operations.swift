import Foundation

extension RegistryStore {
    /// The received-mail operations over this store (`ingest`, `inbox`).
    public var inbound: InboundStore { InboundStore(writer: writer) }

    /// The case lifecycle operations over this store (due dates, reminders, escalation, unreachable), recording
    /// their events as `actor`.
    public func caseLifecycle(actor: String = EventLog.defaultActor) -> CaseLifecycleStore {
        CaseLifecycleStore(writer: writer, actor: actor)
    }

    /// The reads of `case export`.
    public var caseExports: CaseExportQueries { CaseExportQueries(writer) }

    /// The `case import` operation over this store, recording its events as `actor`.
    public func caseImport(actor: String = EventLog.defaultActor) -> CaseImportStore {
        CaseImportStore(writer: writer, actor: actor)
    }

    /// The reads of the unreachable-organisations list (`report unreachable`).
    public var unreachable: UnreachableQueries { UnreachableQueries(writer) }
}
