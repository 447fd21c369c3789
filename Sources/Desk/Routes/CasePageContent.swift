import Foundation
import Gateway
import Registry

/// What the case page shows that depends only on the store, the page language, the workspace's day and whether the
/// viewer may read TLP:RED content: the case's fields, one row per organisation, the latest events, the notify
/// form's organisations, and the HTML of the matrix, the timeline and those checkboxes. Nothing of a session or a
/// user is in it, so the desk's `casePages` cache serves it to every viewer its `Key` fits.
///
/// Made for a viewer who may not read TLP:RED content, a TLP:RED case's content holds its id and level only.
struct CasePageContent: Sendable {
    /// Everything besides the store's state that the content depends on (the store's state is the cache's token).
    struct Key: Hashable, Sendable {
        let caseId: String
        let language: DeskLanguage
        /// Coordinators and leads read TLP:RED content; auditors get a content without it.
        let mayReadRed: Bool
        /// The workspace's day (`YYYY-MM-DD`): each row's next reminder step depends on it.
        let today: String
    }

    let id: String
    let path: String
    let level: TrafficLightProtocol
    /// TLP:RED and made for a viewer who may not read it: nothing but the id, the level and the count of vendors.
    let hidden: Bool
    let caseTitle: String?
    let origin: String?
    let opened: String?
    let due: String?
    let published: String?
    let withdrawn: String?
    let vendors: Int
    let matrix: [CaseDetailPage.Row]
    let timeline: [CaseDetailPage.Event]
    let notifyOrganizations: [String]
    /// `matrix`, `timeline` and `notify` (`CaseDetailPage.htmlParts`).
    let parts: [String: DeskHTML]

    /// Reads the case in one transaction (`CaseBook.matrix`) and makes its rows and their HTML in the language of
    /// `labels`, the next reminder steps counted from `today`. Throws as `CaseBook.matrix` (unknown case…).
    init(services: WorkspaceServices, caseId: String, labels: [String: String], mayReadRed: Bool, today: String) throws {
        let read = try services.caseBook().matrix(caseId: caseId, timelineLimit: CaseDetailPage.timelineLimit)
        let record = read.record
        let dates = services.dates
        level = record.tlp ?? services.configuration.cases.tlp
        id = record.id
        path = CasesRoutes.casePath(record.id)
        hidden = level == .red && !mayReadRed
        vendors = read.participants.count
        // Which vendors take part is the case's content too: none named to a viewer who may not read it.
        notifyOrganizations = hidden ? [] : read.participants.map(\.organizationId)
        if hidden {
            caseTitle = nil; origin = nil; opened = nil; due = nil; published = nil; withdrawn = nil
            matrix = []; timeline = []; parts = [:]
            return
        }
        caseTitle = record.title
        origin = record.origin
        opened = dates.dayText(record.openedAt)
        due = record.due?.description
        published = record.publishedAt.map(dates.dayText)
        withdrawn = record.withdrawnAt.map { dates.dayText($0) + ": " + (record.withdrawnReason ?? "") }
        let policy = services.configuration.reminders
        var days = DayTexts(dates: dates)
        let responseLabels = CaseDetailPage.responseLabels(labels)
        let deliveryLabels = CaseDetailPage.deliveryLabels(labels)
        let unreachable = labels["unreachable"] ?? "unreachable"
        var rows: [CaseDetailPage.Row] = []
        rows.reserveCapacity(read.participants.count)
        for p in read.participants {
            let seen = p.activity
            var troubles = p.bouncedAddresses.map { "\($0.email) \($0.status)" + ($0.reason.map { " (\($0))" } ?? "") }
            if p.unreachable { troubles.append(unreachable) }
            var ours = p.ownProblems.map { "\($0.email) \($0.status)" + ($0.reason.map { " (\($0))" } ?? "") }
            if let problem = p.ourDeliveryProblem { ours.append("\(p.ourDeliveryProblems)× \(problem)") }
            let next = ReminderOutlook.next(for: p, case: record, policy: policy, today: today).map { outlook -> String in
                let name: String
                switch outlook.step {
                case .reminder: name = labels["reminder_\(outlook.reminderNumber ?? 1)"] ?? "reminder"
                case .escalation: name = labels["escalation"] ?? "escalation"
                case .unreachable: name = unreachable
                }
                return "\(name) \(days.text(outlook.on))"
            }
            let answered = p.response != .none
            rows.append(CaseDetailPage.Row(
                organization: p.organizationId, name: p.organizationName,
                delivery: p.delivery, deliveryLabel: deliveryLabels[p.delivery] ?? p.delivery.rawValue,
                unreachable: p.unreachable, troubles: troubles, ourProblems: ours,
                automaticReplies: p.automaticReplies.map { "\(days.text($0.receivedAt)) \($0.from ?? "-"): \($0.subject ?? "-")" },
                response: p.response, responseLabel: responseLabels[p.response] ?? p.response.rawValue,
                source: answered ? CaseDetailPage.sourceLabel(seen.responseSource, signed: p.verifiedReply, labels: labels) : nil,
                sourceActor: answered ? seen.responseActor : nil,
                statement: p.statement,
                products: p.products.map { "\($0.product): \($0.status.rawValue)" },
                lastIn: seen.lastIn.map { days.text($0) }, lastOut: seen.lastOut.map { days.text($0) }, nextStep: next))
        }
        matrix = rows
        timeline = read.timeline.map {
            CaseDetailPage.Event(at: days.timeText($0.at), actor: $0.actor, action: $0.action,
                                 object: $0.objectId == caseId ? "" : String($0.objectId.dropFirst(caseId.count + 1)), data: $0.data)
        }
        parts = ["matrix": CaseDetailPage.matrixRows(matrix, labels: labels), "timeline": CaseDetailPage.timelineRows(timeline),
                 "notify": CaseDetailPage.notifyCheckboxes(notifyOrganizations)]
    }
}
