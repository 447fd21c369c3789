import Foundation
import Testing
import TestSupport

/// `liaison ingest` on the replies a coordinator finds in the mailbox after a `send`.
@Suite struct IngestCommandTests {
    static let caseId = "JVNVU#20070915"

    @Test func repliesOfEachKindUpdateTheCaseAndReadingThemAgainChangesNothing() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "hikari", "kumo", "sakura"])
        defer { ws.remove() }
        // aozora signs its statements: its key is in the directory.
        let vendor = try GnuPGHome.make()
        defer { vendor.shutdown() }
        let vendorKey = try vendor.generateKey(name: "Aozora PSIRT", email: "psirt@aozora.example")
        try ws.temp.write("Directory/keys/\(vendorKey).asc", String(decoding: try vendor.exportPublic(vendorKey), as: UTF8.self))
        try ws.temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora", pgp: vendorKey))
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 0)

        let sent = try ws.outbox()
        func notice(_ org: String) throws -> (messageId: String, tracking: String, subject: String) {
            let row = try #require(sent.first { $0["organizationId"] as? String == org })
            return (row["messageId"] as? String ?? "", row["trackingRef"] as? String ?? "", row["subject"] as? String ?? "")
        }
        #expect(sent.first { $0["organizationId"] as? String == "aozora" }?["encrypted"] as? Bool == true)

        let statement = try vendor.gpg(["--clearsign", "--local-user", "psirt@aozora.example"],
                                       input: Data("\(Self.caseId): we have fixed it in 3.1.4.\nStatus: fixed\n".utf8))
        #expect(statement.status == 0, "\(statement.stderr)")
        let messages = [
            // Signed, matched by the tracking reference in the subject alone.
            """
            From: Aozora PSIRT <psirt@aozora.example>
            To: vuls@csirt.example
            Subject: Our statement [\(try notice("aozora").tracking)]
            Date: Mon, 10 Sep 2007 09:00:00 +0900
            Message-ID: <statement-1@aozora.example>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            \(String(decoding: statement.stdout, as: UTF8.self))
            """,
            // A human reply stating its status, threaded by References only.
            """
            From: hikari PSIRT <psirt@hikari.example>
            To: vuls@csirt.example
            Subject: Re: your notice
            Date: Mon, 10 Sep 2007 10:00:00 +0900
            Message-ID: <reply-1@hikari.example>
            References: <\(try notice("hikari").messageId)>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            Our products do not use the affected library.
            Status: not-affected
            """,
            // An out-of-office: recorded, not an acknowledgement.
            """
            From: psirt@kumo.example
            To: vuls@csirt.example
            Subject: Automatic reply: \(try notice("kumo").subject)
            Date: Mon, 10 Sep 2007 11:00:00 +0900
            Message-ID: <ooo-1@kumo.example>
            In-Reply-To: <\(try notice("kumo").messageId)>
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: text/plain; charset=us-ascii

            I am out of the office until 2007-09-17.
            """,
            // A delivery status notification: sakura's only address is gone.
            """
            From: MAILER-DAEMON@mx.sakura.example (Mail Delivery System)
            To: vuls@csirt.example
            Subject: Undelivered Mail Returned to Sender
            Date: Mon, 10 Sep 2007 12:00:00 +0900
            Message-ID: <bounce-1@mx.sakura.example>
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

            --b1
            Content-Type: text/plain; charset=us-ascii

            Your message could not be delivered.

            --b1
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.sakura.example

            Final-Recipient: rfc822; psirt@sakura.example
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 User unknown

            --b1
            Content-Type: text/rfc822-headers

            From: vuls@csirt.example
            To: psirt@sakura.example
            Message-ID: <\(try notice("sakura").messageId)>

            --b1--
            """,
            // Nobody we know: kept for review, never dropped.
            """
            From: someone@elsewhere.example
            To: vuls@csirt.example
            Subject: Hello
            Date: Mon, 10 Sep 2007 13:00:00 +0900
            Message-ID: <hello-1@elsewhere.example>

            Is this the right address for security reports?
            """,
        ]
        let mbox = ws.root.appendingPathComponent("replies.mbox")
        try Data(messages.map { "From MAILER-DAEMON Mon Sep 10 09:00:00 2007\n\($0)\n\n" }.joined().utf8).write(to: mbox)

        let ingest = try ws.liaison(["ingest", "--mbox", mbox.path, "--format", "json"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let outcomes = try JSONSerialization.jsonObject(with: Data(ingest.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(outcomes.map { $0["disposition"] as? String ?? "" } == ["reply", "reply", "auto-reply", "bounce", "unmatched"])
        #expect(outcomes.first?["signature"] as? String == "verified")

        let detail = try ws.caseDetail(Self.caseId)
        let shown = try ws.liaison(["case", "show", Self.caseId, "--format", "json"]).stdout
        let participants = try ws.participants(Self.caseId)
        #expect(participants["aozora"]?["response"] as? String == "fixed")
        #expect((detail["participants"] as? [[String: Any]])?.first?["verifiedReply"] as? Bool == true)
        #expect(participants["hikari"]?["response"] as? String == "not-affected")
        #expect(participants["kumo"]?["response"] as? String == "none")
        #expect(participants["sakura"]?["delivery"] as? String == "undeliverable")
        // `outbox` shows the report's status for the bounced address, not the relay's 250 that had accepted it.
        let listed = try ws.liaison(["outbox", "--case", Self.caseId])
        let sakuraLine = try #require(listed.outputLines.first { $0.contains("psirt@sakura.example") })
        #expect(sakuraLine.contains("psirt@sakura.example bounced (5.1.1"), "\(sakuraLine)")
        #expect(!sakuraLine.contains("(250"), "\(sakuraLine)")

        let eventsBefore = try ws.liaison(["audit", "verify"]).stdout
        let table = try ws.liaison(["ingest", "--mbox", mbox.path])
        #expect(table.status == 0)
        #expect(table.outputLines.last == "read 5: 0 matched, 0 automatic, 0 bounces, 0 unmatched, 0 failed, 5 already read")
        #expect(table.stdout.contains("duplicate"))
        let shownAgain = try ws.liaison(["case", "show", Self.caseId, "--format", "json"]).stdout
        #expect(shownAgain == shown, "reading the same replies again changes nothing")
        let audit = try ws.liaison(["audit", "verify"])
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(audit.stdout == eventsBefore, "no event added by reading the replies again")

        // One message from a Maildir, the way a mail client leaves them.
        let maildir = ws.root.appendingPathComponent("Maildir")
        for folder in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Data(messages[4].replacingOccurrences(of: "hello-1", with: "hello-2").utf8)
            .write(to: maildir.appendingPathComponent("new/1189400000.1.host"))
        let fromMaildir = try ws.liaison(["ingest", "--maildir", maildir.path])
        #expect(fromMaildir.status == 0, "\(fromMaildir.stderr)")
        #expect(fromMaildir.outputLines.last == "read 1: 0 matched, 0 automatic, 0 bounces, 1 unmatched, 0 failed; 1 listed for review (liaison inbox --review)")
    }

    /// GBK and EUC-KR replies and a Japanese provider's ISO-2022-JP bounce, read by `ingest --mbox`: `inbox` and
    /// `case show` show their words decoded.
    @Test func regionalCharsetsAreReadThroughIngestAndShownDecoded() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo", "sakura"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 0)
        let sent = try ws.outbox()
        func notice(_ org: String) throws -> (messageId: String, tracking: String) {
            let row = try #require(sent.first { $0["organizationId"] as? String == org })
            return (row["messageId"] as? String ?? "", row["trackingRef"] as? String ?? "")
        }
        func hex(_ text: String) -> Data {
            Data(stride(from: 0, to: text.count, by: 2).map { UInt8(text.dropFirst($0).prefix(2), radix: 16)! })
        }
        func word(_ charset: String, _ bytes: Data) -> String { "=?\(charset)?B?\(bytes.base64EncodedString())?=" }
        // 回复: 關於漏洞通知 (關 and 於 are GBK, not GB2312); 我們已確認，產品不受影響。
        let gbk = Data("From: Zhang Wei <zhang@partner-cn.example>\nTo: vuls@csirt.example\nSubject: \(word("GBK", hex("bbd8b8b43a20ea50ecb6c2a9b6b4cda8d6aa20") + Data("[\(try notice("aozora").tracking)]".utf8)))\nMessage-ID: <gbk-1@partner-cn.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=GBK\nContent-Transfer-Encoding: 8bit\n\n".utf8)
            + hex("ced28283d2d1b45fd54aa3acae61c6b7b2bbcadcd3b0ed91a1a3") + Data("\nStatus: not-affected\n".utf8)
        // 회신: 취약점 통지; 조사 중입니다.
        let euckr = Data("From: Kim Minjun <kim@partner-kr.example>\nTo: vuls@csirt.example\nSubject: \(word("EUC-KR", hex("c8b8bdc53a20c3ebbee0c1a120c5ebc1f620") + Data("[\(try notice("kumo").tracking)]".utf8)))\nMessage-ID: <euckr-1@partner-kr.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=EUC-KR\nContent-Transfer-Encoding: 8bit\n\n".utf8)
            + hex("c1b6bbe720c1dfc0d4b4cfb4d92e") + Data("\nStatus: investigating\n".utf8)
        // 配信エラー; 以下の宛先に配信できませんでした。 and 元のメッセージ, as a Japanese provider writes them.
        let bounce = Data("Return-Path: <>\nFrom: postmaster@mail.provider.example\nTo: vuls@csirt.example\nSubject: =?ISO-2022-JP?B?\(hex("1b2442475b3f2e25282569213c1b2842").base64EncodedString())?=\nMessage-ID: <jp-bounce-1@mail.provider.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n\u{1B}$B0J2<$N08@h$KG[?.$G$-$^$;$s$G$7$?!#\u{1B}(B\n\n<psirt@sakura.example>\n550 5.1.1 unknown user\n\n----- \u{1B}$B85$N%a%C%;!<%8\u{1B}(B -----\nMessage-ID: <\(try notice("sakura").messageId)>\nTo: psirt@sakura.example\n".utf8)
        let mbox = ws.root.appendingPathComponent("regional.mbox")
        try [gbk, euckr, bounce].reduce(Data()) { $0 + Data("From someone@example Tue Dec  1 10:00:00 2026\n".utf8) + $1 + Data("\n".utf8) }
            .write(to: mbox)
        let ingest = try ws.liaison(["ingest", "--mbox", mbox.path])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.outputLines.last == "read 3: 3 matched, 0 automatic, 1 bounce, 0 unmatched, 0 failed")

        let inbox = try ws.liaison(["inbox", "--format", "json"])
        let subjects = Set((try JSONSerialization.jsonObject(with: Data(inbox.stdout.utf8)) as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String })
        #expect(subjects == ["回复: 關於漏洞通知 [\(try notice("aozora").tracking)]", "회신: 취약점 통지 [\(try notice("kumo").tracking)]", "配信エラー"])
        let participants = try ws.participants(Self.caseId)
        #expect(participants["aozora"]?["response"] as? String == "not-affected")
        #expect((participants["aozora"]?["statement"] as? String)?.contains("我們已確認，產品不受影響。") == true)
        #expect(participants["kumo"]?["response"] as? String == "investigating")
        #expect((participants["kumo"]?["statement"] as? String)?.contains("조사 중입니다.") == true)
        #expect(participants["sakura"]?["delivery"] as? String == "undeliverable")
        #expect(participants["sakura"]?["response"] as? String == "none")
        let table = try ws.liaison(["inbox"])
        #expect(table.stdout.contains("配信エラー") && table.stdout.contains("회신: 취약점 통지"))
    }

    /// Two replies whose Message-IDs differ only after a NUL byte are two messages: both are kept and both
    /// statements are recorded, and `inbox` shows the NUL of the subject instead of cutting the subject there.
    /// A reply delivered again with a relay's trace fields added (and CRLF line ends, as IMAP gives them) is the
    /// same message: read once, listed once, and it never undoes the vendor's later answer.
    @Test func aReplyDeliveredAgainWithTraceFieldsAddedIsReadOnce() throws {
        let ws = try GatewayWorkspace(developers: ["aozora"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 0)
        let notice = try #require(try ws.outbox().first)
        let first = """
            From: psirt@aozora.example
            To: vuls@csirt.example
            Subject: Re: \(notice["subject"] as? String ?? "")
            Date: Mon, 07 Dec 2026 10:00:00 +0900
            Message-ID: <first@aozora.example>
            In-Reply-To: <\(notice["messageId"] as? String ?? "")>

            We are looking at it; the answer below is our first guess, a person should check it:
            Status: affected, we think? Maybe not.

            """
        let later = """
            From: psirt@aozora.example
            To: vuls@csirt.example
            Subject: Re: \(notice["subject"] as? String ?? "")
            Date: Tue, 08 Dec 2026 10:00:00 +0900
            Message-ID: <later@aozora.example>
            In-Reply-To: <\(notice["messageId"] as? String ?? "")>

            Status: fixed

            """
        #expect(try ws.liaison(["ingest", "-"], input: Data(first.utf8)).status == 0)
        #expect(try ws.liaison(["ingest", "-"], input: Data(later.utf8)).status == 0)
        #expect(try ws.participants(Self.caseId)["aozora"]?["response"] as? String == "fixed")
        let reviewBefore = try ws.liaison(["inbox", "--review", "--format", "json"]).stdout
        let inboxBefore = try ws.liaison(["inbox", "--format", "json"]).stdout

        let redelivered = ("Received: from mx2.aozora.example by mx.csirt.example; Wed, 09 Dec 2026 10:00:00 +0900\n"
                           + "Delivered-To: vuls@csirt.example\n" + first).replacingOccurrences(of: "\n", with: "\r\n")
        let again = try ws.liaison(["ingest", "-"], input: Data(redelivered.utf8))
        #expect(again.status == 0)
        #expect(again.outputLines.last?.contains("1 already read") == true, "\(again.stdout)")
        #expect(try ws.participants(Self.caseId)["aozora"]?["response"] as? String == "fixed")
        #expect(try ws.liaison(["inbox", "--review", "--format", "json"]).stdout == reviewBefore)
        #expect(try ws.liaison(["inbox", "--format", "json"]).stdout == inboxBefore)
    }

    @Test func messageIdsWithANulByteStayDistinct() throws {
        let ws = try GatewayWorkspace(developers: ["aozora", "kumo"])
        defer { ws.remove() }
        try ws.openAndNotify(Self.caseId)
        #expect(try ws.liaison(["send"]).status == 0)
        let sent = try ws.outbox()
        func tracking(_ org: String) throws -> String {
            try #require(sent.first { $0["organizationId"] as? String == org }?["trackingRef"] as? String)
        }
        let aozora = Data("From: psirt@aozora.example\r\nTo: vuls@csirt.example\r\nSubject: Re: [\(try tracking("aozora"))] one\u{0} two\r\nMessage-ID: <same\u{0}@aozora.example>\r\n\r\nStatus: fixed\r\n".utf8)
        let kumo = Data("From: psirt@kumo.example\r\nTo: vuls@csirt.example\r\nSubject: Re: [\(try tracking("kumo"))]\r\nMessage-ID: <same\u{0}@kumo.example>\r\n\r\nStatus: not-affected\r\n".utf8)
        for message in [aozora, kumo] {
            let ingest = try ws.liaison(["ingest", "-"], input: message)
            #expect(ingest.status == 0, "\(ingest.stderr)")
            #expect(ingest.outputLines.last == "read 1: 1 matched, 0 automatic, 0 bounces, 0 unmatched, 0 failed", "\(ingest.stdout)")
        }
        let participants = try ws.participants(Self.caseId)
        #expect(participants["aozora"]?["response"] as? String == "fixed")
        #expect(participants["kumo"]?["response"] as? String == "not-affected")
        let inbox = try ws.liaison(["inbox"])
        #expect(inbox.stdout.contains("] one\\u{0} two"), "\(inbox.stdout)")
        #expect(inbox.outputLines.last == "2 messages")
    }
}
