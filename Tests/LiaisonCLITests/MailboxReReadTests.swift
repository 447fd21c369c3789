import Foundation
import Testing
import TestSupport

/// A mailbox read again over IMAP — its UIDVALIDITY changed after a restore — changes nothing already applied,
/// nor a coordinator's decision taken since.
@Suite(.serialized, .enabled(if: PostfixServer.isAvailable, "Postfix needs root"))
struct MailboxReReadTests {
    @Test func aNewUIDValidityReadsEverythingAgainAndChangesNothing() throws {
        let mail = try MailSystemFixture(developers: ["aozora"])
        try mail.ws.openAndNotify(MailSystemFixture.caseId)
        #expect(try mail.liaison(["send"]).status == 0)
        let reply = try mail.reply(from: "aozora", text: "We are affected.\r\nStatus: affected")
        try mail.dovecot.deliver(reply)
        let first = try mail.liaison(["ingest"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try mail.sql("SELECT response FROM participant WHERE organizationId = 'aozora'") == "affected")

        // The coordinator settles it by phone; then the mailbox is restored from a backup: Dovecot's indexes are gone
        // and its UID list is an older one with another UIDVALIDITY, and a relayed copy of the reply arrives too.
        #expect(try mail.liaison(["case", "set", MailSystemFixture.caseId, "aozora", "not-affected", "--statement", "by phone"]).status == 0)
        let shown = try mail.liaison(["case", "show", MailSystemFixture.caseId, "--format", "json"]).stdout
        // Dovecot takes a new UIDVALIDITY from the clock, which may still read the same second as the first one: the
        // restored UID list names the next value itself, so the change never depends on timing.
        let index = mail.folder.appendingPathComponent("dovecot/index")
        let files = FileManager.default.enumerator(atPath: index.path)?.compactMap { $0 as? String } ?? []
        var restoredList = false
        for name in files where (name as NSString).lastPathComponent.hasPrefix("dovecot") {
            let file = index.appendingPathComponent(name)
            if (name as NSString).lastPathComponent == "dovecot-uidlist" {
                var lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
                lines[0] = lines[0].split(separator: " ").map { field -> String in
                    guard field.hasPrefix("V"), let value = UInt32(field.dropFirst()) else { return String(field) }
                    return "V\(value &+ 1)"
                }.joined(separator: " ")
                try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
                restoredList = true
            } else {
                try FileManager.default.removeItem(at: file)
            }
        }
        #expect(restoredList, "no dovecot-uidlist under \(index.path): \(files)")
        try mail.dovecot.deliver(Data("Received: from backup.csirt.example by mx.csirt.example; Mon, 7 Dec 2026 09:00:00 +0000\r\n".utf8) + reply)
        let again = try mail.liaison(["ingest"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("UIDVALIDITY changed"), "\(again.stdout)")
        #expect(again.stdout.components(separatedBy: "duplicate").count == 3, "both copies are recognised: \(again.stdout)")
        #expect(try mail.liaison(["case", "show", MailSystemFixture.caseId, "--format", "json"]).stdout == shown)
        #expect(try mail.sql("SELECT response || '|' || statement FROM participant WHERE organizationId = 'aozora'") == "not-affected|by phone")
        #expect(try mail.sql("SELECT COUNT(*) FROM inboundMessage") == "1")
    }
}
