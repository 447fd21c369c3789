import Foundation
import Reports
import Testing
import TestSupport

private let chromiumPath = "/usr/bin/chromium"

/// Opens the HTML report in headless Chromium (Debian's `chromium`): the page renders, the charts are in the DOM,
/// nothing is logged to the console, and it prints to PDF. Runs where /usr/bin/chromium is installed (CI does).
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: chromiumPath)))
struct HTMLInBrowserTests {

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs Chromium headless with its own profile folder, output captured in files beside it (pipes read from
    /// dispatch handlers proved fragile on Linux); stops it by its process id after `timeout`.
    static func chromium(_ arguments: [String], profile: URL, timeout: TimeInterval = 90) throws -> Run {
        let outURL = profile.appendingPathExtension("stdout"), errURL = profile.appendingPathExtension("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromiumPath)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--user-data-dir=\(profile.path)"] + arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return Run(status: process.terminationStatus,
                   stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                   stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ data: Data) -> (Int, Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0...7] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
        func int(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20))
    }

    @Test(arguments: ReportLanguage.allCases)
    func pageRendersChartsWithoutConsoleErrors(language: ReportLanguage) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = try ReportFigureTests.report(compareTo: "2007Q2", logIntegrity: LogIntegrity(intact: true, eventCount: 57))
        let page = folder.appendingPathComponent("report-\(language).html")
        try ReportRenderer.render(report, format: .html, language: language).write(to: page, atomically: true, encoding: .utf8)

        let screenshot = folder.appendingPathComponent("report-\(language).png")
        let shot = try Self.chromium(["--screenshot=\(screenshot.path)", "--window-size=1200,2000", page.absoluteString],
                                     profile: folder.appendingPathComponent("profile-shot"))
        #expect(shot.status == 0, "chromium failed: \(shot.stderr)")
        let png = try Data(contentsOf: screenshot)
        #expect(Self.pngSize(png).map { [$0.0, $0.1] } == [1200, 2000])
        #expect(png.count > 50_000, "a page with charts and tables is not a blank screenshot")
        if let keep = ProcessInfo.processInfo.environment["LIAISON_KEEP_SCREENSHOTS"] {
            try? FileManager.default.removeItem(atPath: "\(keep)/report-\(language).png")
            try FileManager.default.copyItem(atPath: screenshot.path, toPath: "\(keep)/report-\(language).png")
        }

        let dom = try Self.chromium(["--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString],
                                    profile: folder.appendingPathComponent("profile-dom"))
        #expect(dom.status == 0)
        let consoleLines = dom.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(consoleLines.isEmpty, "console messages: \(consoleLines)")
        for chart in ["chart-notifications", "chart-published", "chart-developers"] {
            #expect(dom.stdout.contains("<figure id=\"\(chart)\">"))
        }
        #expect(dom.stdout.components(separatedBy: "<svg ").count - 1 == 3)
        // Each listed case shows its TLP label as written, in both languages.
        #expect(dom.stdout.contains("<td>JVNVU#11110003</td><td>TLP:RED</td>"), "\(dom.stdout)")

        let pdf = folder.appendingPathComponent("report-\(language).pdf")
        let print = try Self.chromium(["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", page.absoluteString],
                                      profile: folder.appendingPathComponent("profile-pdf"))
        #expect(print.status == 0)
        #expect(try Data(contentsOf: pdf).prefix(5) == Data("%PDF-".utf8))
    }
}
