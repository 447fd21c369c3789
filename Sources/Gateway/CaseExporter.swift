import Foundation
import Registry

/// Exports one case as a CSAF 2.0 document (profile `csaf_base`) or as Liaison's own case document.
///
/// CSAF mapping (OASIS CSAF 2.0 §3.2):
/// - `document.publisher`: the CSIRT (`sender.organization`), category `coordinator`, namespace
///   `https://<its first domain>`; `document.distribution.tlp` from the case's TLP (CLEAR → WHITE and
///   AMBER+STRICT → AMBER, as CSAF 2.0 knows TLP 1.0 labels only).
/// - `document.tracking`: id = the case id; status `draft` before publication and `final` after; one revision per
///   event of the case and its participants (numbers 1, 2, …; the version is the last number);
///   `initial_release_date` the first revision (publication date once published), `current_release_date` the last.
/// - `product_tree`: a `vendor` branch per participating product developer holding one product,
///   `CSAFPID-<organisation id>`, standing for the developer's products concerned by the case; or, when the
///   developer stated its products in a VEX document, one `product_name` branch per product,
///   `CSAFPID-<organisation id>-<n>`, each in the `product_status` group it stated, with its not-affected
///   justification as a `flags` entry.
/// - `vulnerabilities[0]`: the case; `involvements` per participant (vendor for developers, coordinator for CSIRTs
///   and coordinators, other for the rest): not notified → `not_contacted`, notified without answer (or
///   undeliverable) → `contact_attempted`, acknowledged/investigating → `in_progress`, affected/not-affected/fixed →
///   `completed`. Involvement dates are unique per party as §6.1.24 requires: two participants changing at the
///   same millisecond are told apart by one millisecond, in organisation-id order.
///   `product_status`: affected → `known_affected`, not-affected → `known_not_affected`, fixed → `fixed`,
///   investigating → `under_investigation`; each statement is a note titled with the vendor's name.
///
/// ```swift
/// let exporter = CaseExporter(store: store, publisherId: "example-csirt")
/// let data = try CaseExporter.encode(try exporter.csaf(caseId: "JVNVU#12345678"))
/// ```
public struct CaseExporter: Sendable {
    /// The registry read from.
    public let store: RegistryStore
    /// `sender.organization` from liaison.yaml.
    public let publisherId: String?
    /// The generator's date.
    public var now: @Sendable () -> Date = { Date() }
    /// The engine version written into `tracking.generator`.
    public static let engineVersion = "0.1.0"

    public init(store: RegistryStore, publisherId: String?) {
        self.store = store
        self.publisherId = publisherId
    }

    /// JSON as written by `case export`: pretty-printed, keys sorted, slashes unescaped, newline at the end.
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// Reads the case; throws `GatewayError.unknownCase` when there is none.
    func snapshot(caseId: String) throws -> CaseExportSnapshot {
        guard let snapshot = try store.cases.exportSnapshot(caseId: caseId, publisherId: publisherId) else {
            _ = try GatewayError.mapping { try store.cases.existing(caseId) }
            throw GatewayError.unknownCase(caseId)
        }
        return snapshot
    }

    // MARK: CSAF

