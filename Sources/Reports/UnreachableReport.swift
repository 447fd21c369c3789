import Foundation
import Registry

/// The list of developers who could not be reached (連絡不能開発者一覧): organisations unreachable in at least
/// one case, with the cases, first notification, attempts, last attempt and the addresses tried.
///
/// ```swift
/// let list = try store.reports.unreachableOrganizations()
/// print(UnreachableReport.render(list, format: .csv, language: .ja, timeZone: TimeZone(identifier: "Asia/Tokyo")!))
/// ```
public enum UnreachableReport {
    /// Column headings, in the report's language.
    static func headings(_ language: ReportLanguage) -> [String] {
        switch language {
        case .en: ["organisation", "name", "case", "first notified", "attempts", "last attempt", "unreachable since", "addresses tried"]
        case .ja: ["組織", "名称", "案件番号", "初回連絡日", "連絡回数", "最終連絡日", "連絡不能とした日", "連絡先 (結果)"]
        }
    }

    static func title(_ language: ReportLanguage) -> String {
        language == .ja ? "連絡不能開発者一覧" : "Developers who could not be reached"
    }

    static func reason(_ reason: TriedAddress.Reason, _ language: ReportLanguage) -> String {
        guard language == .ja else { return reason.rawValue }
        return reason == .bounce ? "不達" : "返信なし"
    }

    /// One row per (organisation, case); addresses as `a@x (bounce: 550 …); b@x (no answer)`.
    static func rows(_ list: [UnreachableOrganization], language: ReportLanguage, timeZone: TimeZone) -> [[String]] {
        list.flatMap { org in
            org.cases.map { item in
                let addresses = item.addresses.map { address in
                    "\(address.email) (\(reason(address.reason, language))\(address.detail.map { ": \($0)" } ?? ""))"
                }.joined(separator: "; ")
                return [org.organizationId, language == .ja ? (org.localName ?? org.name) : org.name, item.caseId,
                        ZoneLabel.day(of: item.firstNotifiedAt, in: timeZone), String(item.attempts),
                        item.lastAttemptAt.map { ZoneLabel.day(of: $0, in: timeZone) } ?? "-",
                        ZoneLabel.day(of: item.unreachableSince, in: timeZone), addresses]
            }
        }
    }

    /// The list as text (aligned columns), CSV (RFC 4180), JSON (stable keys, ISO 8601 UTC times) or one HTML page.
    /// Markdown is rendered as text.
    public static func render(_ list: [UnreachableOrganization], format: ReportFormat, language: ReportLanguage,
                              timeZone: TimeZone) -> String {
        let headings = headings(language)
        let rows = rows(list, language: language, timeZone: timeZone)
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let data = (try? encoder.encode(["organizations": list])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        case .csv:
            return ([headings] + rows).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        case .html:
            return html(headings: headings, rows: rows, language: language)
        case .text, .markdown:
            if rows.isEmpty { return title(language) + "\n\n" + (language == .ja ? "連絡不能の組織はありません。\n" : "No organisation is unreachable.\n") }
            let widths = headings.indices.map { column in ([headings] + rows).map { TextWidth.of($0[column]) }.max() ?? 0 }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { index, cell in
                    index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - TextWidth.of(cell))
                }.joined(separator: "  ")
            }
            return ([title(language), "", line(headings)] + rows.map(line)).joined(separator: "\n") + "\n"
        }
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func html(headings: [String], rows: [[String]], language: ReportLanguage) -> String {
        let title = HTMLEscaping.escape(title(language))
        let head = headings.map { "<th scope=\"col\">\(HTMLEscaping.escape($0))</th>" }.joined()
        let body = rows.isEmpty
            ? "<tr><td colspan=\"\(headings.count)\">\(language == .ja ? "連絡不能の組織はありません。" : "No organisation is unreachable.")</td></tr>"
            : rows.map { "<tr>" + $0.map { "<td>\(HTMLEscaping.escape($0))</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)">
            <head>
            <meta charset="utf-8">
            <title>\(title)</title>
            <style>
            body { font-family: "Noto Sans CJK JP", "Noto Sans", sans-serif; margin: 2em; }
            table { border-collapse: collapse; }
            th, td { border: 1px solid #999; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
            th { background: #eee; }
            </style>
            </head>
            <body>
            <h1>\(title)</h1>
            <table id="unreachable">
            <thead><tr>\(head)</tr></thead>
            <tbody>
            \(body)
            </tbody>
            </table>
            </body>
            </html>

            """
    }
}
