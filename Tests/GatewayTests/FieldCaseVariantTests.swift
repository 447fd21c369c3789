import Foundation
import Mail
import OpenPGP
import Registry
import Testing
import TestSupport
@testable import Gateway

/// One more message of each field case's kind, as another mail system, client, language or charset writes it:
/// the cases are a sample of their kind, and the kind is what must work.
@Suite struct FieldCaseVariantTests {
    typealias Notified = FieldCaseTests.Notified
    static let caseId = FieldCaseTests.caseId

    /// Bytes from hex, for text in a legacy charset written here byte for byte.
    static func hex(_ text: String) -> Data {
        Data(stride(from: 0, to: text.count, by: 2).map { UInt8(text.dropFirst($0).prefix(2), radix: 16)! })
    }

    /// Quoted-printable of raw bytes (LF line ends kept), as a mailer encodes 8-bit text for a 7-bit path.
    static func quotedPrintable(_ bytes: Data) -> Data {
        var out = ""
        for byte in bytes {
            switch byte {
            case 0x0A: out += "\n"
            case 0x21...0x3C, 0x3E...0x7E, 0x20: out += String(UnicodeScalar(byte))
            default: out += String(format: "=%02X", byte)
            }
        }
        return Data(out.utf8)
    }

    // MARK: - Delivery reports