    /// The CSAF 2.0 document of the case. Throws `GatewayError.configuration` when the publisher is not set, not
    /// in the registry, or has no domain for the namespace.
    public func csaf(caseId: String) throws -> CSAFDocument {
        let snapshot = try snapshot(caseId: caseId)
        guard let publisherId else {
            throw GatewayError.configuration("sender.organization is not set in liaison.yaml; CSAF names the CSIRT as publisher")
        }
        guard let publisher = snapshot.publisher else {
            throw GatewayError.configuration("sender.organization \(publisherId) is not in the registry; add Directory/organizations/\(publisherId).yaml and run `liaison directory sync`")
        }
        guard let domain = publisher.domains.first else {
            throw GatewayError.configuration("Directory/organizations/\(publisherId).yaml lists no domains; CSAF needs one for the publisher namespace")
        }
        let record = snapshot.record
        let revisions = Self.revisions(snapshot)
        let firstDate = revisions.first?.date ?? record.openedAt
        let lastDate = revisions.last?.date ?? record.openedAt
        var initial = firstDate
        if let published = record.publishedAt { initial = min(max(published, firstDate), lastDate) }
        let tracking = CSAFDocument.Tracking(
            id: record.id, status: record.publishedAt == nil ? "draft" : "final",
            version: String(max(revisions.count, 1)),
            revisionHistory: revisions.isEmpty
                ? [CSAFDocument.Revision(date: Self.csafDate(record.openedAt), number: "1", summary: "Case opened.")]
                : revisions.enumerated().map { index, revision in
                    CSAFDocument.Revision(date: Self.csafDate(revision.date), number: String(index + 1), summary: revision.summary)
                },
            initialReleaseDate: Self.csafDate(initial), currentReleaseDate: Self.csafDate(lastDate),
            generator: .init(engine: .init(name: "Liaison", version: Self.engineVersion), date: Self.csafDate(now())))
        let distribution = Self.caseTLP(record).map { label in
            CSAFDocument.Distribution(text: label.text, tlp: .init(label: label.csafLabel, url: "https://www.first.org/tlp/"))
        }
        let document = CSAFDocument.Document(
            category: "csaf_base", csafVersion: "2.0",
            publisher: .init(category: "coordinator", name: publisher.name, namespace: "https://\(domain)", contactDetails: nil),
            title: record.title, lang: "en", distribution: distribution, notes: nil, tracking: tracking)

        let developers = snapshot.participants.filter { $0.organization.kind == .productDeveloper }
        let branches = developers.map { p in
            p.namedProducts.isEmpty
                ? CSAFDocument.Branch(category: "vendor", name: p.organization.name, branches: nil,
                                      product: .init(name: "\(p.organization.name) products concerned by \(record.id)",
                                                     productId: Self.productId(p.organization.id)))
                // The products the vendor's own VEX document named, each with the status it stated.
                : CSAFDocument.Branch(category: "vendor", name: p.organization.name, branches: p.namedProducts.enumerated().map { index, product in
                    CSAFDocument.Branch(category: "product_name", name: product.product, branches: nil,
                                        product: .init(name: product.product, productId: Self.productId(p.organization.id, index),
                                                       productIdentificationHelper: Self.identificationHelper(product.productId)))
                }, product: nil)
        }
        return CSAFDocument(document: document,
                            productTree: branches.isEmpty ? nil : .init(branches: branches),
                            vulnerabilities: [vulnerability(snapshot)])
    }

    private func vulnerability(_ snapshot: CaseExportSnapshot) -> CSAFDocument.Vulnerability {
        var status = CSAFDocument.ProductStatus()
        var notes: [CSAFDocument.Note] = []
        var involvements: [CSAFDocument.Involvement] = []
        let dates = Self.involvementDates(snapshot.participants)
        var flagged: [String: [String]] = [:]
        for (p, date) in zip(snapshot.participants, dates) {
            let party = Self.party(p.organization.kind)
            involvements.append(.init(party: party, status: Self.involvementStatus(p.record).rawValue,
                                      date: Self.csafDate(milliseconds: date), summary: Self.involvementSummary(p)))
            if let statement = p.record.statement?.trimmingCharacters(in: .whitespacesAndNewlines), !statement.isEmpty {
                notes.append(.init(category: "other", text: statement,
                                   title: "Statement of \(p.organization.name) (\(p.record.response.rawValue))", audience: nil))
            }
            guard p.organization.kind == .productDeveloper else { continue }
            if !p.namedProducts.isEmpty {
                for (index, product) in p.namedProducts.enumerated() {
                    let id = Self.productId(p.organization.id, index)
                    switch product.status {
                    case .affected: status.knownAffected = (status.knownAffected ?? []) + [id]
                    case .notAffected:
                        status.knownNotAffected = (status.knownNotAffected ?? []) + [id]
                        if let label = product.justification.flatMap(Self.csafFlag) { flagged[label, default: []].append(id) }
                    case .fixed: status.fixed = (status.fixed ?? []) + [id]
                    case .investigating: status.underInvestigation = (status.underInvestigation ?? []) + [id]
                    }
                }
                continue
            }
            let id = Self.productId(p.organization.id)
            switch p.record.response {
            case .affected: status.knownAffected = (status.knownAffected ?? []) + [id]
            case .notAffected: status.knownNotAffected = (status.knownNotAffected ?? []) + [id]
            case .fixed: status.fixed = (status.fixed ?? []) + [id]
            case .investigating: status.underInvestigation = (status.underInvestigation ?? []) + [id]
            case .none, .acknowledged: break
            }
        }
        return CSAFDocument.Vulnerability(
            title: snapshot.record.title,
            ids: [.init(systemName: "Liaison case", text: snapshot.record.id)],
            notes: notes.isEmpty ? nil : notes,
            involvements: involvements.isEmpty ? nil : involvements,
            productStatus: status.isEmpty ? nil : status,
            flags: flagged.isEmpty ? nil : flagged.keys.sorted().map { CSAFDocument.Flag(label: $0, productIds: flagged[$0]!) })
    }

