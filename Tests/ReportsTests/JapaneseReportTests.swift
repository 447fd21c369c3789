import Foundation
import Reports
import Testing

/// `--lang ja`: figure definitions are Japanese too, in every rendering but JSON (whose definitions document the
/// stable format in English).
@Suite struct JapaneseReportTests {
    static func isJapanese(_ text: Substring) -> Bool {
        text.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) || (0x4E00...0x9FFF).contains($0.value) }
    }

    @Test func everyDefinitionOfTheJapaneseReportIsJapanese() throws {
        let report = try ReportFigureTests.report(compareTo: "2007Q2")
        let text = ReportRenderer.render(report, format: .text, language: .ja)
        let definitions = try #require(text.components(separatedBy: "\n定義\n").last).split(separator: "\n")
        #expect(definitions.count > 25)
        for line in definitions {
            let sentence = line.split(separator: ":", maxSplits: 1).last ?? line
            #expect(Self.isJapanese(sentence), "\(line)")
        }

        let csv = ReportRenderer.render(report, format: .csv, language: .ja).split(separator: "\r\n").dropFirst()
        #expect(!csv.isEmpty)
        for row in csv where !row.isEmpty {
            #expect(Self.isJapanese(row.split(separator: ",").last ?? row), "\(row)")
        }

        let markdown = ReportRenderer.render(report, format: .markdown, language: .ja)
        #expect(markdown.contains("再集計: 同じ値を、改ざんを検知できる監査ログ (イベントログ) から数え直したもの"))
        let html = ReportRenderer.render(report, format: .html, language: .ja)
        #expect(html.contains("各四半期に公表した案件") && !html.contains("Cases with publishedAt"))

        let english = ReportRenderer.render(report, format: .text, language: .en)
        #expect(english.contains("Cases published in the quarter."), "English stays English")
        // Definitions are written for a reader, in both languages; the precise rule stays in the JSON.
        for rendering in [english, text, markdown, html] {
            for term in ["firstNotifiedAt", "firstResponseAt", "publishedAt", "openedAt", "sentAt", "lastBounceAt", "notification 行", "state が"] {
                #expect(!rendering.contains(term), "\(term) in a definition for a reader")
            }
        }
        let json = ReportRenderer.render(report, format: .json, language: .en)
        #expect(json.contains("\"definition\" : \"Cases published in the quarter.\""))
        #expect(json.contains("\"rule\" : \"Cases with publishedAt in the quarter.\""))
        #expect(ReportRenderer.render(report, format: .json, language: .ja) == ReportRenderer.render(report, format: .json, language: .en))
    }
}
