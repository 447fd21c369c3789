import Foundation
@testable import Mail
import OpenPGP
@testable import Registry
import Testing
import TestSupport
@testable import Gateway

/// The trust rule at its edges: what a signature vouches for, which case a reply speaks of, and mail that must
/// not rewrite a record unseen.
@Suite struct TrustRuleTests {
    typealias Notified = FieldCaseTests.Notified
    static let caseId = FieldCaseTests.caseId

    static func clearsigned(_ n: Notified, _ text: String) throws -> String {
        let home = try #require(n.f.vendorHomes["security@kasumi-mail.example"])
        let signed = try home.gpg(["--clearsign", "--local-user", "security@kasumi-mail.example"], input: Data(text.utf8))
        #expect(signed.status == 0, "\(signed.stderr)")
        return String(decoding: signed.stdout, as: UTF8.self)
    }

    static func shown(_ n: Notified, _ org: String, in caseId: String = caseId) throws -> ParticipantStatus? {
        try n.f.caseBook.show(caseId: caseId).participants.first { $0.record.organizationId == org }
    }

    /// A plain-text reply from kasumi-mail's contact: its notice's reference in the subject unless `subject` is
    /// given, and In-Reply-To when `inReplyTo` names a message.
    static func kasumiReply(_ n: Notified, id: String, subject: String? = nil, inReplyTo: String? = nil, body: String) -> String {
        let headers = ["From: security@kasumi-mail.example", "To: vuls@jpcert.example",
                       "Subject: \(subject ?? "Re: [\(n.ref("kasumi-mail"))]")", "Message-ID: <\(id)@kasumi-mail.example>"]
            + (inReplyTo.map { ["In-Reply-To: <\($0)>"] } ?? []) + ["Content-Type: text/plain; charset=UTF-8"]
        return headers.joined(separator: "\n") + "\n\n" + body
    }

    /// A plain-text reply from hotaru-backup's contact stating `status`, dated `date`, its notice's reference in the
    /// subject.
    static func hotaruReply(_ n: Notified, id: String, date: Date, status: String) -> String {
        """
        From: psirt@hotaru-backup.example
        To: vuls@jpcert.example
        Subject: Re: [\(n.ref("hotaru-backup"))]
        Date: \(RFC5322Date.format(date))
        Message-ID: <\(id)@hotaru-backup.example>

        Status: \(status)
        """
    }

    /// A second case notified to kasumi-mail (and hotaru-backup), after the first.
    static func notifySecondCase(_ n: Notified, id: String) throws {
        n.f.clock.advance(days: 1)
        try n.f.caseBook.open(id: id, title: "LDAP injection", origin: "jvn-jp", due: "2007-12-20")
        try n.f.caseBook.addParticipants(caseId: id, organizations: ["kasumi-mail", "hotaru-backup"])
        try n.f.composer.queue(NotificationRequest(caseId: id, template: "vendor-initial", purpose: .caseNotification))
        #expect(try n.f.dispatcher().run().sent == 2)
        n.f.clock.advance(seconds: 60)
    }

    @Test func aStatusWrittenBesideTheSignedTextIsNotASignedAnswer() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        let signed = try Self.clearsigned(n, "This concerns \(Self.caseId). Our analysis follows.\n")
        let outcome = try n.ingest(Self.kasumiReply(n, id: "beside-1", body: "Status: not-affected\n\n\(signed)"))
        #expect(outcome.signature == .verified)
        #expect(outcome.review?.contains("outside the signed text") == true, "\(outcome)")
        // The vendor's address said it, unsigned: applied as mail, never shown as a signed answer.
        #expect(try n.response("kasumi-mail") == .notAffected)
        let shown = try Self.shown(n, "kasumi-mail")
        #expect(shown?.verifiedReply == false)
        #expect(shown?.allProducts?.source == .mail)

