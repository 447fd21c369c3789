import Foundation
import Testing
import TestSupport

/// A statement is credited to the organisation of whoever wrote it — by address, domain or signing key — not to
/// the thread it arrived in; a writer in no organisation of the case, tied only by the thread, waits for a person.
@Suite struct StatementAttributionTests {
    static let caseId = "JVNVU#20261209"

    /// kotori (the vendor, domain kotori.example), izumi (its supplier, also a participant, signing with a key in
    /// the directory), sakura (a participant); `outsider` is in the directory but not in the case.
    final class Thread {
        let n: NotifiedCase
        let supplier: GnuPGHome
        init() throws {
            let supplier = try GnuPGHome.make()
            self.supplier = supplier
            n = try NotifiedCase(caseId: StatementAttributionTests.caseId, developers: ["kotori", "izumi", "sakura"]) { ws in
                let key = try supplier.generateKey(name: "Izumi PSIRT", email: "psirt@izumi.example")
                try ws.temp.write("Directory/keys/\(key).asc", String(decoding: try supplier.exportPublic(key), as: UTF8.self))
                try ws.temp.writeOrganization("izumi", TemporaryWorkspace.organizationYAML(id: "izumi", pgp: key,
                                                                                          extra: "domains: [izumi.example]\n"))
                try ws.temp.writeOrganization("kotori", TemporaryWorkspace.organizationYAML(id: "kotori", extra: "domains: [kotori.example]\n"))
                try ws.temp.writeOrganization("outsider", TemporaryWorkspace.organizationYAML(id: "outsider", technologies: ["dns"],
                                                                                             extra: "domains: [outsider.example]\n"))
            }
        }
        deinit { supplier.shutdown() }
    }

    /// A reply in kotori's forwarded thread (References: our notice to kotori, then kotori's forward).
    /// `copyingTheVendor`: the reply is addressed to kotori's contact too (To), as a colleague answering for it
    /// would; else only to us.
    static func inKotorisThread(_ n: NotifiedCase, from: String, id: String, hoursAgo: Double, body: String,
                                subjectReference: Bool = false, copyingTheVendor: Bool = true) throws -> String {
        let kotori = try n.notice("kotori")
        return """
            From: \(from)
            To: \(copyingTheVendor ? "Kotori Security <psirt@kotori.example>" : "vuls@csirt.example")
            Cc: vuls@csirt.example
            Subject: Re: Fwd: \(subjectReference ? "[\(kotori.tracking)]" : "TLS certificate check bypass")
            Date: \(NotifiedCase.date(hoursAgo: hoursAgo))
            Message-ID: <\(id)>
            References: <\(kotori.messageId)> <fwd-\(id)@kotori.example>
            In-Reply-To: <fwd-\(id)@kotori.example>
            MIME-Version: 1.0
            Content-Type: text/plain; charset=utf-8

            \(body)
            """
    }

    @Test func anotherParticipantsAnswerInTheVendorsThreadIsCreditedToIt() throws {
        let t = try Thread()
        let n = t.n
        // izumi's PSIRT address, in kotori's thread (stdin).
        let byAddress = try n.ingest(try Self.inKotorisThread(n, from: "Izumi PSIRT <psirt@izumi.example>", id: "a1@izumi.example",
                                                              hoursAgo: 30, body: "IzumiTLS 3.2.0-3.2.6 is affected.\nStatus: affected\n"))
        #expect(byAddress.status == 0, "\(byAddress.stderr)")
        var participants = try n.participants()
        #expect(participants["izumi"]?["response"] as? String == "affected")
        #expect(participants["kotori"]?["response"] as? String == "none", "the thread's vendor unchanged")
        // Another izumi address at its domain, in kotori's thread from an mbox: still izumi's.
        _ = try n.ingestMbox([try Self.inKotorisThread(n, from: "dev@izumi.example", id: "a2@izumi.example", hoursAgo: 20,
                                                       body: "Checking 3.2.7.\nStatus: investigating\n")])
        participants = try n.participants()
        #expect(participants["izumi"]?["response"] as? String == "investigating")
        #expect(participants["kotori"]?["response"] as? String == "none")
        // A private address whose signature is made with izumi's key: izumi's, from a Maildir.
        let signed = try t.supplier.gpg(["--clearsign", "--local-user", "psirt@izumi.example"],
                                        input: Data("For \(Self.caseId): fixed in 3.2.7.\nStatus: fixed\n".utf8))
        _ = try n.ingestMaildir([try Self.inKotorisThread(n, from: "taro@private-mail.example", id: "a3@private-mail.example",
                                                          hoursAgo: 10, body: String(decoding: signed.stdout, as: UTF8.self))])
        participants = try n.participants()
        #expect(participants["izumi"]?["response"] as? String == "fixed")
        #expect(participants["izumi"]?["verifiedReply"] as? Bool == true)
        #expect(participants["kotori"]?["response"] as? String == "none")
        #expect(try n.wouldRemind() == ["kotori", "sakura"])
    }

