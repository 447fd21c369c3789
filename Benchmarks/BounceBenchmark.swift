import Foundation
import Mail

/// `liaison-bench bounces DIR [--list-ours]`: classifies every `.eml` file of a folder (a bounce corpus such as sisimai's
/// `maildir/bsd`) and prints, per family (the file name up to its number), how many were read as what.
///
/// A file counts as right when: a bounce (`lhost-*`, `rhost-*`, `rfc3464-*`) is a delivery report with a failed
/// recipient found, or, for a delay warning, a delivery report with the delayed recipient found (shown apart);
/// an `rfc3834-*` sample is an automatic reply; an `arf-*` feedback report is neither a bounce nor a reply.
/// Any report or automatic reply taken for a human reply is listed by name.
enum BounceBenchmark {
    static func run(_ arguments: [String]) throws {
        guard let folder = arguments.first else {
            print("usage: liaison-bench bounces DIR   (a folder of .eml files)")
            return
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".eml") }.sorted()
        struct Tally { var total = 0, failures = 0, delays = 0, automatic = 0, neither = 0, human = 0; var wrong: [String] = [] }
        var families: [String: Tally] = [:]
        var humans: [String] = []
        // Failures that blame our message or domain (SenderSideFailure), by reason: never a vendor bounce.
        var ours: [String: Int] = [:]
        // With --list-ours, each of them by name: what to check when the wordings change.
        var ourFiles: [String] = []
        let start = Date()
        for name in names {
            guard let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name)) else { continue }
            let family = family(of: name)
            var tally = families[family, default: Tally()]
            tally.total += 1
            defer { families[family] = tally }
            guard let parsed = try? ParsedMessage(bytes: data) else { tally.wrong.append(name); continue }
            let result = parsed.classify()
            let report = result.report
            switch result.kind {
            case .deliveryReport:
                if report?.failedRecipients.isEmpty == false {
                    tally.failures += 1
                    if let failure = report?.failedRecipients.compactMap(\.senderSideFailure).first {
                        ours[failure.reason.rawValue, default: 0] += 1
                        ourFiles.append("\(name): \(failure.reason.rawValue) " + (report?.failedRecipients.first.map { "\($0.status) \(($0.diagnostic ?? "").prefix(160))" } ?? ""))
                    }
                }
                else if report?.recipients.contains(where: { $0.action == .delayed }) == true { tally.delays += 1 }
                else { tally.neither += 1 }
            case .automaticReply: tally.automatic += 1
            case .unrelated: tally.neither += 1
            case .humanReply:
                tally.human += 1
                if !family.hasPrefix("human") { humans.append(name) }
            }
            let right: Bool
            switch family {
            case "rfc3834": right = result.kind == .automaticReply
            case "arf": right = result.kind != .deliveryReport && result.kind != .humanReply
            default: right = result.kind == .deliveryReport && report?.recipients.isEmpty == false
            }
            if !right { tally.wrong.append(name) }
        }
        let elapsed = Date().timeIntervalSince(start)
        print("family                 files  failed  delayed  automatic  neither  human   right")
        var bounceTotal = 0, bounceRight = 0, bounceFailed = 0, autoTotal = 0, autoRight = 0
        for (family, t) in families.sorted(by: { $0.key < $1.key }) {
            let right = t.total - t.wrong.count
            print(family.padding(toLength: max(22, family.count), withPad: " ", startingAt: 0) + String(format: " %5d  %6d  %7d  %9d  %7d  %5d  %5.1f%%", t.total, t.failures, t.delays,
                         t.automatic, t.neither, t.human, 100 * Double(right) / Double(max(t.total, 1))))
            if family == "rfc3834" { autoTotal += t.total; autoRight += right }
            else if family != "arf" { bounceTotal += t.total; bounceRight += right; bounceFailed += t.failures }
        }
        print(String(format: "bounces: %d of %d read as delivery reports with the recipient found (%.1f%%); %d as failures (%.1f%%), the rest delay warnings",
                     bounceRight, bounceTotal, 100 * Double(bounceRight) / Double(max(bounceTotal, 1)),
                     bounceFailed, 100 * Double(bounceFailed) / Double(max(bounceTotal, 1))))
        print("of the failures, our fault (not a vendor bounce): \(ours.values.reduce(0, +))"
              + (ours.isEmpty ? "" : " (" + ours.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"))
        if arguments.contains("--list-ours") { for line in ourFiles { print("  " + line.replacingOccurrences(of: "\n", with: " ")) } }
        print(String(format: "RFC 3834 samples: %d of %d automatic replies (%.1f%%)", autoRight, autoTotal,
                     100 * Double(autoRight) / Double(max(autoTotal, 1))))
        print("reports or automatic replies taken for a human reply: \(humans.count)\(humans.isEmpty ? "" : " (" + humans.joined(separator: ", ") + ")")")
        let wrong = families.values.flatMap(\.wrong).sorted()
        if !wrong.isEmpty { print("not right: " + wrong.joined(separator: " ")) }
        print(String(format: "%d files in %.2f s", names.count, elapsed))
        deepMessage()
    }

    /// A 21 MB message 31 multiparts deep, classified and its text read: the peak memory of the process.
    static func deepMessage() {
        let before = ThroughputBenchmark.peakResidentMegabytes()
        var body = String(repeating: "A line of a large attachment, seventy characters or so, of text.\r\n", count: 320_000)
        for depth in (0..<31).reversed() {
            body = "Content-Type: multipart/mixed; boundary=\"b\(depth)\"\r\n\r\n--b\(depth)\r\n\(body)\r\n--b\(depth)--\r\n"
        }
        let bytes = Data(("From: a@vendor.example\r\nSubject: deep\r\nMIME-Version: 1.0\r\n" + body).utf8)
        body = ""
        let start = Date()
        let parsed = try? ParsedMessage(bytes: bytes)
        let kind = parsed?.classify().kind.rawValue ?? "unreadable"
        let textLength = parsed?.bodyText?.utf8.count ?? 0
        print(String(format: "deep message: %.1f MB, 31 levels, %@ with %d bytes of text in %.2f s; peak memory %.0f MB (%.0f MB before)",
                     Double(bytes.count) / 1_048_576, kind, textLength, Date().timeIntervalSince(start),
                     ThroughputBenchmark.peakResidentMegabytes(), before))
    }

    /// `lhost-postfix-01.eml` → `lhost-postfix`; `rfc3464-07.eml` → `rfc3464`.
    static func family(of name: String) -> String {
        let stem = name.replacingOccurrences(of: ".eml", with: "")
        guard let dash = stem.lastIndex(of: "-"), stem[stem.index(after: dash)...].allSatisfy(\.isNumber) else { return stem }
        return String(stem[..<dash])
    }
}
