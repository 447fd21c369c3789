import Foundation
import Testing
import TestSupport

/// Answers are never rewritten by old or foreign mail: the same message is applied once whatever headers were
/// added on the way, an older statement never overrides a newer one, a signed statement counts for a case only
/// when its signed text names that case, and a mailbox read again changes nothing.
@Suite struct OldAndForeignMailTests {
    static let caseId = "JVNVU#20261208"
    static let otherCase = "JVNVU#20261299"

    /// A workspace where aozora signs with a key in the directory; both cases were notified to every developer.
    final class Signing {
        let n: NotifiedCase
        let vendor: GnuPGHome
        init(developers: [String] = ["aozora", "kumo", "sakura"]) throws {
            let vendor = try GnuPGHome.make()
            self.vendor = vendor
            n = try NotifiedCase(caseId: OldAndForeignMailTests.caseId, developers: developers) { ws in
                let key = try vendor.generateKey(name: "Aozora PSIRT", email: "psirt@aozora.example")
                try ws.temp.write("Directory/keys/\(key).asc", String(decoding: try vendor.exportPublic(key), as: UTF8.self))
                try ws.temp.writeOrganization("aozora", TemporaryWorkspace.organizationYAML(id: "aozora", pgp: key))
            }
            for args in [["case", "open", OldAndForeignMailTests.otherCase, "--title", "DNS cache", "--origin", "jvn-jp"],
                         ["case", "add", OldAndForeignMailTests.otherCase, "aozora"],
                         ["notify", OldAndForeignMailTests.otherCase, "--template", "vendor-initial"], ["send"]] {
                let run = try n.ws.liaison(args)
                guard run.status == 0 else { throw LiaisonFailed(run: run) }
            }
        }
        deinit { vendor.shutdown() }

        func clearsign(_ text: String) throws -> String {
            let signed = try vendor.gpg(["--clearsign", "--local-user", "psirt@aozora.example"], input: Data(text.utf8))
            guard signed.status == 0 else { throw FixtureError("gpg --clearsign: \(signed.stderr)") }
            return String(decoding: signed.stdout, as: UTF8.self)
        }

        func otherNotice() throws -> (messageId: String, tracking: String) {
            let rows = try n.ws.outbox()
            let row = try #require(rows.first { $0["caseId"] as? String == OldAndForeignMailTests.otherCase })
            return (row["messageId"] as? String ?? "", row["trackingRef"] as? String ?? "")
        }
    }

    static func reply(from: String, id: String, date: String, inReplyTo: String, subject: String, body: String,
                      extra: String = "") -> String {
        """
        \(extra)From: \(from)
        To: vuls@csirt.example
        Subject: \(subject)
        Date: \(date)
        Message-ID: <\(id)>
        In-Reply-To: <\(inReplyTo)>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        \(body)
        """
    }

