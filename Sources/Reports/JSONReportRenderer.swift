import Foundation

/// Renders a report as JSON: sorted keys, ISO 8601 instants, two-space indentation (shape: ``QuarterReport``).
enum JSONReportRenderer {
    static func render(_ report: QuarterReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Every value is a plain number, string or date; nothing here can fail to encode.
        guard let data = try? encoder.encode(report), let text = String(data: data, encoding: .utf8) else { return "{}\n" }
        return text + "\n"
    }
}
