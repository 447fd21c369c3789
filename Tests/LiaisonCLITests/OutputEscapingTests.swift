import Foundation
import Testing
import TestSupport

/// Text from outside (titles, subjects, names) is printed with control and bidi characters escaped, so it can
/// neither drive the terminal nor forge a line.
@Suite struct OutputEscapingTests {
    static let caseId = "JVNVU#27182818"
    static let hostileTitle = "TLS \u{1B}[31mred\u{1B}[0m \u{202E}txt.exe\u{7}"

    @Test func caseShowListAndOutboxEscapeControlCharacters() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        for language in ["ja", "en"] {
            try ws.temp.write("Templates/hostile.\(language).mustache", """
                ---
                subject: "[{{case.id}}] {{case.title}}"
                ---
                {{case.title}}

                """)
        }
        #expect(try ws.liaison(["directory", "sync"]).status == 0)
        let open = try ws.liaison(["case", "open", Self.caseId, "--title", Self.hostileTitle, "--origin", "jvn-jp"])
        #expect(open.status == 0, "\(open.stderr)")
        for args in [["case", "show", Self.caseId], ["case", "list"]] {
            let result = try ws.liaison(args)
            #expect(result.status == 0, "\(args): \(result.stderr)")
            let output = result.stdout + result.stderr
            for raw in ["\u{1B}", "\u{202E}", "\u{7}"] {
                #expect(!output.contains(raw), "\(args) printed a raw U+\(String(raw.unicodeScalars.first!.value, radix: 16))")
            }
            #expect(output.contains("\\u{1B}[31mred"), "\(args): \(output)")
            #expect(output.contains("\\u{202E}txt.exe"), "\(args): \(output)")
        }

        // A subject may hold a bidi override (it is RFC 2047-encoded in the mail); the outbox table shows it escaped.
        let spoofed = "JVNVU#27182819"
        #expect(try ws.liaison(["case", "open", spoofed, "--title", "invoice \u{202E}fdp.exe", "--origin", "jvn-jp"]).status == 0)
        #expect(try ws.liaison(["case", "add", spoofed, "aozora"]).status == 0)
        let notify = try ws.liaison(["notify", spoofed, "--template", "hostile"])
        #expect(notify.status == 0, "\(notify.stderr)")
        let outbox = try ws.liaison(["outbox"])
        #expect(outbox.status == 0, "\(outbox.stderr)")
        #expect(!outbox.stdout.contains("\u{202E}"))
        #expect(outbox.stdout.contains("invoice \\u{202E}fdp.exe"), "\(outbox.stdout)")

        // JSON keeps the exact text (escaped the JSON way).
        let json = try ws.liaison(["case", "show", Self.caseId, "--format", "json"])
        #expect(!json.stdout.contains("\u{1B}"))
        #expect(json.stdout.contains("\\u001b[31mred"))
    }
}
