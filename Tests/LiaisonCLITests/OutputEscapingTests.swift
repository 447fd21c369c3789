import Foundation
import Testing
import TestSupport

/// Text from outside (titles, subjects, names) is printed with control and bidi characters escaped, so it can
/// neither drive the terminal nor forge a line.
@Suite struct OutputEscapingTests {
    static let caseId = "JVNVU#27182818"
    /// A C1 control sequence introducer (U+009B, a terminal's CSI) and a bidi override: printable enough to be a
    /// title (C0 controls are refused, `CaseTitle`), still never written raw.
    static let hostileTitle = "TLS \u{9B}31mred\u{9B}0m \u{202E}txt.exe\u{90}"

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
        let escape = try ws.liaison(["case", "open", Self.caseId, "--title", "TLS \u{1B}[31mred\u{1B}[0m", "--origin", "jvn-jp"])
        #expect(escape.status == 1 && escape.errorLines == ["--title contains the control character U+001B; a title is one line of printable text"],
                "\(escape.stderr)")
        let open = try ws.liaison(["case", "open", Self.caseId, "--title", Self.hostileTitle, "--origin", "jvn-jp"])
        #expect(open.status == 0, "\(open.stderr)")
        for args in [["case", "show", Self.caseId], ["case", "list"]] {
            let result = try ws.liaison(args)
            #expect(result.status == 0, "\(args): \(result.stderr)")
            let output = result.stdout + result.stderr
            for raw in ["\u{9B}", "\u{202E}", "\u{90}"] {
                #expect(!output.contains(raw), "\(args) printed a raw U+\(String(raw.unicodeScalars.first!.value, radix: 16))")
            }
            #expect(output.contains("\\u{9B}31mred"), "\(args): \(output)")
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

        // JSON keeps the exact text.
        let json = try ws.liaison(["case", "show", Self.caseId, "--format", "json"])
        let record = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["record"] as? [String: Any]
        #expect(record?["title"] as? String == Self.hostileTitle, "\(json.stdout)")
    }

    /// Every `--format json` output stays JSON whatever the text holds: C1 controls, a zero-width joiner in an
    /// emoji, a bidi override, bytes no charset reads; the table output shows the same characters escaped.
    @Test func jsonOutputIsJSONWhateverTheTextHolds() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"])
        defer { ws.remove() }
        let caseId = "JVNVU#17171717"
        try ws.openAndNotify(caseId)
        var notices: [String: [String: Any]] = [:]
        for row in try ws.outbox() { if let org = row["organizationId"] as? String { notices[org] = row } }
        func json(_ run: LiaisonRun) throws -> Any {
            #expect(run.status == 0, "liaison \(run.arguments.joined(separator: " ")): \(run.stderr)")
            return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        }
        let emoji = "PSIRT 👩‍💻 reply \u{202E}cod.exe"
        let encoded = "=?UTF-8?B?\(Data(emoji.utf8).base64EncodedString())?="
        let first = "From: psirt@aozora.example\nTo: vuls@csirt.example\nSubject: \(encoded) [\(notices["aozora"]?["trackingRef"] as? String ?? "")]\n"
            + "Message-ID: <emoji@aozora.example>\n\nStatus: affected\nVersion 1.0\u{85}2.0 \u{200D}\n"
        #expect(try ws.liaison(["ingest", "-"], input: Data(first.utf8)).status == 0)
        // A raw header in bytes that no charset reads (kept byte for byte, as Latin-1: C1 characters).
        let raw = Data("From: psirt@kumo.example\nTo: vuls@csirt.example\nSubject: ".utf8) + Data([0x82, 0x20, 0x85, 0x9F])
            + Data(" [\(notices["kumo"]?["trackingRef"] as? String ?? "")]\nMessage-ID: <raw@kumo.example>\n\nStatus: fixed\n".utf8)
        #expect(try ws.liaison(["ingest", "-"], input: raw).status == 0)

        let inbox = try json(try ws.liaison(["inbox", "--format", "json"])) as? [[String: Any]] ?? []
        let subjects = inbox.compactMap { $0["subject"] as? String }
        #expect(subjects.contains { $0.hasPrefix(emoji) }, "the exact text, escaped the JSON way: \(subjects)")
        #expect(subjects.contains { $0.hasPrefix("\u{82} \u{85}\u{9F}") }, "\(subjects)")
        let detail = try json(try ws.liaison(["case", "show", caseId, "--format", "json"])) as? [String: Any] ?? [:]
        let statements = (detail["participants"] as? [[String: Any]] ?? []).compactMap { ($0["record"] as? [String: Any])?["statement"] as? String }
        #expect(statements.contains { $0.contains("1.0\u{85}2.0 \u{200D}") }, "\(statements)")
        for args in [["case", "list", "--format", "json"], ["outbox", "--format", "json"], ["org", "list", "--format", "json"],
                     ["org", "show", "aozora", "--format", "json"], ["remind", "--all", "--dry-run", "--format", "json"],
                     ["case", "export", caseId, "--format", "json"],
                     ["directory", "export", "--format", "json"], ["report", "quarter", "2026Q4", "--format", "json"],
                     ["report", "unreachable", "--format", "json"]] {
            let run = try ws.liaison(args)
            #expect(run.status == 0, "\(args): \(run.stderr)")
            #expect((try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8), options: .fragmentsAllowed)) != nil,
                    "\(args) is not JSON: \(run.stdout.prefix(400))")
        }
        for json in [try ws.liaison(["inbox", "--format", "json"]).stdout, try ws.liaison(["case", "export", caseId, "--format", "json"]).stdout] {
            #expect(!json.contains("\\u{"), "no terminal escapes in JSON")
            #expect(!json.unicodeScalars.contains { $0.value == 0x85 || $0.value == 0x200D || $0.value == 0x202E },
                    "terminal-unsafe characters are JSON escapes")
        }
        // Tables escape them for the terminal.
        let table = try ws.liaison(["inbox"])
        #expect(table.stdout.contains("\\u{200D}") && table.stdout.contains("\\u{202E}cod.exe") && table.stdout.contains("\\u{82}"),
                "\(table.stdout)")
    }
}

