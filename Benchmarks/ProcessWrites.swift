import Foundation

/// This process's writes so far, from /proc/self/io: `syscw` counts write, pwrite64 and writev calls (socket sends
/// are not among them), `write_bytes` the bytes sent to the storage layer.
struct ProcessWrites {
    var calls: Int
    var bytes: Int

    static func now() -> ProcessWrites {
        let text = (try? String(contentsOfFile: "/proc/self/io", encoding: .utf8)) ?? ""
        var fields: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = Int(parts[1].trimmingCharacters(in: .whitespaces)) }
        }
        return ProcessWrites(calls: fields["syscw"] ?? 0, bytes: fields["write_bytes"] ?? 0)
    }

    /// "N write calls and B bytes written per message" since `start`.
    static func perMessage(since start: ProcessWrites, messages: Int) -> String {
        let end = now()
        let count = Double(max(1, messages))
        return String(format: "%.1f write calls, %.0f bytes written per message",
                      Double(end.calls - start.calls) / count, Double(end.bytes - start.bytes) / count)
    }
}
