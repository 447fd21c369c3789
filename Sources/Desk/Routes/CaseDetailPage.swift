import Foundation
import Hummingbird
import Gateway
import Registry

/// `/cases/{id}`: the case, its vendor matrix (one row per organisation: delivery with bounces, our own delivery
/// problems and automatic replies; response with its source; statement; last message in and out; next reminder
/// step), its timeline, and the forms of its actions. A TLP:RED case shows auditors its id and level only.
///
/// What depends only on the store (the rows, the timeline, the notify form's organisations, and their HTML) is a
/// `CasePageContent`, kept by the desk's `casePages` cache while the store does not change; the rest (the viewer's
/// role, the workspace's templates, the layout with its CSRF token) is made for each request. The matrix, the
/// timeline and the notify form's checkboxes (the parts that grow with the case) are written in Swift (`DeskHTML`,
/// every outside text escaped), the frame by the Mustache template; the JSON of `/api/cases/{id}` is the whole
/// model, rows included.
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
    private(set) var matrix: [Row]
    private(set) var timeline: [Event]
    /// The responses a person may set, in the page language; none is selected.
    let responses: [Choice]
    /// The TLP levels, the case's own selected.
    let levels: [Choice]
    /// The workspace's notification templates (`Templates/NAME.LANG.mustache`); empty when it has none.
    let templates: [String]
    /// The same for the notify form's select: vendor-initial chosen when the workspace has it, else the first.
    let templateChoices: [Choice]
    /// The participants, offered as checkboxes of the notify form (none ticked: those not yet sent the template).
    private(set) var notifyOrganizations: [String]
    /// The HTML of the matrix, the timeline and the notify form's checkboxes, made with the content.
    private let parts: [String: DeskHTML]

    enum CodingKeys: String, CodingKey {
        case title, id, path, tlp, tlpClass, hidden, caseTitle, origin, opened, due, published, withdrawn, mayChange, vendors
        case matrix, timeline, responses, levels, templates, templateChoices, notifyOrganizations
    }

    struct Row: Encodable, Sendable {
        let organization: String
        let name: String
        /// `pending`, `notified` or `undeliverable`.
        let delivery: Delivery
        /// The same in the page language.
        let deliveryLabel: String
        let unreachable: Bool
        let troubles: [String]
        let ourProblems: [String]
        let automaticReplies: [String]
        /// `none`, `acknowledged`, `investigating`, `affected`, `not-affected` or `fixed`.
        let response: Registry.Response
        /// The same in the page language.
        let responseLabel: String
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

    /// An option of a select: its value, what the page shows, and whether it is chosen.
    struct Choice: Encodable, Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    /// The page of `caseId` for the request's user: the content from the desk's cache when the store has not changed
    /// since it was made for the same language, day and reading of TLP:RED, else made now (and kept).
    static func load(desk: Desk, context: DeskRequestContext, caseId: String) async throws -> CaseDetailPage {
        let user = try context.requireUser()
        let services = desk.services
        let labels = context.labels
        // The workspace's day: the next reminder step of each row is counted from it.
        let today = services.dates.dayText(Date())
        let mayReadRed = user.role.mayReadRed
        let make: @Sendable () throws -> CasePageContent = {
            try CasePageContent(services: services, caseId: caseId, labels: labels, mayReadRed: mayReadRed, today: today)
        }
        let content: CasePageContent
        if let token = try? services.store.changeToken() {
            let key = CasePageContent.Key(caseId: caseId, language: context.language, mayReadRed: mayReadRed, today: today)
            content = try await desk.casePages.value(for: key, token: token, compute: make)
        } else {
            content = try make()
        }
        return CaseDetailPage(content: content, services: services, user: user, labels: labels)
    }

    /// The page from `content` and what is the request's own: the user's role, the workspace's templates, the
    /// choices in the page language.
    init(content: CasePageContent, services: WorkspaceServices, user: DeskUser, labels: [String: String]) {
        title = content.id
        id = content.id
        path = content.path
        tlp = content.level.label
        tlpClass = content.level.rawValue.replacingOccurrences(of: "+", with: "-")
        // The content was made for this user's reading of TLP:RED (its key says so); checked again all the same.
        hidden = content.hidden || (content.level == .red && !user.role.mayReadRed)
        mayChange = user.role.mayChange
        vendors = content.vendors
        let responseLabels = Self.responseLabels(labels)
        responses = Registry.Response.allCases.filter { $0 != .none }.map { Choice(value: $0.rawValue, label: responseLabels[$0] ?? $0.rawValue, selected: false) }
        levels = TrafficLightProtocol.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == content.level) }
        templates = Self.templateNames(services.workspace.templatesURL)
        let preferred = templates.contains("vendor-initial") ? "vendor-initial" : templates.first
        templateChoices = templates.map { Choice(value: $0, label: $0, selected: $0 == preferred) }
        if hidden {
            caseTitle = nil; origin = nil; opened = nil; due = nil; published = nil; withdrawn = nil
            matrix = []; timeline = []; notifyOrganizations = []; parts = [:]
            return
        }
        caseTitle = content.caseTitle
        origin = content.origin
        opened = content.opened
        due = content.due
        published = content.published
        withdrawn = content.withdrawn
        matrix = content.matrix
        timeline = content.timeline
        notifyOrganizations = content.notifyOrganizations
        parts = content.parts
    }

    /// The latest events shown in the timeline (a case of thousands of vendors has thousands of events).
    static let timelineLimit = 200

    /// The template reads the frame; the rows and the notify form's checkboxes are `htmlParts`.
    func templateModel() throws -> Any {
        var frame = self
        frame.matrix = []
        frame.timeline = []
        frame.notifyOrganizations = []
        return try MustacheValueEncoder.encode(frame)
    }

    /// `matrix`: the rows of the vendor matrix; `timeline`: the rows of the timeline; `notify`: a checkbox per
    /// participant for the notify form. Made with the content (in its language), not for each request.
    func htmlParts(labels: [String: String]) -> [String: DeskHTML] {
        hidden ? [:] : parts
    }

    /// One `<tr>` per organisation. Short markup for a matrix of thousands of rows: the cells' end tags are left
    /// out (HTML 5 §13.1.2.4 allows it), each column is named by a one-letter class (`d` delivery, `r` response,
    /// `s` source, `t` statement) and `data-v` keeps the machine value of delivery and response, the text
    /// being in the page language.
    static func matrixRows(_ rows: [Row], labels: [String: String]) -> DeskHTML {
        let bounced = labels["bounced"] ?? "bounced", ourProblem = labels["our_problem"] ?? "our delivery problem"
        let automatic = labels["auto_reply"] ?? "automatic reply"
        var html = DeskHTML(capacity: rows.count * 240 + 64)
        for row in rows {
            html.raw("<tr data-org=\""); html.text(row.organization)
            html.raw("\"><td><a href=\"/directory/"); html.text(row.organization); html.raw("\">"); html.text(row.organization)
            html.raw("</a><small>"); html.text(row.name)
            html.raw("</small><td class=\"d\" data-v=\""); html.text(row.delivery.rawValue); html.raw("\">"); html.text(row.deliveryLabel)
            for trouble in row.troubles {
                html.raw("<br><span class=\"trouble\">"); html.text(bounced); html.raw(": "); html.text(trouble); html.raw("</span>")
            }
            for problem in row.ourProblems {
                html.raw("<br><span class=\"trouble\">"); html.text(ourProblem); html.raw(": "); html.text(problem); html.raw("</span>")
            }
            for reply in row.automaticReplies {
                html.raw("<br><span class=\"auto\">"); html.text(automatic); html.raw(": "); html.text(reply); html.raw("</span>")
            }
            html.raw("<td class=\"r\" data-v=\""); html.text(row.response.rawValue); html.raw("\">"); html.text(row.responseLabel)
            for product in row.products {
                html.raw("<br><span class=\"muted\">"); html.text(product); html.raw("</span>")
            }
            html.raw("<td class=\"s\">"); html.text(row.source)
            if let actor = row.sourceActor { html.raw(" <span class=\"muted\">("); html.text(actor); html.raw(")</span>") }
            html.raw("<td class=\"t\">"); html.text(row.statement)
            html.raw("<td>"); html.text(row.lastIn)
            html.raw("<td>"); html.text(row.lastOut)
            html.raw("<td>"); html.text(row.nextStep)
            html.raw("\n")
        }
        return html
    }

    /// One checkbox per organisation, named `org`, none ticked.
    static func notifyCheckboxes(_ organizations: [String]) -> DeskHTML {
        var html = DeskHTML(capacity: organizations.count * 80 + 64)
        for organization in organizations {
            html.raw("<label><input type=\"checkbox\" name=\"org\" value=\""); html.text(organization)
            html.raw("\"> "); html.text(organization); html.raw("</label> ")
        }
        return html
    }

    /// One `<tr>` per event, newest first.
    static func timelineRows(_ events: [Event]) -> DeskHTML {
        var html = DeskHTML(capacity: events.count * 400 + 64)
        for event in events {
            html.raw("<tr><td>"); html.text(event.at)
            html.raw("</td><td class=\"actor\">"); html.text(event.actor)
            html.raw("</td><td class=\"action\">"); html.text(event.action)
            html.raw("</td><td>"); html.text(event.object)
            html.raw("</td><td class=\"muted\">"); html.text(event.data)
            html.raw("</td></tr>\n")
        }
        return html
    }

    /// Each response in the page language (`response_not_affected` …).
    static func responseLabels(_ labels: [String: String]) -> [Registry.Response: String] {
        Dictionary(uniqueKeysWithValues: Registry.Response.allCases.map {
            ($0, labels["response_" + $0.rawValue.replacingOccurrences(of: "-", with: "_")] ?? $0.rawValue)
        })
    }

    /// Each delivery state in the page language (`delivery_pending` …).
    static func deliveryLabels(_ labels: [String: String]) -> [Delivery: String] {
        Dictionary(uniqueKeysWithValues: Delivery.allCases.map { ($0, labels["delivery_" + $0.rawValue] ?? $0.rawValue) })
    }

    /// Where the current response came from, in the page language.
    static func sourceLabel(_ source: String?, signed: Bool, labels: [String: String]) -> String? {
        guard let source else { return nil }
        if source == "manual" { return labels["by_person"] }
        if source.hasPrefix("reply") { return signed ? labels["signed"] : labels["mail"] }
        if source.contains("answer") || source.contains("link") { return labels["answer_link"] }
        if source.lowercased().hasPrefix("vex") { return labels["vex"] }
        return source
    }

    /// The templates of the workspace (`Templates/NAME.LANG.mustache`), by name; partials (`_signature…`) left out.
    static func templateNames(_ folder: URL) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return Set(files.filter { $0.hasSuffix(".mustache") && !$0.hasPrefix("_") }.compactMap { $0.split(separator: ".").first.map(String.init) }).sorted()
    }
}

