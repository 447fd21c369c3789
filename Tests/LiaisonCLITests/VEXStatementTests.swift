import Foundation
import Testing
import TestSupport

/// A statement given in an attached VEX file — CSAF 2.0, OpenVEX, CycloneDX — is read product by product, kept
/// with the participant, shown by `case show` and exported in CSAF; a file about another vulnerability is listed
/// for review and changes nothing.
@Suite struct VEXStatementTests {
    static let caseId = "JVNVU#20261210"

    /// A vendor's CSAF 2.0 VEX document (profile csaf_vex) about `vulnerability`, for `products` (id, name, status
    /// key), each not-affected product with the flag `vulnerable_code_not_present`.
    static func csaf(vendor: String, vulnerability: [String: String], products: [(String, String, String)]) -> [String: Any] {
        var status: [String: [String]] = [:]
        for (id, _, key) in products { status[key, default: []].append(id) }
        let notAffected = status["known_not_affected"] ?? []
        let affected = (status["known_affected"] ?? [])
        var entry: [String: Any] = [
            "ids": [vulnerability.first.map { ["system_name": $0.key, "text": $0.value] }!],
            "notes": [["category": "description", "text": "TLS certificate check bypass."]],
            "product_status": status,
        ]
        if vulnerability.keys.first == "CVE" { entry = ["cve": vulnerability["CVE"]!, "product_status": status,
                                                        "notes": [["category": "description", "text": "Another flaw."]]] }
        if !notAffected.isEmpty {
            entry["flags"] = [["label": "vulnerable_code_not_present", "product_ids": notAffected]]
            entry["threats"] = [["category": "impact", "details": "The affected routine is not compiled in.", "product_ids": notAffected]]
        }
        if !affected.isEmpty {
            entry["remediations"] = [["category": "vendor_fix", "details": "Update to 3.2.", "product_ids": affected]]
        }
        return [
            "document": [
                "category": "csaf_vex", "csaf_version": "2.0", "distribution": ["tlp": ["label": "AMBER"]],
                "publisher": ["category": "vendor", "name": "Company \(vendor)", "namespace": "https://\(vendor).example"],
                "title": "\(vendor) statement",
                "tracking": ["current_release_date": "2026-12-05T02:00:00.000Z", "id": "\(vendor.uppercased())-VEX-1",
                             "initial_release_date": "2026-12-05T02:00:00.000Z",
                             "revision_history": [["date": "2026-12-05T02:00:00.000Z", "number": "1", "summary": "Initial statement."]],
                             "status": "final", "version": "1"],
            ],
            "product_tree": ["branches": [["category": "vendor", "name": "Company \(vendor)", "branches": products.map { id, name, _ in
                ["category": "product_name", "name": name, "product": ["name": name, "product_id": id]] as [String: Any]
            }]]],
            "vulnerabilities": [entry],
        ]
    }

    /// An OpenVEX 0.2.0 document with one statement per (product PURL, status, justification).
    static func openVEX(vulnerability: String, statements: [(String, String, String?)]) -> [String: Any] {
        [
            "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://kumo.example/vex/2026-0007",
            "author": "Kumo PSIRT", "timestamp": "2026-12-05T02:00:00Z", "version": 1,
            "statements": statements.map { purl, status, justification -> [String: Any] in
                var s: [String: Any] = ["vulnerability": ["name": vulnerability], "products": [["@id": purl]], "status": status]
                if let justification { s["justification"] = justification }
                if status == "affected" { s["action_statement"] = "Update to 2.4.1." }
                return s
            },
        ]
    }

    /// A CycloneDX 1.5 VEX with one vulnerability `id` analysed as `state` for each component (bom-ref, name, version).
    static func cycloneDX(id: String, state: String, components: [(String, String, String)]) -> [String: Any] {
        [
            "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "components": components.map { ["type": "application", "bom-ref": $0.0, "name": $0.1, "version": $0.2] },
            "vulnerabilities": [["id": id, "analysis": ["state": state, "detail": "Reachable through the sync API."],
                                 "affects": components.map { ["ref": $0.0] }]],
        ]
    }