        // Where statements must be signed, it waits for a person.
        let m = try Notified(keyed: ["kasumi-mail"])
        var ingester = m.f.ingester
        ingester.requireSignature = .statements
        let aside = try Self.clearsigned(m, "About \(Self.caseId): see above.\n")
        let held = try ingester.ingest(Data(Self.kasumiReply(m, id: "beside-2", body: "Status: fixed\n\n\(aside)").utf8))
        #expect(held.disposition == .review && held.review?.contains("over the statement itself") == true, "\(held)")
        #expect(try m.response("kasumi-mail") == .none)
    }

    @Test func aStatusInsideTheSignedTextIsASignedAnswer() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        let signed = try Self.clearsigned(n, "About \(Self.caseId): our products are not affected.\n\nStatus: not-affected\n")
        let outcome = try n.ingest(Self.kasumiReply(n, id: "inside-1", body: signed))
        #expect(outcome.signature == .verified && outcome.review == nil, "\(outcome)")
        #expect(try Self.shown(n, "kasumi-mail")?.allProducts?.source == .signedMail)
    }

    @Test func aCaseIdInsideALongerIdIsNotNamed() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        try Self.notifySecondCase(n, id: "VU#123456")
        let second = try #require(try n.f.notifications().last { $0.caseId == "VU#123456" && $0.organizationId == "kasumi-mail" })
        // Signed text about JVNVU#12345678, put into the VU#123456 thread: about another case.
        let regarding = try Self.clearsigned(n, "Regarding \(Self.caseId): Status: affected\n")
        let outcome = try n.ingest(Self.kasumiReply(n, id: "substring-1", subject: "Re: \(second.subject)", inReplyTo: second.messageId,
                                                    body: regarding))
        #expect(outcome.disposition == .review && outcome.review?.contains("about another case") == true, "\(outcome)")
        #expect(try n.f.participant("VU#123456", "kasumi-mail").response == .none)

        // The JVN address form of the id names it.
        #expect(CaseNaming.text("see https://jvn.jp/vu/JVNVU12345678/", names: "JVNVU#12345678"))
        #expect(!CaseNaming.text("JVNVU#12345678", names: "VU#123456"))
        #expect(!CaseNaming.text("VU#1234567", names: "VU#123456"))
        #expect(CaseNaming.text("(vu#123456)", names: "VU#123456"))
        // Japanese runs on without a space: a particle after the id is a boundary.
        #expect(CaseNaming.text("JVNVU#12345678について、弊社製品は影響を受けません。", names: "JVNVU#12345678"))
        #expect(CaseNaming.text("案件JVNVU#12345678の件", names: "JVNVU#12345678"))
    }

    @Test func aReplyWithoutOurReferenceGoesToTheCaseItNamesOrToAPerson() throws {
        let n = try Notified()
        try Self.notifySecondCase(n, id: "JVNVU#22222222")
        func reply(_ id: String, subject: String, body: String) throws -> IngestOutcome {
            try n.ingest(Self.kasumiReply(n, id: id, subject: subject, body: body))
        }
        // Names the older case: credited there, not to the latest.
        let named = try reply("named-1", subject: "Our answer on \(Self.caseId)", body: "Status: not-affected")
        #expect(named.caseId == Self.caseId && named.review == nil, "\(named)")
        #expect(try n.response("kasumi-mail") == .notAffected)
        #expect(try n.f.participant("JVNVU#22222222", "kasumi-mail").response == .none)

        // Names neither of its two open cases: a person says which.
        let unnamed = try reply("unnamed-1", subject: "Our answer", body: "Status: fixed")
        #expect(unnamed.disposition == .review && unnamed.review?.contains("naming none of its 2 open cases") == true, "\(unnamed)")
        #expect(try n.f.participant("JVNVU#22222222", "kasumi-mail").response == .none)

        // A withdrawn case is no longer open: the remaining one is the vendor's only open case.
        _ = try n.f.caseBook.withdraw(caseId: "JVNVU#22222222", reason: "opened by mistake")
        let only = try reply("only-1", subject: "Our answer", body: "Status: fixed")
        #expect(only.caseId == Self.caseId && only.review == nil, "\(only)")
        #expect(try n.response("kasumi-mail") == .fixed)
    }

    @Test func aReplyInTheThreadOfAWithdrawnCaseWaitsForAPerson() throws {
        let n = try Notified()
        _ = try n.f.caseBook.withdraw(caseId: Self.caseId, reason: "opened by mistake")
        let outcome = try n.ingest("""
            From: psirt@hotaru-backup.example
            To: vuls@jpcert.example
            Subject: Re: [\(n.ref("hotaru-backup"))]
            Message-ID: <withdrawn-1@hotaru-backup.example>

            Status: affected
            """)
        #expect(outcome.disposition == .review && outcome.review?.contains("is withdrawn") == true, "\(outcome)")
        #expect(try n.response("hotaru-backup") == .none)
        #expect(try n.f.store.inbound.entries(unmatchedOnly: false, reviewOnly: true).map(\.messageId) == ["withdrawn-1@hotaru-backup.example"])
    }

    @Test func aReplyDatedBeforeOurNoticeDoesNotOutrankALaterOne() throws {
        let n = try Notified()
        n.f.clock.advance(days: 2)
        func reply(_ id: String, date: Date, status: String) throws -> IngestOutcome {
            try n.ingest(Self.hotaruReply(n, id: id, date: date, status: status))
        }
        // The vendor's clock a day behind: its first answer claims a time before we wrote.
        _ = try reply("early-1", date: n.f.clock.now.addingTimeInterval(-3 * 86_400), status: "affected")
        #expect(try n.response("hotaru-backup") == .affected)
        let later = try reply("later-1", date: n.f.clock.now.addingTimeInterval(-60), status: "fixed")
        #expect(later.review == nil, "\(later)")
        #expect(try n.response("hotaru-backup") == .fixed)
    }

    /// A reply whose Date is days ahead of the time it is read (the sender's clock wrong, or an old reply sent again
    /// with it) cannot say whether it is newer than the answer that stands: listed for a person, not applied. A first
    /// answer so dated is applied as of the time it was read, and a clock a few hours fast still orders the reply.
    @Test func aReplyDatedInTheFutureDoesNotReplaceTheAnswerThatStands() throws {
        let n = try Notified()
        n.f.clock.advance(days: 2)
        func reply(_ id: String, date: Date, status: String) throws -> IngestOutcome {
            try n.ingest(Self.hotaruReply(n, id: id, date: date, status: status))
        }
        let first = try reply("future-1", date: n.f.clock.now.addingTimeInterval(400 * 86_400), status: "affected")
        #expect(first.effects == ["affected"], "\(first)")
        #expect(try n.f.participant(Self.caseId, "hotaru-backup").respondedAt == n.f.clock.now, "recorded as of when it was read")
        n.f.clock.advance(seconds: 3_600)
        let fixed = try reply("fixed-1", date: n.f.clock.now.addingTimeInterval(-60), status: "fixed")
        #expect(fixed.effects == ["fixed"], "\(fixed)")
        // The old reply's clock again, on a reply read after the fix: whether it is newer cannot be told.
        n.f.clock.advance(seconds: 3_600)
        let again = try reply("future-2", date: n.f.clock.now.addingTimeInterval(400 * 86_400), status: "affected")
        #expect(again.effects == ["not applied: its Date (\(EventTimestamp.string(n.f.clock.now.addingTimeInterval(400 * 86_400)))) is later than the time it was read"],
                "\(again)")
        #expect(again.review?.hasPrefix("affected not applied: its Date") == true, "\(again)")
        #expect(try n.response("hotaru-backup") == .fixed)
        #expect(try n.f.store.inbound.entries(unmatchedOnly: false, reviewOnly: true).map(\.messageId) == ["future-2@hotaru-backup.example"])
        // A person who reads it and assigns it decides: applied.
        let assigned = try n.f.ingester.assign("future-2@hotaru-backup.example", caseId: Self.caseId, organizationId: "hotaru-backup",
                                               response: .affected)
        #expect(assigned.changed && assigned.outcome.effects == ["affected"], "\(assigned)")
        #expect(try n.response("hotaru-backup") == .affected)
        // A clock three hours fast is a clock, not an unknown time.
        n.f.clock.advance(seconds: 3_600)
        let fast = try reply("fast-1", date: n.f.clock.now.addingTimeInterval(3 * 3_600), status: "not-affected")
        #expect(fast.review == nil && fast.effects == ["not-affected"], "\(fast)")
    }

    @Test func theSameSignedTextWithNewWordsOrInAnotherCaseIsReadAgain() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        try Self.notifySecondCase(n, id: "JVNVU#22222222")
        let first = try #require(try n.f.notifications().first { $0.caseId == Self.caseId && $0.organizationId == "kasumi-mail" })
        let second = try #require(try n.f.notifications().last { $0.caseId == "JVNVU#22222222" && $0.organizationId == "kasumi-mail" })
        let boilerplate = try Self.clearsigned(n, "We have checked all our products.\n\nStatus: not-affected\n")
        func reply(_ id: String, to notice: NotificationRecord, above: String = "") throws -> IngestOutcome {
            try n.ingest(Self.kasumiReply(n, id: id, subject: "Re: \(notice.subject)", inReplyTo: notice.messageId, body: above + boilerplate))
        }
        _ = try reply("boiler-1", to: first)
        #expect(try n.response("kasumi-mail") == .notAffected)
        // The same signed text re-sent in the same thread is the same message.
        #expect(try reply("boiler-1-again", to: first).disposition == .duplicate)
        // In the other case's thread it is an answer there, which a person checks (the signed text names no case).
        let other = try reply("boiler-2", to: second)
        #expect(other.disposition != .duplicate && other.caseId == "JVNVU#22222222", "\(other)")
        #expect(try n.f.participant("JVNVU#22222222", "kasumi-mail").response == .notAffected)
        // New words above the old signed text: read, not dropped as a copy.
        let newer = try reply("boiler-3", to: first, above: "Status: fixed\n\n-----Original Message-----\n")
        #expect(newer.disposition != .duplicate, "\(newer)")
        #expect(try n.response("kasumi-mail") == .fixed)
    }

    @Test func aSignatureThatCannotBeCheckedChangesNothing() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        let outcome = try n.ingest("""
            From: security@kasumi-mail.example
            To: vuls@jpcert.example
            Subject: Re: [\(n.ref("kasumi-mail"))]
            Message-ID: <garbled-1@kasumi-mail.example>
            MIME-Version: 1.0
            Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="SIG"

            --SIG
            Content-Type: text/plain; charset=UTF-8

            About \(Self.caseId): Status: not-affected
            --SIG
            Content-Type: application/pgp-signature

            -----BEGIN PGP SIGNATURE-----

            bm90IGEgc2lnbmF0dXJl
            -----END PGP SIGNATURE-----
            --SIG--
            """)
        #expect(outcome.disposition == .review && outcome.review?.contains("could not be checked") == true, "\(outcome)")
        #expect(try n.response("kasumi-mail") == .none)
    }

    @Test func aRetiredContactsKeyNoLongerSignsForItsOrganisation() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        try n.f.store.engine.write { session in
            _ = try session.execute("UPDATE contact SET active = 0 WHERE email = ?", "security@kasumi-mail.example")
        }
        let outcome = try n.ingest(Self.kasumiReply(n, id: "retired-1", body: try Self.clearsigned(n, "About \(Self.caseId): Status: not-affected\n")))
        #expect(outcome.signature == .unknownKey && outcome.disposition == .review, "\(outcome)")
        #expect(try n.response("kasumi-mail") == .none)
    }

    @Test func aBounceNamingSomeoneWeDidNotWriteToIsListed() throws {
        let n = try Notified()
        let outcome = try n.ingest("""
            Return-Path: <>
            From: MAILER-DAEMON@mx.aozora-systems.example (Mail Delivery System)
            To: vuls@jpcert.example
            Subject: Undelivered Mail Returned to Sender
            Message-ID: <stranger-1@mx.aozora-systems.example>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="R"

            --R
            Content-Type: text/plain

            Your message could not be delivered.
            --R
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.aozora-systems.example

            Final-Recipient: rfc822; ceo@aozora-systems.example
            Action: failed
            Status: 5.1.1

            --R
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("aozora-systems"))>
            --R--
            """)
        #expect(outcome.review?.contains("not a recipient of \(n.ref("aozora-systems"))") == true, "\(outcome)")
        #expect(try n.bounces("psirt@aozora-systems.example") == 0)
        #expect(try n.delivery("aozora-systems") != .undeliverable)
    }
}
