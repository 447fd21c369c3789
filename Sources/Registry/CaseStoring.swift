import Foundation

/// The cases and their participants, as every workflow uses them: opening, participants, responses, publication,
/// listings, the reminder ladder, corrections (due date, TLP, titles, withdrawal), import and export. Every change
/// writes its event, naming `actor`, in the same transaction. Reached as `RegistryStore.cases`; the same on SQLite
/// and PostgreSQL.
///
/// Throws `StoreError` when the rules refuse (unknown case or organisation, not a participant, already published,
/// withdrawn), with one sentence naming the case or organisation.
///
/// ```swift
/// try store.cases.open(CaseRecord(id: "JVNVU#12345678", title: "TLS", origin: "jvn-jp", openedAt: Date()), actor: "alice")
/// let added = try store.cases.addParticipants(caseId: "JVNVU#12345678", organizations: ["acme"], technologies: [],
///                                             kind: nil, actor: "alice", at: Date())
/// ```
public protocol CaseStoring: Sendable {
    // MARK: Cases

    /// Opens a case; throws `StoreError.caseExists` when its id is taken.
    func open(_ record: CaseRecord, actor: String) throws
    /// The case; throws `StoreError.unknownCase` (with "did you mean") when there is none.
    func existing(_ caseId: String) throws -> CaseRecord
    /// The case, or nil.
    func record(_ caseId: String) throws -> CaseRecord?
    /// Cases, newest first, with counts of their participants; `openOnly` leaves out published and withdrawn ones.
    func list(openOnly: Bool) throws -> [CaseSummary]
    /// One case with each participant's state (no message bytes are read); days are counted up to `now`.
    func show(caseId: String, now: Date) throws -> CaseDetail
    /// The desk's case page in one read: the case, each participant's row of the vendor matrix (only the columns
    /// it shows, with its activity) and at most `timelineLimit` events, newest first; a fixed number of statements
    /// whatever the number of participants. Throws `StoreError.unknownCase`.
    func matrix(caseId: String, timelineLimit: Int) throws -> CaseMatrix
    /// Per organisation of the case: last message in and out, and the latest response's source and actor.
    func activity(caseId: String) throws -> [String: ParticipantActivity]
    /// The case's events and its participants' events, newest first, at most `limit`.
    func timeline(caseId: String, limit: Int) throws -> [CaseTimelineEntry]
    /// Marks the case published at `date`. A case already published is refused with `StoreError.alreadyPublished`,
    /// naming its publication time as `dates` shows it (`2007-10-01 09:00 (JST)`). With `tlp`, the case's level
    /// becomes it (a `case.tlp-changed` event); with `advisoryURL`, the advisory's address is kept for the
    /// publication template. A withdrawn case is refused.
    func publish(caseId: String, at date: Date, actor: String, dates: WorkspaceDates,
                 tlp: TrafficLightProtocol?, advisoryURL: String?) throws

    // MARK: Participants

    /// Adds organisations by id, and every active organisation of `kind` (product developers when only
    /// technologies are given) implementing all `technologies`. Returns the ids newly added (present ones are
    /// skipped). Unknown or retired organisations are every one listed in the error, and nothing is added.
    func addParticipants(caseId: String, organizations: [String], technologies: [String], kind: String?,
                         actor: String, at now: Date) throws -> [String]
    /// The case's participants' organisation ids, sorted.
    func participantIds(caseId: String) throws -> [String]
    /// One participant, or nil.
    func participant(caseId: String, organizationId: String) throws -> ParticipantRecord?
    /// Records what an organisation said about the case (a status is also a product statement for all its
    /// products, `ProductStatement.Source.person`); the first response time is kept, later ones move
    /// `respondedAt`. `source` is what the event records (`manual`, `reply <Message-ID>`).
    func setResponse(caseId: String, organizationId: String, response: Response, statement: String?,
                     at date: Date, actor: String, source: String) throws
    /// The product statements that stand for each participant of the case (or one participant), in organisation
    /// then product order (`ProductStatement.current(of:)`).
    func productStatements(caseId: String, organizationId: String?) throws -> [ProductStatement]
    /// Every case the organisation took part in, newest first, with what it answered (response, statement, where
    /// the response came from) and how fast.
    func history(organizationId: String) throws -> [ParticipationHistory]

