import Foundation
import Registry
import Testing
import TestSupport
@testable import Gateway

/// A VEX file attached to a reply speaks for the case only with the statements about the case's vulnerability: a
/// document of several vulnerabilities, a case id that is only part of a longer id, and products that share a
/// name, in CSAF 2.0, OpenVEX and CycloneDX alike.
@Suite struct VEXScopeTests {
    static let caseId = "JVNVU#12345678"

    /// A case notified to one vendor, `kagayaki`, whose replies carry VEX files.
    final class Notified {
        let f: GatewayFixture
        let caseId: String
        let notice: NotificationRecord

        init(caseId: String = VEXScopeTests.caseId) throws {
            self.caseId = caseId
            f = try GatewayFixture()
            try f.addOrganization("kagayaki", languages: ["en"], technologies: ["tls"],
                                  contacts: [("security@kagayaki.example", "to", "en", false)])
            try f.caseBook.open(id: caseId, title: "TLS certificate check bypass", origin: "jvn-jp", due: "2007-12-01")
            try f.caseBook.addParticipants(caseId: caseId, organizations: ["kagayaki"])
            try f.composer.queue(NotificationRequest(caseId: caseId, template: "vendor-initial", purpose: .caseNotification))
            #expect(try f.dispatcher().run().sent == 1)
            notice = try #require(try f.notifications().first)
        }

        /// Ingests the vendor's reply with `document` (JSON text) attached as `filename`.
        func reply(with document: String, filename: String, type: String = "application/json") throws -> IngestOutcome {
            try f.ingester.ingest(Data("""
                From: Kagayaki PSIRT <security@kagayaki.example>
                To: vuls@jpcert.example
                Subject: Re: \(notice.subject)
                Message-ID: <\(UUID().uuidString)@kagayaki.example>
                In-Reply-To: <\(notice.messageId)>
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="vex-part"

                --vex-part
                Content-Type: text/plain; charset=UTF-8

                Our statement is in the attached document.

                --vex-part
                Content-Type: \(type); name="\(filename)"
                Content-Disposition: attachment; filename="\(filename)"
                Content-Transfer-Encoding: base64

                \(Data(document.utf8).base64EncodedString(options: .lineLength76Characters))
                --vex-part--
                """.utf8))
        }

        func response() throws -> Response { try f.participant(caseId, "kagayaki").response }
        func statement() throws -> String? { try f.participant(caseId, "kagayaki").statement }

        /// The products standing for the vendor, as `case show` lists them: `name: status`.
        func products() throws -> [String] {
            let shown = try f.caseBook.show(caseId: caseId).participants.first { $0.record.organizationId == "kagayaki" }
            return shown?.products.map { "\($0.product): \($0.status.rawValue)" } ?? []
        }
    }

    // MARK: - Documents about several vulnerabilities

    /// The CSAF 2.0 document of the report: vulnerability A is the case (by its JVN id) and states KB-12 and KB-13
    /// not affected; vulnerability B is CVE-2026-99999 and states KB-12 affected.
    static func csafOfTwoVulnerabilities(caseFirst: Bool) -> String {
        let a = """
            {"ids": [{"system_name": "JVN", "text": "JVNVU#12345678"}], "product_status": {"known_not_affected": ["KB-12", "KB-13"]},
             "flags": [{"label": "vulnerable_code_not_present", "product_ids": ["KB-12", "KB-13"]}]}
            """
        let b = #"{"cve": "CVE-2026-99999", "product_status": {"known_affected": ["KB-12"]}}"#
        return """
            {"document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "Kagayaki Browser statements",
              "publisher": {"category": "vendor", "name": "Kagayaki", "namespace": "https://kagayaki.example"},
              "tracking": {"id": "KB-VEX-7", "status": "final", "version": "1",
                "current_release_date": "2026-12-11T02:00:00.000Z", "initial_release_date": "2026-12-11T02:00:00.000Z",
                "revision_history": [{"date": "2026-12-11T02:00:00.000Z", "number": "1", "summary": "Initial."}]}},
             "product_tree": {"full_product_names": [{"name": "Kagayaki Browser 12", "product_id": "KB-12"},
                                                     {"name": "Kagayaki Browser 13", "product_id": "KB-13"}]},
             "vulnerabilities": [\(caseFirst ? "\(a), \(b)" : "\(b), \(a)")]}
            """
    }

