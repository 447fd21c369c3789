/// The forms a report can be rendered in.
public enum ReportFormat: String, CaseIterable, Sendable {
    /// Aligned columns for a terminal.
    case text
    /// Tables in GitHub-flavoured Markdown.
    case markdown
    /// `section,figure,value,compare,definition`, one row per figure.
    case csv
    /// Every figure as `{"value", "definition"}`, keys sorted; see ``QuarterReport``.
    case json
    /// One self-contained page with SVG charts, for a browser and for print.
    case html
}

/// The language of a report's labels; numbers and definitions are the same in every language.
public enum ReportLanguage: String, CaseIterable, Sendable {
    case en
    case ja
}
