import Foundation
import Testing
import TestSupport

/// A workspace whose case was notified and sent to its developers, with what a coordinator reads of it: the case,
/// the review queue and the reminder plan.
final class NotifiedCase {
    let ws: GatewayWorkspace
    let caseId: String
    let sent: [[String: Any]]

    init(caseId: String, developers: [String], prepare: (GatewayWorkspace) throws -> Void = { _ in }) throws {
        ws = try GatewayWorkspace(developers: developers)
        self.caseId = caseId
        do {
            try prepare(ws)
            try ws.openAndNotify(caseId)
            let send = try ws.liaison(["send"])
            guard send.status == 0 else { throw LiaisonFailed(run: send) }
            sent = try ws.outbox()
            // Notified three days ago, so that replies can carry dates between then and now.
            try ws.moveFirstNotificationsBack(days: 3)
        } catch {
            ws.remove()
            throw error
        }
    }

    deinit { ws.remove() }

    /// The notification to `org`: its Message-ID, tracking reference and subject.
    func notice(_ org: String) throws -> (messageId: String, tracking: String, subject: String) {
        let row = try #require(sent.first { $0["organizationId"] as? String == org && $0["purpose"] as? String != "reminder" })
        return (row["messageId"] as? String ?? "", row["trackingRef"] as? String ?? "", row["subject"] as? String ?? "")
    }

    /// `liaison ingest -` with one message (LF line ends made CRLF, as an MTA delivers).
    @discardableResult
    func ingest(_ message: String) throws -> LiaisonRun {
        try ws.liaison(["ingest", "-"], input: Data(message.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    /// `liaison ingest --mbox FILE` with these messages.
    @discardableResult
    func ingestMbox(_ messages: [String]) throws -> LiaisonRun {
        let file = ws.root.appendingPathComponent("in-\(UUID().uuidString.prefix(8)).mbox")
        let text = messages.map { "From MAILER-DAEMON Mon Dec  7 10:00:00 2026\n" + $0.replacingOccurrences(of: "\nFrom ", with: "\n>From ") + "\n\n" }.joined()
        try Data(text.utf8).write(to: file)
        return try ws.liaison(["ingest", "--mbox", file.path])
    }

    /// `liaison ingest --maildir DIR` with these messages in DIR/new.
    @discardableResult
    func ingestMaildir(_ messages: [String], folder: String = "Maildir") throws -> LiaisonRun {
        let maildir = ws.root.appendingPathComponent(folder)
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        for (index, message) in messages.enumerated() {
            try Data(message.utf8).write(to: maildir.appendingPathComponent("new/\(1_765_000_000 + index).\(UUID().uuidString.prefix(6)).host"))
        }
        return try ws.liaison(["ingest", "--maildir", maildir.path])
    }

    /// Each participant of `case show --format json`, by organisation id (the record's fields and the entry's own).
    func participants() throws -> [String: [String: Any]] {
        let list = try ws.caseDetail(caseId)["participants"] as? [[String: Any]] ?? []
        var result: [String: [String: Any]] = [:]
        for item in list {
            guard var record = item["record"] as? [String: Any], let id = record["organizationId"] as? String else { continue }
            for (key, value) in item where key != "record" { record[key] = value }
            result[id] = record
        }
        return result
    }

    /// `liaison inbox --review --format json`, parsed.
    func review() throws -> [[String: Any]] {
        let run = try ws.liaison(["inbox", "--review", "--format", "json"])
        guard run.status == 0 else { throw LiaisonFailed(run: run) }
        return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// An RFC 5322 date `hours` hours before now, as a mail client writes it (in JST).
    static func date(hoursAgo hours: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 9 * 3600)
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss Z"
        return formatter.string(from: Date().addingTimeInterval(-hours * 3600))
    }

    /// The organisations `remind --all --dry-run` would remind in this case, after the first notification is moved back
    /// `days` days (the default policy reminds after 14).
    func wouldRemind(afterDays days: Int = 15) throws -> Set<String> {
        try ws.moveFirstNotificationsBack(days: days)
        let run = try ws.liaison(["remind", "--all", "--dry-run", "--format", "json"])
        guard run.status == 0 else { throw LiaisonFailed(run: run) }
        let actions = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]] ?? []
        return Set(actions.filter { $0["caseId"] as? String == caseId }.compactMap { $0["organizationId"] as? String })
    }

    /// The value of one SQL query on the workspace's database (read-only).
    func sql(_ query: String) throws -> String {
        let database = ws.root.appendingPathComponent(".liaison/registry.sqlite").path
        let script = "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); "
            + "print('\\n'.join('|'.join('' if v is None else str(v) for v in r) for r in c.execute(sys.argv[2])))"
        let result = try runProcess("/usr/bin/python3", ["-c", script, database, query])
        return String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