    @Test(arguments: [true, false])
    func aCSAFDocumentOfTwoVulnerabilitiesAppliesOnlyTheCasesStatements(caseFirst: Bool) throws {
        let n = try Notified()
        let outcome = try n.reply(with: Self.csafOfTwoVulnerabilities(caseFirst: caseFirst), filename: "KB-VEX-7.json",
                                  type: "application/csaf+json")
        #expect(outcome.review == nil, "\(outcome)")
        #expect(try n.response() == .notAffected)
        #expect(try n.products() == ["Kagayaki Browser 12: not-affected", "Kagayaki Browser 13: not-affected"])
        // The person reading the statement sees what was left aside.
        let statement = try #require(try n.statement())
        #expect(statement.contains("(not applied: 1 statement about CVE-2026-99999 in CSAF 2.0 KB-VEX-7.json)"), "\(statement)")
        #expect(!statement.contains(": affected"), "\(statement)")
        #expect(outcome.effects.contains("not applied: 1 statement about CVE-2026-99999 in CSAF 2.0 KB-VEX-7.json"), "\(outcome.effects)")
    }

    /// OpenVEX names each statement's vulnerability as a string or an object (`name`, `@id`, `aliases`).
    @Test(arguments: [
        #""JVNVU#12345678""#,
        #"{"name": "JVNVU#12345678"}"#,
        #"{"name": "CVE-2026-11111", "aliases": ["JVNVU#12345678"]}"#,
        #"{"@id": "https://jvn.jp/vu/JVNVU12345678/", "name": "CVE-2026-11111"}"#,
    ])
    func anOpenVEXDocumentAppliesOnlyTheStatementsAboutTheCase(ours: String) throws {
        let n = try Notified()
        let document = """
            {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://kagayaki.example/vex/7", "author": "Kagayaki PSIRT",
             "timestamp": "2026-12-11T02:00:00Z", "version": 1,
             "statements": [
               {"vulnerability": {"name": "CVE-2026-99999"}, "products": [{"@id": "pkg:generic/kagayaki-browser@12"}],
                "status": "affected", "action_statement": "Update to 12.1."},
               {"vulnerability": \(ours), "products": [{"@id": "pkg:generic/kagayaki-browser@12"}, {"@id": "pkg:generic/kagayaki-sync@3"}],
                "status": "not_affected", "justification": "vulnerable_code_not_present"}]}
            """
        let outcome = try n.reply(with: document, filename: "kagayaki.openvex.json")
        #expect(outcome.review == nil, "\(outcome)")
        #expect(try n.response() == .notAffected)
        #expect(try n.products() == ["pkg:generic/kagayaki-browser@12: not-affected", "pkg:generic/kagayaki-sync@3: not-affected"])
        #expect(try n.statement()?.contains("not applied: 1 statement about CVE-2026-99999") == true)
    }

    /// CycloneDX names the vulnerability by `id`, by the ids of its `references`, or by its `source`.
    @Test(arguments: [
        #""id": "JVNVU#12345678""#,
        #""id": "CVE-2026-11111", "references": [{"id": "JVNVU#12345678", "source": {"name": "JVN"}}]"#,
        #""id": "CVE-2026-11111", "source": {"name": "JVN", "url": "https://jvn.jp/vu/JVNVU12345678/"}"#,
    ])
    func aCycloneDXDocumentAppliesOnlyTheAnalysesAboutTheCase(ours: String) throws {
        let n = try Notified()
        let document = """
            {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
             "components": [{"bom-ref": "kb-12", "type": "application", "name": "Kagayaki Browser", "version": "12"}],
             "vulnerabilities": [
               {"id": "CVE-2026-99999", "analysis": {"state": "exploitable"}, "affects": [{"ref": "kb-12"}]},
               {\(ours), "analysis": {"state": "not_affected", "justification": "code_not_present"}, "affects": [{"ref": "kb-12"}]}]}
            """
        let outcome = try n.reply(with: document, filename: "kagayaki.cdx.json", type: "application/vnd.cyclonedx+json")
        #expect(outcome.review == nil, "\(outcome)")
        #expect(try n.response() == .notAffected)
        #expect(try n.products() == ["Kagayaki Browser 12: not-affected"])
    }

