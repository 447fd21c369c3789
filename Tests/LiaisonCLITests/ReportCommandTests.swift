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
}
