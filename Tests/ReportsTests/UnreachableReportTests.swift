import Foundation
import GRDB
import Registry
import Reports
import Testing
import TestSupport

/// `liaison report unreachable`: the list a CSIRT publishes of developers it could not reach (連絡不能開発者一覧).
@Suite struct UnreachableReportTests {
    static let tokyo = TimeZone(identifier: "Asia/Tokyo")!

    /// Two developers unreachable: one whose address bounced, one that never answered (two cases); one that answered.
    static func database() throws -> ReportFixtureDatabase {
        let database = try ReportFixtureDatabase()
        let t = ReportFixtures.instant
        try database.queue.write { db in
            for (id, name, local) in [("hikari", "Hikari Soft", "ひかりソフト株式会社"), ("kumo", "Kumo Systems", "クモシステムズ"),
                                      ("yuki", "Yuki Networks", "ゆきネットワークス")] {
                try db.execute(sql: """
                    INSERT INTO organization (id, name, localName, kind, country, createdAt, updatedAt)
                    VALUES (?, ?, ?, 'product-developer', 'JP', ?, ?)
                    """, arguments: [id, name, local, t("2007-01-01T00:00:00Z"), t("2007-01-01T00:00:00Z")])
            }
            for id in ["JVNVU#11111111", "JVNVU#22222222"] {
                try db.execute(sql: #"INSERT INTO "case" (id, title, origin, openedAt) VALUES (?, ?, 'jvn-jp', ?)"#,
                               arguments: [id, "Title, with \"quotes\" & <tags>", t("2007-07-01T00:00:00Z")])
            }
            func participant(_ caseId: String, _ org: String, unreachable: String?) throws {
                try db.execute(sql: """
                    INSERT INTO participant (caseId, organizationId, addedAt, delivery, firstNotifiedAt, unreachableAt)
                    VALUES (?, ?, ?, 'notified', ?, ?)
                    """, arguments: [caseId, org, t("2007-07-01T00:00:00Z"), t("2007-07-02T03:00:00Z"), unreachable.map(t)])
            }
            func sent(_ caseId: String, _ org: String, at: String, to recipients: [(String, String, String?)]) throws {
                try db.execute(sql: """
                    INSERT INTO notification (caseId, organizationId, purpose, template, language, messageId, trackingRef, subject,
                                              mailFrom, signed, encrypted, state, attempts, createdAt, sentAt)
                    VALUES (?, ?, 'case-notification', 'vendor-initial', 'ja', ?, ?, 'Notice', 'vuls@csirt.example', 1, 0,
                            'sent', 1, ?, ?)
                    """, arguments: [caseId, org, UUID().uuidString, UUID().uuidString, t(at), t(at)])
                let id = db.lastInsertedRowID
                for (email, status, reply) in recipients {
                    try db.execute(sql: """
                        INSERT INTO notificationRecipient (notificationId, email, kind, status, smtpReply, updatedAt) VALUES (?, ?, 'to', ?, ?, ?)
                        """, arguments: [id, email, status, reply, t(at)])
                }
            }
            try participant("JVNVU#11111111", "hikari", unreachable: "2007-08-31T00:00:00Z")
            try sent("JVNVU#11111111", "hikari", at: "2007-07-02T03:00:00Z", to: [("psirt@hikari.example", "bounced", "550 5.1.1 User unknown")])
            try sent("JVNVU#11111111", "hikari", at: "2007-07-16T03:00:00Z", to: [("psirt@hikari.example", "bounced", "550 5.1.1 User unknown")])
            for caseId in ["JVNVU#11111111", "JVNVU#22222222"] {
                try participant(caseId, "kumo", unreachable: "2007-09-01T00:00:00Z")
                try sent(caseId, "kumo", at: "2007-07-02T03:00:00Z", to: [("sec@kumo.example", "delivered", "250 OK")])
            }
            try participant("JVNVU#22222222", "yuki", unreachable: nil)
        }
        return database
    }