    /// Named only by the document itself (title, notes, references, tracking id), the case is its one vulnerability;
    /// with two vulnerabilities it is neither, and the document waits for a person.
    @Test(arguments: [
        #""title": "Kagayaki statement on JVNVU#12345678""#,
        #""title": "Kagayaki statement", "notes": [{"category": "summary", "text": "Our answer to JVNVU#12345678."}]"#,
        #""title": "Kagayaki statement", "references": [{"url": "https://jvn.jp/vu/JVNVU12345678/", "summary": "JVN"}]"#,
        #""title": "Kagayaki statement", "references": [{"url": "https://kagayaki.example/a", "summary": "About JVNVU12345678"}]"#,
    ])
    func aCaseNamedOnlyByTheDocumentIsItsOneVulnerability(documentLevel: String) throws {
        func csaf(_ vulnerabilities: String) -> String {
            """
            {"document": {"category": "csaf_vex", "csaf_version": "2.0", \(documentLevel),
              "publisher": {"category": "vendor", "name": "Kagayaki", "namespace": "https://kagayaki.example"},
              "tracking": {"id": "KB-VEX-8", "status": "final", "version": "1",
                "current_release_date": "2026-12-11T02:00:00.000Z", "initial_release_date": "2026-12-11T02:00:00.000Z",
                "revision_history": [{"date": "2026-12-11T02:00:00.000Z", "number": "1", "summary": "Initial."}]}},
             "product_tree": {"full_product_names": [{"name": "Kagayaki Browser 12", "product_id": "KB-12"}]},
             "vulnerabilities": [\(vulnerabilities)]}
            """
        }
        let one = #"{"cve": "CVE-2026-11111", "product_status": {"fixed": ["KB-12"]}}"#
        let n = try Notified()
        _ = try n.reply(with: csaf(one), filename: "KB-VEX-8.json")
        #expect(try n.response() == .fixed)
        #expect(try n.products() == ["Kagayaki Browser 12: fixed"])

        let other = try Notified()
        let two = try other.reply(with: csaf(one + #", {"cve": "CVE-2026-22222", "product_status": {"known_affected": ["KB-12"]}}"#),
                                  filename: "KB-VEX-9.json")
        #expect(try other.response() == .none)
        #expect(try other.products().isEmpty)
        #expect(two.review?.contains("is about CVE-2026-11111, CVE-2026-22222, not JVNVU#12345678") == true, "\(two)")
    }

    // MARK: - Ids named as a whole

    /// A case id is named only as a whole id: `VU#123456` is not in `JVNVU#12345678`, nor `JVNVU#1234567`, nor
    /// `JVNVU#12345678` in `JVNVU#12345678-2`. The document waits for a person and changes nothing.
    @Test(arguments: [("VU#123456", "JVNVU#12345678"), ("JVNVU#1234567", "JVNVU#12345678"), ("JVNVU#12345678", "JVNVU#12345678-2")])
    func aCaseIdInsideALongerIdIsNotNamed(caseId: String, named: String) throws {
        let documents = AnswerLinkTests.documents(about: named).map { ("\($0.format).json", $0.json) }
        for (filename, document) in documents {
            let n = try Notified(caseId: caseId)
            let outcome = try n.reply(with: document, filename: filename)
            #expect(try n.response() == .none, "\(filename) about \(named) applied to \(caseId)")
            #expect(try n.products().isEmpty)
            #expect(outcome.review?.contains("is about \(named), not \(caseId): not applied") == true, "\(outcome)")
        }
    }

    // MARK: - Products of one name

    /// Two products of one name with different ids stay two: told apart by the CSAF branch holding each (its
    /// version), or by the CycloneDX bom-ref.
    @Test func productsSharingANameButNotAnIdStayApart() throws {
        let n = try Notified()
        _ = try n.reply(with: """
            {"document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "Statement on JVNVU#12345678",
              "publisher": {"category": "vendor", "name": "Kagayaki", "namespace": "https://kagayaki.example"},
              "tracking": {"id": "KB-2", "status": "final", "version": "1", "current_release_date": "2026-12-11T02:00:00.000Z",
                "initial_release_date": "2026-12-11T02:00:00.000Z", "revision_history": []}},
             "product_tree": {"branches": [{"category": "vendor", "name": "Kagayaki", "branches": [
               {"category": "product_name", "name": "Kagayaki Browser", "branches": [
                 {"category": "product_version", "name": "12a", "product": {"name": "Kagayaki Browser", "product_id": "KB-12a"}},
                 {"category": "product_version", "name": "12b", "product": {"name": "Kagayaki Browser", "product_id": "KB-12b"}}]}]}]},
             "vulnerabilities": [{"ids": [{"system_name": "JVN", "text": "JVNVU#12345678"}],
               "product_status": {"known_affected": ["KB-12a"], "known_not_affected": ["KB-12b"]}}]}
            """, filename: "KB-2.json")
        #expect(try n.response() == .affected)
        #expect(try n.products() == ["Kagayaki Browser (12a): affected", "Kagayaki Browser (12b): not-affected"])

        let c = try Notified()
        _ = try c.reply(with: """
            {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
             "components": [{"bom-ref": "kb-desktop", "type": "application", "name": "Kagayaki Browser", "version": "12"},
                            {"bom-ref": "kb-mobile", "type": "application", "name": "Kagayaki Browser", "version": "12"}],
             "vulnerabilities": [
               {"id": "JVNVU#12345678", "analysis": {"state": "exploitable"}, "affects": [{"ref": "kb-desktop"}]},
               {"id": "JVNVU#12345678", "analysis": {"state": "not_affected"}, "affects": [{"ref": "kb-mobile"}]}]}
            """, filename: "kb.cdx.json")
        #expect(try c.response() == .affected)
        #expect(try c.products() == ["Kagayaki Browser 12 (kb-desktop): affected", "Kagayaki Browser 12 (kb-mobile): not-affected"])
    }
}
