import Foundation
import Testing
import TestSupport

/// Dates a coordinator types and reads are days of the workspace's time zone (`timezone` in liaison.yaml, or its
/// old name `report.timezone`): around midnight, the day typed is the day shown, rendered and counted.
@Suite struct TimeZoneCommandTests {
    struct Zone: Sendable, CustomTestStringConvertible {
        let name: String
        let oldKey: Bool
        /// What `case publish --at` is given: a moment a few minutes after midnight starting 2007-10-01 there.
        let publishAt: String
        /// That moment in UTC, as stored.
        let storedUTC: String
        var testDescription: String { "\(name)\(oldKey ? " (report.timezone)" : "")" }
    }

    static let zones = [
        // 00:30 on 1 October in Tokyo is still 30 September in UTC.
        Zone(name: "Asia/Tokyo", oldKey: false, publishAt: "2007-10-01T00:30:00+09:00", storedUTC: "2007-09-30T15:30:00Z"),
        // A bare day is that day's first instant in New York (04:00 UTC); read in UTC it would be 30 September 20:00 there.
        Zone(name: "America/New_York", oldKey: true, publishAt: "2007-10-01", storedUTC: "2007-10-01T04:00:00Z"),
    ]

    @Test(arguments: zones)
    func aDayTypedIsTheDayShownRenderedAndCounted(zone: Zone) throws {
        let ws = try GatewayWorkspace(developers: [], timezone: zone.name, oldTimezoneKey: zone.oldKey)
        defer { ws.remove() }
        try ws.temp.write("Templates/dates.en.mustache", """
            ---
            subject: "[{{case.id}}] dates"
            ---
            Due {{case.due}}; published on {{case.publishedOn}}.

            """)
        let caseId = "JVNVU#20071001"
        for args in [["directory", "sync"],
                     ["case", "open", caseId, "--title", "Midnight", "--origin", "jvn-jp", "--due", "2007-10-15", "--force"],
                     ["case", "add", caseId, "krcert-cc"],
                     ["case", "publish", caseId, "--at", zone.publishAt, "--force"]] {
            let run = try ws.liaison(args)
            #expect(run.status == 0, "\(args): \(run.stderr)")
        }

        let show = try ws.liaison(["case", "show", caseId])
        #expect(show.stdout.contains("due 2007-10-15, published 2007-10-01"), "\(show.stdout)")
        // Publishing again names the first publication's day and time there, with the zone.
        let again = try ws.liaison(["case", "publish", caseId])
        #expect(again.status == 1)
        let expected = zone.name == "Asia/Tokyo" ? "2007-10-01 00:30 (JST)" : "2007-10-01 00:00 (UTC-04:00)"
        #expect(again.stderr.contains("case \(caseId) was already published on \(expected)"), "\(again.stderr)")
        let list = try ws.liaison(["case", "list"])
        #expect(list.stdout.contains("2007-10-15  2007-10-01"), "\(list.stdout)")
        let record = try #require(try ws.caseDetail(caseId)["record"] as? [String: Any])
        #expect(record["publishedAt"] as? String == zone.storedUTC)
        #expect(record["due"] as? String == "2007-10-15")

        let notify = try ws.liaison(["notify", caseId, "--template", "dates"])
        #expect(notify.status == 0, "\(notify.stderr)")
        #expect(try ws.liaison(["send"]).status == 0)
        let message = try #require(try ws.sink.waitForMessages(count: 1).first)
        let text = String(decoding: message.bytes, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "")
        // Mail names the zone after each day: `2007-10-01 (JST)`.
        #expect(text.contains("Due 2007-10-15 ("), "\(text)")
        #expect(text.contains("published on 2007-10-01 ("), "\(text)")

        // The report counts the publication in the quarter of its day there: 2007Q4, not 2007Q3.
        #expect(try publishedInQuarter(ws, "2007Q4") == 1)
        #expect(try publishedInQuarter(ws, "2007Q3") == 0)
    }

    @Test func badDatesNameTheOptionAndChangeNothing() throws {
        let ws = try GatewayWorkspace(developers: [], timezone: "Asia/Tokyo")
        defer { ws.remove() }
        #expect(try ws.liaison(["directory", "sync"]).status == 0)
        let caseId = "JVNVU#20071002"
        let badDue = try ws.liaison(["case", "open", caseId, "--title", "t", "--origin", "jvn-jp", "--due", "2007-02-30"])
        #expect(badDue.status == 1)
        #expect(badDue.errorLines == ["--due: \"2007-02-30\" is not a day of the calendar"])
        let badForm = try ws.liaison(["case", "open", caseId, "--title", "t", "--origin", "jvn-jp", "--due", "2007-2-3"])
        #expect(badForm.errorLines == ["--due: \"2007-2-3\" is not a date of the form YYYY-MM-DD, such as 2007-10-15"])
        #expect(try ws.liaison(["case", "list"]).stdout.contains(caseId) == false)

        #expect(try ws.liaison(["case", "open", caseId, "--title", "t", "--origin", "jvn-jp"]).status == 0)
        let badAt = try ws.liaison(["case", "publish", caseId, "--at", "tomorrow"])
        #expect(badAt.status == 1)
        #expect(badAt.errorLines.count == 1)
        #expect(badAt.errorLines.first?.hasPrefix("--at: \"tomorrow\" is not a date (YYYY-MM-DD) or a time") == true)
        let notADay = try ws.liaison(["case", "publish", caseId, "--at", "2007-02-30"])
        #expect(notADay.errorLines == ["--at: \"2007-02-30\" is not a day of the calendar"])
        let notADayTime = try ws.liaison(["case", "publish", caseId, "--at", "2007-02-30T09:00"])
        #expect(notADayTime.errorLines == ["--at: \"2007-02-30T09:00\": 2007-02-30 is not a day of the calendar"])
        let badSetDue = try ws.liaison(["case", "set-due", caseId, "2007-02-30"])
        #expect(badSetDue.status == 1)
        #expect(badSetDue.errorLines == ["DATE: \"2007-02-30\" is not a day of the calendar"])
        #expect(try ws.liaison(["case", "show", caseId]).stdout.contains("not published"))
    }

    /// `coordination.published.byOrigin.jvn-jp.inQuarter` of `report quarter QUARTER --format json`.
    private func publishedInQuarter(_ ws: GatewayWorkspace, _ quarter: String) throws -> Int? {
        let run = try ws.liaison(["report", "quarter", quarter, "--format", "json"])
        guard run.status == 0 else { throw LiaisonFailed(run: run) }
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let coordination = json?["coordination"] as? [String: Any]
        let published = coordination?["published"] as? [String: Any]
        let byOrigin = published?["byOrigin"] as? [String: Any]
        let origin = byOrigin?["jvn-jp"] as? [String: Any]
        let inQuarter = origin?["inQuarter"] as? [String: Any]
        return inQuarter?["value"] as? Int
    }
}