    @Test func theSameMessageOrTheSameSignedStatementIsAppliedOnceAndNeverRevertsALaterAnswer() throws {
        let s = try Signing()
        let n = s.n
        let aozora = try n.notice("aozora")
        let first = Self.reply(from: "Aozora PSIRT <psirt@aozora.example>", id: "first@aozora.example",
                               date: NotifiedCase.date(hoursAgo: 30), inReplyTo: aozora.messageId,
                               subject: "Re: [\(Self.caseId)] [\(aozora.tracking)]",
                               body: try s.clearsign("About \(Self.caseId): we are affected.\nStatus: affected\n"))
        #expect(try n.ingest(first).status == 0)
        #expect(try n.participants()["aozora"]?["response"] as? String == "affected")
        #expect(try n.participants()["aozora"]?["verifiedReply"] as? Bool == true)
        let later = Self.reply(from: "Aozora PSIRT <psirt@aozora.example>", id: "later@aozora.example",
                               date: NotifiedCase.date(hoursAgo: 20), inReplyTo: aozora.messageId,
                               subject: "Re: [\(Self.caseId)] [\(aozora.tracking)]", body: "Fixed in 3.1.5.\nStatus: fixed\n")
        #expect(try n.ingest(later).status == 0)
        #expect(try n.participants()["aozora"]?["response"] as? String == "fixed")
        let shown = try n.ws.liaison(["case", "show", Self.caseId, "--format", "json"]).stdout
        let events = try n.ws.liaison(["audit", "verify"]).stdout

        // The first message again: relayed once more (a Received line added, CRLF kept) on standard input, then from
        // an mbox (LF), then re-sent under a new Message-ID with the same signed statement, from a Maildir.
        let relayed = "Received: from mx2.aozora.example by mx.csirt.example; Tue, 8 Dec 2026 09:00:00 +0900\n" + first
        let again = try n.ingest(relayed)
        #expect(again.stdout.contains("already read"), "\(again.stdout)")
        let mbox = try n.ingestMbox(["X-Forwarded-By: archive\n" + first])
        #expect(mbox.stdout.contains("1 already read"), "\(mbox.stdout)")
        let resent = try n.ingestMaildir([first.replacingOccurrences(of: "first@aozora.example", with: "resent@aozora.example")])
        #expect(resent.stdout.contains("1 already read"), "\(resent.stdout)")
        #expect(try n.ws.liaison(["case", "show", Self.caseId, "--format", "json"]).stdout == shown)
        #expect(try n.ws.liaison(["audit", "verify"]).stdout == events, "no event from mail read again")

        // A statement dated before the recorded answer, read only now: kept, listed, never applied.
        let old = Self.reply(from: "Aozora PSIRT <psirt@aozora.example>", id: "old@aozora.example",
                             date: NotifiedCase.date(hoursAgo: 25), inReplyTo: aozora.messageId,
                             subject: "Re: [\(Self.caseId)] [\(aozora.tracking)]", body: "Status: not-affected\n")
        #expect(try n.ingest(old).status == 0)
        #expect(try n.participants()["aozora"]?["response"] as? String == "fixed")
        #expect(try n.review().contains { $0["messageId"] as? String == "old@aozora.example"
                                          && ($0["reviewReason"] as? String)?.contains("dated before the answer") == true })
        // A reply dated before we even wrote to them (an old mail sent again) is older still.
        let ancient = Self.reply(from: "Aozora PSIRT <psirt@aozora.example>", id: "ancient@aozora.example",
                                 date: NotifiedCase.date(hoursAgo: 24 * 200), inReplyTo: aozora.messageId,
                                 subject: "Re: [\(Self.caseId)] [\(aozora.tracking)]", body: "Status: affected\n")
        #expect(try n.ingestMbox([ancient]).status == 0)
        #expect(try n.participants()["aozora"]?["response"] as? String == "fixed")
        #expect(try n.wouldRemind() == ["kumo", "sakura"])
    }

    @Test func aSignedStatementCountsOnlyForTheCaseItsSignedTextNames() throws {
        let s = try Signing()
        let n = s.n
        let aozora = try n.notice("aozora")
        let other = try s.otherNotice()
        // Genuine, signed by aozora, but about the other case (by its id, then by its reference): replayed into
        // this case's thread, it is listed for review and changes nothing.
        for (index, naming) in ["our answer for \(Self.otherCase)", "our answer [\(other.tracking)]"].enumerated() {
            let replay = Self.reply(from: "Aozora PSIRT <psirt@aozora.example>", id: "replay-\(index)@aozora.example",
                                    date: NotifiedCase.date(hoursAgo: 40 - Double(index)), inReplyTo: aozora.messageId,
                                    subject: "Re: [\(Self.caseId)] [\(aozora.tracking)]",
                                    body: try s.clearsign("This is \(naming).\nStatus: not-affected\n"))
            #expect(try n.ingest(replay).status == 0)
            let review = try n.review()
            #expect(review.contains { $0["messageId"] as? String == "replay-\(index)@aozora.example"
                                      && ($0["reviewReason"] as? String)?.contains("signed, about another case") == true }, "\(review)")
        }
        #expect(try n.participants()["aozora"]?["response"] as? String == "none")
        #expect(try n.wouldRemind().contains("aozora"))

        // Signed text that names no case is read as an unsigned reply would be, and is not a verified answer.
        let bare = Self.reply(from: "Aozora PSIRT <psirt@aozora.example>", id: "bare@aozora.example",
                              date: NotifiedCase.date(hoursAgo: 30), inReplyTo: aozora.messageId,
                              subject: "Re: [\(Self.caseId)] [\(aozora.tracking)]",
                              body: try s.clearsign("We are investigating.\nStatus: investigating\n"))
        #expect(try n.ingestMbox([bare]).status == 0)
        var participant = try n.participants()["aozora"]
        #expect(participant?["response"] as? String == "investigating")
        #expect(participant?["verifiedReply"] as? Bool == false)
        // Signed text naming this case's reference (as Thunderbird's protected subject does) is a verified answer.
        let bound = Self.reply(from: "Aozora PSIRT <psirt@aozora.example>", id: "bound@aozora.example",
                               date: NotifiedCase.date(hoursAgo: 20), inReplyTo: aozora.messageId,
                               subject: "Re: [\(Self.caseId)] [\(aozora.tracking)]",
                               body: try s.clearsign("Subject: Re: [\(aozora.tracking)]\n\nStatus: fixed\n"))
        #expect(try n.ingestMaildir([bound]).status == 0)
        participant = try n.participants()["aozora"]
        #expect(participant?["response"] as? String == "fixed")
        #expect(participant?["verifiedReply"] as? Bool == true)
        let table = try n.ws.liaison(["case", "show", Self.caseId])
        #expect(table.outputLines.contains { $0.hasPrefix("aozora") && $0.contains("fixed (signed)") }, "\(table.stdout)")
    }

    @Test func aRestoredMailboxChangesNothingAppliedNorACoordinatorsLaterDecision() throws {
        let s = try Signing()
        let n = s.n
        let kumo = try n.notice("kumo")
        let sakura = try n.notice("sakura")
        let messages = [
            Self.reply(from: "psirt@kumo.example", id: "k1@kumo.example", date: NotifiedCase.date(hoursAgo: 30),
                       inReplyTo: kumo.messageId, subject: "Re: notice", body: "Status: affected\n"),
            Self.reply(from: "psirt@sakura.example", id: "s1@sakura.example", date: NotifiedCase.date(hoursAgo: 30),
                       inReplyTo: sakura.messageId, subject: "Re: notice", body: "We received it.\n"),
        ]
        #expect(try n.ingestMaildir(messages, folder: "Maildir").status == 0)
        #expect(try n.participants()["kumo"]?["response"] as? String == "affected")
        // The coordinator decides after a call; then the mailbox is restored from a backup (files renamed, LF
        // kept) and read again, and a copy arrives through another mailbox with CRLF line ends.
        #expect(try n.ws.liaison(["case", "set", Self.caseId, "kumo", "not-affected", "--statement", "confirmed by phone"]).status == 0)
        #expect(try n.ws.liaison(["inbox", "assign", "s1@sakura.example", Self.caseId, "sakura"]).status == 0)
        let shown = try n.ws.liaison(["case", "show", Self.caseId, "--format", "json"]).stdout
        let restored = try n.ingestMaildir(messages, folder: "Restored")
        #expect(restored.stdout.contains("2 already read"), "\(restored.stdout)")
        for message in messages { try n.ingest("Received: by backup.csirt.example; Wed, 9 Dec 2026 09:00:00 +0900\n" + message) }
        #expect(try n.ws.liaison(["case", "show", Self.caseId, "--format", "json"]).stdout == shown)
        #expect(try n.participants()["kumo"]?["response"] as? String == "not-affected")
        #expect(try n.participants()["kumo"]?["statement"] as? String == "confirmed by phone")

        // An acknowledgement states nothing: a status written before it, read only now, still counts.
        try n.ingest(Self.reply(from: "psirt@sakura.example", id: "s0@sakura.example", date: NotifiedCase.date(hoursAgo: 40),
                                inReplyTo: sakura.messageId, subject: "Re: notice", body: "Status: investigating\n"))
        #expect(try n.participants()["sakura"]?["response"] as? String == "investigating")
    }
}