    @Test func deliveryReportsOfOtherMailSystems() throws {
        let n = try Notified()
        // 01, another MTA: Sendmail without MIME, our message pasted below "Original message follows".
        let sendmail = try n.ingest("""
            From: Mail Delivery Subsystem <MAILER-DAEMON@mail.hotaru-backup.example>
            To: vuls@jpcert.example
            Subject: Returned mail: User unknown
            Message-ID: <sm-1@mail.hotaru-backup.example>

            The original message was received at Mon, 7 Dec 2026 10:00:00 +0900
            from relay.jpcert.example [192.0.2.10]

               ----- The following addresses had permanent fatal errors -----
            <psirt@hotaru-backup.example>

               ----- Transcript of session follows -----
            ... while talking to mail.hotaru-backup.example.:
            >>> RCPT To:<psirt@hotaru-backup.example>
            <<< 550 5.1.1 <psirt@hotaru-backup.example>... User unknown
            550 5.1.1 <psirt@hotaru-backup.example>... User unknown

               ----- Original message follows -----

            Message-ID: <\(n.mid("hotaru-backup"))>
            From: vuls@jpcert.example
            To: psirt@hotaru-backup.example
            Cc: info@hotaru-backup.example
            Subject: [JVNVU#12345678] Vulnerability notification
            """)
        #expect(sendmail.disposition == .bounce && sendmail.matchedBy == "returned message", "\(sendmail.effects)")
        #expect(try n.bounces("psirt@hotaru-backup.example") == 1)
        #expect(try n.bounces("info@hotaru-backup.example") == 0)
        #expect(try n.response("hotaru-backup") == .none)

        // 02, another MTA: Exchange names the mailbox it expanded to; Original-Recipient (upper-case type) is ours.
        _ = try n.ingest("""
            From: postmaster@aozora-systems.example
            To: vuls@jpcert.example
            Subject: Undeliverable: [JVNVU#12345678] Vulnerability notification
            Message-ID: <ex-dsn-1@aozora-systems.example>
            Content-Type: multipart/report; report-type=delivery-status;
            \tboundary="_000_ex_dsn_"

            --_000_ex_dsn_
            Content-Type: text/plain; charset="us-ascii"

            Delivery has failed to these recipients or groups:

            PSIRT Team (psirt.team@corp.aozora-systems.example)

            --_000_ex_dsn_
            Content-Type: message/delivery-status

            Reporting-MTA: dns;ex01.corp.aozora-systems.example
            Received-From-MTA: dns;mx.aozora-systems.example

            Original-Recipient: RFC822;psirt@aozora-systems.example
            Final-Recipient: rfc822;psirt.team@corp.aozora-systems.example
            Action: failed
            Status: 5.2.1
            Diagnostic-Code: smtp;550 5.2.1 mailbox disabled

            --_000_ex_dsn_
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("aozora-systems"))>
            To: psirt@aozora-systems.example
            Cc: info@aozora-systems.example

            --_000_ex_dsn_--
            """)
        #expect(try n.bounces("psirt@aozora-systems.example") == 1)
        #expect(try n.bounces("info@aozora-systems.example") == 0)

        // 03, another MTA: Postfix's delay warning changes nothing.
        let delayed = try n.ingest("""
            From: MAILER-DAEMON@mx.tomoe-vpn.example (Mail Delivery System)
            To: vuls@jpcert.example
            Subject: Delayed Mail (still being retried)
            Message-ID: <pf-delay-1@mx.tomoe-vpn.example>
            Auto-Submitted: auto-replied
            Content-Type: multipart/report; report-type=delivery-status; boundary="P"

            --P
            Content-Type: text/plain; charset=us-ascii

            This is the mail system at host mx.tomoe-vpn.example.

            ####################################################################
            # THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
            ####################################################################

            Your message could not be delivered for more than 4 hour(s).
            It will be retried until it is 5 day(s) old.

            <security@tomoe-vpn.example>: connect to store.tomoe-vpn.example[192.0.2.30]:25: Connection timed out

            --P
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.tomoe-vpn.example
            Arrival-Date: Mon,  7 Dec 2026 10:00:00 +0900

            Final-Recipient: rfc822; security@tomoe-vpn.example
            Original-Recipient: rfc822;security@tomoe-vpn.example
            Action: delayed
            Status: 4.4.1
            Will-Retry-Until: Sat, 12 Dec 2026 10:00:00 +0900

            --P
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("tomoe-vpn"))>

            --P--
            """)
        #expect(delayed.disposition == .bounce && delayed.effects.contains("delayed"))
        #expect(try n.bounces("security@tomoe-vpn.example") == 0)
        #expect(try n.delivery("tomoe-vpn") == .notified)

        // 06, another provider: an Outlook.com report tied to us only by In-Reply-To and References.
        let outlook = try n.ingest("""
            From: postmaster@outlook.example
            To: vuls@jpcert.example
            Subject: Undeliverable: notice
            Message-ID: <ndr-ol-1@outlook.example>
            In-Reply-To: <\(n.mid("kagayaki-browser"))>
            References: <\(n.mid("kagayaki-browser"))>
            X-MS-Exchange-Message-Is-Ndr:
            Content-Type: multipart/report; report-type=delivery-status; boundary="O"

            --O
            Content-Type: text/plain; charset="us-ascii"

            Your message to security@kagayaki-browser.example couldn't be delivered.

            --O
            Content-Type: message/delivery-status

            Reporting-MTA: dns;outlook.example

            Final-Recipient: rfc822;security@kagayaki-browser.example
            Action: failed
            Status: 5.1.1

            --O--
            """)
        #expect(outlook.matchedBy == "In-Reply-To")
        #expect(try n.bounces("security@kagayaki-browser.example") == 1)
        #expect(try n.delivery("kagayaki-browser") == .undeliverable)

        // 29, more of its kind: Exim names two failed recipients in a folded X-Failed-Recipients.
        _ = try n.ingest("""
            Return-path: <>
            X-Failed-Recipients: dbsec@sakuragi-db.example,
             info@sakuragi-db.example
            Auto-Submitted: auto-replied
            From: Mail Delivery System <Mailer-Daemon@relay.jpcert.example>
            To: vuls@jpcert.example
            Subject: Mail delivery failed: returning message to sender
            Message-Id: <E1v8Yk3-000AB2-5r@relay.jpcert.example>

            This message was created automatically by mail delivery software.

            A message that you sent could not be delivered to one or more of its
            recipients. This is a permanent error. The following address(es) failed:

              dbsec@sakuragi-db.example
                host mx.sakuragi-db.example [192.0.2.44]
                SMTP error from remote mail server after RCPT TO:<dbsec@sakuragi-db.example>:
                550 5.1.1 No such user
              info@sakuragi-db.example
                host mx.sakuragi-db.example [192.0.2.44]
                SMTP error from remote mail server after RCPT TO:<info@sakuragi-db.example>:
                550 5.1.1 No such user

            ------ This is a copy of the message, including all the headers. ------

            Message-ID: <\(n.mid("sakuragi-db"))>
            To: dbsec@sakuragi-db.example
            Cc: info@sakuragi-db.example
            """)
        #expect(try n.bounces("dbsec@sakuragi-db.example") == 1)
        #expect(try n.bounces("info@sakuragi-db.example") == 1)

        // 34, more of its kind: one recipient failed, one delivered, one expanded: only the failed one bounced.
        _ = try n.ingest("""
            From: MAILER-DAEMON@mx.kotori-chat.example
            To: vuls@jpcert.example
            Subject: Delivery Status Notification (Failure)
            Message-ID: <dsn-mixed-2@mx.kotori-chat.example>
            Content-Type: multipart/report; report-type=delivery-status; boundary="K"

            --K
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.kotori-chat.example

            Final-Recipient: rfc822; info@kotori-chat.example
            Action: delivered
            Status: 2.0.0

            Final-Recipient: rfc822; psirt@kotori-chat.example
            Action: failed
            Status: 5.7.1
            Diagnostic-Code: smtp; 550 5.7.1 Message rejected by policy

            Final-Recipient: rfc822; psirt-list@kotori-chat.example
            Action: expanded
            Status: 2.0.0

            --K
            Content-Type: text/rfc822-headers

            Message-ID: <\(n.mid("kotori-chat"))>

            --K--
            """)
        #expect(try n.bounces("psirt@kotori-chat.example") == 1)
        #expect(try n.bounces("info@kotori-chat.example") == 0)
    }

