import Foundation
import Testing
import TestSupport

/// Answers as a coordinator sees them through `liaison ingest`: a status in the vendor's words, an answer Liaison
/// could not read set by a person in one step, machine mail that is no answer, and the reminder plan after each.
@Suite struct AnswerCommandTests {
    static let caseId = "JVNVU#17171717"

    /// A workspace with `developers` notified (sent to the sink) fifteen days ago, so the default reminder policy
    /// (first reminder after 14 days) is due: the commands run in their own processes, whose clock a test cannot
    /// set, so the first notification is moved back instead.
    static func notified(_ developers: [String]) throws -> (GatewayWorkspace, [String: [String: Any]]) {
        let ws = try GatewayWorkspace(developers: developers)
        try ws.openAndNotify(caseId)
        let send = try ws.liaison(["send"])
        guard send.status == 0 else { throw LiaisonFailed(run: send) }
        try ws.moveFirstNotificationsBack(days: 15)
        var notices: [String: [String: Any]] = [:]
        for row in try ws.outbox() { if let org = row["organizationId"] as? String { notices[org] = row } }
        return (ws, notices)
    }

    static func json(_ run: LiaisonRun) throws -> Any {
        #expect(run.status == 0, "liaison \(run.arguments.joined(separator: " ")): \(run.stderr)")
        return try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
    }

    /// `inbox --review --format json`, parsed.
    static func review(_ ws: GatewayWorkspace) throws -> [[String: Any]] {
        try json(try ws.liaison(["inbox", "--review", "--format", "json"])) as? [[String: Any]] ?? []
    }

    /// The organisations `remind --all --dry-run --format json` would remind.
    static func reminded(_ ws: GatewayWorkspace) throws -> Set<String> {
        let actions = try json(try ws.liaison(["remind", "--all", "--dry-run", "--format", "json"])) as? [[String: Any]] ?? []
        return Set(actions.filter { $0["step"] as? String == "reminder" }.compactMap { $0["organizationId"] as? String })
    }

    static func reply(from org: String, to notice: [String: Any], id: String, body: String, charset: String = "UTF-8") -> String {
        """
        From: PSIRT <psirt@\(org).example>
        To: vuls@csirt.example
        Subject: Re: \(notice["subject"] as? String ?? "")
        Date: Mon, 07 Dec 2026 10:00:00 +0900
        Message-ID: <\(id)@\(org).example>
        In-Reply-To: <\(notice["messageId"] as? String ?? "")>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=\(charset)

        \(body)
        """
    }

    @Test func answersInTheVendorsWordsAndAnAnswerNotUnderstoodSetByAPersonInOneStep() throws {
        let (ws, notices) = try Self.notified(["aozora", "kumo", "hikari", "sakura"])
        defer { ws.remove() }
        // On standard input: our question answered in Japanese.
        let japanese = Self.reply(from: "aozora", to: notices["aozora"]!, id: "ja-1", body: """
            いつもお世話になっております。

              1. 受領確認: 受領いたしました。
              2. 貴社製品への影響の有無: 影響なし
              3. 対策の予定: 該当しないため、予定はございません。

            > 2. 貴社製品への影響の有無 (影響あり / 影響なし / 調査中)
            """)
        #expect(try ws.liaison(["ingest", "-"], input: Data(japanese.utf8)).status == 0)
        // In an mbox: an acknowledgement alone, a German negation, and words Liaison cannot read.
        let mbox = [Self.reply(from: "kumo", to: notices["kumo"]!, id: "ack-1", body: "Received, thank you."),
                    Self.reply(from: "sakura", to: notices["sakura"]!, id: "de-1", body: "Unsere Produkte sind nicht betroffen."),
                    Self.reply(from: "hikari", to: notices["hikari"]!, id: "odd-1",
                               body: "We ship our own TLS code; the analysis is in the attached spreadsheet.")]
            .map { "From MAILER-DAEMON Mon Dec  7 10:00:00 2026\n" + $0 + "\n" }.joined(separator: "\n")
        try ws.temp.write("replies.mbox", mbox)
        let ingest = try ws.liaison(["ingest", "--mbox", ws.root.appendingPathComponent("replies.mbox").path, "--format", "json"])
        let outcomes = try Self.json(ingest) as? [[String: Any]] ?? []
        #expect(outcomes.count == 3)

        var participants = try ws.participants(Self.caseId)
        #expect(participants["aozora"]?["response"] as? String == "not-affected")
        #expect(participants["sakura"]?["response"] as? String == "not-affected")
        #expect(participants["kumo"]?["response"] as? String == "acknowledged")
        #expect(participants["hikari"]?["response"] as? String == "acknowledged")
        #expect(participants["hikari"]?["statement"] as? String == "We ship our own TLS code; the analysis is in the attached spreadsheet.")

        // Only the answer not understood waits for a person.
        let listed = try Self.review(ws)
        #expect(listed.count == 1, "\(listed)")
        let odd = try #require(listed.first)
        #expect(odd["organizationId"] as? String == "hikari")
        #expect((odd["reviewReason"] as? String)?.hasPrefix("answer not understood") == true, "\(odd)")
        let table = try ws.liaison(["inbox", "--review"])
        #expect(table.stdout.contains("answer not understood"), "\(table.stdout)")

        // An acknowledgement does not end the request for a status: kumo and hikari are still reminded.
        #expect(try Self.reminded(ws) == ["kumo", "hikari"])
        let fixedPeriod = try Self.json(try ws.liaison(["remind", Self.caseId, "--after", "0", "--dry-run", "--format", "json"]))
            as? [[String: Any]] ?? []
        #expect(Set(fixedPeriod.compactMap { $0["organizationId"] as? String }) == ["kumo", "hikari"])

        // Bad input: one clear line, nothing changed.
        let id = String(describing: odd["id"]!)
        let bad = try ws.liaison(["inbox", "assign", id, Self.caseId, "hikari", "--response", "maybe"])
        #expect(bad.status == 1 && bad.errorLines == ["--response maybe is not one of acknowledged, investigating, affected, not-affected, fixed"],
                "\(bad.stderr)")
        #expect(try Self.review(ws).count == 1)

