import Foundation
import Testing
import TestSupport

/// The checks that catch a coordinator's slip before it reaches a vendor or the record: each refusal is one line
/// saying why and naming `--force`, and changes nothing.
@Suite struct GuardRailTests {
    static let caseId = "JVNVU#12345678"

    @Test func aDueDateInThePastIsRefusedUnlessForced() throws {
        let ws = try GatewayWorkspace(developers: ["hikari", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)

        let open = try ws.liaison(["case", "open", "JVNVU#20200131", "--title", "Old", "--origin", "jvn-jp", "--due", "2020-01-31"])
        #expect(open.status == 1)
        #expect(open.errorLines.count == 1)
        #expect(open.stderr.contains("the due date 2020-01-31 is in the past") && open.stderr.contains("--force"), "\(open.stderr)")
        #expect(try ws.liaison(["case", "list"]).stdout.contains("JVNVU#20200131") == false, "nothing was opened")
        let forced = try ws.liaison(["case", "open", "JVNVU#20200131", "--title", "Old", "--origin", "jvn-jp", "--due", "2020-01-31", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")

        let move = try ws.liaison(["case", "set-due", Self.caseId, "2020-01-01", "--notify"])
        #expect(move.status == 1)
        #expect(move.errorLines.count == 1 && move.stderr.contains("--force"), "\(move.stderr)")
        #expect((try ws.caseDetail(Self.caseId)["record"] as? [String: Any])?["due"] as? String == "2030-01-15")
        #expect(try ws.outbox().count == 2, "no due-changed message was queued")
    }

    @Test func publishingBeforeTheDueDateIsRefusedAndEmbargoTemplatesAfterIt() throws {
        let ws = try GatewayWorkspace(developers: ["hikari", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)

        let early = try ws.liaison(["case", "publish", Self.caseId])
        #expect(early.status == 1)
        #expect(early.errorLines == ["case \(Self.caseId) is under embargo until 2030-01-15 (UTC) (its due date); publishing now breaks it: "
                                     + "move the date with `liaison case set-due`, or use --force to publish anyway"])
        #expect((try ws.caseDetail(Self.caseId)["record"] as? [String: Any])?["publishedAt"] == nil)
        #expect(try ws.liaison(["case", "publish", Self.caseId, "--force"]).status == 0)

        for template in ["vendor-initial", "reminder"] {
            let late = try ws.liaison(["notify", Self.caseId, "--template", template, "--again"])
            #expect(late.status == 1)
            #expect(late.errorLines.count == 1)
            #expect(late.stderr.contains("case \(Self.caseId) is already published") && late.stderr.contains("--force"), "\(late.stderr)")
        }
        #expect(try ws.outbox().count == 2, "nothing was queued")
        let publication = try ws.liaison(["notify", Self.caseId, "--template", "publication"])
        #expect(publication.status == 0, "\(publication.stderr)")
        #expect(try ws.outbox().count == 4)
    }

    /// A publication date still to come (a slip of the year) is refused, forced or not: the case would count as
    /// published, its TLP drop to CLEAR and vendors get the publication notice while the embargo still runs.
    @Test func aPublicationDateInTheFutureIsRefused() throws {
        let ws = try GatewayWorkspace(developers: ["hikari"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        let tlpBefore = (try ws.caseDetail(Self.caseId)["record"] as? [String: Any])?["tlp"] as? String

        for extra in [[], ["--force"]] {
            let future = try ws.liaison(["case", "publish", Self.caseId, "--at", "2031-02-01"] + extra)
            #expect(future.status == 1)
            #expect(future.errorLines.count == 1)
            #expect(future.stderr.contains("2031-02-01") && future.stderr.contains("has not come yet"), "\(future.stderr)")
        }
        let record = try #require(try ws.caseDetail(Self.caseId)["record"] as? [String: Any])
        #expect(record["publishedAt"] == nil)
        #expect(record["tlp"] as? String == tlpBefore)
        #expect(try CaseCorrectionTests.events(ws, like: "case.published").isEmpty)
        let today = try ws.liaison(["case", "publish", Self.caseId, "--force", "--at", Self.todayUTC])
        #expect(today.status == 0, "\(today.stderr)")
    }

    /// Today in UTC (the test workspaces' zone), `YYYY-MM-DD`.
    static var todayUTC: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    @Test func notifyAgainWhileTheFirstCopiesAreQueuedIsRefused() throws {
        let ws = try GatewayWorkspace(developers: ["hikari", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)

        let again = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial", "--again"])
        #expect(again.status == 1)
        #expect(again.errorLines == ["2 earlier messages of vendor-initial for \(Self.caseId) are still queued or deferred, so --again "
                                     + "would send vendors two copies; run `liaison send` (or void them with `liaison outbox void --case`) "
                                     + "first, or use --force to queue again anyway"])
        #expect(try ws.outbox().count == 2)

        #expect(try ws.liaison(["send"]).status == 0)
        let afterSend = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial", "--again"])
        #expect(afterSend.status == 0, "\(afterSend.stderr)")
        let forced = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial", "--again", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try ws.outbox().count == 6)
    }

    @Test func originsAreTheConfiguredPartnersWithDidYouMean() throws {
        let ws = try GatewayWorkspace(developers: ["hikari"])
        defer { ws.remove() }
        #expect(try ws.liaison(["directory", "sync"]).status == 0)

        let typo = try ws.liaison(["case", "open", "VU#100001", "--title", "t", "--origin", "cert-c"])
        #expect(typo.status == 1)
        #expect(typo.errorLines == ["origin cert-c is not a configured partner (cases.origins: jvn-jp, cert-cc, cpni); did you mean cert-cc?"])
        let unknown = try ws.liaison(["case", "open", "AUSCERT#1", "--title", "t", "--origin", "auscert"])
        #expect(unknown.errorLines == ["origin auscert is not a configured partner (cases.origins: jvn-jp, cert-cc, cpni); "
                                       + "add it to cases.origins in liaison.yaml"])
        #expect(try ws.liaison(["case", "list"]).stdout.contains("VU#100001") == false)

        let configuration = try String(contentsOf: ws.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
        try ws.temp.write("liaison.yaml", configuration + "cases:\n  origins: [jvn-jp, cert-cc, cpni, auscert]\n")
        #expect(try ws.liaison(["case", "open", "AUSCERT#1", "--title", "t", "--origin", "auscert"]).status == 0)

        try ws.temp.write("history.csv", """
            id,title,origin,opened,published,due
            JVNVU#20000001,Buffer overflow,jvn-jp,2006-04-03,2006-05-10,2006-05-10
            JVNVU#20000002,Still open,jvn-jp,2006-09-01,,2006-12-01
            VU#300001,XSS,cert-c,2006-06-01,2006-06-30,

            """)
        let imported = try ws.liaison(["case", "import", "history.csv"])
        #expect(imported.status == 1)
        #expect(imported.errorLines.count == 2)
        #expect(imported.errorLines.first?.hasPrefix("history.csv:3: case JVNVU#20000002 is not published and the due date 2006-12-01 is in the past") == true,
                "\(imported.stderr)")
        #expect(imported.errorLines.last == "history.csv:4: origin cert-c is not a configured partner (cases.origins: jvn-jp, cert-cc, cpni, auscert); did you mean cert-cc?")
        #expect(try ws.liaison(["case", "list"]).stdout.contains("JVNVU#20000001") == false, "nothing was imported")

        try ws.temp.write("liaison.yaml", configuration + "cases:\n  origins: [jvn-jp, Cert CC]\n")
        let badSetting = try ws.liaison(["case", "list"])
        #expect(badSetting.status == 1)
        #expect(badSetting.stderr.contains("each of cases.origins must be a partner id of lower-case letters, digits and -, such as cert-cc, not \"Cert CC\""),
                "\(badSetting.stderr)")
    }

