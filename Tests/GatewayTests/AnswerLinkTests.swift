import Crypto
import Foundation
import Mail
@testable import Registry
import Testing
import TestSupport
@testable import Gateway

/// The vendors' answer link: tokens bound to a case, an organisation and an expiry; answers recorded as the
/// vendor's; the response derived from the products; and the trust rule between link and mail answers.
@Suite struct AnswerLinkTests {
    static let caseId = "JVNVU#55550001"
    static let baseURL = "https://csirt.example"

    static func mailDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// A case with two vendors (kagayaki, tomoe) notified through composer and dispatcher, links on; the registry
    /// on `engine`.
    final class Linked {
        let f: GatewayFixture
        var settings: GatewaySettings
        init(baseURL: String? = AnswerLinkTests.baseURL, notify: Bool = true, engine: StoreEngineKind = .sqlite) throws {
            f = try GatewayFixture(engine: engine)
            for id in ["kagayaki", "tomoe"] {
                try f.addOrganization(id, languages: [id == "tomoe" ? "ja" : "en"], contacts: [("psirt@\(id).example", "to", nil, false)])
            }
            try f.caseBook.open(id: AnswerLinkTests.caseId, title: "TLS heap overflow", origin: "jvn-jp", due: "2007-12-01")
            try f.caseBook.addParticipants(caseId: AnswerLinkTests.caseId, organizations: ["kagayaki", "tomoe"])
            settings = f.settings
            settings.answer = .init(baseURL: baseURL)
            settings.stateDirectory = f.folder
            if notify { try queue("vendor-initial", purpose: .caseNotification) }
        }

        func queue(_ template: String, purpose: NotificationPurpose) throws {
            var composer = NotificationComposer(store: f.store, settings: settings)
            let clock = f.clock
            composer.now = { clock.now }
            try composer.queue(NotificationRequest(caseId: AnswerLinkTests.caseId, template: template, purpose: purpose, again: true))
            _ = try f.dispatcher().run()
        }

        var links: AnswerLinks {
            var links = AnswerLinks(store: f.store, key: try! AnswerLinkKey.loadOrCreate(stateDirectory: f.folder), settings: settings.answer)
            let clock = f.clock
            links.now = { clock.now }
            return links
        }

        var recorder: AnswerRecorder {
            var recorder = AnswerRecorder(store: f.store)
            let clock = f.clock
            recorder.now = { clock.now }
            return recorder
        }

        /// The text of every message the SMTP server received for `org`.
        func texts(to org: String) throws -> [String] {
            try f.sink.messages().filter { $0.recipients.contains("psirt@\(org).example") }.map {
                StatedResponse.text(of: try ParsedMessage(bytes: $0.bytes))
            }
        }

        /// The link in the last message `org` received, as sent.
        func token(of org: String) throws -> String {
            let text = try #require(try texts(to: org).last)
            let line = try #require(text.split(separator: "\n").first { $0.contains("/answer/") })
            let url = line.trimmingCharacters(in: .whitespaces)
            #expect(url.hasPrefix("\(AnswerLinkTests.baseURL)/answer/"))
            return String(url.dropFirst("\(AnswerLinkTests.baseURL)/answer/".count))
        }
    }

    @Test func everyCaseMessageCarriesTheParticipantsOwnLinkInItsLanguage() throws {
        let l = try Linked()
        try l.queue("reminder", purpose: .reminder)
        for org in ["kagayaki", "tomoe"] {
            let texts = try l.texts(to: org)
            #expect(texts.count == 2)
            #expect(texts.allSatisfy { $0.contains("\(Self.baseURL)/answer/") })
            let access = try #require(l.links.access(try l.token(of: org)))
            #expect(access.organizationId == org && access.caseId == Self.caseId)
        }
        #expect(try l.texts(to: "tomoe").first?.contains("次のリンクからもご回答いただけます") == true)
        #expect(try l.texts(to: "kagayaki").first?.contains("You can also answer through this link") == true)
        // The same link while it is valid: the reminder repeats the first message's.
        let kagayaki = try l.texts(to: "kagayaki").map { $0.split(separator: "\n").first { $0.contains("/answer/") } }
        #expect(kagayaki[0] == kagayaki[1])
        #expect(try l.token(of: "kagayaki") != l.token(of: "tomoe"))
    }

