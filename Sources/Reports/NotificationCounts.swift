import Foundation
import Registry

/// Counts §1: the outbox rows sent, unsent and failed in the quarter, and the bounces.
enum NotificationCounts {
    static let purposes = ["case-notification", "reminder", "publication", "incident"]
    static let incidentCategories = ["scan", "forged", "intrusion", "phishing", "other"]
    static let organizationKinds = ["national-csirt", "coordinator", "product-developer", "csirt", "government", "other"]

    static let sentDefinition = "Outbox messages (notification rows) with state 'sent' and sentAt in the quarter; "
        + "one message to one organisation counts once, whatever its number of addressees."

    static let sentPlain = "Messages we sent in the quarter; a message to one organisation counts once, however many "
        + "people it was addressed to."

    static func figures(_ queries: any ReportQueries, _ window: ReportWindow, bounces: QuarterBounces) throws -> NotificationFigures {
        var total = 0
        var byPurpose = [String: Int](uniqueKeysWithValues: purposes.map { ($0, 0) })
        var byKind = [String: Int](uniqueKeysWithValues: organizationKinds.map { ($0, 0) })
        var byCountry = [String: Int]()
        var byCategory = [String: Int](uniqueKeysWithValues: incidentCategories.map { ($0, 0) })

        for group in try queries.sentNotifications(in: window.bounds) {
            let purpose = group.purpose
            let category = group.incidentCategory
            let kind = group.organizationKind ?? "unknown"
            let country = group.country ?? "unknown"
            let count = group.count
            total += count
            byPurpose[purpose, default: 0] += count
            byKind[kind, default: 0] += count
            byCountry[country, default: 0] += count
            if purpose == "incident" { byCategory[category ?? "none", default: 0] += count }
        }

        let deferred = try queries.unsentNotifications(atEndOf: window.bounds)
        let failed = try queries.failedNotifications(createdIn: window.bounds)
        let voided = try queries.voidedNotifications(createdIn: window.bounds)
        let sent = Figure.count(total, sentPlain, rule: sentDefinition)
        let ours = try queries.ourDeliveryProblems(in: window.bounds)
        return NotificationFigures(
            sent: sent,
            byPurpose: byPurpose.reduce(into: [:]) { result, entry in
                result[entry.key] = .count(entry.value, "Messages sent in the quarter whose purpose is '\(entry.key)'.")
            },
            byRecipientKind: byKind.reduce(into: [:]) { result, entry in
                result[entry.key] = .count(entry.value,
                    "Messages sent in the quarter whose recipient organisation has kind '\(entry.key)'.")
            },
            byRecipientCountry: byCountry.reduce(into: [:]) { result, entry in
                result[entry.key] = .count(entry.value,
                    "Messages sent in the quarter whose recipient organisation's country is \(entry.key).")
            },
            incidentsByCategory: byCategory.reduce(into: [:]) { result, entry in
                result[entry.key] = .count(entry.value, entry.key == "none"
                    ? "Incident notices (purpose 'incident') sent in the quarter with no category recorded."
                    : "Incident notices (purpose 'incident') sent in the quarter with category '\(entry.key)'.")
            },
            delivery: .init(
                sent: sent,
                deferredAtQuarterEnd: .count(deferred,
                    "Messages written before the quarter ended that had not gone out by its end: still waiting to be sent "
                    + "or retried, or sent only later.", rule:
                    "Messages created before the quarter's end, not failed, and not sent by then "
                    + "(now queued, sending or deferred, or sent only after the quarter's end)."),
                failed: .count(failed,
                    "Messages written in the quarter that could not be delivered: refused for good, or given up after the "
                    + "last retry.", rule:
                    "Messages created in the quarter that are now in state 'failed' (permanent error or attempts exhausted)."),
                bounced: .count(bounces.messages,
                    "Messages that a recipient's mail server reported, in the quarter, it could not deliver (each message once).",
                    rule: "Messages with a bounce in the quarter: a recipient marked 'bounced' (updatedAt in the quarter) or a "
                    + "bounce report received in the quarter; each message once, an unmatched bounce report once each."),
                voided: .count(voided,
                    "Messages written in the quarter that we voided because the failure was ours (our relay or settings) or "
                    + "their case was withdrawn; counted neither as sent nor as failed.", rule:
                    "Messages created in the quarter that a person voided (state 'voided': a failure of our own relay or "
                    + "settings, or a case withdrawn); counted neither as sent nor as failed, their bounces not held against the vendors."),
                ourDeliveryProblems: .count(ours,
                    "Delivery reports received in the quarter that blame our own message or domain (too big, SPF/DKIM/DMARC, "
                    + "content, our relay refusing to relay): problems of ours, not counted as bounces.", rule:
                    "Inbound delivery reports received in the quarter whose status or text blames our message or domain "
                    + "(kind 'our-delivery-problem'); not counted in 'bounced'.")))
    }
}
