import Foundation

extension RegistryStore {
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

    /// The per-mailbox IMAP reading state (UIDVALIDITY and last UID read) kept in this store.
    public var mailboxStates: MailboxStateStore { MailboxStateStore(writer: writer) }
}
