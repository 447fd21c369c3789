/// Renders a report as one self-contained HTML page: inline CSS, inline SVG charts, no script and nothing fetched,
/// laid out for a browser and for print.
enum HTMLReportRenderer {
    /// The page; with `stylesheetHref`, its stylesheet is linked from there instead of written inline.
    static func render(_ layout: ReportLayout, stylesheetHref: String? = nil) -> String {
        let e = HTMLEscaping.escape
        let report = layout.report
        let compared = report.comparedTo
        var html = """
            <!DOCTYPE html>
            <html lang="\(layout.language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(layout.title))</title>
            \(stylesheetHref.map { "<link rel=\"stylesheet\" href=\"\(e($0))\">" } ?? "<style>\n\(stylesheet)\n</style>")
            </head>
            <body>
            <header>
            <h1>\(e(layout.title))</h1>
            <p class="meta">\(e(layout.periodLine))<br>\(e(layout.generatedLine))</p>
            <p class="integrity \(report.integrity.eventLog.verified == true ? "ok" : "warn")">\(e(layout.logLine))</p>
            <p class="integrity \(report.integrity.recount.agrees ? "ok" : "warn")">\(e(layout.recountLine))</p>

            """
        if !layout.recountDifferences.isEmpty {
            html += "<ul class=\"differences\">"
                + layout.recountDifferences.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n"
        }
        html += "</header>\n<main>\n"
        html += charts(layout)

        for section in layout.sections {
            html += "<section id=\"\(e(section.key))\">\n<h2>\(e(section.title))</h2>\n"
            html += "<table class=\"figures\">\n<thead><tr><th scope=\"col\">\(e(layout.text(.figureColumn)))</th>"
                + "<th scope=\"col\" class=\"num\">\(e(report.quarter.description))</th>"
            if let compared {
                html += "<th scope=\"col\" class=\"num\">\(e(compared.description))</th>"
                    + "<th scope=\"col\" class=\"num\">\(e(layout.text(.changeColumn)))</th>"
            }
            html += "<th scope=\"col\">\(e(layout.text(.definitionColumn)))</th></tr></thead>\n<tbody>\n"
            for row in section.rows {
                var definition = row.figure?.definition ?? row.headingDefinition ?? ""
                if let total = row.total { definition += " — \(layout.text(.total)): \(total.definition)" }
                let rowClass = row.figure == nil ? "heading" : "level\(row.level)"
                html += "<tr class=\"\(rowClass)\" id=\"\(e(section.key)).\(e(row.key))\">"
                    + "<th scope=\"row\">\(e(row.label))</th><td class=\"num\">\(e(layout.value(row)))</td>"
                if compared != nil {
                    html += "<td class=\"num\">\(e(layout.compareValue(row)))</td>"
                        + "<td class=\"num change\">\(e(layout.change(row)))</td>"
                }
                html += "<td class=\"definition\">\(e(definition))</td></tr>\n"
            }
            html += "</tbody>\n</table>\n"
            for table in section.tables where !table.rows.isEmpty {
                html += "<h3>\(e(table.title))</h3>\n<table class=\"list\">\n<thead><tr>"
                for (index, column) in table.columns.enumerated() {
                    html += "<th scope=\"col\"\(table.numericColumns.contains(index) ? " class=\"num\"" : "")>\(e(column))</th>"
                }
                html += "</tr></thead>\n<tbody>\n"
                for row in table.rows {
                    html += "<tr>" + row.enumerated().map { index, cell in
                        "<td\(table.numericColumns.contains(index) ? " class=\"num\"" : "")>\(e(cell))</td>"
                    }.joined() + "</tr>\n"
                }
                html += "</tbody>\n</table>\n"
                if table.more > 0 { html += "<p class=\"more\">\(e(layout.andMore(table.more)))</p>\n" }
            }
            html += "</section>\n"
        }
        html += """
            </main>
            <footer><p>\(e(layout.recountLine)): \(e(layout.recountDefinition))</p></footer>
            </body>
            </html>

            """
        return html
    }

    private static func charts(_ layout: ReportLayout) -> String {
        let series = layout.report.series
        let quarters = series.quarters.map(\.description)
        let origins = CoordinationCounts.knownOrigins.filter { series.publishedByOrigin.values[$0] != nil }
            + series.publishedByOrigin.values.keys.filter { !CoordinationCounts.knownOrigins.contains($0) }.sorted()
        let charts: [(id: String, caption: String, chart: SVGChart, definition: String)] = [
            ("chart-notifications", layout.text(.chartNotifications), SVGChart(
                title: layout.text(.chartNotifications), style: .line, categories: quarters,
                series: [.init(name: layout.text(.sent), color: SVGChart.palette[0], values: series.notificationsSent.values)],
                xTitle: layout.text(.quarterAxis), yTitle: layout.text(.axisMessages)),
             layout.chartDefinition("notificationsSent", series.notificationsSent.definition)),
            ("chart-published", layout.text(.chartPublished), SVGChart(
                title: layout.text(.chartPublished), style: .stackedBars, categories: quarters,
                series: origins.enumerated().map { index, origin in
                    .init(name: ReportLabel.origin(origin), color: SVGChart.palette[index % SVGChart.palette.count],
                          values: series.publishedByOrigin.values[origin]!)
                },
                xTitle: layout.text(.quarterAxis), yTitle: layout.text(.axisCases)),
             layout.chartDefinition("publishedByOrigin", series.publishedByOrigin.definition)),
            ("chart-developers", layout.text(.chartDevelopers), SVGChart(
                title: layout.text(.chartDevelopers), style: .line, categories: quarters,
                series: [.init(name: layout.text(.registeredDevelopers), color: SVGChart.palette[2],
                               values: series.registeredDevelopers.values)],
                xTitle: layout.text(.quarterAxis), yTitle: layout.text(.axisDevelopers)),
             layout.chartDefinition("registeredDevelopers", series.registeredDevelopers.definition)),
        ]
        let e = HTMLEscaping.escape
        var html = "<section id=\"charts\">\n<h2>\(e(layout.text(.charts)))</h2>\n<div class=\"charts\">\n"
        for chart in charts {
            html += "<figure id=\"\(chart.id)\">\n<figcaption>\(e(chart.caption))</figcaption>\n"
                + chart.chart.render(id: chart.id) + "\n<p class=\"definition\">\(e(chart.definition))</p>\n</figure>\n"
        }
        return html + "</div>\n</section>\n"
    }

    static let stylesheet = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 1160px; padding: 24px 28px 48px; color: #1d232a; background: #fff;
          font: 15px/1.5 "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Kaku Gothic ProN", "Yu Gothic", Meiryo,
          "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
        h1 { font-size: 26px; margin: 0 0 6px; }
        h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #1f5fa8; }
        h3 { font-size: 16px; margin: 20px 0 6px; }
        .meta { color: #4a5561; margin: 0 0 10px; }
        .integrity { margin: 4px 0; padding: 6px 10px; border-left: 4px solid; border-radius: 2px; font-weight: 600; }
        .integrity.ok { border-color: #2e8b57; background: #eef7f1; }
        .integrity.warn { border-color: #c0392b; background: #fbeeee; }
        .differences { margin: 4px 0 0 20px; color: #c0392b; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(520px, 100%), 1fr)); gap: 18px; }
        figure { margin: 0; padding: 12px; border: 1px solid #d5dae0; border-radius: 4px; break-inside: avoid; }
        figcaption { font-weight: 600; margin-bottom: 6px; }
        svg.chart { width: 100%; height: auto; display: block; }
        svg .grid { stroke: #e4e8ec; stroke-width: 1; }
        svg .axis { stroke: #39424c; stroke-width: 1.2; }
        svg text { fill: #1d232a; font-family: inherit; }
        svg .tick { font-size: 12px; }
        svg .axis-title { font-size: 13px; font-weight: 600; }
        svg .value { font-size: 12px; font-weight: 700; }
        svg .bar-value { font-size: 11px; fill: #fff; font-weight: 600; }
        svg .legend { font-size: 13px; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
        th, td { padding: 4px 8px; border-bottom: 1px solid #e4e8ec; text-align: left; vertical-align: top;
          overflow-wrap: break-word; }
        thead th { border-bottom: 2px solid #39424c; font-size: 13px; }
        .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        tbody th { font-weight: 500; min-width: 13em; }
        td.change { white-space: normal; min-width: 7em; }
        tr.heading th { font-weight: 700; padding-top: 10px; }
        tr.level1 th { padding-left: 28px; font-weight: 400; }
        td.definition, p.definition { color: #5b6672; font-size: 12px; }
        table.figures td.definition { width: 40%; }
        .more { color: #5b6672; font-style: italic; }
        footer { margin-top: 32px; color: #5b6672; font-size: 12px; }
        @page { size: A4; margin: 14mm; }
        @media print {
          body { max-width: none; padding: 0; font-size: 10pt; }
          h2 { break-after: avoid; }
          .charts { display: block; }
          figure { margin: 0 0 10px; border-color: #999; }
          tr, .integrity { break-inside: avoid; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }
        """
}
