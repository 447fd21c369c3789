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

    /// The HTML page with its stylesheet linked from `stylesheetHref` instead of written inline, for a server whose
    /// Content-Security-Policy allows no inline style (the desk serves `htmlStylesheet` at that address).
    public static func html(_ report: QuarterReport, language: ReportLanguage, stylesheetHref: String) -> String {
        HTMLReportRenderer.render(ReportLayout(report, language), stylesheetHref: stylesheetHref)
    }

    /// The stylesheet of the HTML page (CSS), as `html(_:language:stylesheetHref:)` links it.
    public static var htmlStylesheet: String { HTMLReportRenderer.stylesheet }
}
