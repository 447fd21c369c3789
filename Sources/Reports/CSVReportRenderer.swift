/// Renders a report as CSV (RFC 4180): `section,figure,value,compare,definition`, one row per figure; with
/// `--lang ja` the header row is `区分,項目,値,比較値,定義` and the definitions are Japanese.
///
/// `figure` is the figure's stable path as in the JSON (`byPurpose.reminder`, `published.byOrigin.jvn-jp.inQuarter`);
/// `value` and `compare` are plain numbers (a share as a fraction, days as days, empty when undefined); the
/// chart series follow as section `series`. The listed participants waiting for a response follow their figure,
/// one row each: figure `awaitingResponse.<case id>|<organisation id>`, value the days waiting, and a definition
/// naming the case with its TLP label as written (`TLP:AMBER+STRICT`, never translated). The other lists (key
/// problems, agreements…) are in the other formats.
enum CSVReportRenderer {
    static func render(_ layout: ReportLayout) -> String {
        var lines = [[ReportLabel.csvSection, .csvFigure, .csvValue, .csvCompare, .csvDefinition]
            .map { field(layout.text($0)) }.joined(separator: ",")]
        func add(_ section: String, _ key: String, _ figure: Figure) {
            lines.append([section, key, number(figure.value), figure.compare.map { number($0.value) } ?? "",
                          figure.definition].map(field).joined(separator: ","))
        }
        for section in layout.sections {
            for row in section.rows {
                guard let figure = row.figure else { continue }
                if let total = row.total {
                    add(section.key, row.key + ".inQuarter", figure)
                    add(section.key, row.key + ".cumulative", total)
                } else {
                    add(section.key, row.key, figure)
                }
                if section.key == "coordination", row.key == "awaitingResponse" {
                    for item in layout.report.coordination.awaitingResponse.items {
                        lines.append([section.key, "awaitingResponse.\(item.caseId)|\(item.organizationId)", number(.days(item.days)), "",
                                      awaitingDefinition(item, layout.language, zone: layout.report.period.timeZone)].map(field).joined(separator: ","))
                    }
                }
            }
        }
        let series = layout.report.series
        for (index, quarter) in series.quarters.enumerated() {
            add("series", "notificationsSent.\(quarter)", .count(series.notificationsSent.values[index],
                                                                 layout.chartDefinition("notificationsSent", series.notificationsSent.definition)))
        }
        for origin in series.publishedByOrigin.values.keys.sorted() {
            for (index, quarter) in series.quarters.enumerated() {
                add("series", "publishedByOrigin.\(origin).\(quarter)",
                    .count(series.publishedByOrigin.values[origin]![index], layout.chartDefinition("publishedByOrigin", series.publishedByOrigin.definition)))
            }
        }
        for (index, quarter) in series.quarters.enumerated() {
            add("series", "registeredDevelopers.\(quarter)", .count(series.registeredDevelopers.values[index],
                                                                    layout.chartDefinition("registeredDevelopers", series.registeredDevelopers.definition)))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// What a listed waiting participant's row counts, naming the case with its TLP label.
    private static func awaitingDefinition(_ item: AwaitingParticipant, _ language: ReportLanguage, zone: String) -> String {
        let notified = ReportFormatting.instant(item.firstNotifiedAt, language, zone: zone)
        switch language {
        case .en:
            return "\(item.caseId) (\(item.tlp)); \(item.organizationName) (\(item.organizationId)): days from the first notification (\(notified)) to the quarter's end without a response."
        case .ja:
            return "\(item.caseId) (\(item.tlp))、\(item.organizationLocalName ?? item.organizationName) (\(item.organizationId)): 初回通知 (\(notified)) から四半期末まで回答のない日数。"
        }
    }

    private static func number(_ value: FigureValue) -> String {
        switch value {
        case .count(let count): String(count)
        case .share(let number?), .days(let number?): "\(number)"
        case .share(nil), .days(nil): ""
        }
    }

    /// Quotes a field holding a comma, quote or line break, doubling its quotes.
    private static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
