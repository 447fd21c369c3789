import Foundation
@testable import Registry
import TestSupport
import Testing

/// The directory's answers and the received messages read the same from SQLite and PostgreSQL: a directory synced
/// into SQLite is copied row by row, as stored, into a PostgreSQL database of the tests' own server, and every
/// question is asked of both.
@Suite struct DirectoryEnginesTests {
    @Test func theDirectoryAnswersTheSameOnBothEngines() throws {
        let (temp, sqlite) = try RegistryQueriesTests.makeRegistry()
        defer { temp.remove() }
        let postgres = try PostgresFixture.store()
        _ = try StoreCopy.copy(from: sqlite, to: postgres)
        let q3End = try #require(CalendarDate("2007-09-30"))
        let now = Date(timeIntervalSince1970: 1_190_000_000)
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        let interval = DateInterval(start: CalendarDate("2007-07-01")!.start(in: tokyo), end: CalendarDate("2007-10-01")!.start(in: tokyo))
        let filters = [OrganizationFilter(), OrganizationFilter(kind: .nationalCSIRT), OrganizationFilter(country: "jp"),
                       OrganizationFilter(memberOf: "apcert", date: CalendarDate("2005-06-30")),
                       OrganizationFilter(technologies: ["tls", "dns"]), OrganizationFilter(includeRetired: true)]
        let answers = try [sqlite.directory, postgres.directory].map { directory in
            [
                "\(try filters.map { try directory.organizations(filter: $0).map(\.id) })",
                "\(try directory.organization(id: "krcert-cc") as Any)",
                "\(try directory.definitions())",
                "\(try directory.activeContacts(of: "aozora"))",
                "\(try directory.contact(email: "CERT@KrCert-CC.example") as Any)",
                "\(try directory.contactsWithKeyProblems(within: 30, now: now, includeKeyless: true))",
                "\(try directory.registeredDevelopers(on: q3End).map(\.id))",
                "\(try directory.apcertMembers(on: q3End).map(\.id))",
                "\(try directory.agreementsSigned(kind: "mou", in: interval, timeZone: tokyo))",
                "\(try directory.overview(expiringWithin: 30, now: now))",
            ]
        }
        #expect(answers[0] == answers[1])
        #expect(answers[0][0].contains("jpcert-cc"))
    }

    @Test func aReceivedMessageIsStoredAndReadTheSameOnBothEngines() throws {
        let sqlite = try RegistryStore.inMemory()
        let postgres = try PostgresFixture.store()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-inbound-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let large = Data((0..<(3 * BlobStreaming.window + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let file = folder.appendingPathComponent("large.eml")
        try large.write(to: file)
        let received = Date(timeIntervalSince1970: 1_190_000_000.25)
        func message(_ id: String, bytes: Data, streamed: StreamedBytes? = nil) -> NewInboundMessage {
            NewInboundMessage(messageId: id, receivedAt: received, fromAddress: "psirt@vendor.example", subject: "Re: VU#1",
                              kind: .unmatched, classification: "reply", disposition: "review",
                              review: (state: .open, reason: "no case named"), source: "stdin", bytes: bytes, streamed: streamed)
        }
        for store in [sqlite, postgres] {
            try store.inbound.write { tx in
                try tx.insert(message("small@vendor.example", bytes: Data("Subject: hi\r\n\r\nbody\u{0}\r\n".utf8)), sha256: "aa")
                try tx.insert(message("large@vendor.example", bytes: Data(), streamed: StreamedBytes(file: file, count: large.count)),
                              sha256: "bb")
            }
        }
        let read = try [sqlite, postgres].map { store in
            try store.inbound.read { tx -> [String] in
                let entries = try tx.entries(unmatchedOnly: true, reviewOnly: true)
                return try ["\(entries.map { [$0.messageId, "\($0.receivedAt)", $0.reviewReason ?? ""] })"] + entries.map { entry in
                    "\(try tx.byteCount(id: entry.id) as Any) \(try tx.head(id: entry.id, count: 10) as Any) \(try tx.bytes(id: entry.id)?.count as Any)"
                }
            }
        }
        #expect(read[0] == read[1])
        let whole = try postgres.inbound.read { tx in try tx.entry("large@vendor.example").flatMap { try tx.bytes(id: $0.id) } }
        #expect(whole == large)
        #expect(try postgres.inbound.read { try $0.containsDigest("bb") })
    }
}
