import Foundation
import Testing
import TestSupport

/// `case open` without --due or --tlp takes the workspace's `cases:` defaults from liaison.yaml and says so.
@Suite struct CaseDefaultsTests {
    /// Today plus `days`, as a day in `zone`.
    static func day(plus days: Int, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = calendar.date(byAdding: .day, value: days, to: Date())!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    @Test func caseOpenTakesTheConfiguredEmbargoAndTLP() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"], timezone: "Asia/Tokyo")
        defer { ws.remove() }
        let path = ws.root.appendingPathComponent("liaison.yaml")
        let configuration = try String(contentsOf: path, encoding: .utf8) + "cases:\n  embargo_days: 30\n  tlp: green\n"
        try configuration.write(to: path, atomically: true, encoding: .utf8)
        #expect(try ws.liaison(["directory", "sync"]).status == 0)

        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        let before = Self.day(plus: 30, in: tokyo)
        let opened = try ws.liaison(["case", "open", "JVNVU#14142135", "--title", "Path traversal", "--origin", "jvn-jp"])
        let after = Self.day(plus: 30, in: tokyo)
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(opened.stdout.hasPrefix("opened JVNVU#14142135 (jvn-jp), TLP:GREEN, due "), "\(opened.stdout)")
        #expect(opened.stdout.contains("due \(before) (the default embargo of 30 days, cases.embargo_days")
                || opened.stdout.contains("due \(after) (the default embargo of 30 days, cases.embargo_days"), "\(opened.stdout)")

        // Flags still win over the defaults.
        let explicit = try ws.liaison(["case", "open", "JVNVU#17320508", "--title", "XSS", "--origin", "jvn-jp",
                                       "--tlp", "TLP:AMBER+STRICT", "--due", "2030-01-15"])
        #expect(explicit.stdout == "opened JVNVU#17320508 (jvn-jp), TLP:AMBER+STRICT, due 2030-01-15\n", "\(explicit.stdout)")
    }
}