    /// The CSAF 2.0 flag label for a VEX justification (CSAF and OpenVEX use the same words; CycloneDX its own).
    static func csafFlag(_ justification: String) -> String? {
        let labels = ["component_not_present", "inline_mitigations_already_exist", "vulnerable_code_cannot_be_controlled_by_adversary",
                      "vulnerable_code_not_in_execute_path", "vulnerable_code_not_present"]
        if labels.contains(justification) { return justification }
        switch justification {
        case "code_not_present": return "vulnerable_code_not_present"
        case "code_not_reachable": return "vulnerable_code_not_in_execute_path"
        case "protected_by_mitigating_control", "protected_at_runtime", "protected_at_perimeter", "protected_by_compiler":
            return "inline_mitigations_already_exist"
        default: return nil
        }
    }

    /// CSAF involvement status of a participant.
    public enum InvolvementStatus: String, Sendable {
        case notContacted = "not_contacted"
        case contactAttempted = "contact_attempted"
        case inProgress = "in_progress"
        case completed
    }

    /// The participant's standing, from its response first and its delivery when it has not answered.
    public static func involvementStatus(_ participant: ParticipantRecord) -> InvolvementStatus {
        switch participant.response {
        case .affected, .notAffected, .fixed: return .completed
        case .acknowledged, .investigating: return .inProgress
        case .none: return participant.delivery == .pending ? .notContacted : .contactAttempted
        }
    }

    static func party(_ kind: OrganizationKind) -> String {
        switch kind {
        case .productDeveloper: return "vendor"
        case .coordinator, .nationalCSIRT, .csirt: return "coordinator"
        case .government, .other: return "other"
        }
    }

    /// Each participant's involvement date in whole milliseconds, unique per party as §6.1.24 requires: exact,
    /// except that a participant sharing its millisecond with an earlier one of the same party moves on to the
    /// next millisecond no other participant of that party has. Compared as integers, so two dates are the same
    /// exactly when their text is.
    static func involvementDates(_ participants: [ExportedParticipant]) -> [Int64] {
        let keyed = participants.map { (party: party($0.organization.kind), date: milliseconds(involvementDate($0.record))) }
        var used: [String: Set<Int64>] = [:]
        var dates: [Int64?] = keyed.map { used[$0.party, default: []].insert($0.date).inserted ? $0.date : nil }
        for index in dates.indices where dates[index] == nil {
            var date = keyed[index].date
            while used[keyed[index].party, default: []].contains(date) { date += 1 }
            used[keyed[index].party, default: []].insert(date)
            dates[index] = date
        }
        return dates.map { $0! }
    }

    static func involvementDate(_ p: ParticipantRecord) -> Date {
        p.respondedAt ?? p.firstNotifiedAt ?? p.addedAt
    }

