import Foundation
import Registry

/// Opening cases, choosing their participants, recording responses and publication. Every change is an event;
/// the case store (`CaseStoring`, `RegistryStore.cases`) owns the tables, this type checks what the coordinator typed.
///
/// ```swift
/// let book = CaseBook(store: store, actor: "coordinator")
/// try book.open(id: "JVNVU#12345678", title: "TLS certificate check", origin: "jvn-jp", due: "2007-10-15")
/// let added = try book.addParticipants(caseId: "JVNVU#12345678", technologies: ["tls"])
/// ```
public struct CaseBook: Sendable {
    public let cases: any CaseStoring
    public let actor: String
    public var now: @Sendable () -> Date = { Date() }
    /// The partners a case may come from (`cases.origins`).
    public var origins: [String] = WorkspaceConfiguration.Cases.shippedOrigins
    /// The workspace zone, in which a due date is a day.
    public var dates: WorkspaceDates = .utc
    /// The level of a case opened without one (`cases.tlp`).
    public var defaultTLP: TrafficLightProtocol = .defaultLevel
    /// The level publication lowers a case to (`cases.publication_tlp`).
    public var publicationTLP: TrafficLightProtocol = .clear

    public init(store: RegistryStore, actor: String) {
        self.cases = store.cases
        self.actor = actor
    }