        // A person reads it and sets the status in one step.
        let assign = try ws.liaison(["inbox", "assign", id, Self.caseId, "hikari", "--response", "not-affected"])
        #expect(assign.status == 0, "\(assign.stderr)")
        participants = try ws.participants(Self.caseId)
        #expect(participants["hikari"]?["response"] as? String == "not-affected")
        #expect(try Self.review(ws).isEmpty)
        #expect(try Self.reminded(ws) == ["kumo"])

        // Once the due date has passed, an acknowledged vendor is no longer asked.
        #expect(try ws.liaison(["case", "set-due", Self.caseId, "2020-01-15", "--force"]).status == 0)
        #expect(try Self.reminded(ws).isEmpty)
    }

    /// A vendor's own reply that explains the delay by our notice having sat in its quarantine is an answer: its
    /// status is read and the vendor is no longer asked; a gateway's quarantine notice still is none.
    @Test func aReplySayingOurNoticeWasQuarantinedIsStillTheVendorsAnswer() throws {
        let (ws, notices) = try Self.notified(["aozora", "kumo", "hikari"])
        defer { ws.remove() }
        let replies = [
            Self.reply(from: "aozora", to: notices["aozora"]!, id: "q-1", body: """
                Sorry for the late answer: your notice was caught in our spam quarantine and released only today.

                Status: not affected
                """),
            Self.reply(from: "kumo", to: notices["kumo"]!, id: "q-2", body: """
                ご連絡が遅くなり申し訳ありません。貴メールが迷惑メールとして隔離されておりました。

                2. 貴社製品への影響の有無: 影響あり
                """),
        ]
        let mbox = ws.root.appendingPathComponent("late.mbox")
        try Data(replies.map { "From someone@example Mon Dec  7 10:00:00 2026\n\($0)\n\n" }.joined().utf8).write(to: mbox)
        #expect(try ws.liaison(["ingest", "--mbox", mbox.path]).status == 0)
        let participants = try ws.participants(Self.caseId)
        #expect(participants["aozora"]?["response"] as? String == "not-affected")
        #expect(participants["kumo"]?["response"] as? String == "affected")
        #expect(try Self.reminded(ws) == ["hikari"])

        let notice = """
            From: Proofpoint Essentials <quarantine@hikari.example>
            To: vuls@csirt.example
            Subject: Message Quarantined: Re: \(notices["hikari"]!["subject"] as? String ?? "")
            Date: Mon, 07 Dec 2026 10:00:00 +0900
            Message-ID: <q-3@hikari.example>
            In-Reply-To: <\(notices["hikari"]!["messageId"] as? String ?? "")>

            The following message has been quarantined and has NOT been delivered to psirt@hikari.example.
            """
        #expect(try ws.liaison(["ingest", "-"], input: Data(notice.utf8)).status == 0)
        #expect(try ws.participants(Self.caseId)["hikari"]?["response"] as? String == "none")
        #expect(try Self.review(ws).contains { $0["messageId"] as? String == "q-3@hikari.example" })
    }

    /// A status in free words inside machine-sent mail (a tracker's note, a reply taken for a quarantine notice) is
    /// not applied unseen, but listed for review; a person then sets it in one step with `inbox assign --response`.
    @Test func aFreeWordedStatusInMachineMailIsListedAndAPersonSetsItInOneStep() throws {
        let (ws, notices) = try Self.notified(["aozora", "kumo", "hikari"])
        defer { ws.remove() }
        let tracker = """
            From: Aozora Tracker <tracker@aozora.example>
            To: vuls@csirt.example
            Subject: [Aozora Tracker] Issue #4411 updated \(notices["aozora"]!["trackingRef"] as? String ?? "")
            Date: Mon, 07 Dec 2026 10:00:00 +0900
            Message-ID: <t-1@aozora.example>
            Auto-Submitted: auto-generated

            Issue #4411 has been updated by Ken Sato.

            We checked every release: our product is not affected.
            """
        let quarantined = Self.reply(from: "kumo", to: notices["kumo"]!, id: "q-9", body: """
            Your notice sat in our quarantine until today, sorry. We are not affected.
            """)
        let mbox = ws.root.appendingPathComponent("machine.mbox")
        try Data([tracker, quarantined].map { "From someone@example Mon Dec  7 10:00:00 2026\n\($0)\n\n" }.joined().utf8).write(to: mbox)
        #expect(try ws.liaison(["ingest", "--mbox", mbox.path]).status == 0)
        var participants = try ws.participants(Self.caseId)
        #expect(participants["aozora"]?["response"] as? String == "none")
        #expect(participants["kumo"]?["response"] as? String == "none")
        let waiting = Set(try Self.review(ws).compactMap { $0["messageId"] as? String })
        #expect(waiting.isSuperset(of: ["t-1@aozora.example", "q-9@kumo.example"]), "\(waiting)")

        for (message, org) in [("t-1@aozora.example", "aozora"), ("q-9@kumo.example", "kumo")] {
            let assign = try ws.liaison(["inbox", "assign", message, Self.caseId, org, "--response", "not-affected"])
            #expect(assign.status == 0, "\(assign.stderr)")
        }
        participants = try ws.participants(Self.caseId)
        #expect(participants["aozora"]?["response"] as? String == "not-affected")
        #expect(participants["kumo"]?["response"] as? String == "not-affected")
        #expect(try Self.review(ws).isEmpty)
        #expect(try Self.reminded(ws) == ["hikari"])
        #expect(try ws.liaison(["audit", "verify"]).status == 0)
    }

    @Test func machineMailInAMaildirIsNoAnswerIsListedAndTheRemindersGoOn() throws {
        let (ws, notices) = try Self.notified(["aozora", "kumo", "hikari", "sakura"])
        defer { ws.remove() }
        func ref(_ org: String) -> String { notices[org]?["trackingRef"] as? String ?? "" }
        let maildir = ws.root.appendingPathComponent("Maildir")
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let messages = [
            """
            From: Proofpoint Essentials <noreply@aozora.example>
            To: vuls@csirt.example
            Subject: Message Quarantined [\(ref("aozora"))]
            Message-ID: <q-1@aozora.example>

            The message you sent to psirt@aozora.example has been quarantined by Proofpoint.
            """,
            """
            From: psirt@kumo.example
            To: vuls@csirt.example
            Subject: Recall: RE: [\(ref("kumo"))]
            Message-ID: <r-1@kumo.example>

            PSIRT would like to recall the message, "RE: [\(ref("kumo"))]".
            """,
            """
            From: psirt@hikari.example
            To: vuls@csirt.example
            Subject: RE: [\(ref("hikari"))]
            Message-ID: <s-1@hikari.example>
            In-Reply-To: <\(notices["hikari"]?["messageId"] as? String ?? "")>
            MIME-Version: 1.0
            Content-Type: application/pkcs7-mime; name="smime.p7m"
            Content-Transfer-Encoding: base64

            MIIDYwYJKoZIhvcNAQcDoIIDVDCCA1ACAQAxggGHMIIBgwIBADBrMFMxLTArBgNVBAMMJEpQQ0VS
            """,
            """
            From: psirt@sakura.example
            To: vuls@csirt.example
            Subject: Read: [\(ref("sakura"))]
            Message-ID: <m-1@sakura.example>

            Your message was read on Monday, December 7, 2026.
            """,
        ]
        for (index, message) in messages.enumerated() {
            try Data(message.utf8).write(to: maildir.appendingPathComponent("new/\(index).host"))
        }
        let ingest = try ws.liaison(["ingest", "--maildir", maildir.path])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.contains("4 listed for review"), "\(ingest.stdout)")

        let participants = try ws.participants(Self.caseId)
        for org in ["aozora", "kumo", "hikari", "sakura"] {
            #expect(participants[org]?["response"] as? String == "none", "\(org): machine mail acknowledges nothing")
            #expect(participants[org]?["delivery"] as? String == "notified", "\(org)")
        }
        let reasons = try Self.review(ws).compactMap { $0["reviewReason"] as? String }
        for kind in ["not an answer: quarantine", "not an answer: recall request", "not an answer: encrypted reply that nobody read",
                     "not an answer: read receipt"] {
            #expect(reasons.contains { $0.hasPrefix(kind) }, "\(kind): \(reasons)")
        }
        #expect(try Self.reminded(ws) == ["aozora", "kumo", "hikari", "sakura"])
    }
}

