/// Renders a report as GitHub-flavoured Markdown: one table per section, each figure with its definition.
enum MarkdownReportRenderer {
    static func render(_ layout: ReportLayout) -> String {
        var out = ["# \(escape(layout.title))", ""]
        out.append("- \(escape(layout.periodLine))")
        out.append("- \(escape(layout.generatedLine))")
        out.append("- **\(escape(layout.logLine))**")
        out.append("- \(escape(layout.recountLine))")
        for difference in layout.recountDifferences { out.append("  - \(escape(difference))") }
        let compared = layout.report.comparedTo

        for section in layout.sections {
            out += ["", "## \(escape(section.title))", ""]
            var header = [layout.text(.figureColumn), layout.report.quarter.description]
            var align = ["---", "---:"]
            if let compared {
                header += [compared.description, layout.text(.changeColumn)]
                align += ["---:", "---:"]
            }
            header.append(layout.text(.definitionColumn))
            align.append("---")
            out.append(row(header.map(escape)))
            out.append(row(align))
            for line in section.rows {
                let indent = String(repeating: "&nbsp;&nbsp;&nbsp;&nbsp;", count: line.level)
                let label = line.figure == nil ? "**\(escape(line.label))**" : indent + escape(line.label)
                var cells = [label, escape(layout.value(line))]
                if compared != nil { cells += [escape(layout.compareValue(line)), escape(layout.change(line))] }
                var definition = line.figure?.definition ?? line.headingDefinition ?? ""
                if let total = line.total { definition += layout.language == .ja ? " 総計: \(total.definition)" : " Total: \(total.definition)" }
                cells.append(escape(definition))
                out.append(row(cells))
            }
            for table in section.tables where !table.rows.isEmpty {
                out += ["", "### \(escape(table.title))", ""]
                out.append(row(table.columns.map(escape)))
                out.append(row(table.columns.indices.map { table.numericColumns.contains($0) ? "---:" : "---" }))
                out += table.rows.map { row($0.map(escape)) }
                if table.more > 0 { out += ["", escape(layout.andMore(table.more))] }
            }
        }
        out += ["", "\(layout.language == .ja ? "再集計" : "Recount"): \(escape(layout.recountDefinition))"]
        return out.joined(separator: "\n") + "\n"
    }

    private static func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }

    /// Keeps table cells whole and text literal: pipes, Markdown punctuation and HTML are escaped.
    private static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "|", "\\", "*", "_", "`", "[", "]", "#", "<", ">": out += "\\\(character)"
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