    @Test func unknownCaseAndOrganisationIdsSuggestTheNearestOne() throws {
        let ws = try GatewayWorkspace(developers: ["hikari", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)

        let show = try ws.liaison(["case", "show", "JVNVU#12345687"])
        #expect(show.status == 1)
        #expect(show.errorLines == ["no case JVNVU#12345687; did you mean \(Self.caseId)?; `liaison case list` shows the cases"])
        let notify = try ws.liaison(["notify", "JVNVU#1234567", "--template", "vendor-initial"])
        #expect(notify.stderr.contains("did you mean \(Self.caseId)?"), "\(notify.stderr)")
        let add = try ws.liaison(["case", "add", Self.caseId, "hikar"])
        #expect(add.status == 1)
        #expect(add.stderr.contains("no organisation hikar in the registry; did you mean hikari?"), "\(add.stderr)")
        let notifyOrg = try ws.liaison(["notify", Self.caseId, "--template", "vendor-initial", "--org", "hikar"])
        #expect(notifyOrg.stderr.contains("no organisation hikar in the registry; did you mean hikari?"), "\(notifyOrg.stderr)")
        let org = try ws.liaison(["org", "show", "sakra"])
        #expect(org.status == 1)
        #expect(org.stderr.contains("did you mean sakura?"), "\(org.stderr)")
    }

    @Test func theSmallThingsAUserExpects() throws {
        let ws = try GatewayWorkspace(developers: ["hikari"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)

        let version = try ws.liaison(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.split(separator: ".").count == 3, "\(version.stdout)")
        let typo = try ws.liaison(["cas", "list"])
        #expect(typo.status == 1)
        #expect(typo.errorLines.first?.hasPrefix("liaison: no command cas; did you mean case?") == true, "\(typo.stderr)")
        let subTypo = try ws.liaison(["case", "shwo", Self.caseId])
        #expect(subTypo.errorLines.first?.hasPrefix("liaison case: no command shwo; did you mean show?") == true, "\(subTypo.stderr)")
        // Also under a command that lists by default (`outbox`, `inbox`), and nothing is voided.
        for (args, line) in [(["outbox", "viod", "1", "--reason", "x"], "liaison outbox: no command viod; did you mean void?"),
                             (["inbox", "shwo", "1"], "liaison inbox: no command shwo; did you mean show?")] {
            let run = try ws.liaison(args)
            #expect(run.status == 1)
            #expect(run.errorLines.count == 1 && run.errorLines.first?.hasPrefix(line) == true, "\(run.stderr)")
        }
        #expect(try ws.liaison(["outbox", "--all"]).status == 0)

        // A relay login without its password names the variable smtp.password_env names, and sends nothing.
        let configuration = try String(contentsOf: ws.root.appendingPathComponent("liaison.yaml"), encoding: .utf8)
        try ws.temp.write("liaison.yaml", configuration.replacingOccurrences(
            of: "  tls: none\n", with: "  tls: none\n  username: gateway\n  password_env: RELAY_SECRET\n"))
        let send = try ws.liaison(["send"], environment: ["RELAY_SECRET": ""])
        #expect(send.status == 1)
        #expect(send.errorLines == ["the SMTP user gateway needs its password in the environment variable RELAY_SECRET "
                                    + "(smtp.password_env), which is empty or not set"])
        #expect(try ws.outbox(state: "queued").count == 1)

        // The help of ingest says what --imap takes, as the parser does.
        let help = try ws.liaison(["ingest", "--help"])
        #expect(help.stdout.contains("`--imap` always takes"))
    }
}