    @Test func listsEachUnreachableOrganisationWithItsCasesAndWhyItFailed() throws {
        let database = try Self.database()
        defer { database.remove() }
        let list = try database.reports.unreachableOrganizations()
        #expect(list.map(\.organizationId) == ["hikari", "kumo"], "yuki was never marked unreachable")
        #expect(list[0].cases.map(\.attempts) == [2])
        #expect(list[0].cases[0].addresses.map { [$0.email, $0.reason.rawValue, $0.detail ?? "-"] } == [["psirt@hikari.example", "bounce", "550 5.1.1 User unknown"]])
        #expect(list[1].cases.map(\.caseId) == ["JVNVU#11111111", "JVNVU#22222222"])
        #expect(list[1].cases[0].addresses.map(\.reason) == [.noAnswer])

        let text = UnreachableReport.render(list, format: .text, language: .ja, timeZone: Self.tokyo)
        #expect(text.hasPrefix("連絡不能開発者一覧\n"))
        #expect(text.contains("ひかりソフト株式会社") && text.contains("2007-07-02 (JST)") && text.contains("psirt@hikari.example (不達: 550 5.1.1 User unknown)"))
        #expect(text.contains("初回連絡日") && text.contains("連絡回数"))

        let csv = UnreachableReport.render(list, format: .csv, language: .en, timeZone: Self.tokyo)
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 4)
        #expect(lines[0] == "organisation,name,case,first notified,attempts,last attempt,unreachable since,addresses tried")
        #expect(lines[1] == "hikari,Hikari Soft,JVNVU#11111111,2007-07-02 (JST),2,2007-07-16 (JST),2007-08-31 (JST),psirt@hikari.example (bounce: 550 5.1.1 User unknown)")
        #expect(lines[2].hasSuffix("sec@kumo.example (no answer)"))
        let japanese = UnreachableReport.render(list, format: .csv, language: .ja, timeZone: Self.tokyo).components(separatedBy: "\r\n")
        #expect(japanese[0] == "組織,名称,案件番号,初回連絡日,連絡回数,最終連絡日,連絡不能とした日,連絡先 (結果)", "the header row is Japanese too")
        #expect(japanese[1].hasSuffix("psirt@hikari.example (不達: 550 5.1.1 User unknown)"))

        let json = UnreachableReport.render(list, format: .json, language: .en, timeZone: Self.tokyo)
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let organizations = try #require(decoded["organizations"] as? [[String: Any]])
        #expect(organizations.map { $0["organizationId"] as? String } == ["hikari", "kumo"])
        let cases = try #require(organizations[0]["cases"] as? [[String: Any]])
        #expect(cases[0]["firstNotifiedAt"] as? String == "2007-07-02T03:00:00Z")
        #expect(cases[0]["attempts"] as? Int == 2)
    }

    @Test func anEmptyListSaysSo() throws {
        #expect(UnreachableReport.render([], format: .text, language: .en, timeZone: Self.tokyo).contains("No organisation is unreachable."))
        #expect(UnreachableReport.render([], format: .csv, language: .en, timeZone: Self.tokyo).components(separatedBy: "\r\n").count == 2)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")), arguments: ReportLanguage.allCases)
    func htmlListOpensInChromium(language: ReportLanguage) throws {
        let database = try Self.database()
        defer { database.remove() }
        let folder = database.directory
        let page = folder.appendingPathComponent("unreachable-\(language).html")
        let html = UnreachableReport.render(try database.reports.unreachableOrganizations(), format: .html, language: language,
                                            timeZone: Self.tokyo)
        try html.write(to: page, atomically: true, encoding: .utf8)
        let dom = try HTMLInBrowserTests.chromium(["--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString],
                                                  profile: folder.appendingPathComponent("profile"))
        #expect(dom.status == 0)
        #expect(dom.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.isEmpty)
        let rows = dom.stdout.components(separatedBy: "<tr>").count - 1
        #expect(rows == 4, "a heading row and one row per organisation and case")
        #expect(dom.stdout.contains("Title") == false, "the table lists organisations, not case titles")
        #expect(dom.stdout.contains(language == .ja ? "連絡不能開発者一覧" : "Developers who could not be reached"))
        #expect(dom.stdout.contains(language == .ja ? "ひかりソフト株式会社" : "Hikari Soft"))
        #expect(dom.stdout.contains("550 5.1.1 User unknown"))
    }
}
