/// Renders a report for a terminal: aligned columns, definitions at the end.
enum TextReportRenderer {
    static func render(_ layout: ReportLayout) -> String {
        var out = [String]()
        out.append(layout.title)
        out.append(String(repeating: "=", count: TextWidth.of(layout.title)))
        out.append(layout.periodLine)
        out.append(layout.generatedLine)
        out.append(layout.logLine)
        out.append(layout.recountLine + (layout.report.integrity.recount.agrees ? "" : ":"))
        for difference in layout.recountDifferences { out.append("  - \(difference)") }

        let allRows = layout.sections.flatMap(\.rows)
        let labelWidth = allRows.map { TextWidth.of($0.label) + 2 * $0.level }.max() ?? 0
        let valueWidth = allRows.map { TextWidth.of(layout.value($0)) }.max() ?? 0
        let compareWidth = allRows.map { TextWidth.of(layout.compareValue($0)) }.max() ?? 0
        let compared = layout.report.comparedTo

        for section in layout.sections {
            out.append("")
            out.append(section.title.uppercased())
            if let compared {
                out.append("  " + TextWidth.padRight("", labelWidth) + "  " + TextWidth.padLeft(layout.report.quarter.description, valueWidth)
                           + "  " + TextWidth.padLeft(compared.description, compareWidth) + "  " + layout.text(.changeColumn))
            }
            for row in section.rows {
                let label = String(repeating: "  ", count: row.level) + row.label
                var line = "  " + TextWidth.padRight(label, labelWidth)
                if row.figure != nil {
                    line += "  " + TextWidth.padLeft(layout.value(row), valueWidth)
                    if compared != nil {
                        line += "  " + TextWidth.padLeft(layout.compareValue(row), compareWidth) + "  " + layout.change(row)
                    }
                }
                out.append(trimTrailing(line))
            }
            for table in section.tables where !table.rows.isEmpty {
                out.append("")
                out.append("  " + table.title)
                out += self.table(table).map { "    " + $0 }
                if table.more > 0 { out.append("    " + layout.andMore(table.more)) }
            }
        }

        out.append("")
        out.append(layout.text(.definitions).uppercased())
        for section in layout.sections {
            for row in section.rows where !row.isBreakdownPart {
                let definition = row.figure?.definition ?? row.headingDefinition ?? ""
                out.append("  \(row.label): \(definition)")
                if let total = row.total { out.append("    (\(layout.text(.total))) \(total.definition)") }
            }
        }
        out.append("  \(layout.recountLine): \(layout.recountDefinition)")
        return out.joined(separator: "\n") + "\n"
    }

    private static func table(_ table: ReportLayout.Table) -> [String] {
        let widths = table.columns.indices.map { column in
            ([table.columns[column]] + table.rows.map { $0[column] }).map(TextWidth.of).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            trimTrailing(cells.enumerated().map { column, cell in
                table.numericColumns.contains(column)
                    ? TextWidth.padLeft(cell, widths[column]) : TextWidth.padRight(cell, widths[column])
            }.joined(separator: "  "))
        }
        return [line(table.columns), line(widths.map { String(repeating: "-", count: $0) })] + table.rows.map(line)
    }

    private static func trimTrailing(_ line: String) -> String {
        var line = line
        while line.last == " " { line.removeLast() }
        return line
    }
}