    /// Opens a case; its id is free text such as `JVNVU#12345678` or `VU#123456`. The origin must be one of
    /// `origins`; a due date before today is refused unless `force`.
    @discardableResult
    public func open(id: String, title: String, origin: String, due: String? = nil, openedAt: Date? = nil,
                     tlp: TrafficLightProtocol? = nil, titleJa: String? = nil, force: Bool = false) throws -> CaseRecord {
        let id = id.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, !id.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            throw GatewayError.invalidArgument("a case id is one line of text, such as JVNVU#12345678")
        }
        if let hidden = id.unicodeScalars.first(where: Self.isInvisible) {
            throw GatewayError.invalidArgument("the case id contains the invisible character \(Self.name(of: hidden)) (a bidi control "
                                               + "or format character that can make text read differently from what it is); remove it")
        }
        if let problem = CaseTitle.problem(title) { throw GatewayError.invalidArgument("--title \(problem)") }
        if let titleJa, let problem = CaseTitle.problem(titleJa) { throw GatewayError.invalidArgument("--title-ja \(problem)") }
        guard CaseOrigin.isWellFormed(origin) else {
            throw GatewayError.invalidArgument("origin \(origin) is not a partner id such as jvn-jp, cert-cc or cpni")
        }
        if let problem = CaseGuards.originProblem(origin, partners: origins) { throw GatewayError.invalidArgument(problem) }
        var dueDay: CalendarDate?
        if let due {
            guard let day = CalendarDate(due) else {
                throw GatewayError.invalidArgument(CalendarDate.hasDayForm(due)
                                                   ? "the due date \"\(due)\" is not a day of the calendar"
                                                   : "the due date \"\(due)\" is not a date of the form YYYY-MM-DD")
            }
            if let problem = CaseGuards.farDueProblem(day, today: dates.day(of: now())) { throw GatewayError.invalidArgument(problem) }
            if !force, let problem = CaseGuards.pastDueProblem(day, today: dates.day(of: now()), zone: dates.timeZone) {
                throw GatewayError.invalidArgument(problem)
            }
            dueDay = day
        }
        let record = CaseRecord(id: id, title: title, origin: origin, openedAt: openedAt ?? now(), due: dueDay, tlp: tlp, titleJa: titleJa)
        try GatewayError.mapping { try cases.open(record, actor: actor) }
        return record
    }

    /// C0 and C1 controls and DEL (U+0000–U+001F, U+007F–U+009F) and the line and paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// Format characters (Unicode category Cf: bidi controls, zero-width spaces and joiners, U+FEFF) and controls,
    /// which make two case ids look alike or read differently from what they are.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .format || isControl(scalar)
    }

    static func name(of scalar: Unicode.Scalar) -> String { String(format: "U+%04X", scalar.value) }

    /// Adds organisations by id, and every active organisation implementing all `technologies` (of `kind`,
    /// product developers by default when technologies are given). Returns the ids newly added.
    @discardableResult
    public func addParticipants(caseId: String, organizations: [String] = [], technologies: [String] = [],
                                kind: String? = nil) throws -> [String] {
        do {
            return try cases.addParticipants(caseId: caseId, organizations: organizations, technologies: technologies,
                                             kind: kind, actor: actor, at: now())
        } catch let error as StoreError where error == .unknownOrganization {
            // Every unknown or retired organisation, one per line.
            throw GatewayProblems(error.description.components(separatedBy: "\n"))
        } catch let error as StoreError {
            throw GatewayError.from(error)
        }
    }

    /// Records what an organisation said about the case.
    public func setResponse(caseId: String, organizationId: String, response: Response, statement: String? = nil,
                            at date: Date? = nil, source: String = "manual") throws {
        try GatewayError.mapping {
            try cases.setResponse(caseId: caseId, organizationId: organizationId, response: response, statement: statement,
                                  at: date ?? now(), actor: actor, source: source)
        }
    }

    /// Marks the case published (the advisory is out); publication notices are sent with `notify --template publication`.
    /// Publishing before the start of the due day is refused unless `force`.
    ///
    /// The case's TLP level becomes `tlp` when given; otherwise it is lowered to `publicationTLP` (the advisory is
    /// public now), and never raised. Returns the level the case has once published.
    @discardableResult
    public func publish(caseId: String, at date: Date? = nil, dates: WorkspaceDates = .utc, force: Bool = false,
                        tlp: TrafficLightProtocol? = nil, advisoryURL: String? = nil) throws -> TrafficLightProtocol {
        let instant = date ?? now()
        let record = try GatewayError.mapping { try cases.existing(caseId) }
        if record.publishedAt == nil,
           let problem = CaseGuards.futurePublicationProblem(caseId: caseId, at: instant, now: now(), zone: dates.timeZone) {
            throw GatewayError.invalidArgument(problem)
        }
        if !force, record.publishedAt == nil,
           let problem = CaseGuards.earlyPublicationProblem(caseId: caseId, due: record.due, at: instant, zone: dates.timeZone) {
            throw GatewayError.invalidArgument(problem)
        }
        if let advisoryURL { try Self.checkAdvisoryURL(advisoryURL) }
        let current = record.tlp ?? defaultTLP
        let level = tlp ?? (current.isStricter(than: publicationTLP) ? publicationTLP : current)
        try GatewayError.mapping {
            try cases.publish(caseId: caseId, at: instant, actor: actor, dates: dates,
                              tlp: level == record.tlp ? nil : level, advisoryURL: advisoryURL)
        }
        return level
    }

    /// An advisory address is an absolute https (or http) URL on one line.
    static func checkAdvisoryURL(_ text: String) throws {
        guard let url = URL(string: text), ["https", "http"].contains(url.scheme?.lowercased() ?? ""), url.host != nil,
              !text.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw GatewayError.invalidArgument("--url \(text) is not an advisory address such as https://jvn.jp/vu/JVNVU12345678/")
        }
    }

    /// Sets the case's TLP level (a `case.tlp-changed` event); returns the previous one.
    @discardableResult
    public func setTLP(caseId: String, to level: TrafficLightProtocol) throws -> TrafficLightProtocol {
        let previous = try GatewayError.mapping { try cases.setTLP(caseId: caseId, to: level, at: now(), actor: actor) }
        return previous ?? defaultTLP
    }

    /// Sets the case's title and its Japanese title (a `case.title-changed` event); nil leaves one as it is.
    public func setTitles(caseId: String, title: String?, titleJa: String?) throws {
        for (flag, text) in [("--title", title), ("--title-ja", titleJa)] {
            if let text, let problem = CaseTitle.problem(text) { throw GatewayError.invalidArgument("\(flag) \(problem)") }
        }
        try GatewayError.mapping { try cases.setTitles(caseId: caseId, title: title, titleJa: titleJa, at: now(), actor: actor) }
    }

    /// Withdraws a case opened by mistake; its queued and deferred messages are cancelled.
    public func withdraw(caseId: String, reason: String) throws -> CaseWithdrawal {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty, !reason.contains(where: \.isNewline) else {
            throw GatewayError.invalidArgument("--reason must say in one line why the case is withdrawn")
        }
        return try GatewayError.mapping { try cases.withdraw(caseId: caseId, reason: reason, at: now(), actor: actor) }
    }

    /// Reopens a withdrawn case.
    public func reopen(caseId: String) throws {
        try GatewayError.mapping { try cases.reopen(caseId: caseId, at: now(), actor: actor) }
    }

    /// Cases, newest first; `openOnly` leaves out published ones.
    public func list(openOnly: Bool = false) throws -> [CaseSummary] {
        try cases.list(openOnly: openOnly)
    }

    /// One case with each participant's state, longest waiting first among those without a response.
    public func show(caseId: String) throws -> CaseDetail {
        try GatewayError.mapping { try cases.show(caseId: caseId, now: now()) }
    }

    /// What the desk's case page shows, read at once: the case, each participant's row of the vendor matrix (its
    /// state, delivery troubles, product statements, last message in and out, source of the response) and the
    /// latest `timelineLimit` events.
    public func matrix(caseId: String, timelineLimit: Int) throws -> CaseMatrix {
        try GatewayError.mapping { try cases.matrix(caseId: caseId, timelineLimit: timelineLimit) }
    }
}
