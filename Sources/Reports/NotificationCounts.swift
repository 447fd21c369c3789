import Foundation
import GRDB

/// Counts §1: the outbox rows sent, unsent and failed in the quarter, and the bounces.
enum NotificationCounts {
    static let purposes = ["case-notification", "reminder", "publication", "incident"]
    static let incidentCategories = ["scan", "forged", "intrusion", "phishing", "other"]
    static let organizationKinds = ["national-csirt", "coordinator", "product-developer", "csirt", "government", "other"]

    static let sentDefinition = "Outbox messages (notification rows) with state 'sent' and sentAt in the quarter; "
        + "one message to one organisation counts once, whatever its number of addressees."

    static func figures(_ db: Database, _ window: ReportWindow, bounces: QuarterBounces) throws -> NotificationFigures {
        var total = 0
        var byPurpose = [String: Int](uniqueKeysWithValues: purposes.map { ($0, 0) })
        var byKind = [String: Int](uniqueKeysWithValues: organizationKinds.map { ($0, 0) })
        var byCountry = [String: Int]()
        var byCategory = [String: Int](uniqueKeysWithValues: incidentCategories.map { ($0, 0) })

        // `+state` keeps SQLite on the sentAt index: nearly every row is 'sent', so the state index selects nothing.
        let rows = try Row.fetchCursor(db, sql: """
            SELECT n.purpose, n.incidentCategory, o.kind, o.country, COUNT(*)
            FROM notification n LEFT JOIN organization o ON o.id = n.organizationId
            WHERE +n.state = 'sent' AND n.sentAt >= :start AND n.sentAt < :end
            GROUP BY 1, 2, 3, 4
            """, arguments: window.arguments)
        while let row = try rows.next() {
            let purpose: String = row[0]
            let category: String? = row[1]
            let kind: String = row[2] ?? "unknown"
            let country: String = row[3] ?? "unknown"
            let count: Int = row[4]
            total += count
            byPurpose[purpose, default: 0] += count
            byKind[kind, default: 0] += count
            byCountry[country, default: 0] += count
            if purpose == "incident" { byCategory[category ?? "none", default: 0] += count }
        }

        let deferred = try Int.fetchOne(db, sql: """
            SELECT (SELECT COUNT(*) FROM notification
                    WHERE state IN ('queued', 'sending', 'deferred') AND createdAt < :end)
                 + (SELECT COUNT(*) FROM notification
                    WHERE sentAt >= :end AND +state = 'sent' AND createdAt < :end)
            """, arguments: window.arguments) ?? 0
        let failed = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM notification WHERE state = 'failed' AND createdAt >= :start AND createdAt < :end
            """, arguments: window.arguments) ?? 0
        let sent = Figure.count(total, sentDefinition)
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
                    "Messages created before the quarter's end, not failed, and not sent by then "
                    + "(now queued, sending or deferred, or sent only after the quarter's end)."),
                failed: .count(failed,
                    "Messages created in the quarter that are now in state 'failed' (permanent error or attempts exhausted)."),
                bounced: .count(bounces.messages,
                    "Messages with a bounce in the quarter: a recipient marked 'bounced' (updatedAt in the quarter) or a "
                    + "bounce report received in the quarter; each message once, an unmatched bounce report once each.")))
    }
}
