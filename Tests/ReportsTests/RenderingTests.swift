import Foundation
import Registry
import Reports
import Testing
import TestSupport

@Suite struct RenderingTests {
    static func json(_ report: QuarterReport) throws -> [String: Any] {
        let text = ReportRenderer.render(report, format: .json, language: .en)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Every number under the three sections must sit in a figure that has a definition.
    static func undefinedFigures(_ node: Any, _ path: String, compared: Bool) -> [String] {
        if let object = node as? [String: Any] {
            if object["value"] != nil {
                var problems = [String]()
                if ((object["definition"] as? String) ?? "").isEmpty { problems.append("\(path): no definition") }
                if compared, !(object["compare"] is [String: Any]) { problems.append("\(path): no compare") }
                return problems
            }
            return object.filter { $0.key != "items" }.flatMap { undefinedFigures($0.value, "\(path).\($0.key)", compared: compared) }
        }
        return ["\(path): a bare value outside a figure"]
    }

    @Test func jsonHoldsADefinitionForEveryFigure() throws {
        for compareTo in [nil, "2007Q2"] {
            let json = try Self.json(try ReportFigureTests.report(compareTo: compareTo))
            for section in ["notifications", "coordination", "directory"] {
                #expect(Self.undefinedFigures(json[section]!, section, compared: compareTo != nil) == [])
            }
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func jsonShapeIsStable(_ engine: StoreEngineKind) throws {
        let report = try ReportFigureTests.report(compareTo: "2007Q2", logIntegrity: LogIntegrity(intact: true, eventCount: 57),
                                                  engine: engine)
        let text = ReportRenderer.render(report, format: .json, language: .en)
        #expect(text == ReportRenderer.render(report, format: .json, language: .ja))  // language never changes data
        let keys = ["\"comparedTo\"", "\"coordination\"", "\"directory\"", "\"generatedAt\"", "\"integrity\"",
                    "\"notifications\"", "\"period\"", "\"quarter\"", "\"series\""]
        let offsets = keys.map { text.range(of: "\n  \($0)")?.lowerBound }
        #expect(offsets.allSatisfy { $0 != nil })
        #expect(offsets.compactMap { $0 } == offsets.compactMap { $0 }.sorted())

        let json = try Self.json(report)
        #expect(json["quarter"] as? String == "2007Q3")
        #expect(json["generatedAt"] as? String == "2007-10-26T00:00:00Z")
        let sent = try #require((json["notifications"] as? [String: Any])?["sent"] as? [String: Any])
        #expect(sent["value"] as? Int == 14)
        let compare = try #require(sent["compare"] as? [String: Any])
        #expect(compare["quarter"] as? String == "2007Q2")
        #expect(compare["value"] as? Int == 3)
        #expect(compare["change"] as? Int == 11)
        #expect(compare["changePercent"] as? Double == 366.7)
        let published = try #require(((json["coordination"] as? [String: Any])?["published"] as? [String: Any])?["byOrigin"]
                                      as? [String: Any])
        #expect(((published["jvn-jp"] as? [String: Any])?["cumulative"] as? [String: Any])?["value"] as? Int == 3)
        let integrity = try #require(json["integrity"] as? [String: Any])
        #expect((integrity["eventLog"] as? [String: Any])?["verified"] as? Bool == true)
        #expect((integrity["recount"] as? [String: Any])?["agrees"] as? Bool == true)
        let rate = try #require((json["coordination"] as? [String: Any])?["responseRate"] as? [String: Any])
        #expect(rate["value"] as? Double == 0.5714)
        let series = try #require(json["series"] as? [String: Any])
        #expect((series["notificationsSent"] as? [String: Any])?["values"] as? [Int] == [0, 0, 0, 0, 2, 0, 3, 14])
    }

    @Test func undefinedMeasuresAreNullInJSON() throws {
        let json = try Self.json(try ReportFigureTests.report("1999Q1"))
        let median = try #require((json["coordination"] as? [String: Any])?["medianDaysToFirstResponse"] as? [String: Any])
        #expect(median["value"] is NSNull)
        #expect(json["comparedTo"] is NSNull)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func csvHasOneRowPerFigureWithItsDefinition(_ engine: StoreEngineKind) throws {
        let csv = ReportRenderer.render(try ReportFigureTests.report(engine: engine), format: .csv, language: .en)
        let lines = csv.components(separatedBy: "\r\n").dropLast()
        #expect(lines.first == "section,figure,value,compare,definition")
        #expect(lines.contains("coordination,published.byOrigin.jvn-jp.inQuarter,2,,Cases reported through VN-JP published in the quarter."))
        #expect(lines.contains("coordination,published.all.cumulative,7,,\"Cases published since records began, up to the quarter's end.\""))
        #expect(lines.contains { $0.hasPrefix("directory,registeredDevelopers,4,,") })
        #expect(lines.contains { $0.hasPrefix("coordination,responseRate,0.5714,,") })
        #expect(lines.contains { $0.hasPrefix("series,notificationsSent.2007Q3,14,,") })
        #expect(lines.dropFirst().allSatisfy { !$0.hasSuffix(",") })  // every row ends in a definition
    }

    @Test(arguments: StoreEngineKind.allCases)
    func markdownAndTextShowTheReferenceStyleTotals(_ engine: StoreEngineKind) throws {
        let report = try ReportFigureTests.report(engine: engine)
        let markdown = ReportRenderer.render(report, format: .markdown, language: .en)
        #expect(markdown.contains("| Cases published | 4 (total 7) |"))
        #expect(markdown.contains("| &nbsp;&nbsp;&nbsp;&nbsp;VN-JP | 2 (total 3) |"))
        let japanese = ReportRenderer.render(report, format: .text, language: .ja)
        #expect(japanese.contains("公表件数"))
        #expect(japanese.contains("4 (総計 7)"))
        #expect(japanese.contains("登録製品開発者数"))
        #expect(japanese.contains("通知件数"))
        // Japanese reports name organisations by their local name where one is recorded.
        #expect(japanese.contains("開発者 C"))
        #expect(ReportRenderer.render(report, format: .text, language: .en).contains("Developer C"))
    }

    @Test func htmlIsSelfContainedWithSVGCharts() throws {
        for language in ReportLanguage.allCases {
            let html = ReportRenderer.render(try ReportFigureTests.report(compareTo: "2007Q2"), format: .html, language: language)
            #expect(html.hasPrefix("<!DOCTYPE html>"))
            #expect(html.components(separatedBy: "<svg ").count - 1 == 3)
            #expect(html.contains("<polyline") && html.contains("<rect"))
            #expect(html.contains("@media print"))
            for forbidden in ["http://", "https://", "url(", "@import", "<script", "<link", "src=", "<img", "<iframe"] {
                #expect(!html.contains(forbidden), "HTML must not reference \(forbidden)")
            }
            #expect(html.contains("<html lang=\"\(language.rawValue)\">"))
        }
        let japanese = ReportRenderer.render(try ReportFigureTests.report(), format: .html, language: .ja)
        for label in ["通知件数", "公表件数", "登録製品開発者数", "四半期ごとの通知件数", "回答率"] {
            #expect(japanese.contains(label))
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func htmlAndMarkdownEscapeDirectoryText(_ engine: StoreEngineKind) throws {
        let database = try ReportFixtures.history(engine)
        defer { database.remove() }
        try database.execute("""
            INSERT INTO agreement (organizationId, kind, signed) VALUES ('acme-csirt', '<script>alert(1)</script>', '2007-08-01')
            """)
        let report = try QuarterReportBuilder.build(database.reports, quarter: Quarter(parsing: "2007Q3"),
                                                    timeZone: TimeZone(identifier: "Asia/Tokyo")!)
        let html = ReportRenderer.render(report, format: .html, language: .en)
        #expect(html.contains("ACME CSIRT &lt;Tokyo&gt; &amp; Co"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<script"))
        let markdown = ReportRenderer.render(report, format: .markdown, language: .en)
        #expect(markdown.contains("ACME CSIRT \\<Tokyo\\> & Co"))
        #expect(markdown.contains("\\<script\\>alert(1)\\</script\\>"))
        #expect(!markdown.contains("<script>"))
    }
}