    // MARK: - Automatic replies

    @Test func automaticRepliesInOtherLanguagesAndCharsets() throws {
        let n = try Notified()
        // 08, in French: Exchange's OOF markers, Latin-1 subject, no Auto-Submitted.
        let french = try n.ingest("""
            From: "Dupont, Marie" <psirt@izumi-crypto.example>
            To: vuls@jpcert.example
            Subject: =?iso-8859-1?Q?R=E9ponse_automatique=A0:_[JVNVU#12345678]_Vulnerability_notification?=
            Message-ID: <oof-fr@izumi-crypto.example>
            In-Reply-To: <\(n.mid("izumi-crypto"))>
            X-MS-Exchange-Inbox-Rules-Loop: psirt@izumi-crypto.example
            X-Auto-Response-Suppress: All
            Content-Type: text/plain; charset="iso-8859-1"
            Content-Transfer-Encoding: quoted-printable

            Je suis absente du bureau jusqu'au 14 d=E9cembre.
            """)
        #expect(french.disposition == .autoReply, "\(french.effects)")
        #expect(try n.response("izumi-crypto") == .none)

        // 10, in Shift_JIS: 「[自動応答] Re: 脆弱性情報のご連絡」, no RFC 3834 header.
        let subject = Self.hex("5b8ea993ae899e939a5d2052653a2090c68ee390ab8fee95f182cc82b29841978d20") + Data("[\(n.ref("ooshima-ecommerce"))]".utf8)
        let japanese = try n.f.ingester.ingest(Data("""
            From: security@ooshima-ecommerce.example
            To: vuls@jpcert.example
            Subject: =?Shift_JIS?B?\(subject.base64EncodedString())?=
            Message-ID: <ar-sjis@ooshima-ecommerce.example>
            Content-Type: text/plain; charset=Shift_JIS
            Content-Transfer-Encoding: 8bit


            """.utf8) + Self.hex("82bd82be82a282dc95738ddd82c982b582c482a882e882dc82b78142"))
        #expect(japanese.disposition == .autoReply && japanese.matchedBy == "reference")
        #expect(try n.response("ooshima-ecommerce") == .none)

        // 10, in Korean (EUC-KR): 「자동 응답:」.
        let korean = try n.ingest("""
            From: security@shirakawa-ldap.example
            To: vuls@jpcert.example
            Subject: =?EUC-KR?B?\((Self.hex("c0dab5bf20c0c0b4e43a20") + Data("[JVNVU#12345678]".utf8)).base64EncodedString())?=
            Message-ID: <ar-kr@shirakawa-ldap.example>
            In-Reply-To: <\(n.mid("shirakawa-ldap"))>

            Away.
            """)
        #expect(korean.disposition == .autoReply)
        #expect(try n.response("shirakawa-ldap") == .none)
    }