/// `YYYY-MM-DD` of instants in the workspace's zone, each day's text made once: a matrix of thousands of rows
/// shows few distinct days.
struct DayTexts {
    let dates: WorkspaceDates
    private var known: [Int: String] = [:]

    init(dates: WorkspaceDates) { self.dates = dates }

    /// `YYYY-MM-DD`, as `WorkspaceDates.dayText`.
    mutating func text(_ instant: Date) -> String {
        text(instant, local: local(instant))
    }

    /// `YYYY-MM-DD HH:MM`, as `WorkspaceDates.timeText`.
    mutating func timeText(_ instant: Date) -> String {
        let local = local(instant)
        let minutes = Int((local / 60).rounded(.down)) % 1_440
        let minutesOfDay = minutes < 0 ? minutes + 1_440 : minutes
        let hour = minutesOfDay / 60, minute = minutesOfDay % 60
        return text(instant, local: local) + (hour < 10 ? " 0" : " ") + String(hour) + (minute < 10 ? ":0" : ":") + String(minute)
    }

    /// Seconds since 1970-01-01 00:00 of the zone's wall clock (the zone's offset at that instant added).
    private func local(_ instant: Date) -> Double {
        instant.timeIntervalSince1970 + Double(dates.timeZone.secondsFromGMT(for: instant))
    }