    @Test func aWriterInNoOrganisationOfTheCaseTiedOnlyByTheThreadWaitsForAPerson() throws {
        let t = try Thread()
        let n = t.n
        // An upstream maintainer, a colleague's private address, and an organisation outside the case, each
        // answering us alone: the vendor never saw what it would be credited with.
        let writers = [("maintainer@upstream-tls.example", "u1@upstream-tls.example"),
                       ("kotori.dev@freemail.example", "u2@freemail.example"),
                       ("psirt@outsider.example", "u3@outsider.example")]
        for (index, (from, id)) in writers.enumerated() {
            let message = try Self.inKotorisThread(n, from: from, id: id, hoursAgo: 30 - Double(index), body: "Status: not-affected\n",
                                                   copyingTheVendor: false)
            let run = index == 1 ? try n.ingestMbox([message]) : try n.ingest(message)
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(try n.participants()["kotori"]?["response"] as? String == "none")
        let review = try n.review()
        for (from, id) in writers {
            #expect(review.contains { $0["messageId"] as? String == id && ($0["reviewReason"] as? String)?.contains(from) == true
                                      && $0["organizationId"] as? String == "kotori" }, "\(from): \(review)")
        }
        #expect(try n.wouldRemind().contains("kotori"))
        // A person who knows the colleague applies it in one step.
        let assign = try n.ws.liaison(["inbox", "assign", "u2@freemail.example", Self.caseId, "kotori"])
        #expect(assign.status == 0, "\(assign.stderr)")
        #expect(try n.participants()["kotori"]?["response"] as? String == "not-affected")
    }

    /// A From that is missing, or that is no address (a control character in it), names no writer: tied only by the
    /// thread, the statement waits for a person as an unknown writer's does; our tracking reference in the subject
    /// still ties it to the vendor.
    @Test func aReplyWhoseFromNamesNobodyTiedOnlyByTheThreadWaitsForAPerson() throws {
        let t = try Thread()
        let n = t.n
        let froms = [("n1@nowhere.example", nil), ("n2@nowhere.example", "<\"some\u{0}one\"@elsewhere.example>"),
                     ("n3@nowhere.example", "Kotori \u{1}PSIRT <psirt@kotori.example\u{7}>"), ("n4@nowhere.example", "undisclosed")]
        for (index, (id, from)) in froms.enumerated() {
            var message = try Self.inKotorisThread(n, from: from ?? "", id: id, hoursAgo: 30 - Double(index),
                                                   body: "Status: not-affected\n", copyingTheVendor: false)
            if from == nil { message = message.replacingOccurrences(of: "From: \n", with: "") }
            let run = try n.ingest(message)
            #expect(run.status == 0, "\(id): \(run.stderr)")
        }
        #expect(try n.participants()["kotori"]?["response"] as? String == "none")
        let review = try n.review()
        for (id, _) in froms {
            #expect(review.contains { $0["messageId"] as? String == id
                                      && ($0["reviewReason"] as? String)?.contains("without a From address that names its writer") == true
                                      && $0["organizationId"] as? String == "kotori" }, "\(id): \(review)")
        }
        // With our reference in the subject it is the vendor's, as a group address's answer is.
        var tied = try Self.inKotorisThread(n, from: "", id: "n5@nowhere.example", hoursAgo: 10, body: "Status: fixed\n",
                                            subjectReference: true, copyingTheVendor: false)
        tied = tied.replacingOccurrences(of: "From: \n", with: "").replacingOccurrences(of: "References:", with: "X-References:")
            .replacingOccurrences(of: "In-Reply-To:", with: "X-In-Reply-To:")
        #expect(try n.ingest(tied).status == 0)
        #expect(try n.participants()["kotori"]?["response"] as? String == "fixed")
    }

    /// Ids in a reply or a bounce that hold U+0000 name none of our messages: the message is read and stored,
    /// matched by what else names it, never left failing at the MTA.
    @Test func anIdHoldingNULNamesNoMessageAndTheMailIsStillRead() throws {
        let t = try Thread()
        let n = t.n
        let sakura = try n.notice("sakura")
        let reply = """
            From: PSIRT <psirt@sakura.example>
            To: vuls@csirt.example
            Subject: Re: [\(sakura.tracking)] TLS certificate check bypass
            Date: \(NotifiedCase.date(hoursAgo: 5))
            Message-ID: <nul-1@sakura.example>
            In-Reply-To: <x\u{0}y@csirt.example>
            References: <a\u{0}b@csirt.example>
            X-Original-Message-ID: <q\u{0}@csirt.example>
            Content-Type: text/plain; charset=utf-8

            Status: not-affected
            """
        let run = try n.ingest(reply)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try n.participants()["sakura"]?["response"] as? String == "not-affected", "matched by the reference")
        let orphan = reply.replacingOccurrences(of: "[\(sakura.tracking)] ", with: "").replacingOccurrences(of: "nul-1@", with: "nul-2@")
            .replacingOccurrences(of: "psirt@sakura.example", with: "someone@unknown.example")
        let unmatched = try n.ingest(orphan)
        #expect(unmatched.status == 0, "\(unmatched.stderr)")
        #expect(try n.sql("SELECT count(*) FROM inboundMessage WHERE messageId = 'nul-2@sakura.example'") == "1", "stored")
        // A bounce whose returned copy names a Message-ID holding U+0000, and our VERP address: bounced by the VERP.
        let kotori = try n.notice("kotori")
        let bounce = """
            From: MAILER-DAEMON@mx.kotori.example
            To: vuls+\(kotori.tracking)@csirt.example
            Subject: Undelivered Mail Returned to Sender
            Date: \(NotifiedCase.date(hoursAgo: 4))
            Message-ID: <bounce-nul@mx.kotori.example>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b"

            --b
            Content-Type: text/plain

            The mail could not be delivered.
            --b
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.kotori.example

            Final-Recipient: rfc822; psirt@kotori.example
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 no such user

            --b
            Content-Type: text/rfc822-headers

            Message-ID: <q\u{0}@csirt.example>
            Subject: TLS certificate check bypass
            --b--
            """
        let bounced = try n.ingest(bounce)
        #expect(bounced.status == 0, "\(bounced.stderr)")
        #expect(try n.sql("SELECT count(*) FROM inboundMessage WHERE messageId = 'bounce-nul@mx.kotori.example'") == "1", "stored")
    }

    @Test func aColleagueAtTheVendorsDomainOrAGroupAddressWithOurReferenceIsTheVendors() throws {
        let t = try Thread()
        let n = t.n
        // A colleague at kotori's own domain (not a contact), tied by the thread only.
        _ = try n.ingest(try Self.inKotorisThread(n, from: "Yamada Taro <t.yamada@kotori.example>", id: "c1@kotori.example",
                                                  hoursAgo: 30, body: "Status: investigating\n"))
        #expect(try n.participants()["kotori"]?["response"] as? String == "investigating")
        // A group CSIRT address in no organisation, with our reference in the subject: only those we wrote to have it.
        _ = try n.ingestMbox([try Self.inKotorisThread(n, from: "csirt@kotori-group.example", id: "c2@kotori-group.example",
                                                       hoursAgo: 20, body: "Status: not-affected\n", subjectReference: true)
                                .replacingOccurrences(of: "References:", with: "X-References:")
                                .replacingOccurrences(of: "In-Reply-To:", with: "X-In-Reply-To:")])
        #expect(try n.participants()["kotori"]?["response"] as? String == "not-affected")
        #expect(try n.review().isEmpty)
    }

    @Test func aPrivateAddressAnsweringInTheOpenToTheVendorsContactIsTheVendors() throws {
        let t = try Thread()
        let n = t.n
        // A developer's private address, Cc'ing the vendor's security contact (a Gmail reply to the forward).
        let message = try Self.inKotorisThread(n, from: "Suzu Aoki <kotori.dev.suzu@gmail.example>", id: "g1@mail.gmail.example",
                                               hoursAgo: 30, body: "Our product does not contain the affected code.\nStatus: not-affected\n",
                                               copyingTheVendor: false)
            .replacingOccurrences(of: "Cc: vuls@csirt.example", with: "Cc: security <PSIRT@kotori.example>")
        let run = try n.ingest(message)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try n.participants()["kotori"]?["response"] as? String == "not-affected")
        #expect(try n.review().isEmpty)
        // An organisation outside the case stays held even when it copies the vendor.
        _ = try n.ingest(try Self.inKotorisThread(n, from: "psirt@outsider.example", id: "g2@outsider.example", hoursAgo: 20,
                                                  body: "Status: affected\n"))
        #expect(try n.participants()["kotori"]?["response"] as? String == "not-affected")
        #expect(try n.review().contains { $0["messageId"] as? String == "g2@outsider.example" })
    }
}
