import Foundation
import Gateway
import Registry

/// `/cases/{id}`: the case, its vendor matrix (one row per organisation: delivery with bounces, our own delivery
/// problems and automatic replies; response with its source; statement; last message in and out; next reminder
/// step), its timeline, and the forms of its actions. A TLP:RED case shows auditors its id and level only.
struct CaseDetailPage: DeskPage {
    static let template = DeskTemplates.caseDetail
    static let section = DeskSection.cases
    let title: String
    let id: String
    let path: String
    let tlp: String
    let tlpClass: String
    /// The case's content is withheld: TLP:RED and the user is an auditor.
    let hidden: Bool
    let caseTitle: String?
    let origin: String?
    let opened: String?
    let due: String?
    let published: String?
    let withdrawn: String?
    let mayChange: Bool
    let vendors: Int
    let matrix: [Row]
    let timeline: [Event]
    let responses: [String]
    let levels: [String]
    let templates: [String]

    struct Row: Encodable, Sendable {
        let organization: String
        let name: String
        let delivery: String
        let unreachable: Bool
        let troubles: [String]
        let ourProblems: [String]
        let automaticReplies: [String]
        let response: String
        let source: String?
        let sourceActor: String?
        let statement: String?
        let products: [String]
        let lastIn: String?
        let lastOut: String?
        let nextStep: String?
    }

    struct Event: Encodable, Sendable {
        let at: String
        let actor: String
        let action: String
        let object: String
        let data: String
    }

    init(services: WorkspaceServices, context: DeskRequestContext, caseId: String) throws {
        let user = try context.requireUser()
        let labels = context.labels
        let book = services.caseBook()
        let detail = try book.show(caseId: caseId)
        let record = detail.record
        let dates = services.dates
        let level = record.tlp ?? services.configuration.cases.tlp
        id = record.id
        path = CasesRoutes.casePath(record.id)
        tlp = level.label
        tlpClass = level.rawValue.replacingOccurrences(of: "+", with: "-")
        hidden = level == .red && !user.role.mayReadRed
        title = record.id
        mayChange = user.role.mayChange
        vendors = detail.participants.count
        responses = Registry.Response.allCases.filter { $0 != .none }.map(\.rawValue)
        levels = TrafficLightProtocol.allCases.map(\.rawValue)
        templates = Self.templateNames(services.workspace.templatesURL)
        if hidden {
            caseTitle = nil; origin = nil; opened = nil; due = nil; published = nil; withdrawn = nil
            matrix = []; timeline = []
            return
        }
        caseTitle = record.title
        origin = record.origin
        opened = dates.dayText(record.openedAt)
        due = record.due
        published = record.publishedAt.map(dates.dayText)
        withdrawn = record.withdrawnAt.map { dates.dayText($0) + ": " + (record.withdrawnReason ?? "") }
        let activity = try book.cases.activity(caseId: caseId)
        let policy = services.configuration.reminders
        let today = dates.day(of: Date()).description
        matrix = detail.participants.map { p in
            let org = p.record.organizationId
            let seen = activity[org] ?? ParticipantActivity()
            var troubles = p.bouncedAddresses.map { "\($0.email) \($0.status)" + ($0.reason.map { " (\($0))" } ?? "") }
            if p.record.unreachableAt != nil { troubles.append(labels["unreachable"] ?? "unreachable") }
            var ours = p.ownProblems.map { "\($0.email) \($0.status)" + ($0.reason.map { " (\($0))" } ?? "") }
            if let problem = p.ourDeliveryProblem { ours.append("\(p.ourDeliveryProblems)× \(problem)") }
            let next = ReminderOutlook.next(for: p.record, case: record, policy: policy, today: today).map { outlook -> String in
                let name: String
                switch outlook.step {
                case .reminder: name = labels["reminder_\(outlook.reminderNumber ?? 1)"] ?? "reminder"
                case .escalation: name = labels["escalation"] ?? "escalation"
                case .unreachable: name = labels["unreachable"] ?? "unreachable"
                }
                return "\(name) \(dates.dayText(outlook.on))"
            }
            return Row(organization: org, name: p.organizationName, delivery: p.record.delivery.rawValue,
                       unreachable: p.record.unreachableAt != nil, troubles: troubles, ourProblems: ours,
                       automaticReplies: p.automaticReplies.map { "\(dates.dayText($0.receivedAt)) \($0.from ?? "-"): \($0.subject ?? "-")" },
                       response: p.record.response.rawValue,
                       source: p.record.response == .none ? nil : Self.sourceLabel(seen.responseSource, signed: p.verifiedReply, labels: labels),
                       sourceActor: p.record.response == .none ? nil : seen.responseActor,
                       statement: p.record.statement,
                       products: p.products.map { "\($0.product): \($0.status.rawValue)" },
                       lastIn: seen.lastIn.map(dates.dayText), lastOut: seen.lastOut.map(dates.dayText), nextStep: next)
        }
        timeline = try book.cases.timeline(caseId: caseId, limit: Self.timelineLimit).map {
            Event(at: dates.timeText($0.at), actor: $0.actor, action: $0.action,
                  object: $0.objectId == caseId ? "" : String($0.objectId.dropFirst(caseId.count + 1)), data: $0.data)
        }
    }

