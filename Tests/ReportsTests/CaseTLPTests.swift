import Foundation
@testable import Reports
import Registry
import Testing
import TestSupport

/// The quarterly report shows each listed case's TLP label in its original form (TLP 2.0 labels are never
/// translated), in every format; a case opened before levels were kept shows the workspace's `cases.tlp`. The labels
/// are read from either engine.
@Suite struct CaseTLPTests {
    static func report(defaultTLP: TrafficLightProtocol, engine: StoreEngineKind = .sqlite) throws -> QuarterReport {
        try ReportFixtures.withHistory(engine) { reports in
            try QuarterReportBuilder.build(reports, quarter: Quarter(parsing: "2007Q3"),
                                           timeZone: ReportFigureTests.tokyo, compareTo: try Quarter(parsing: "2007Q2"),
                                           defaultTLP: defaultTLP, now: ReportFigureTests.now)
        }
    }

    @Test(arguments: StoreEngineKind.allCases)
    func everyListedCaseCarriesItsTLPLabel(_ engine: StoreEngineKind) throws {
        let report = try Self.report(defaultTLP: .green, engine: engine)
        #expect(report.coordination.awaitingResponse.items.map { "\($0.caseId) \($0.tlp)" } == [
            "JVNVU#11110003 TLP:RED", "JVNVU#11110004 TLP:AMBER+STRICT", "VU#100003 TLP:GREEN",
        ])
        let json = ReportRenderer.render(report, format: .json, language: .ja)
        #expect(json.contains("\"tlp\" : \"TLP:AMBER+STRICT\""), "\(json)")
    }

    @Test(arguments: ReportLanguage.allCases, StoreEngineKind.allCases)
    func textMarkdownAndHTMLShowTheLabelUntranslated(language: ReportLanguage, engine: StoreEngineKind) throws {
        let report = try Self.report(defaultTLP: .amberStrict, engine: engine)
        let text = ReportRenderer.render(report, format: .text, language: language)
        let row = try #require(text.split(separator: "\n").first { $0.contains("JVNVU#11110003") && $0.contains("86.6") })
        #expect(row.contains("JVNVU#11110003  TLP:RED  "), "\(row)")
        #expect(text.contains("TLP  "), "a TLP column heading")

        let markdown = ReportRenderer.render(report, format: .markdown, language: language)
        #expect(markdown.contains("| JVNVU\\#11110004 | TLP:AMBER+STRICT |"), "\(markdown)")

        let html = ReportRenderer.render(report, format: .html, language: language)
        #expect(html.contains("<td>JVNVU#11110003</td><td>TLP:RED</td>"), "\(html)")
        #expect(html.contains("<td>VU#100003</td><td>TLP:AMBER+STRICT</td>"))
    }

    @Test(arguments: ReportLanguage.allCases, StoreEngineKind.allCases)
    func csvListsTheWaitingParticipantsWithTheirCaseLabel(language: ReportLanguage, engine: StoreEngineKind) throws {
        let report = try Self.report(defaultTLP: .amberStrict, engine: engine)
        let csv = ReportRenderer.render(report, format: .csv, language: language)
        let lines = csv.components(separatedBy: "\r\n")
        let row = try #require(lines.first { $0.hasPrefix("coordination,awaitingResponse.JVNVU#11110003|dev-c,") }, "\(csv)")
        #expect(row.hasPrefix("coordination,awaitingResponse.JVNVU#11110003|dev-c,86.63,,JVNVU#11110003 (TLP:RED)"), "\(row)")
        let figure = try #require(lines.firstIndex { $0.hasPrefix("coordination,awaitingResponse,3,") })
        #expect(lines[figure + 1].hasPrefix("coordination,awaitingResponse.JVNVU#11110003|dev-c,"), "the items follow their figure")
        #expect(lines.contains { $0.hasPrefix("coordination,awaitingResponse.VU#100003|dev-b,0.04,,VU#100003 (TLP:AMBER+STRICT)") })
        if language == .ja {
            #expect(row.contains("初回通知"), "\(row)")
        }
    }

    @Test func theCSVHeaderRowIsInTheReportsLanguage() throws {
        let report = try Self.report(defaultTLP: .amberStrict)
        #expect(ReportRenderer.render(report, format: .csv, language: .en).hasPrefix("section,figure,value,compare,definition\r\n"))
        #expect(ReportRenderer.render(report, format: .csv, language: .ja).hasPrefix("区分,項目,値,比較値,定義\r\n"))
    }
}