    /// A reply of `org` to its notice with `document` attached as `type`, written to disk and validated first.
    static func reply(_ n: NotifiedCase, org: String, id: String, hoursAgo: Double, document: [String: Any], type: String,
                      filename: String, validate: (URL) throws -> Void) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        let file = n.ws.root.appendingPathComponent(filename)
        try data.write(to: file)
        try validate(file)
        let notice = try n.notice(org)
        let lines = data.base64EncodedString().chunked(76)
        return """
            From: PSIRT <psirt@\(org).example>
            To: vuls@csirt.example
            Subject: Re: \(notice.subject)
            Date: \(NotifiedCase.date(hoursAgo: hoursAgo))
            Message-ID: <\(id)>
            In-Reply-To: <\(notice.messageId)>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="vex-\(id)"

            --vex-\(id)
            Content-Type: text/plain; charset=utf-8

            Our statement is in the attached document.

            --vex-\(id)
            Content-Type: \(type); name="\(filename)"
            Content-Disposition: attachment; filename="\(filename)"
            Content-Transfer-Encoding: base64

            \(lines)
            --vex-\(id)--
            """
    }

    /// The shape the OpenVEX specification requires, checked with jsonschema (no OpenVEX validator is packaged).
    static func validateOpenVEX(_ file: URL) throws {
        let schema = """
            {"type": "object", "required": ["@context", "@id", "author", "timestamp", "version", "statements"],
             "properties": {"@context": {"type": "string", "pattern": "^https://openvex.dev/ns"},
              "statements": {"type": "array", "minItems": 1, "items": {"type": "object",
               "required": ["vulnerability", "status"],
               "properties": {"status": {"enum": ["not_affected", "affected", "fixed", "under_investigation"]},
                "justification": {"enum": ["component_not_present", "vulnerable_code_not_present",
                  "vulnerable_code_not_in_execute_path", "vulnerable_code_cannot_be_controlled_by_adversary",
                  "inline_mitigations_already_exist"]},
                "vulnerability": {"type": "object", "required": ["name"]}},
               "allOf": [{"if": {"properties": {"status": {"const": "not_affected"}}},
                          "then": {"anyOf": [{"required": ["justification"]}, {"required": ["impact_statement"]}]}},
                         {"if": {"properties": {"status": {"const": "affected"}}}, "then": {"required": ["action_statement"]}}]}}}}
            """
        // The Python on PATH: the one the CSAF validator was installed with, which brings jsonschema.
        let check = try runProcess("/usr/bin/env", ["python3", "-c", "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.loads(sys.argv[2]))",
                                                        file.path, schema])
        guard check.status == 0 else { throw FixtureError("OpenVEX document invalid: \(check.stderr)") }
    }

    @Test func statementsInCSAFOpenVEXAndCycloneDXFilesAreReadProductByProduct() throws {
        let n = try NotifiedCase(caseId: Self.caseId, developers: ["aozora", "kumo", "sakura", "hinode", "tomoe"]) { ws in
            try ws.temp.writeOrganization("test-csirt", CaseExportTests.publisherYAML)
        }
        // CSAF 2.0 VEX (application/csaf+json) on standard input: every product not affected.
        let csaf = try n.ingest(try Self.reply(n, org: "aozora", id: "csaf-1@aozora.example", hoursAgo: 30,
            document: Self.csaf(vendor: "aozora", vulnerability: ["JVN": Self.caseId],
                                products: [("AG-3", "Aozora Gateway 3.0 - 3.1", "known_not_affected"),
                                           ("AC-5", "Aozora Client 5.2", "known_not_affected")]),
            type: "application/csaf+json", filename: "AOZORA-VEX-1.json", validate: CSAFValidator.check))
        #expect(csaf.status == 0, "\(csaf.stderr)")
        // CSAF with one product affected, one fixed, from an mbox; OpenVEX (fixed, named by its tracking reference)
        // from the same mbox; CycloneDX VEX (exploitable) from a Maildir.
        let mbox = try n.ingestMbox([
            try Self.reply(n, org: "tomoe", id: "csaf-2@tomoe.example", hoursAgo: 29,
                           document: Self.csaf(vendor: "tomoe", vulnerability: ["JVN": Self.caseId],
                                               products: [("TV-1", "Tomoe VPN 3.1", "known_affected"), ("TV-2", "Tomoe VPN 3.2", "fixed")]),
                           type: "application/json", filename: "tomoe.json", validate: CSAFValidator.check),
            try Self.reply(n, org: "kumo", id: "openvex-1@kumo.example", hoursAgo: 28,
                           document: Self.openVEX(vulnerability: "\(Self.caseId) [\(try n.notice("kumo").tracking)]",
                                                  statements: [("pkg:generic/kumo-sync@2.4.1", "fixed", nil),
                                                               ("pkg:generic/kumo-agent@1.0", "fixed", nil)]),
                           type: "application/json", filename: "kumo.openvex.json", validate: Self.validateOpenVEX),
        ])
        #expect(mbox.status == 0, "\(mbox.stderr)")
        let maildir = try n.ingestMaildir([
            try Self.reply(n, org: "sakura", id: "cdx-1@sakura.example", hoursAgo: 27,
                           document: Self.cycloneDX(id: Self.caseId, state: "exploitable",
                                                    components: [("sakura-db@9.1", "Sakura DB", "9.1")]),
                           type: "application/vnd.cyclonedx+json", filename: "sakura.cdx.json", validate: { _ in }),
        ])
        #expect(maildir.status == 0, "\(maildir.stderr)")
        // A CSAF document about another vulnerability only: listed for review, nothing applied.
        let foreign = try n.ingest(try Self.reply(n, org: "hinode", id: "csaf-3@hinode.example", hoursAgo: 26,
            document: Self.csaf(vendor: "hinode", vulnerability: ["CVE": "CVE-2026-0001"],
                                products: [("HM-1", "Hinode Mobile 7", "known_not_affected")]),
            type: "application/csaf+json", filename: "hinode.json", validate: CSAFValidator.check))
        #expect(foreign.status == 0, "\(foreign.stderr)")

        let participants = try n.participants()
        #expect(participants["aozora"]?["response"] as? String == "not-affected")
        #expect(participants["tomoe"]?["response"] as? String == "affected")
        #expect(participants["kumo"]?["response"] as? String == "fixed")
        #expect(participants["sakura"]?["response"] as? String == "affected")
        #expect(participants["hinode"]?["response"] as? String == "none")
        let aozora = participants["aozora"]?["products"] as? [[String: Any]] ?? []
        #expect(aozora.map { $0["product"] as? String } == ["Aozora Client 5.2", "Aozora Gateway 3.0 - 3.1"])
        #expect(aozora.allSatisfy { $0["status"] as? String == "not-affected" && $0["justification"] as? String == "vulnerable_code_not_present"
                                    && $0["source"] as? String == "VEX file" && ($0["reference"] as? String)?.contains("CSAF 2.0 AOZORA-VEX-1.json") == true })
        #expect((participants["aozora"]?["statement"] as? String)?.contains("Aozora Gateway 3.0 - 3.1: not-affected") == true)
        #expect((participants["sakura"]?["products"] as? [[String: Any]])?.first?["product"] as? String == "Sakura DB 9.1")
        #expect((participants["kumo"]?["products"] as? [[String: Any]])?.count == 2)
        let table = try n.ws.liaison(["case", "show", Self.caseId])
        #expect(table.outputLines.contains { $0.hasPrefix("aozora") && $0.contains("Aozora Gateway 3.0 - 3.1") && $0.contains("not-affected")
                                            && $0.contains("vulnerable_code_not_present") }, "\(table.stdout)")
        let review = try n.review()
        #expect(review.contains { $0["messageId"] as? String == "csaf-3@hinode.example"
                                  && ($0["reviewReason"] as? String)?.contains("CVE-2026-0001") == true }, "\(review)")
        #expect(try n.wouldRemind() == ["hinode"])

        // The CSAF export carries each stated product with its status and justification, and is valid CSAF.
        let export = try n.ws.liaison(["case", "export", Self.caseId, "--format", "csaf"])
        #expect(export.status == 0, "\(export.stderr)")
        let file = n.ws.root.appendingPathComponent("export.json")
        try Data(export.stdout.utf8).write(to: file)
        try CSAFValidator.check(file)
        let document = try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any] ?? [:]
        let vulnerability = (document["vulnerabilities"] as? [[String: Any]])?.first ?? [:]
        let status = vulnerability["product_status"] as? [String: [String]] ?? [:]
        #expect(status["known_not_affected"]?.contains("CSAFPID-aozora-1") == true)
        #expect(status["known_affected"]?.contains("CSAFPID-tomoe-1") == true && status["fixed"]?.contains("CSAFPID-tomoe-2") == true)
        let flags = vulnerability["flags"] as? [[String: Any]] ?? []
        #expect(flags.contains { $0["label"] as? String == "vulnerable_code_not_present"
                                 && ($0["product_ids"] as? [String]) == ["CSAFPID-aozora-1", "CSAFPID-aozora-2"] }, "\(flags)")
        #expect(export.stdout.contains("\"Aozora Gateway 3.0 - 3.1\""))
    }

    /// A reply with a VEX file, held for a person (its writer is in no organisation), assigned with the status the
    /// person read in it: the person's reading is recorded, not the file's.
    @Test func aPersonsReadingOfAHeldReplyWinsOverItsVEXFile() throws {
        let n = try NotifiedCase(caseId: Self.caseId, developers: ["aozora"])
        let reply = try Self.reply(n, org: "aozora", id: "csaf-held@upstream.example", hoursAgo: 3,
            document: Self.csaf(vendor: "aozora", vulnerability: ["JVN": Self.caseId],
                                products: [("AG-3", "Aozora Gateway 3", "known_not_affected")]),
            type: "application/csaf+json", filename: "AOZORA-VEX-2.json", validate: { _ in })
            .replacingOccurrences(of: "From: PSIRT <psirt@aozora.example>", with: "From: maintainer@upstream.example")
        #expect(try n.ingest(reply).status == 0)
        #expect(try n.participants()["aozora"]?["response"] as? String == "none", "held for a person")
        #expect(try n.review().contains { $0["messageId"] as? String == "csaf-held@upstream.example" })
        let assign = try n.ws.liaison(["inbox", "assign", "csaf-held@upstream.example", Self.caseId, "aozora", "--response", "affected"])
        #expect(assign.status == 0, "\(assign.stderr)")
        let aozora = try n.participants()["aozora"]
        #expect(aozora?["response"] as? String == "affected", "\(String(describing: aozora))")
        let products = aozora?["products"] as? [[String: Any]] ?? []
        #expect(!products.contains { $0["status"] as? String == "not-affected" }, "the file's reading is not recorded: \(products)")
        #expect(aozora?["statement"] as? String == "Our statement is in the attached document.", "the reply's own words")
    }

    /// A VEX file whose product names hold U+0000 (JSON's `\u0000`) is read as any other: each product is kept with
    /// the NUL shown as `\u{0}`, as received mail keeps it, on both engines alike; nothing is cut short at it and
    /// the ingest does not fail.
    @Test func aNULInAVEXFilesProductNameIsKeptVisibly() throws {
        let n = try NotifiedCase(caseId: Self.caseId, developers: ["aozora"])
        let result = try n.ingest(try Self.reply(n, org: "aozora", id: "csaf-nul@aozora.example", hoursAgo: 3,
            document: Self.csaf(vendor: "aozora", vulnerability: ["JVN": Self.caseId],
                                products: [("AG-3", "Aozora\u{0} Gateway 3", "known_not_affected"),
                                           ("AG-4", "Aozora\u{0} Gateway 4", "known_not_affected")]),
            type: "application/csaf+json", filename: "AOZORA-VEX-NUL.json", validate: { _ in }))
        #expect(result.status == 0, "\(result.stderr)")
        let participant = try n.participants()["aozora"]
        #expect(participant?["response"] as? String == "not-affected")
        let products = (participant?["products"] as? [[String: Any]] ?? []).compactMap { $0["product"] as? String }
        #expect(products == ["Aozora\\u{0} Gateway 3", "Aozora\\u{0} Gateway 4"], "\(products)")
    }
}

extension String {
    /// The string cut into lines of `width` characters.
    func chunked(_ width: Int) -> String {
        var lines: [String] = []
        var rest = Substring(self)
        while !rest.isEmpty { lines.append(String(rest.prefix(width))); rest = rest.dropFirst(width) }
        return lines.joined(separator: "\n")
    }
}
