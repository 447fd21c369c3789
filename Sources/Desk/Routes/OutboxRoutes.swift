import Foundation
import Gateway
import Hummingbird
import Registry

/// The outbox area: `/outbox` (deferred and held messages with their reason) and the release of a held message,
/// the same operation as `liaison outbox release ID`.
enum OutboxRoutes {
    static func register(on router: DeskRouter, desk: Desk) {
        router.page("/outbox", desk: desk) { _, context in
            try OutboxPage(services: desk.services(for: context), context: context)
        }
        router.action("/outbox/{id}/release", desk: desk) { _, context, _ in
            let id = try context.parameters.require("id", as: Int64.self)
            var outbox = Outbox(store: try desk.services(for: context).store)
            outbox.actor = try desk.services(for: context).actor
            let released = try outbox.release(ids: [id])
            return DeskOutcome("released \(released.count) message\(released.count == 1 ? "" : "s"); the next send tries it again",
                               redirect: "/outbox")
        }
    }
}

/// `/outbox`: what waits to be sent again (deferred: the server's last reply, attempts, next attempt) and what is
/// held (handed to the server, delivery not recorded: no `send` takes it until released).
struct OutboxPage: DeskPage {
    static let template = DeskTemplates.outbox
    static let section = DeskSection.outbox
    let title: String
    let held: [Row]
    let deferred: [Row]
    /// Messages given up on (the server refused every recipient, or attempts ran out), latest first: the count
    /// above lists them, so they are shown too.
    let failed: [Row]
    /// How many messages there are in each state, for the line under the title.
    let states: [StateCount]
    let mayRelease: Bool

    struct StateCount: Encodable, Sendable {
        let state: String
        let count: Int
    }

    struct Row: Encodable, Sendable {
        let id: Int64
        let state: String
        let caseId: String?
        let caseHref: String?
        let organizationId: String
        let organizationHref: String
        let purpose: String
        let language: String
        /// Withheld (nil) for a TLP:RED case when the user is an auditor.
        let subject: String?
        let attempts: Int
        let nextAttempt: String?
        let nextAttemptAt: Date?
        let created: String
        /// Why it waits: the held reason, or the server's last reply.
        let reason: String?
        let recipients: [Recipient]
        let withheld: Bool
    }

    struct Recipient: Encodable, Sendable {
        let email: String
        let status: String
        let reply: String?
    }

    init(services: WorkspaceServices, context: DeskRequestContext) throws {
        let labels = context.labels
        title = labels["outbox_title"] ?? "Outbox"
        let red = try RedCases(services: services, context: context)
        let outbox = Outbox(store: services.store)
        let dates = services.dates
        func row(_ entry: OutboxEntry) -> Row {
            let withheld = red.hides(entry.caseId)
            return Row(id: entry.id, state: entry.heldReason == nil ? entry.state.rawValue : "held", caseId: entry.caseId,
                       caseHref: entry.caseId.map { "/cases/" + DeskPaths.segment($0) }, organizationId: entry.organizationId,
                       organizationHref: "/directory/" + DeskPaths.segment(entry.organizationId), purpose: entry.purpose.rawValue,
                       language: entry.language, subject: withheld ? nil : entry.subject, attempts: entry.attempts,
                       nextAttempt: entry.nextAttemptAt.map(dates.timeText), nextAttemptAt: entry.nextAttemptAt,
                       created: dates.timeText(entry.createdAt), reason: entry.heldReason ?? entry.lastError,
                       recipients: entry.recipients.map {
                           Recipient(email: $0.email, status: $0.status.rawValue,
                                     reply: $0.status == .delivered ? nil : $0.smtpReply.map { [code = $0.smtpCode] reply in OutboxDispatcher.reason(code: code, reply: reply) })
                       }, withheld: withheld)
        }
        held = try outbox.list(OutboxFilter(heldOnly: true)).map(row)
        deferred = try outbox.list(OutboxFilter(states: [.deferred])).filter { $0.heldReason == nil }.map(row)
        failed = try outbox.list(OutboxFilter(states: [.failed])).map(row)
        states = try outbox.stateCounts().sorted { $0.key.rawValue < $1.key.rawValue }
            .map { StateCount(state: $0.key.rawValue, count: $0.value) }
        mayRelease = try context.requireUser().role.mayChange
    }
}