    // MARK: Reminders

    /// Participants of an open case notified at or before `cutoff` with no status, not reminded after it; an
    /// acknowledged participant too while `today` (the workspace's day) is not past the case's due day. Throws
    /// when the case is unknown, published or withdrawn.
    func dueForReminder(caseId: String, cutoff: Date, today: CalendarDate) throws -> [String]
    /// Participants of open cases (or of `caseId`) that were notified (or found undeliverable) and never stated a
    /// status, and are not yet marked unreachable; oldest notification first.
    func waitingParticipants(caseId: String?) throws -> [WaitingParticipant]
    /// Marks a participant unreachable (the ladder is exhausted and no response came), only if it still waits as
    /// `seen` found it; returns whether it was marked.
    @discardableResult
    func markUnreachable(_ seen: WaitingParticipant, at date: Date, actor: String) throws -> Bool
    /// Ids of the cases neither published nor withdrawn, oldest first.
    func openCaseIds() throws -> [String]
    /// Ids of the participants of a case that were notified at least once; throws for an unknown case.
    func notifiedParticipants(caseId: String) throws -> [String]

    // MARK: Corrections

    /// Moves a case's planned publication day; returns the previous one (nil if none). Refused
    /// (`RegistryError.invalidArgument`) for a published or withdrawn case.
    @discardableResult
    func setDue(caseId: String, to due: CalendarDate, at date: Date, actor: String) throws -> CalendarDate?
    /// Sets the case's TLP level; returns the previous one (nil when the case had none and used `cases.tlp`).
    @discardableResult
    func setTLP(caseId: String, to level: TrafficLightProtocol, at date: Date, actor: String) throws -> TrafficLightProtocol?
    /// Sets the case's title (every language but Japanese, and Japanese too when it has none) and its Japanese
    /// title; nil leaves one as it is.
    func setTitles(caseId: String, title: String?, titleJa: String?, at date: Date, actor: String) throws
    /// Withdraws a case opened by mistake: it is left out of the report's counts, and its queued or deferred
    /// messages are cancelled (voided, with the reason). Refused for a case already withdrawn.
    func withdraw(caseId: String, reason: String, at date: Date, actor: String) throws -> CaseWithdrawal
    /// Reopens a withdrawn case: it counts again; messages cancelled with it stay cancelled. Refused for a case
    /// that is not withdrawn.
    func reopen(caseId: String, at date: Date, actor: String) throws

    // MARK: Import and export

    /// Imports past cases (`CaseImportFile`) all or none; problems are `FILE:LINE: message` lines in one
    /// `RegistryError.invalidArgument`. A case already there with the same facts is left as it is.
    func importCases(_ cases: [ImportedCase], file: String, at date: Date, actor: String) throws -> CaseImportOutcome
    /// Everything `case export` reads, in one read; nil when no case has this id.
    func exportSnapshot(caseId: String, publisherId: String?) throws -> CaseExportSnapshot?
}

extension CaseStoring {
    /// The case's events, newest first, at most 500.
    public func timeline(caseId: String) throws -> [CaseTimelineEntry] { try timeline(caseId: caseId, limit: 500) }

    /// `publish` at `date`, with the case's level and no advisory address unless given.
    public func publish(caseId: String, at date: Date, actor: String, dates: WorkspaceDates = .utc) throws {
        try publish(caseId: caseId, at: date, actor: actor, dates: dates, tlp: nil, advisoryURL: nil)
    }

    /// Participants of every open case waiting on the reminder ladder.
    public func waitingParticipants() throws -> [WaitingParticipant] { try waitingParticipants(caseId: nil) }

    /// Imports past cases now.
    public func importCases(_ cases: [ImportedCase], file: String, actor: String) throws -> CaseImportOutcome {
        try importCases(cases, file: file, at: Date(), actor: actor)
    }
}

extension CaseStore {
    func productStatements(caseId: String, organizationId: String?) throws -> [ProductStatement] {
        try engine.read { session in try ProductStatement.standing(session, caseId: caseId, organizationId: organizationId) }
    }
}