    /// The latest events shown in the timeline (a case of thousands of vendors has thousands of events).
    static let timelineLimit = 200

    /// Where the current response came from, in the page language.
    static func sourceLabel(_ source: String?, signed: Bool, labels: [String: String]) -> String? {
        guard let source else { return nil }
        if source == "manual" { return labels["by_person"] }
        if source.hasPrefix("reply") { return signed ? labels["signed"] : labels["mail"] }
        if source.contains("answer") || source.contains("link") { return labels["answer_link"] }
        if source.lowercased().hasPrefix("vex") { return labels["vex"] }
        return source
    }

    /// The templates of the workspace (`Templates/NAME.LANG.mustache`), by name.
    static func templateNames(_ folder: URL) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return Set(files.filter { $0.hasSuffix(".mustache") && !$0.hasPrefix("_") }.compactMap { $0.split(separator: ".").first.map(String.init) }).sorted()
    }
}

/// `/cases/{id}/notify?template=T`: each language's message rendered exactly as `notify --dry-run` checks it,
/// before anything is queued; its form queues them.
struct NotifyPreviewPage: DeskPage {
    static let template = DeskTemplates.notifyPreview
    static let section = DeskSection.cases
    let title: String
    let id: String
    let path: String
    let templateName: String
    let organizations: [String]
    let messages: Int
    let previews: [NotificationPreview]
    let problems: [String]

    static func request(caseId: String, template: String, organizations: [String]) -> NotificationRequest {
        let purpose: NotificationPurpose = switch template {
        case "reminder": .reminder
        case "publication": .publication
        default: .caseNotification
        }
        var request = NotificationRequest(caseId: caseId, organizations: organizations, template: template, purpose: purpose)
        request.refuseUnsentRepeats = true
        return request
    }

    init(services: WorkspaceServices, context: DeskRequestContext, caseId: String, template: String, organizations: [String]) throws {
        let user = try context.requireUser()
        let record = try services.caseBook().cases.existing(caseId)
        if (record.tlp ?? services.configuration.cases.tlp) == .red && !user.role.mayReadRed {
            throw DeskFormError("TLP:RED: shown to coordinators and leads only")
        }
        title = (context.labels["preview_title"] ?? "Preview") + " · " + caseId
        id = caseId
        path = CasesRoutes.casePath(caseId)
        templateName = template
        self.organizations = organizations
        do {
            let composer = NotificationComposer(store: services.store, settings: try services.settings())
            previews = try composer.preview(Self.request(caseId: caseId, template: template, organizations: organizations))
            problems = []
        } catch {
            previews = []
            problems = DeskRoutes.line(for: error).components(separatedBy: "; ")
        }
        messages = previews.reduce(0) { $0 + $1.messages }
    }
}
