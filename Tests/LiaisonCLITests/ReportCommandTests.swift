import Foundation
import Testing
import TestSupport

/// `report quarter` from the terminal: the cases it lists carry their TLP label, and `--lang ja` makes the CSV
/// Japanese down to its header row.
@Suite struct ReportCommandTests {
    @Test func theQuarterlyReportListsACaseWithItsTLPLabelAndAJapaneseCSVHeader() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        let caseId = "JVNVU#27182818"
        for args in [["directory", "sync"],
                     ["case", "open", caseId, "--title", "TLS certificate check", "--origin", "jvn-jp", "--tlp", "red"],
                     ["case", "add", caseId, "aozora"], ["notify", caseId, "--template", "vendor-initial"], ["send"]] {
            let run = try ws.liaison(args)
            #expect(run.status == 0, "\(args): \(run.stderr)")
        }
        let text = try ws.liaison(["report", "quarter", CommandLineQuarter.current, "--lang", "ja"])
        #expect(text.status == 0, "\(text.stderr)")
        let row = try #require(text.stdout.split(separator: "\n").first { $0.contains(caseId) }, "\(text.stdout)")
        #expect(row.contains("\(caseId)  TLP:RED  "), "the label as written, never translated: \(row)")

        let csv = try ws.liaison(["report", "quarter", CommandLineQuarter.current, "--format", "csv", "--lang", "ja"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.hasPrefix("区分,項目,値,比較値,定義\r\n"), "\(csv.stdout.prefix(200))")
        #expect(csv.stdout.contains("coordination,awaitingResponse.\(caseId)|aozora,"), "\(csv.stdout)")
        #expect(csv.stdout.contains("\(caseId) (TLP:RED)、"))

        let json = try ws.liaison(["report", "quarter", CommandLineQuarter.current, "--format", "json"])
        #expect(json.stdout.contains("\"tlp\" : \"TLP:RED\""), "\(json.stdout)")
    }

    @Test func theReportNamesTheTimeZoneAsConfigured() throws {
        let ws = try TemporaryWorkspace()
        defer { ws.remove() }
        #expect(try runLiaison(["directory", "sync"], workspace: ws.root).status == 0)
        let text = try runLiaison(["report", "quarter", "2007Q4"], workspace: ws.root)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("2007-10-01 – 2007-12-31 (time zone UTC;"), "\(text.stdout.prefix(300))")
        #expect(!text.stdout.contains("GMT"))
    }

    @Test func theCurrentQuarterIsMarkedIncompleteAndAJapanesePageShowsTimesInTheWorkspaceZone() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"], timezone: "Asia/Tokyo")
        defer { ws.remove() }
        try ws.openAndNotify("JVNVU#27182818")
        #expect(try ws.liaison(["send"]).status == 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        let parts = calendar.dateComponents([.year, .month], from: Date())
        let quarter = "\(parts.year!)Q\((parts.month! - 1) / 3 + 1)"
        let firstMonth = String(format: "%02d", ((parts.month! - 1) / 3) * 3 + 1)

        let json = try ws.liaison(["report", "quarter", quarter, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let period = try #require(report["period"] as? [String: Any])
        #expect(period["complete"] as? Bool == false)
        #expect(period["countedTo"] as? String != period["end"] as? String)
        let awaiting = try #require(((report["coordination"] as? [String: Any])?["awaitingResponse"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect((awaiting.first?["days"] as? Double ?? 99) < 1, "days waiting are counted to now, not to the quarter's end: \(awaiting)")

        let html = try ws.liaison(["report", "quarter", quarter, "--format", "html", "--lang", "ja"])
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.contains("\(parts.year!)-\(firstMonth)-01 00:00 (JST)"), "the quarter starts at midnight in Tokyo")
        #expect(html.stdout.contains("集計途中"))
        #expect(html.stdout.range(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, options: .regularExpression) == nil,
                "no UTC timestamp on the Japanese page")
        let english = try ws.liaison(["report", "quarter", quarter])
        #expect(english.stdout.contains("INCOMPLETE: the quarter has not ended"), "\(english.stdout.prefix(400))")
    }
}
