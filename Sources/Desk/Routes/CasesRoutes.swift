import Foundation
import Gateway
import Hummingbird
import Registry

/// The cases area. Pages (each also JSON under `/api`): `/cases` (open cases, filters `origin`, `tlp`, `overdue`,
/// `q`), `/cases/calendar` (embargo calendar by week), `/cases/{id}` (vendor matrix and timeline; the id
/// percent-encoded, `JVNVU%2312345678`), `/cases/{id}/notify?template=T` (each language's rendered message before
/// queuing). Actions (POST, CSRF token, no auditor), each the command line's operation through `WorkspaceServices`:
/// `/cases/{id}/participants` (`case add`), `/cases/{id}/response` (`case set`), `/cases/{id}/due` (`case set-due`;
/// `notify=1` as `--notify` queues the `due-changed` template to the vendors already notified),
/// `/cases/{id}/tlp` (`case set-tlp`), `/cases/{id}/publish` (`case publish`), `/cases/{id}/notify` (`notify`).
enum CasesRoutes {
    static func register(on router: DeskRouter, desk: Desk) {
        router.page("/cases", desk: desk) { request, context in
            try CasesPage(services: desk.services(for: context), context: context, filters: .init { DeskForm(urlEncoded: request.uri.query ?? "")[$0] })
        }
        router.page("/cases/calendar", desk: desk) { _, context in
            try CalendarPage(services: desk.services(for: context), context: context)
        }
        router.page("/cases/{id}", desk: desk) { _, context in
            try await CaseDetailPage.load(desk: desk, context: context, caseId: caseId(context))
        }
        router.page("/cases/{id}/notify", desk: desk) { request, context in
            // `org` (a checkbox each, repeated) or `orgs` (space-separated); none: those not yet sent the template.
            let query = DeskForm(urlEncoded: request.uri.query ?? "")
            let template = query["template"] ?? "vendor-initial"
            let organizations = query.values("org") + query.values("orgs").flatMap { $0.split(separator: " ").map(String.init) }
            return try NotifyPreviewPage(services: desk.services(for: context), context: context, caseId: caseId(context),
                                         template: template, organizations: organizations, again: try query.flag("again"))
        }

        router.action("/cases/{id}/participants", desk: desk) { _, context, form in
            let id = try caseId(context)
            let organizations = form.values("orgs").flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) }
            let technologies = form.values("technology")
            guard !organizations.isEmpty || !technologies.isEmpty else {
                throw DeskFormError("name organisations, or choose them by technology")
            }
            let added = try desk.services(for: context).caseBook()
                .addParticipants(caseId: id, organizations: organizations, technologies: technologies)
            return DeskOutcome(added.isEmpty ? "no organisation added (all were already participants)"
                               : "added \(added.count) to \(id): \(added.prefix(10).joined(separator: ", "))\(added.count > 10 ? " …" : "")",
                               redirect: casePath(id))
        }
        router.action("/cases/{id}/response", desk: desk) { _, context, form in
            let id = try caseId(context)
            let organization = try form.required("org")
            let text = try form.required("response")
            guard let response = Registry.Response(rawValue: text), response != .none else {
                throw DeskFormError("response \(text) is not one of acknowledged, investigating, affected, not-affected, fixed")
            }
            if let statement = form["statement"], statement.count > Self.longestStatement {
                // The same bound as a statement read from a reply.
                throw DeskFormError("statement has \(statement.count) characters: at most \(Self.longestStatement.formatted()) are kept; shorten it")
            }
            try desk.services(for: context).caseBook()
                .setResponse(caseId: id, organizationId: organization, response: response, statement: form["statement"])
            return DeskOutcome("\(id) \(organization): \(response.rawValue)", redirect: casePath(id))
        }
        router.action("/cases/{id}/due", desk: desk) { _, context, form in
            let id = try caseId(context)
            let services = try desk.services(for: context)
            let text = try form.required("due")
            let due = try services.dates.day(parsing: text)
            let composer = NotificationComposer(store: services.store, settings: try services.settings())
            let notify = try form.flag("notify")
            let moved = try DueDates(composer: composer).move(caseId: id, to: due, notify: notify, dryRun: false, force: try form.flag("force"))
            let queued = notify ? "; queued \(moved.messages.count) due-changed message\(moved.messages.count == 1 ? "" : "s")" : ""
            return DeskOutcome("\(id): due \(due) (was \(moved.previous?.description ?? "-"))\(queued)", redirect: casePath(id))
        }
        router.action("/cases/{id}/tlp", desk: desk) { _, context, form in
            let id = try caseId(context)
            let text = try form.required("tlp")
            guard let level = TrafficLightProtocol(label: text) else {
                throw DeskFormError("tlp \(text) is not one of \(TrafficLightProtocol.choices)")
            }
            let previous = try desk.services(for: context).caseBook().setTLP(caseId: id, to: level)
            return DeskOutcome("\(id): \(level.label) (was \(previous.label))", redirect: casePath(id))
        }
        router.action("/cases/{id}/publish", desk: desk) { _, context, form in
            let id = try caseId(context)
            let services = try desk.services(for: context)
            let level = try services.caseBook().publish(caseId: id, dates: services.dates, force: try form.flag("force"),
                                                        advisoryURL: form["url"])
            return DeskOutcome("published \(id), now \(level.label)", redirect: casePath(id))
        }
        router.action("/cases/{id}/notify", desk: desk) { _, context, form in
            let id = try caseId(context)
            let services = try desk.services(for: context)
            let template = try form.required("template")
            let composer = NotificationComposer(store: services.store, settings: try services.settings())
            // The queue form names the organisations previewed; none is every participant, as `notify` without names.
            let planned = try composer.queue(NotifyPreviewPage.request(caseId: id, template: template, organizations: form.values("org"),
                                                                       again: try form.flag("again")))
            return DeskOutcome("queued \(planned.count) message\(planned.count == 1 ? "" : "s"); `liaison send` (or `liaison run`) delivers them",
                               redirect: casePath(id))
        }
    }

    /// The longest statement a person may record (as many characters as one read from a reply keeps).
    static let longestStatement = 2000

    /// The case id of `/cases/{id}…`, percent-decoded.
    static func caseId(_ context: DeskRequestContext) throws -> String {
        DeskPaths.decoded(try context.parameters.require("id"))
    }

    /// `/cases/JVNVU%2312345678`.
    static func casePath(_ id: String) -> String { "/cases/" + DeskPaths.segment(id) }
}

/// Paths of the desk.
public enum DeskPaths {
    /// `text` as one path segment: every character but letters, digits, `-`, `.`, `_`, `~` percent-encoded
    /// (a case id's `#` becomes `%23`).
    public static func segment(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A path segment captured by the router, percent-decoded (`JVNVU%2312345678` → `JVNVU#12345678`).
    public static func decoded(_ segment: String) -> String {
        segment.removingPercentEncoding ?? segment
    }
}