    // MARK: - Human replies

    @Test func humanRepliesOfOtherClientsAndCharsets() throws {
        let n = try Notified(keyed: ["kasumi-mail"])
        // 12, another ticket system: an agent's reply through OTRS keeps [Ticket#…] and Precedence: bulk.
        let otrs = try n.ingest("""
            From: "Shirakawa PSIRT" <security@shirakawa-ldap.example>
            To: vuls@jpcert.example
            Subject: [Ticket#2026120710000042] RE: [JVNVU#12345678] Vulnerability notification [\(n.ref("shirakawa-ldap"))]
            Message-ID: <otrs-1@shirakawa-ldap.example>
            Precedence: bulk
            X-Loop: yes
            X-OTRS-Loop: no
            Content-Type: text/plain; charset=utf-8

            Dear JPCERT/CC,

            we confirmed that ShirakawaLDAP 2.x is affected.

            Status: affected
            """)
        #expect(otrs.kind == "reply" && otrs.disposition == .reply, "\(otrs.effects)")
        #expect(try n.response("shirakawa-ldap") == .affected)

        // 14, another client: Lotus Notes' "Antwort:" from a colleague, reference in the subject only.
        let notes = try n.ingest("""
            From: Klaus Meyer <k.meyer@de.izumi-crypto.example>
            To: vuls@jpcert.example
            Subject: Antwort: [JVNVU#12345678] Vulnerability notification [\(n.ref("izumi-crypto"))]
            Message-ID: <OF1A2B3C4D.5E6F7A8B-ON48258A1C.001F2E3D@de.izumi-crypto.example>
            Content-Type: text/plain; charset="ISO-8859-1"
            Content-Transfer-Encoding: quoted-printable

            Wir pr=FCfen das.

            Status: investigating
            """)
        #expect(notes.matchedBy == "reference")
        #expect(try n.response("izumi-crypto") == .investigating)

        // 16, another charset: a UTF-8 subject Q-encoded and split mid-character, from a group domain.
        let utf8 = Array("Re: [JVNVU#12345678] 脆弱性情報のご連絡 [\(n.ref("ooshima-ecommerce"))]".utf8)
        let words = stride(from: 0, to: utf8.count, by: 7).map { start in
            "=?UTF-8?Q?" + utf8[start..<min(start + 7, utf8.count)].map { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
            }.joined() + "?="
        }
        let group = try n.ingest("""
            From: h-suzuki@ooshima-holdings.example
            To: vuls@jpcert.example
            Subject: \(words.joined(separator: "\n "))
            Message-ID: <grp-utf8@ooshima-holdings.example>
            Content-Type: text/plain; charset=UTF-8

            Status: not-affected
            """)
        #expect(group.matchedBy == "reference", "\(group.subject ?? "")")
        #expect(try n.response("ooshima-ecommerce") == .notAffected)

        // 18, another charset: an 8-bit EUC-JP reply in an LF mbox, stored byte for byte.
        let message = Data("From: psirt@hotaru-backup.example\nTo: vuls@jpcert.example\nSubject: Re: [\(n.ref("hotaru-backup"))]\nMessage-ID: <eucjp-1@hotaru-backup.example>\nContent-Type: text/plain; charset=EUC-JP\nContent-Transfer-Encoding: 8bit\n\n".utf8)
            + Self.hex("cac0bcd2c0bdc9caa4acb3bac5f6a4b7a4dea4b9a1a30ab1c6b6c13a20a4a2a4ea0a")
        let split = MailboxReader.mbox(Data("From psirt@hotaru-backup.example Mon Dec  7 10:00:00 2026\n".utf8) + message + Data("\n".utf8))
        #expect(split == [message])
        _ = try n.f.ingester.ingest(split[0])
        #expect(try n.response("hotaru-backup") == .affected)
        #expect(try n.f.participant(Self.caseId, "hotaru-backup").statement?.contains("弊社製品が該当します。") == true)
        let stored = try n.f.store.inbound.read { tx in try tx.entry("eucjp-1@hotaru-backup.example").flatMap { try tx.bytes(id: $0.id) } }
        #expect(stored == message)

        // 21, another charset and transfer encoding: Shift_JIS clearsigned, then quoted-printable.
        let home = try #require(n.f.vendorHomes["security@kasumi-mail.example"])
        let clearsigned = try home.gpg(["--clearsign", "--digest-algo", "SHA256", "--local-user", "security@kasumi-mail.example"],
                                       input: Self.hex("4a50434552542f4343208ce492860a0a95be8ed090bb956982cd89658bbf82f08ef382af82dc82b982f181420a0a5374617475733a206e6f742d61666665637465640a"))
        #expect(clearsigned.status == 0, "\(clearsigned.stderr)")
        let inline = try n.f.ingester.ingest(Data("""
            From: security@kasumi-mail.example
            To: vuls@jpcert.example
            Subject: Re: [\(n.ref("kasumi-mail"))]
            Message-ID: <inline-sjis@kasumi-mail.example>
            Content-Type: text/plain; charset=Shift_JIS
            Content-Transfer-Encoding: quoted-printable


            """.utf8) + Self.quotedPrintable(clearsigned.stdout))
        #expect(inline.signature == .verified, "\(inline.effects)")
        #expect(try n.response("kasumi-mail") == .notAffected)

        // 25, another client: Apple Mail threads by References, ours first; In-Reply-To names a colleague's mail.
        let apple = try n.ingest("""
            From: psirt@aozora-systems.example
            To: vuls@jpcert.example
            Subject: Re: notice
            In-Reply-To: <5F1E2D3C-internal@aozora-systems.example>
            References: <\(n.mid("aozora-systems"))>
             <5F1E2D3C-internal@aozora-systems.example>
            Message-ID: <A1B2C3D4-apple@aozora-systems.example>
            Content-Type: text/plain; charset=us-ascii

            Status: not-affected
            """)
        #expect(apple.matchedBy == "References")
        #expect(try n.response("aozora-systems") == .notAffected)

        // 33, another client: Outlook's HTML, windows-1252, quoted-printable, the status in an <o:p> paragraph.
        _ = try n.ingest("""
            From: security@tomoe-vpn.example
            To: vuls@jpcert.example
            Subject: RE: [JVNVU#12345678] [\(n.ref("tomoe-vpn"))]
            Message-ID: <ol-html@tomoe-vpn.example>
            Content-Type: text/html; charset="windows-1252"
            Content-Transfer-Encoding: quoted-printable

            <html><head><style>p.MsoNormal{margin:0}</style></head><body lang=3D"EN-US"><div class=3DWordSection1>=
            <p class=3DMsoNormal>We=92ve confirmed the issue.<o:p></o:p></p><p class=3DMsoNormal>Status:&nbsp;affect=
            ed<o:p></o:p></p></div></body></html>
            """)
        #expect(try n.response("tomoe-vpn") == .affected)

        // 35, another list: Google Groups rewrites From (DMARC) and adds its footer; the signature still holds.
        let pgp = try OpenPGPContext(homeDirectory: home.path)
        let key = try #require(try pgp.keys(matching: "security@kasumi-mail.example").first).fingerprint
        let content = MIMEEntity.text("Fixed in 4.2.1.\n\nStatus: fixed\n")
        let signature = try pgp.signDetached(content.serialized(), signer: key)
        let signed = String(decoding: MIMEEntity.signed(content: content, signature: signature.armored, micalg: signature.micalg).serialized(),
                            as: UTF8.self)
        let groups = try n.ingest("""
            From: "'Kasumi Mail PSIRT' via psirt" <psirt@groups.kasumi-mail.example>
            Reply-To: security@kasumi-mail.example
            To: vuls@jpcert.example
            Subject: [psirt] Re: [\(n.ref("kasumi-mail"))]
            Message-ID: <gg-1@kasumi-mail.example>
            In-Reply-To: <\(n.mid("kasumi-mail"))>
            List-Id: <psirt.groups.kasumi-mail.example>
            Precedence: list
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="GG"

            --GG
            \(signed)
            --GG
            Content-Type: text/plain; charset="UTF-8"

            --
            You received this message because you are subscribed to the Google Groups "psirt" group.
            --GG--
            """)
        #expect(groups.signature == .verified, "\(groups.effects)")
        #expect(try n.response("kasumi-mail") == .fixed)
    }
}