    static func involvementSummary(_ p: ExportedParticipant) -> String {
        var parts = ["\(p.organization.name) (\(p.organization.id))"]
        switch p.record.delivery {
        case .pending: parts.append("not notified")
        case .notified: parts.append("notified" + (p.record.firstNotifiedAt.map { " \(Timestamp.string($0))" } ?? ""))
        case .undeliverable: parts.append("notification undeliverable")
        }
        if p.record.response != .none { parts.append("response: \(p.record.response.rawValue)") }
        // Where the statements that stand came from: `answer link`, `signed mail`, `VEX file`…
        let sources = p.products.map(\.source.rawValue).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if !sources.isEmpty { parts.append("source: \(sources.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }

    static func productId(_ organizationId: String) -> String { "CSAFPID-\(organizationId)" }

    /// The CPE or PURL a vendor gave for its product, as CSAF's `product_identification_helper`; nil for any
    /// other identifier (a document's own product id or bom-ref means nothing outside it).
    static func identificationHelper(_ id: String?) -> CSAFDocument.IdentificationHelper? {
        guard let id else { return nil }
        if ProductIdentifier.isCPE(id) { return .init(cpe: id, purl: nil) }
        if ProductIdentifier.isPURL(id) { return .init(cpe: nil, purl: id) }
        return nil
    }

    /// The id of a vendor's product named in its VEX statement: `CSAFPID-<organisation id>-<n>`, from 1.
    static func productId(_ organizationId: String, _ index: Int) -> String { "CSAFPID-\(organizationId)-\(index + 1)" }

    /// `2026-11-30T18:00:00.123Z`: RFC 3339 in UTC with milliseconds, the precision the store keeps, exactly.
    static func csafDate(_ date: Date) -> String {
        csafDate(milliseconds: milliseconds(date))
    }

    /// A stored time in whole milliseconds since 1970, rounded to the nearest: the store keeps milliseconds, and a
    /// `Date` read back is within a fraction of a microsecond of them.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// `milliseconds` since 1970 as `2026-11-30T18:00:00.123Z`, written from the integer so that nothing rounds.
    static func csafDate(milliseconds: Int64) -> String {
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (wholeSeconds, millis) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                        from: Date(timeIntervalSince1970: TimeInterval(wholeSeconds)))
        return String(format: "%04ld-%02ld-%02ldT%02ld:%02ld:%02ld.%03ldZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!,
                      Int(millis))
    }

    /// One revision per event of the case, ordered by time then log order.
    static func revisions(_ snapshot: CaseExportSnapshot) -> [(date: Date, summary: String)] {
        let names = Dictionary(snapshot.participants.map { ($0.organization.id, $0.organization.name) }, uniquingKeysWith: { a, _ in a })
        var dated = snapshot.events.map { event -> (date: Date, id: Int64, summary: String) in
            (event.at, event.id, revisionSummary(event, names: names))
        }
        dated.sort { ($0.date, $0.id) < ($1.date, $1.id) }
        return dated.map { ($0.date, $0.summary) }
    }

    static func revisionSummary(_ event: Event, names: [String: String]) -> String {
        var fields: [String: EventValue] = [:]
        if case .object(let members) = event.value { fields = members }
        func text(_ key: String) -> String? { if case .string(let value)? = fields[key] { return value }; return nil }
        let organization = text("organizationId").map { id in names[id].map { "\($0) (\(id))" } ?? id } ?? event.objectId
        switch event.action {
        case "case.opened": return "Case opened."
        case "case.published": return "Case published."
        case "participant.added": return "\(organization) added to the case."
        case "participant.delivery":
            return text("delivery") == "notified" ? "\(organization) notified." : "Notification of \(organization) undeliverable."
        case "participant.response": return "\(organization) answered: \(text("response") ?? "?")."
        case "participant.products": return "\(organization) stated the status of its products (\(text("source") ?? "VEX"))."
        case "answer-link.issued": return "Answer link issued to \(organization)."
        case "answer-link.revoked": return "Answer link of \(organization) revoked."
        default: return "\(event.action) (\(event.objectId))."
        }
    }

    /// A case's TLP level as CSAF 2.0 writes it.
    public struct TLPLabel: Sendable, Equatable {
        /// The level as the case holds it: CLEAR, GREEN, AMBER, AMBER+STRICT or RED.
        public var level: String
        /// CSAF 2.0 (TLP 1.0) label: WHITE, GREEN, AMBER or RED.
        public var csafLabel: String {
            switch level {
            case "CLEAR": return "WHITE"
            case "AMBER+STRICT": return "AMBER"
            default: return level
            }
        }
        /// The exact TLP 2.0 level, kept in `distribution.text` where the label had to be approximated.
        public var text: String? { csafLabel == level ? nil : "TLP:\(level)" }
    }

    /// The case's TLP when the case carries one.
    static func caseTLP(_ record: CaseRecord) -> TLPLabel? {
        record.tlp.map { TLPLabel(level: $0.rawValue) }
    }
}
