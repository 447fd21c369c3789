import Foundation
import Testing
import TestSupport

/// A new user's first run: `init` → `key setup` → `doctor` → `case open` without --due → `notify` → `send`, against
/// aiosmtpd with STARTTLS and AUTH started by the test; and bringing past cases with `case import`.
@Suite struct FirstRunTests {
    final class Folder {
        let root: URL
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-first-\(UUID().uuidString.prefix(8))")
        }
        deinit {
            let home = root.appendingPathComponent(".liaison/gnupg").path
            if FileManager.default.fileExists(atPath: home) {
                let gpgconf = Process()
                gpgconf.executableURL = URL(fileURLWithPath: "/usr/bin/gpgconf")
                gpgconf.arguments = ["--homedir", home, "--kill", "all"]
                try? gpgconf.run()
                gpgconf.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: root)
        }
        func write(_ path: String, _ text: String) throws {
            try text.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }
        func liaison(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
            try runLiaison(args, workspace: root, environment: environment)
        }
    }

    static let vendor = """
        id: hikari
        name: Hikari Soft
        localName: ひかりソフト株式会社
        kind: product-developer
        country: JP
        languages: [ja]
        technologies: [tls]
        contacts:
          - email: psirt@hikari.example
            role: to
          - email: cto@hikari.example
            role: cc

        """

    @Test func initKeySetupDoctorThenANotificationGoesOut() throws {
        var options = SMTPSink.Options()
        options.starttls = true
        options.requireTLS = true
        options.auth = (user: "gateway", password: "s3cret")
        let sink = try SMTPSink.start(options)
        defer { sink.stop() }
        let folder = try Folder()
        let created = try runLiaison(["init", folder.root.path], workspace: nil)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("created Templates/vendor-initial.ja.mustache"))

        // What a user edits after init: the relay, the zone. The sender's own directory entry came with init.
        let configuration = try String(contentsOf: folder.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "url: smtp://127.0.0.1:2525", with: "url: \(sink.url)")
            .replacingOccurrences(of: "# username: gateway", with: "username: gateway")
            .replacingOccurrences(of: "# ca_file: certs/ca.pem", with: "ca_file: \(sink.caFile!)")
            .replacingOccurrences(of: "timezone: UTC ", with: "timezone: Asia/Tokyo ")
        try folder.write("liaison.yaml", configuration)
        try folder.write("Directory/organizations/hikari.yaml", Self.vendor)
        let environment = ["LIAISON_SMTP_PASSWORD": "s3cret"]

        let early = try folder.liaison(["doctor"], environment: environment)
        #expect(early.status == 1)
        #expect(early.stdout.contains("FAIL signing key: sender.signing_key is not set; run `liaison key setup`"))
        #expect(early.stdout.contains("FAIL registry: ") && early.stdout.contains("registry.sqlite does not exist; run `liaison directory sync`"),
                "\(early.stdout)")
        #expect(early.stdout.contains("FAIL sender organisation: not checked: the registry does not open (above)"))

        #expect(try folder.liaison(["directory", "sync"]).status == 0)
        let setup = try folder.liaison(["key", "setup"])
        #expect(setup.status == 0, "\(setup.stderr)")
        #expect(setup.stdout.contains("made Ed25519 signing key"))
        #expect(try folder.liaison(["key", "setup"]).stdout.contains("nothing changed"), "a second run keeps the key")

        let doctor = try folder.liaison(["doctor"], environment: environment)
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        let lines = doctor.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("ok   ") }.count == 6, "\(lines)")
        #expect(lines.first { $0.hasPrefix("ok   registry: ") } == "ok   registry: SQLite .liaison/registry.sqlite opens", "\(lines)")
        #expect(lines.last == "skip imap: no imap section in liaison.yaml")
        #expect(lines.contains { $0.hasPrefix("ok   relay: ") && $0.contains("offers STARTTLS") && $0.contains("accepts the login of gateway") })
        #expect(lines.contains { $0.hasPrefix("ok   templates: 12 render") })
        #expect(sink.messages().isEmpty, "doctor sends nothing")
        let badLogin = try folder.liaison(["doctor"], environment: ["LIAISON_SMTP_PASSWORD": "wrong"])
        #expect(badLogin.status == 1 && badLogin.stdout.contains("FAIL relay: "))

        let opened = try folder.liaison(["case", "open", "JVNVU#10000001", "--title", "TLS 証明書検証の不備", "--origin", "jvn-jp"])
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(opened.stdout.contains("TLP:AMBER+STRICT") && opened.stdout.contains("the default embargo of 45 days, cases.embargo_days"))
        #expect(try folder.liaison(["case", "add", "JVNVU#10000001", "hikari"]).status == 0)
        let notify = try folder.liaison(["notify", "JVNVU#10000001", "--template", "vendor-initial"])
        #expect(notify.status == 0, "\(notify.stderr)")
        let send = try folder.liaison(["send"], environment: environment)
        #expect(send.status == 0, "\(send.stderr)")
        let received = try sink.waitForMessages(count: 1)
        #expect(Set(received[0].recipients) == ["psirt@hikari.example", "cto@hikari.example"])
        let text = String(decoding: received[0].bytes, as: UTF8.self)
        #expect(text.contains("multipart/signed"))
        #expect(text.contains("Subject: [TLP:AMBER+STRICT] [JVNVU#10000001]"))
        #expect(text.contains("(JST)"), "the embargo date names the workspace zone")

        let moved = try folder.liaison(["case", "set-due", "JVNVU#10000001", "2030-01-31", "--notify"])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stdout.hasPrefix("JVNVU#10000001: due ") && moved.stdout.contains(" → 2030-01-31"))
        #expect(moved.stdout.contains("queued 1 message"))
        #expect(try folder.liaison(["case", "show", "JVNVU#10000001"]).stdout.contains("TLP:AMBER+STRICT, origin jvn-jp"))
        let ladder = try folder.liaison(["remind", "--all", "--dry-run"])
        #expect(ladder.status == 0, "\(ladder.stderr)")
        #expect(ladder.stdout.contains("would take 0 steps (reminders after 14 and 28 days, escalation after 42, unreachable after 60)"))
        #expect(try folder.liaison(["report", "unreachable"]).stdout == "Developers who could not be reached\n\nNo organisation is unreachable.\n")
    }

    @Test func caseImportIsAllOrNothingAndGivesRunningTotalsFromTheFirstQuarter() throws {
        let folder = try Folder()
        #expect(try runLiaison(["init", folder.root.path], workspace: nil).status == 0)
        let configuration = try String(contentsOf: folder.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "timezone: UTC ", with: "timezone: Asia/Tokyo ")
        try folder.write("liaison.yaml", configuration)
        try folder.write("Directory/organizations/hikari.yaml", Self.vendor)
        #expect(try folder.liaison(["directory", "sync"]).status == 0)

        let bad = """
            id,title,origin,opened,published,due,participants
            JVNVU#20000001,Buffer overflow,jvn-jp,2006-04-03,2006-05-10,,hikari
            JVNVU#20000002,"Title, with a comma",JVN JP,2006-13-01,,,
            JVNVU#20000003,XSS,cert-cc,2006-06-01,2006-05-01,,nobody
            JVNVU#2000\u{202E}0005,Reversed id,jvn-jp,2006-06-01,,,
            JVNVU#20000006,Cut\u{0} short,jvn-jp,2006-06-01,,,
            JVNVU#20000007,"Escape \u{1B}[2J",jvn-jp,2006-06-01,,,
            JVNVU#20000008,Participants,jvn-jp,2006-06-01,,,hikari\u{0}

            """
        try folder.write("bad.csv", bad)
        let refused = try folder.liaison(["case", "import", "bad.csv"])
        #expect(refused.status == 1)
        #expect(refused.stderr.split(separator: "\n").map(String.init) == [
            "bad.csv:3: origin \"JVN JP\" is not a partner id such as jvn-jp, cert-cc or cpni",
            "bad.csv:3: opened \"2006-13-01\" is not a day of the calendar",
            "bad.csv:4: published 2006-05-01 is before opened 2006-06-01",
            "bad.csv:5: id contains the invisible character U+202E (a bidi control or format character that can make text read differently from what it is); remove it",
            "bad.csv:6: title contains the control character U+0000; a title is one line of printable text",
            "bad.csv:7: title contains the control character U+001B; a title is one line of printable text",
            "bad.csv:8: participants contains the control character U+0000; organisation ids are printable text",
        ])
        #expect(try folder.liaison(["case", "list"]).stdout.contains("JVNVU#20000001") == false, "nothing was imported")

        let good = """
            id,title,origin,opened,published,due,participants
            JVNVU#20000001,Buffer overflow,jvn-jp,2006-04-03,2006-05-10,,hikari
            JVNVU#20000002,"Title, with a comma",jvn-jp,2006-05-01,2006-07-20,2006-07-20,
            VU#300001,XSS,cert-cc,2006-06-01,2006-06-30,,
            JVNVU#20000004,Still open,jvn-jp,2006-09-01,,2006-12-01,hikari

            """
        try folder.write("history.csv", good)
        let imported = try folder.liaison(["case", "import", "history.csv", "--force"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "imported 4 cases from history.csv (0 already there, unchanged; 2 participants added)\n")
        let again = try folder.liaison(["case", "import", "history.csv", "--force"])
        #expect(again.stdout == "imported 0 cases from history.csv (4 already there, unchanged; 0 participants added)\n")

        // 2006Q2 (Asia/Tokyo) is the first quarter with history: two published in it, and the totals start there.
        let q2 = try folder.liaison(["report", "quarter", "2006Q2", "--format", "csv"])
        #expect(q2.status == 0, "\(q2.stderr)")
        #expect(q2.stdout.contains("published.byOrigin.jvn-jp.inQuarter,1,"))
        #expect(q2.stdout.contains("published.byOrigin.jvn-jp.cumulative,1,"))
        #expect(q2.stdout.contains("published.byOrigin.cert-cc.cumulative,1,"))
        let q3 = try folder.liaison(["report", "quarter", "2006Q3", "--format", "csv"])
        #expect(q3.stdout.contains("published.byOrigin.jvn-jp.inQuarter,1,"))
        #expect(q3.stdout.contains("published.byOrigin.jvn-jp.cumulative,2,"), "running total (総計) carries the imported history")
        #expect(q3.stdout.contains("published.byOrigin.cert-cc.cumulative,1,"))
    }
}