/// The log of `liaison run` quotes text from outside (a reply's subject, a relay's reply): its control characters
/// are escaped, so one event stays one line and nothing in it reaches the terminal as a command.
@Suite struct LogEscapingTests {
    static let caseId = "JVNVU#31415926"

    @Test func theServiceLogShowsHostileSubjectsAndRelayRepliesEscapedOnOneLine() throws {
        let forged = "liaison.run : [ERROR] forged"
        var options = SMTPSink.Options()
        options.rcptReplies = ["psirt@kumo.example": ["550-5.1.1 \u{1B}[2J\u{1B}[31mno such user\r\n550 5.1.1 \(forged) refusal"]]
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"], sink: options)
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let tracking = try ws.outbox().first { $0["organizationId"] as? String == "aozora" }?["trackingRef"] as? String ?? ""
        let maildir = ws.root.appendingPathComponent("Maildir")
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        // A raw OSC title sequence and BEL, then an encoded word that decodes to CR LF and a line of its own.
        let encoded = Data("\r\n\(forged) subject\u{1B}[0m".utf8).base64EncodedString()
        try Data("From: psirt@aozora.example\nSubject: Re: [\(tracking)] \u{1B}]0;owned\u{7} =?UTF-8?B?\(encoded)?=\nMessage-ID: <log-1@aozora.example>\n\nStatus: fixed\n".utf8)
            .write(to: maildir.appendingPathComponent("new/1.host"))

        let service = try ws.start(["run", "--interval", "1", "--no-reminders", "--maildir", maildir.path])
        let bothLogged = waitUntil(timeout: 30) {
            let log = service.stderrSoFar
            return (log.contains("new/1.host: reply") && log.contains("psirt@kumo.example refused")) || !service.isRunning
        }
        #expect(bothLogged, "\(service.stderrSoFar)")
        service.send(signal: SIGTERM)
        let finished = try service.wait(timeout: 10)
        #expect(finished.status == 0, "\(finished.stderr)")
        let log = finished.stderr
        for raw: UInt32 in [0x1B, 0x7, 0xD] {
            #expect(!log.unicodeScalars.contains { $0.value == raw }, "the log holds a raw U+\(String(raw, radix: 16)): \(log)")
        }
        let lines = log.split(whereSeparator: \.isNewline)
        // The forged text never starts a line of its own: it stays on the line of the event that quoted it.
        #expect(!lines.isEmpty && !lines.contains { $0.hasPrefix(forged) }, "\(log)")
        let subjectLine = lines.first { $0.contains("new/1.host: reply from psirt@aozora.example") } ?? ""
        #expect(subjectLine.contains("\\u{1B}]0;owned\\u{7}"), "\(log)")
        #expect(subjectLine.contains("\\u{D}\\u{A}\(forged) subject\\u{1B}[0m"), "\(log)")
        let refusalLine = lines.first { $0.contains("psirt@kumo.example refused") } ?? ""
        #expect(refusalLine.contains("\\u{1B}[2J\\u{1B}[31mno such user"), "\(log)")
        #expect(refusalLine.contains("\(forged) refusal"), "the reply's lines on one line of the log: \(log)")
        #expect(try ws.participants(Self.caseId)["aozora"]?["response"] as? String == "fixed")
    }
}