    private mutating func text(_ instant: Date, local: Double) -> String {
        let day = Int((local / 86_400).rounded(.down))
        if let text = known[day] { return text }
        let text = dates.dayText(instant)
        known[day] = text
        return text
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
    /// The organisations the messages go to: those ticked, else the participants not yet sent the template.
    let organizations: [String]
    /// "again" was ticked (`notify --again`): organisations already sent the template get it once more.
    let again: Bool
    let messages: Int
    /// "1 message would be queued", "2 messages would be queued" in the page language.
    let messagesLabel: String
    let previews: [Preview]
    let problems: [String]

    /// One language's sample with its count of organisations in words.
    struct Preview: Encodable, Sendable {
        let language: String
        let organizations: Int
        let organizationsLabel: String
        let sampleOrganizationId: String
        let subject: String
        let body: String
    }

    static func request(caseId: String, template: String, organizations: [String], again: Bool) -> NotificationRequest {
        let purpose: NotificationPurpose = switch template {
        case "reminder": .reminder
        case "publication": .publication
        default: .caseNotification
        }
        var request = NotificationRequest(caseId: caseId, organizations: organizations, template: template, purpose: purpose,
                                          again: again)
        request.refuseUnsentRepeats = true
        return request
    }

    /// The participants of `caseId` not yet sent `template` (failed and voided messages aside): a vendor added after
    /// the first notification.
    static func notYetSent(services: WorkspaceServices, caseId: String, template: String) throws -> [String] {
        let participants = try services.store.cases.participantIds(caseId: caseId)
        let earlier = try services.store.notificationPlanning.earlierNotifications(caseId: caseId, organizationIds: participants,
                                                                                    template: template)
        return participants.filter { earlier[$0, default: 0] == 0 }
    }

    init(services: WorkspaceServices, context: DeskRequestContext, caseId: String, template: String, organizations: [String],
         again: Bool = false) throws {
        let user = try context.requireUser()
        let record = try services.caseBook().cases.existing(caseId)
        if (record.tlp ?? services.configuration.cases.tlp) == .red && !user.role.mayReadRed {
            throw HTTPError(.forbidden, message: "TLP:RED: shown to coordinators and leads only")
        }
        title = (context.labels["preview_title"] ?? "Preview") + " · " + caseId
        id = caseId
        path = CasesRoutes.casePath(caseId)
        templateName = template
        self.again = again
        // None ticked: without again, those not yet sent the template (as `notify` names them); with again, every one.
        let chosen = try organizations.isEmpty && !again
            ? Self.notYetSent(services: services, caseId: caseId, template: template) : organizations
        self.organizations = chosen
        do {
            if organizations.isEmpty && !again && chosen.isEmpty {
                throw DeskFormError("every participant of \(caseId) was already sent \(template); tick the organisations and again to send it once more")
            }
            let composer = NotificationComposer(store: services.store, settings: try services.settings())
            let samples = try composer.preview(Self.request(caseId: caseId, template: template, organizations: chosen, again: again))
            messages = samples.reduce(0) { $0 + $1.messages }
            previews = samples.map {
                Preview(language: $0.language, organizations: $0.organizations,
                        organizationsLabel: DeskLabels.counted($0.organizations, "vendors", context.labels),
                        sampleOrganizationId: $0.sampleOrganizationId, subject: $0.subject, body: $0.body)
            }
            problems = []
        } catch {
            previews = []
            messages = 0
            problems = DeskRoutes.line(for: error).components(separatedBy: "; ")
        }
        messagesLabel = DeskLabels.counted(messages, "messages_to_queue", context.labels)
    }
}