/// Replies read over IMAP from a real Dovecot (their line ends are CRLF on the wire).
@Suite(.serialized, .enabled(if: PostfixServer.isAvailable, "Postfix needs root"))
struct AnswerOverIMAPTests {
    @Test func anAnswerReadOverIMAPKeepsItsLineBreaksAndMachineMailThereIsNoAnswer() throws {
        let mail = try MailSystemFixture(developers: ["aozora", "hikari"])
        let caseId = MailSystemFixture.caseId
        try mail.ws.openAndNotify(caseId)
        #expect(try mail.liaison(["send"]).status == 0)
        let statement = "いつもお世話になっております。\n\n  2. 貴社製品への影響の有無: 影響なし\n  OpenSSL は使用しておりません。\n  3. 対策の予定: なし"
        let answer = try mail.reply(from: "aozora", text: statement.replacingOccurrences(of: "\n", with: "\r\n"))
        try mail.dovecot.deliver(Data(String(decoding: answer, as: UTF8.self)
            .replacingOccurrences(of: "charset=us-ascii", with: "charset=utf-8").utf8))
        var recall = String(decoding: try mail.reply(from: "hikari", text: "PSIRT would like to recall the message, \"Re: notification\"."),
                            as: UTF8.self)
        recall = recall.replacingOccurrences(of: "Subject: Re:", with: "Subject: Recall: Re:")
        try mail.dovecot.deliver(Data(recall.utf8))

        let ingest = try mail.liaison(["ingest"])
        #expect(ingest.status == 0, "\(ingest.stdout) \(ingest.stderr)")
        #expect(ingest.stdout.contains("read 2 new messages"), "\(ingest.stdout)")
        let participants = try mail.ws.participants(caseId)
        #expect(participants["aozora"]?["response"] as? String == "not-affected")
        #expect(participants["aozora"]?["statement"] as? String == statement, "one line break each, as written")
        #expect(participants["hikari"]?["response"] as? String == "none", "a recall acknowledges nothing")
        let review = try JSONSerialization.jsonObject(with: Data(try mail.liaison(["inbox", "--review", "--format", "json"]).stdout.utf8))
            as? [[String: Any]] ?? []
        #expect(review.compactMap { $0["reviewReason"] as? String }.contains { $0.hasPrefix("not an answer: recall request") }, "\(review)")
        // Fifteen days on, the reminder policy still asks the vendor whose only mail was a recall.
        try mail.ws.moveFirstNotificationsBack(days: 15)
        let plan = try JSONSerialization.jsonObject(with: Data(try mail.liaison(["remind", "--all", "--dry-run", "--format", "json"]).stdout.utf8))
            as? [[String: Any]] ?? []
        #expect(plan.compactMap { $0["organizationId"] as? String } == ["hikari"], "\(plan)")
        let export = try mail.liaison(["case", "export", caseId, "--format", "json"])
        #expect(export.status == 0 && export.stdout.contains("影響なし\\n  OpenSSL") && !export.stdout.contains("\\r"), "\(export.stdout)")
    }
}
