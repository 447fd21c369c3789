import Foundation
import Gateway
import Hummingbird
import Registry

/// A case as the lists show it: TLP, due date, days left and VINCE's summary line.
struct CaseListRow: Encodable, Sendable {
    let id: String
    let href: String
    /// Empty when the case is TLP:RED and the user may not read it.
    let title: String
    let hidden: Bool
    let origin: String?
    let tlp: String
    /// The TLP level as a CSS class suffix (`AMBER-STRICT`).
    let tlpClass: String
    let due: String?
    let daysLeft: Int?
    let overdue: Bool
    /// The counts of VINCE's summary line and the origin: withheld (nil) with the title for a TLP:RED case the
    /// user may not read. The id and due date stay, so the calendar can place it.
    let vendors: Int?
    /// "1 vendor", "3 vendors" in the page language.
    let vendorsLabel: String?
    let notified: Int?
    let acknowledged: Int?
    let stated: Int?
    let undeliverable: Int?
    let noAnswer: Int?

    init(_ summary: CaseSummary, defaultTLP: TrafficLightProtocol, today: CalendarDate, user: DeskUser, labels: [String: String] = [:]) {
        let record = summary.record
        let level = record.tlp ?? defaultTLP
        id = record.id
        href = CasesRoutes.casePath(record.id)
        hidden = level == .red && !user.role.mayReadRed
        title = hidden ? "" : record.title
        origin = hidden ? nil : record.origin
        tlp = level.label
        tlpClass = level.rawValue.replacingOccurrences(of: "+", with: "-")
        due = record.due?.description
        daysLeft = record.due.map { Self.days(from: today, to: $0) }
        overdue = (daysLeft ?? 0) < 0
        let withheld = hidden
        let shown = { (count: Int) -> Int? in withheld ? nil : count }
        vendors = shown(summary.participants)
        vendorsLabel = hidden ? nil : DeskLabels.counted(summary.participants, "vendors", labels)
        notified = shown(summary.notified)
        acknowledged = shown(summary.acknowledged)
        stated = shown(summary.stated)
        undeliverable = shown(summary.undeliverable)
        noAnswer = shown(summary.noAnswer)
    }

    static func days(from start: CalendarDate, to end: CalendarDate) -> Int {
        let utc = TimeZone(identifier: "UTC")!
        return Int((end.start(in: utc).timeIntervalSince(start.start(in: utc)) / 86_400).rounded())
    }
}

/// `/cases`: open cases sorted by due date (cases without one last), filtered by origin, TLP, overdue and text.
struct CasesPage: DeskPage {
    static let template = DeskTemplates.cases
    static let section = DeskSection.cases
    let title: String
    let filters: Filters
    let origins: [Choice]
    let levels: [Choice]
    let cases: [CaseListRow]

    struct Filters: Encodable, Sendable {
        var origin: String?
        var tlp: String?
        var overdue: Bool
        var q: String?

        /// The filters of the query, `query(name)` giving a parameter's decoded value.
        init(_ query: (String) -> String?) {
            func value(_ name: String) -> String? {
                query(name).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            origin = value("origin")
            tlp = value("tlp")
            overdue = value("overdue") != nil
            q = value("q")
        }
    }

    struct Choice: Encodable, Sendable {
        let value: String
        let selected: Bool
    }

    init(services: WorkspaceServices, context: DeskRequestContext, filters: Filters) throws {
        let user = try context.requireUser()
        title = context.labels["cases_title"] ?? "Open cases"
        self.filters = filters
        let today = services.dates.day(of: Date())
        let defaultTLP = services.configuration.cases.tlp
        let all = try services.caseBook().list(openOnly: true)
            .sorted { ($0.record.due?.description ?? "9999", $0.record.id) < ($1.record.due?.description ?? "9999", $1.record.id) }
            .map { CaseListRow($0, defaultTLP: defaultTLP, today: today, user: user, labels: context.labels) }
        origins = Set(services.configuration.cases.origins + all.compactMap(\.origin)).sorted().map { Choice(value: $0, selected: $0 == filters.origin) }
        levels = TrafficLightProtocol.allCases.map { Choice(value: $0.rawValue, selected: $0.rawValue == filters.tlp) }
        cases = all.filter { row in
            if let origin = filters.origin, row.origin != origin { return false }
            if let tlp = filters.tlp, row.tlp != "TLP:" + tlp { return false }
            if filters.overdue && !row.overdue { return false }
            if let q = filters.q?.lowercased(), !row.id.lowercased().contains(q) && !row.title.lowercased().contains(q) { return false }
            return true
        }
    }
}

/// `/cases/calendar`: the open cases by the week (Monday to Sunday) their embargo ends, soonest first; cases
/// without a due date last.
struct CalendarPage: DeskPage {
    static let template = DeskTemplates.calendar
    static let section = DeskSection.cases
    let title: String
    let weeks: [Week]
    let undated: [CaseListRow]

    struct Week: Encodable, Sendable {
        /// The Monday starting the week, `YYYY-MM-DD`.
        let start: String
        let end: String
        let cases: [CaseListRow]
    }

    init(services: WorkspaceServices, context: DeskRequestContext) throws {
        let user = try context.requireUser()
        title = context.labels["calendar_title"] ?? "Embargo calendar"
        let today = services.dates.day(of: Date())
        let defaultTLP = services.configuration.cases.tlp
        let rows = try services.caseBook().list(openOnly: true)
            .sorted { ($0.record.due?.description ?? "9999", $0.record.id) < ($1.record.due?.description ?? "9999", $1.record.id) }
            .map { CaseListRow($0, defaultTLP: defaultTLP, today: today, user: user, labels: context.labels) }
        var order: [CalendarDate] = []
        var byWeek: [CalendarDate: [CaseListRow]] = [:]
        for row in rows {
            guard let day = row.due.flatMap(CalendarDate.init) else { continue }
            let monday = Self.monday(of: day)
            if byWeek[monday] == nil { order.append(monday) }
            byWeek[monday, default: []].append(row)
        }
        weeks = order.map { Week(start: $0.description, end: $0.adding(days: 6).description, cases: byWeek[$0]!) }
        undated = rows.filter { $0.due == nil }
    }

    /// The Monday of the ISO week holding `day`.
    static func monday(of day: CalendarDate) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let weekday = calendar.component(.weekday, from: day.start(in: calendar.timeZone))  // 1 = Sunday
        return day.adding(days: -((weekday + 5) % 7))
    }
}