    @Test func withoutABaseURLNoMessageCarriesALinkAndNothingElseChanges() throws {
        let l = try Linked(baseURL: nil)
        let texts = try l.texts(to: "kagayaki") + l.texts(to: "tomoe")
        #expect(texts.count == 2)
        #expect(texts.allSatisfy { !$0.contains("/answer/") && !$0.contains("answer through this link") && !$0.contains("リンク") })
        #expect(!FileManager.default.fileExists(atPath: AnswerLinkKey.url(stateDirectory: l.f.folder).path))
    }

    @Test func theKeyIsMadeOnceWithMode0600() throws {
        let l = try Linked()
        let file = AnswerLinkKey.url(stateDirectory: l.f.folder)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let first = try AnswerLinkKey.loadOrCreate(stateDirectory: l.f.folder)
        let again = try AnswerLinkKey.loadOrCreate(stateDirectory: l.f.folder)
        #expect(first == again)
    }

    @Test func aTamperedForeignExpiredOrRevokedTokenIsRefusedAlike() throws {
        let l = try Linked()
        let links = l.links
        let token = try l.token(of: "kagayaki")
        #expect(links.access(token) != nil)
        // Every single character changed, in the payload and in the MAC.
        var characters = Array(token)
        for index in characters.indices where characters[index] != "." {
            let original = characters[index]
            characters[index] = original == "A" ? "B" : "A"
            #expect(links.access(String(characters)) == nil, "changed at \(index)")
            characters[index] = original
        }
        #expect(links.access("") == nil && links.access(".") == nil && links.access(String(repeating: "A", count: 5000)) == nil)
        // Made with the right key for another case or another organisation, from the link's own nonce.
        let read = try #require(AnswerToken.decode(token, key: links.key))
        for (caseId, org) in [("JVNVU#55550002", "kagayaki"), (Self.caseId, "tomoe")] {
            let forged = AnswerToken(caseId: caseId, organizationId: org, nonce: read.nonce, expiresAt: read.expiresAt).encoded(key: links.key)
            #expect(links.access(forged) == nil)
        }
        // A well-formed token never issued here, and one under another key.
        let unissued = AnswerToken(caseId: Self.caseId, organizationId: "kagayaki", nonce: AnswerToken.newNonce(), expiresAt: read.expiresAt)
        #expect(links.access(unissued.encoded(key: links.key)) == nil)
        #expect(links.access(AnswerToken(caseId: Self.caseId, organizationId: "kagayaki", nonce: read.nonce, expiresAt: read.expiresAt)
                                .encoded(key: SymmetricKey(size: .bits256))) == nil)
        // Expired: published, then the grace days pass on the injected clock.
        try l.f.caseBook.publish(caseId: Self.caseId, force: true)
        l.f.clock.advance(days: Double(l.settings.answer.graceDays) - 0.5)
        #expect(links.access(token) != nil)
        l.f.clock.advance(days: 1)
        #expect(links.access(token) == nil)
        // Revoked.
        let tomoe = try l.token(of: "tomoe")
        let l2 = try Linked()
        let other = try l2.token(of: "tomoe")
        #expect(l2.links.access(other) != nil)
        try l2.links.revoke(caseId: Self.caseId, organizationId: "tomoe", actor: "test")
        #expect(l2.links.access(other) == nil)
        #expect(l2.links.access(tomoe) == nil)   // another workspace's link, another key
        // A new link is issued with the next message.
        try l2.queue("reminder", purpose: .reminder)
        let renewed = try l2.token(of: "tomoe")
        #expect(renewed != other && l2.links.access(renewed) != nil)
    }

    @Test func anUnpublishedCaseKeepsItsLinkUntilTheOpenBoundThenTheNextMessageIssuesANewOne() throws {
        let l = try Linked()
        let token = try l.token(of: "kagayaki")
        l.f.clock.advance(days: Double(l.settings.answer.openDays) + 1)
        #expect(l.links.access(token) == nil)
        try l.queue("reminder", purpose: .reminder)
        let renewed = try l.token(of: "kagayaki")
        #expect(renewed != token && l.links.access(renewed) != nil)
    }

    @Test(arguments: StoreEngineKind.allCases)
    func anAnswerIsRecordedPerProductWithTheSourceAnswerLinkAndALaterOneReplacesIt(_ engine: StoreEngineKind) throws {
        let l = try Linked(engine: engine)
        let access = try #require(l.links.access(try l.token(of: "kagayaki")))
        let response = try l.recorder.record(access, submission: AnswerSubmission(products: [
            .init(name: "Kagayaki Router 3", identifier: "cpe:2.3:h:kagayaki:router:3:*:*:*:*:*:*:*", status: .affected),
            .init(name: "Kagayaki Switch", identifier: "pkg:generic/kagayaki-switch@2.1", status: .notAffected,
                  justification: "component_not_present"),
        ], statement: "ルーター 3 は影響を受けます。", contact: "psirt@kagayaki.example"), via: .form)
        #expect(response == .affected)
        var shown = try #require(try l.f.caseBook.show(caseId: Self.caseId).participants.first { $0.record.organizationId == "kagayaki" })
        #expect(shown.record.response == .affected && shown.record.statement == "ルーター 3 は影響を受けます。")
        #expect(shown.products.map(\.product) == ["Kagayaki Router 3", "Kagayaki Switch"])
        #expect(shown.products.allSatisfy { $0.source == .answerLink })
        // The vendor changes its answer: the whole earlier link answer is replaced, and it is an event.
        l.f.clock.advance(seconds: 60)
        try l.recorder.record(access, submission: AnswerSubmission(products: [
            .init(name: "Kagayaki Router 3", status: .fixed, fixedVersion: "3.0.2"),
        ]), via: .api)
        shown = try #require(try l.f.caseBook.show(caseId: Self.caseId).participants.first { $0.record.organizationId == "kagayaki" })
        #expect(shown.record.response == .fixed)
        #expect(shown.products.map(\.product) == ["Kagayaki Router 3"] && shown.products.first?.fixedVersion == "3.0.2")
        let events = try l.f.store.engine.read {
            try $0.values("SELECT action FROM event WHERE actor = 'answer-link:kagayaki' ORDER BY id", as: String.self)
        }
        #expect(events == ["participant.products", "participant.response", "participant.products", "participant.response"])
        #expect(try l.recorder.current(access)?.submission.products.map(\.status) == [.fixed])
    }

    @Test func badFieldsAreRefusedNamingEachFieldAndNothingChanges() throws {
        let l = try Linked()
        let access = try #require(l.links.access(try l.token(of: "kagayaki")))
        do {
            try l.recorder.record(access, submission: AnswerSubmission(products: [
                .init(name: "A", identifier: "cpe:not-one", status: .affected),
                .init(name: "B", status: .notAffected),
                .init(name: "C", status: .notAffected, justification: "because"),
                .init(name: "", status: .fixed),
                .init(name: "E", identifier: "pkg:generic/e@1\u{0}", status: .affected),
            ]), via: .form)
            Issue.record("accepted")
        } catch let error as GatewayError {
            let lines = error.description.split(separator: "\n").map(String.init)
            #expect(lines.contains { $0.hasPrefix("products[5].identifier: not a CPE") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("products[1].identifier:") })
            #expect(lines.contains { $0.hasPrefix("products[2].justification:") })
            #expect(lines.contains { $0.hasPrefix("products[3].justification:") })
            #expect(lines.contains { $0.hasPrefix("products[4].name:") } && lines.contains { $0.hasPrefix("products[4].fixed_version:") })
        }
        #expect(try l.f.participant(Self.caseId, "kagayaki").response == .none)
    }

    @Test(arguments: [
        ([ProductStatement.Status.affected, .notAffected, .fixed], Response.affected),
        ([.notAffected, .notAffected], .notAffected),
        ([.fixed, .fixed], .fixed),
        ([.fixed, .notAffected], .investigating),
        ([.investigating, .notAffected], .investigating),
        ([.investigating], .investigating),
    ])
    func theOverallResponseIsDerivedFromTheProducts(statuses: [ProductStatement.Status], expected: Response) {
        #expect(ProductStatement.derivedResponse(statuses) == expected)
    }

    @Test func theStatementsThatStandNeverLetAnOlderOneOverrideANewerOne() {
        func s(_ product: String, _ status: ProductStatement.Status, _ source: ProductStatement.Source, at minutes: Double) -> ProductStatement {
            ProductStatement(caseId: "C", organizationId: "o", product: product, productId: nil, status: status, justification: nil,
                             detail: nil, source: source, reference: "-", statedAt: Date(timeIntervalSince1970: minutes * 60),
                             recordedAt: Date())
        }
        #expect(ProductStatement.derivedResponse([]) == nil)
        // An older mail about a product arriving after a newer link answer does not replace it.
        let link = [s("Router", .notAffected, .answerLink, at: 10), s("Switch", .notAffected, .answerLink, at: 10)]
        var current = ProductStatement.current(of: link + [s("Router", .affected, .mail, at: 5)])
        #expect(current.map(\.status) == [.notAffected, .notAffected])
        // A newer signed mail does.
        current = ProductStatement.current(of: link + [s("Router", .affected, .signedMail, at: 15)])
        #expect(ProductStatement.derivedResponse(current.map(\.status)) == .affected)
        // A statement for all products replaces those before it, and is replaced by products stated after it.
        current = ProductStatement.current(of: link + [s("", .fixed, .person, at: 20)])
        #expect(current.map(\.product) == [""] && current.first?.status == .fixed)
        current = ProductStatement.current(of: [s("", .investigating, .mail, at: 1)] + link)
        #expect(current.map(\.product) == ["Router", "Switch"])
        // A later link answer replaces the earlier one whole.
        current = ProductStatement.current(of: link + [s("Router", .fixed, .answerLink, at: 30)])
        #expect(current.map(\.product) == ["Router"])
    }

    @Test(arguments: StoreEngineKind.allCases)
    func aMailAnswerOlderThanTheLinkAnswerDoesNotOverrideItAndANewerOneDoes(_ engine: StoreEngineKind) throws {
        let l = try Linked(engine: engine)
        let notice = try #require(try l.f.notifications().first { $0.organizationId == "kagayaki" })
        let access = try #require(l.links.access(try l.token(of: "kagayaki")))
        l.f.clock.advance(days: 2)
        try l.recorder.record(access, submission: AnswerSubmission(products: [
            .init(name: "Kagayaki Router 3", status: .notAffected, justification: "vulnerable_code_not_present"),
        ]), via: .form)
        func reply(_ id: String, date: Date, status: String) throws -> IngestOutcome {
            try l.f.ingester.ingest(Data("""
                From: psirt@kagayaki.example
                To: vuls@jpcert.example
                Subject: Re: \(notice.subject)
                Message-ID: <\(id)@kagayaki.example>
                In-Reply-To: <\(notice.messageId)>
                Date: \(Self.mailDate(date))
                Content-Type: text/plain; charset=UTF-8

                Status: \(status)
                """.utf8))
        }
        // Written a day before the link answer, read after it.
        _ = try reply("older", date: l.f.clock.now.addingTimeInterval(-86_400), status: "affected")
        #expect(try l.f.participant(Self.caseId, "kagayaki").response == .notAffected)
        let products = try l.f.caseBook.show(caseId: Self.caseId).participants.first { $0.record.organizationId == "kagayaki" }?.products
        #expect(products?.map(\.source) == [.answerLink])
        // Written after it: the vendor's newer word stands, for all its products.
        l.f.clock.advance(seconds: 3600)
        _ = try reply("newer", date: l.f.clock.now, status: "affected")
        #expect(try l.f.participant(Self.caseId, "kagayaki").response == .affected)
        let shown = try l.f.caseBook.show(caseId: Self.caseId).participants.first { $0.record.organizationId == "kagayaki" }
        #expect(shown?.products.isEmpty == true && shown?.allProducts?.source == .mail && shown?.allProducts?.status == .affected)
        // And a later link answer replaces the mail again.
        l.f.clock.advance(seconds: 60)
        try l.recorder.record(access, submission: AnswerSubmission(products: [.init(name: "Kagayaki Router 3", status: .fixed, fixedVersion: "3.1")]),
                              via: .form)
        #expect(try l.f.participant(Self.caseId, "kagayaki").response == .fixed)
    }

    @Test func anUploadedVEXDocumentIsReadBackForConfirmation() throws {
        let cyclonedx = """
            {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
             "components": [{"bom-ref": "pkg:generic/kagayaki-router@3.0", "type": "firmware", "name": "Kagayaki Router", "version": "3.0"}],
             "vulnerabilities": [{"id": "JVNVU#55550001", "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
               "affects": [{"ref": "pkg:generic/kagayaki-router@3.0"}]}]}
            """
        let read = try AnswerRecorder.read(document: Data(cyclonedx.utf8), filename: "C:\\vex\\kagayaki.cdx.json", caseId: Self.caseId)
        #expect(read.label == "CycloneDX kagayaki.cdx.json" && read.namesCase)
        #expect(read.submission.products == [.init(name: "Kagayaki Router 3.0", identifier: "pkg:generic/kagayaki-router@3.0",
                                                    status: .notAffected, justification: "vulnerable_code_not_in_execute_path")])
        #expect(throws: GatewayError.self) { try AnswerRecorder.read(document: Data("{\"a\": 1}".utf8), filename: "x.json", caseId: Self.caseId) }
        #expect(throws: GatewayError.self) { try AnswerRecorder.read(document: Data("not json".utf8), filename: nil, caseId: Self.caseId) }
        #expect(throws: GatewayError.self) {
            try AnswerRecorder.read(document: Data(count: AnswerRecorder.maximumDocumentBytes + 1), filename: nil, caseId: Self.caseId)
        }
    }

    /// The same statement about another vulnerability, as each of the three formats writes it.
    static func documents(about vulnerability: String) -> [(format: String, json: String)] {
        [
            ("CSAF 2.0", """
                {"document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "Kagayaki statement",
                  "publisher": {"category": "vendor", "name": "Kagayaki", "namespace": "https://kagayaki.example"},
                  "tracking": {"id": "KB-1", "status": "final", "version": "1", "current_release_date": "2026-12-11T02:00:00.000Z",
                    "initial_release_date": "2026-12-11T02:00:00.000Z", "revision_history": []}},
                 "product_tree": {"full_product_names": [{"name": "Kagayaki Router 3", "product_id": "KR-3"}]},
                 "vulnerabilities": [{"ids": [{"system_name": "JVN", "text": "\(vulnerability)"}], "product_status": {"known_not_affected": ["KR-3"]}}]}
                """),
            ("OpenVEX", """
                {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://kagayaki.example/vex/1", "author": "Kagayaki",
                 "timestamp": "2026-12-11T02:00:00Z", "version": 1,
                 "statements": [{"vulnerability": {"name": "\(vulnerability)"}, "products": [{"@id": "pkg:generic/kagayaki-router@3"}],
                                 "status": "not_affected", "justification": "component_not_present"}]}
                """),
            ("CycloneDX", """
                {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                 "components": [{"bom-ref": "kr-3", "type": "firmware", "name": "Kagayaki Router", "version": "3"}],
                 "vulnerabilities": [{"id": "\(vulnerability)", "analysis": {"state": "not_affected"}, "affects": [{"ref": "kr-3"}]}]}
                """),
        ]
    }

    /// Through the link, a document about another vulnerability is refused with one line, whatever its format, and
    /// a link's case whose id is only part of the named id (`VU#5555000` in `JVNVU#55550001`) is not named either.
    @Test func aVEXDocumentAboutAnotherVulnerabilityIsRefusedThroughTheLink() throws {
        for (format, json) in Self.documents(about: "JVNVU#99999999") {
            #expect(throws: GatewayError.aboutAnotherCase, "\(format)") {
                try AnswerRecorder.read(document: Data(json.utf8), filename: "vex.json", caseId: Self.caseId)
            }
            do {
                _ = try AnswerRecorder.read(document: Data(json.utf8), filename: "vex.json", caseId: Self.caseId)
            } catch let error as GatewayError {
                #expect(error.description == "document: it is about JVNVU#99999999, not JVNVU#55550001; nothing was recorded")
            }
        }
        for (format, json) in Self.documents(about: Self.caseId) {
            #expect(throws: GatewayError.aboutAnotherCase, "\(format)") {
                try AnswerRecorder.read(document: Data(json.utf8), filename: "vex.json", caseId: "VU#5555000")
            }
            let read = try AnswerRecorder.read(document: Data(json.utf8), filename: "vex.json", caseId: Self.caseId)
            #expect(read.namesCase && read.submission.products.count == 1, "\(format)")
            // The JVN id as jvn.jp writes it in an address names the case too.
            let url = try AnswerRecorder.read(document: Data(json.replacingOccurrences(of: Self.caseId, with: "https://jvn.jp/vu/JVNVU55550001/").utf8),
                                              filename: "vex.json", caseId: Self.caseId)
            #expect(url.namesCase, "\(format)")
        }
    }

    /// A document naming no vulnerability at all answers for the link's case (the link says which one).
    @Test func aVEXDocumentNamingNoVulnerabilityAnswersForTheLinksCase() throws {
        let csaf = """
            {"document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "Kagayaki statement",
              "publisher": {"category": "vendor", "name": "Kagayaki", "namespace": "https://kagayaki.example"},
              "tracking": {"id": "KB-1", "status": "final", "version": "1", "current_release_date": "2026-12-11T02:00:00.000Z",
                "initial_release_date": "2026-12-11T02:00:00.000Z", "revision_history": []}},
             "product_tree": {"full_product_names": [{"name": "Kagayaki Router 3", "product_id": "KR-3"}]},
             "vulnerabilities": [{"product_status": {"fixed": ["KR-3"]}}]}
            """
        let read = try AnswerRecorder.read(document: Data(csaf.utf8), filename: "vex.json", caseId: Self.caseId)
        #expect(!read.namesCase)
        #expect(read.submission.products.map(\.name) == ["Kagayaki Router 3"])
        // A document whose only vulnerability carries no id but whose words name another case is about that case.
        #expect(throws: GatewayError.aboutAnotherCase) {
            try AnswerRecorder.read(document: Data(csaf.replacingOccurrences(of: "Kagayaki statement", with: "Kagayaki on JVNVU#99999999").utf8),
                                    filename: "vex.json", caseId: Self.caseId)
        }
    }

    /// A document of several vulnerabilities answers through the link with the case's statements only.
    @Test func aVEXDocumentOfSeveralVulnerabilitiesAnswersWithTheCasesStatementsOnly() throws {
        let l = try Linked()
        let access = try #require(l.links.access(try l.token(of: "kagayaki")))
        let openvex = """
            {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://kagayaki.example/vex/2", "author": "Kagayaki",
             "timestamp": "2026-12-11T02:00:00Z", "version": 1,
             "statements": [
               {"vulnerability": {"name": "CVE-2026-99999"}, "products": [{"@id": "pkg:generic/kagayaki-router@3"}],
                "status": "affected", "action_statement": "Update to 3.1."},
               {"vulnerability": {"name": "CVE-2026-11111", "aliases": ["\(Self.caseId)"]}, "products": [{"@id": "pkg:generic/kagayaki-router@3"}],
                "status": "not_affected", "justification": "component_not_present"}]}
            """
        let read = try AnswerRecorder.read(document: Data(openvex.utf8), filename: "vex.json", caseId: Self.caseId)
        #expect(read.namesCase)
        #expect(read.submission.products.map(\.status) == [.notAffected])
        try l.recorder.record(access, submission: read.submission, via: .document(read.label))
        #expect(try l.f.participant(Self.caseId, "kagayaki").response == .notAffected)
    }

    /// Products sharing a name but not an id stay two products through the link, each with its own status.
    @Test func productsSharingANameButNotAnIdStayTwoThroughTheLink() throws {
        let l = try Linked()
        let access = try #require(l.links.access(try l.token(of: "kagayaki")))
        let csaf = """
            {"document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "Statement on \(Self.caseId)",
              "publisher": {"category": "vendor", "name": "Kagayaki", "namespace": "https://kagayaki.example"},
              "tracking": {"id": "KB-2", "status": "final", "version": "1", "current_release_date": "2026-12-11T02:00:00.000Z",
                "initial_release_date": "2026-12-11T02:00:00.000Z", "revision_history": []}},
             "product_tree": {"branches": [{"category": "vendor", "name": "Kagayaki", "branches": [
               {"category": "product_name", "name": "Kagayaki Browser", "branches": [
                 {"category": "product_version", "name": "12a", "product": {"name": "Kagayaki Browser", "product_id": "KB-12a"}},
                 {"category": "product_version", "name": "12b", "product": {"name": "Kagayaki Browser", "product_id": "KB-12b"}}]}]}]},
             "vulnerabilities": [{"ids": [{"system_name": "JVN", "text": "\(Self.caseId)"}],
               "product_status": {"known_affected": ["KB-12a"], "known_not_affected": ["KB-12b"]}}]}
            """
        let read = try AnswerRecorder.read(document: Data(csaf.utf8), filename: "KB-2.json", caseId: Self.caseId)
        #expect(read.submission.products.map { "\($0.name): \($0.status)" }
                == ["Kagayaki Browser (12a): affected", "Kagayaki Browser (12b): notAffected"])
        try l.recorder.record(access, submission: read.submission, via: .document(read.label))
        #expect(try l.f.participant(Self.caseId, "kagayaki").response == .affected)
        let products = try l.f.caseBook.show(caseId: Self.caseId).participants.first { $0.record.organizationId == "kagayaki" }?.products
        #expect(products?.map(\.product) == ["Kagayaki Browser (12a)", "Kagayaki Browser (12b)"])
    }

    @Test func theTemplateCheckerNeedsNoLinkWhenBaseURLIsUnset() throws {
        let f = try GatewayFixture()
        let library = try TemplateLibrary(directory: GatewayFixture.templates)
        let (checked, problems) = TemplateSample.check(library, settings: f.settings)
        #expect(checked.count == 12 && problems.isEmpty, "\(problems)")
        // Every template, every language, has the link's section.
        for name in library.names {
            for language in library.languages(of: name) {
                let text = try String(contentsOf: GatewayFixture.templates.appendingPathComponent("\(name).\(language).mustache"), encoding: .utf8)
                #expect(text.contains("{{#answer.url}}") && text.contains("{{answer.url}}"), "\(name).\(language)")
            }
        }
    }
}
