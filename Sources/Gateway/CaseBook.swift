import Foundation
import Registry

/// Opening cases, choosing their participants, recording responses and publication. Every change is an event;
/// the case store (`CaseStore`) owns the tables, this type checks what the coordinator typed.
///
/// ```swift
/// let book = CaseBook(store: store, actor: "coordinator")
/// try book.open(id: "JVNVU#12345678", title: "TLS certificate check", origin: "jvn-jp", due: "2007-10-15")
/// let added = try book.addParticipants(caseId: "JVNVU#12345678", technologies: ["tls"])
/// ```
public struct CaseBook: Sendable {
    public let cases: CaseStore
    public let actor: String
    public var now: @Sendable () -> Date = { Date() }

    public init(store: RegistryStore, actor: String) {
        self.cases = CaseStore(store)
        self.actor = actor
    }

    /// Opens a case; its id is free text such as `JVNVU#12345678` or `VU#123456`.
    @discardableResult
    public func open(id: String, title: String, origin: String, due: String? = nil, openedAt: Date? = nil,
                     tlp: TrafficLightProtocol? = nil) throws -> CaseRecord {
        let id = id.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty, !id.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            throw GatewayError.invalidArgument("a case id is one line of text, such as JVNVU#12345678")
        }
        if let hidden = id.unicodeScalars.first(where: Self.isInvisible) {
            throw GatewayError.invalidArgument("the case id contains the invisible character \(Self.name(of: hidden)) (a bidi control "
                                               + "or format character that can make text read differently from what it is); remove it")
        }
        guard !title.isEmpty, !title.contains(where: \.isNewline) else {
            throw GatewayError.invalidArgument("--title must be one non-empty line")
        }
        guard origin.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil else {
            throw GatewayError.invalidArgument("origin \(origin) is not a partner id such as jvn-jp, cert-cc or cpni")
        }
        if let due, CalendarDate(due) == nil {
            throw GatewayError.invalidArgument(CalendarDate.hasDayForm(due)
                                               ? "the due date \"\(due)\" is not a day of the calendar"
                                               : "the due date \"\(due)\" is not a date of the form YYYY-MM-DD")
        }
        let record = CaseRecord(id: id, title: title, origin: origin, openedAt: openedAt ?? now(), due: due, tlp: tlp)
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
    public func publish(caseId: String, at date: Date? = nil, dates: WorkspaceDates = .utc) throws {
        try GatewayError.mapping { try cases.publish(caseId: caseId, at: date ?? now(), actor: actor, dates: dates) }
    }

    /// Cases, newest first; `openOnly` leaves out published ones.
    public func list(openOnly: Bool = false) throws -> [CaseSummary] {
        try cases.list(openOnly: openOnly)
    }

    /// One case with each participant's state, longest waiting first among those without a response.
    public func show(caseId: String) throws -> CaseDetail {
        try GatewayError.mapping { try cases.show(caseId: caseId, now: now()) }
    }
}
