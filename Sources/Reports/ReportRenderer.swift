/// Writes a report in one of the ``ReportFormat``s.
///
/// ```swift
/// let html = ReportRenderer.render(report, format: .html, language: .ja)
/// ```
public enum ReportRenderer {
    /// The report as text in `format`, labels in `language` (JSON and CSV keys and all definitions stay English).
    public static func render(_ report: QuarterReport, format: ReportFormat, language: ReportLanguage) -> String {
        switch format {
        case .json: JSONReportRenderer.render(report)
        case .text: TextReportRenderer.render(ReportLayout(report, language))
        case .markdown: MarkdownReportRenderer.render(ReportLayout(report, language))
        case .csv: CSVReportRenderer.render(ReportLayout(report, language))
        case .html: HTMLReportRenderer.render(ReportLayout(report, language))
        }
    }
}
