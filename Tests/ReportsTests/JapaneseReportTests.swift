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
        #expect(markdown.contains("再集計: 同じ値をイベントログから再計算したもの"))
        let html = ReportRenderer.render(report, format: .html, language: .ja)
        #expect(html.contains("各四半期に公表した案件") && !html.contains("Cases with publishedAt"))

        let english = ReportRenderer.render(report, format: .text, language: .en)
        #expect(english.contains("Cases with publishedAt in the quarter."), "English stays English")
        #expect(ReportRenderer.render(report, format: .json, language: .ja) == ReportRenderer.render(report, format: .json, language: .en))
    }
}
