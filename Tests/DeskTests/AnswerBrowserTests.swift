import Foundation
import Testing
import TestSupport

/// The vendor's answer form in a real headless Chromium: the link taken from the notification as the SMTP server
/// received it, the form filled and sent, and the record read back with `liaison case show --format json`.
@Suite(.serialized, .enabled(if: BrowserScript.isAvailable)) struct AnswerBrowserTests {
    static let caseId = AnswerFixture.caseId

    @Test func aVendorAnswersPerProductInChromiumAndChangesItsAnswer() throws {
        let f = try AnswerFixture()
        defer { f.remove() }
        let path = try f.path("bluebird")
        let hostile = "Bluebird Switch <script>alert(1)</script>"
        let shot = BrowserScript.artefact("answer-form-\(UUID().uuidString.prefix(6)).png")
        let run = try f.browser([
            ["open": path],                                                     // 0
            ["text": "#case-id"],                                               // 1
            ["text": "#case-title"],                                            // 2
            ["text": "#case-tlp"],                                              // 3
            ["count": "#product-rows tr.product-row"],                          // 4
            ["fill": ["#product-rows tr.product-row:nth-child(1) input[name=name]": "Bluebird Router 3",
                      "#product-rows tr.product-row:nth-child(1) input[name=identifier]": "cpe:2.3:h:bluebird:router:3.0:*:*:*:*:*:*:*",
                      "#product-rows tr.product-row:nth-child(1) select[name=status]": "affected"]],   // 5
            ["click": "#add-row"],                                              // 6: the script adds a row, no page load
            ["count": "#product-rows tr.product-row"],                          // 7
            ["fill": ["#product-rows tr.product-row:nth-child(2) input[name=name]": hostile,
                      "#product-rows tr.product-row:nth-child(2) select[name=status]": "not_affected",
                      "#product-rows tr.product-row:nth-child(2) select[name=justification]": "component_not_present",
                      "#statement": "Router 3.0 is affected; a fix is planned. ルーターは影響を受けます。",
                      "#contact": "psirt@bluebird.example"]],                   // 8
            ["submit": "#submit"],                                              // 9
            ["text": "#notice"],                                                // 10
            ["count": "#current-products tbody tr"],                            // 11
            ["text": "#current-products"],                                      // 12
            ["alert": true],                                                    // 13
            ["console": true],                                                  // 14
            ["screenshot": shot.path],                                          // 15
        ])
        #expect(run.error == nil, "\(run.error ?? "")")
        #expect(run.text(1) == Self.caseId)
        #expect(run.text(2) == "TLS certificate check bypass")
        #expect(run.text(3) == "TLP:AMBER")
        #expect(run.int(4) == 1)
        #expect(run.int(7) == 2)
        #expect(run.text(9)?.hasSuffix("?saved=1") == true)
        #expect(run.text(10) == "Thank you: your answer was recorded.")
        #expect(run.int(11) == 2)
        #expect(run.text(12)?.contains(hostile) == true, "the product's name is shown as text")
        #expect(run.bool(13) == false, "no script from the vendor's text ran")
        #expect((run.results.count > 14 ? run.results[14] as? [Any] : nil)?.isEmpty == true, "console: \(run.results.count > 14 ? run.results[14] : "-")")

        var bluebird = try #require(try f.participants()["bluebird"])
        #expect(bluebird["response"] as? String == "affected")
        var products = bluebird["products"] as? [[String: Any]] ?? []
        #expect(products.map { $0["product"] as? String } == ["Bluebird Router 3", hostile])
        #expect(products.map { $0["status"] as? String } == ["affected", "not-affected"])
        #expect(products.allSatisfy { $0["source"] as? String == "answer link" })
        #expect(products.last?["justification"] as? String == "component_not_present")
        #expect(products.first?["productId"] as? String == "cpe:2.3:h:bluebird:router:3.0:*:*:*:*:*:*:*")
        #expect((bluebird["statement"] as? String)?.contains("ルーターは影響を受けます") == true)
        // Nothing reached the other vendor.
        #expect((try f.participants()["aozora"]?["products"] as? [Any])?.isEmpty == true)
        let table = try f.liaison(["case", "show", Self.caseId])
        #expect(table.split(separator: "\n").contains { $0.hasPrefix("bluebird") && $0.contains("Bluebird Router 3") && $0.contains("answer link") })

        // The vendor changes its answer: the router is fixed, the switch dropped. That is an event of its own.
        let change = try f.browser([
            ["open": path],                                                                                   // 0
            ["values": "#product-rows input[name=name]"],                                                     // 1
            ["fill": ["#product-rows tr.product-row:nth-child(1) select[name=status]": "fixed",
                      "#product-rows tr.product-row:nth-child(1) input[name=fixed_version]": "3.0.2",
                      "#product-rows tr.product-row:nth-child(2) input[name=name]": "",
                      "#product-rows tr.product-row:nth-child(2) select[name=status]": "",
                      "#product-rows tr.product-row:nth-child(2) select[name=justification]": ""]],         // 2
            ["submit": "#submit"],                                                                            // 3
            ["count": "#current-products tbody tr"],                                                          // 4
        ])
        #expect(change.error == nil, "\(change.error ?? "")")
        #expect(change.strings(1) == ["Bluebird Router 3", hostile, ""], "the current answer fills the form")
        #expect(change.int(4) == 1)
        bluebird = try #require(try f.participants()["bluebird"])
        #expect(bluebird["response"] as? String == "fixed")
        products = bluebird["products"] as? [[String: Any]] ?? []
        #expect(products.count == 1 && products.first?["fixedVersion"] as? String == "3.0.2")
        let events = try eventActions(f, actor: "answer-link:bluebird")
        #expect(events == ["participant.products", "participant.response", "participant.products", "participant.response"])
        try f.liaison(["audit", "verify"])   // the hash-chained log holds every answer and still verifies

        // The CSAF export of the case: one product per named product with its status, the vendor's involvement
        // naming the answer link; valid by the OASIS schema and the csaf validator's mandatory tests.
        let output = f.root.appendingPathComponent("case.csaf.json")
        try f.liaison(["case", "export", Self.caseId, "--format", "csaf", "--output", output.path])
        try CSAFValidator.check(output)
        let csaf = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any] ?? [:]
        let vulnerability = try #require((csaf["vulnerabilities"] as? [[String: Any]])?.first)
        let status = vulnerability["product_status"] as? [String: Any] ?? [:]
        #expect(status["fixed"] as? [String] == ["CSAFPID-bluebird-1"])
        let involvements = vulnerability["involvements"] as? [[String: Any]] ?? []
        #expect(involvements.contains { ($0["summary"] as? String)?.contains("bluebird") == true
                                        && ($0["summary"] as? String)?.contains("source: answer link") == true
                                        && $0["status"] as? String == "completed" })
        let tree = csaf["product_tree"] as? [String: Any]
        let vendor = (tree?["branches"] as? [[String: Any]])?.first { $0["name"] as? String == "Company bluebird" }
        let product = ((vendor?["branches"] as? [[String: Any]])?.first?["product"] as? [String: Any])
        #expect(product?["name"] as? String == "Bluebird Router 3")
        #expect((product?["product_identification_helper"] as? [String: Any])?["cpe"] as? String == "cpe:2.3:h:bluebird:router:3.0:*:*:*:*:*:*:*")
        // The team sees it on the desk's case page: the response and its source, the answer link.
        try DeskServerProcess.addUser("alice", role: "coordinator", password: "correct horse battery staple", workspace: f.root)
        let desk = try f.browser([
            ["login": ["name": "alice", "password": "correct horse battery staple"]],
            ["open": "/cases/JVNVU%2388880001"],
            ["text": "tr[data-org=bluebird] td.r"],
            ["text": "tr[data-org=bluebird] td.s"],
        ])
        #expect(desk.error == nil, "\(desk.error ?? "")")
        #expect(desk.text(2)?.hasPrefix("fixed") == true)
        #expect(desk.text(3)?.hasPrefix("answer link") == true, "\(desk.text(3) ?? "-")")
        print("screenshot: \(shot.path)")
    }

    @Test func aVEXDocumentIsUploadedShownBackAndRecordedOnConfirmationInJapanese() throws {
        let f = try AnswerFixture()
        defer { f.remove() }
        let file = f.root.appendingPathComponent("aozora-vex.cdx.json")
        try Data("""
            {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
             "components": [{"bom-ref": "pkg:generic/aozora-gateway@3.1", "type": "application", "name": "Aozora Gateway", "version": "3.1"},
                            {"bom-ref": "pkg:generic/aozora-client@5.2", "type": "application", "name": "Aozora Client", "version": "5.2"}],
             "vulnerabilities": [
               {"id": "\(Self.caseId)", "analysis": {"state": "not_affected", "justification": "code_not_present"},
                "affects": [{"ref": "pkg:generic/aozora-gateway@3.1"}]},
               {"id": "\(Self.caseId)", "analysis": {"state": "exploitable", "detail": "<b>update</b> to 5.3"},
                "affects": [{"ref": "pkg:generic/aozora-client@5.2"}]}]}
            """.utf8).write(to: file)
        let run = try f.browser([
            ["language": "ja"],
            ["open": try f.path("aozora")],                   // 0
            ["text": "h1"],                                   // 1
            ["text": "#case-title"],                          // 2
            ["upload": ["#document": file.path]],             // 3
            ["submit": "#upload-button"],                     // 4
            ["text": "h1"],                                   // 5
            ["text": "#confirm-products"],                    // 6
            ["count": "#names-none"],                         // 7
            ["fill": ["#statement": "Gateway は影響を受けません。"]],  // 8
            ["submit": "#confirm"],                           // 9
            ["text": "#notice"],                              // 10
            ["text": "#current-products"],                    // 11
            ["alert": true],                                  // 12
        ])
        #expect(run.error == nil, "\(run.error ?? "")")
        #expect(run.text(1) == "ご回答")
        #expect(run.text(2) == "TLS 証明書検証の不備")
        #expect(run.text(5) == "内容のご確認")
        #expect(run.text(6)?.contains("Aozora Gateway 3.1") == true && run.text(6)?.contains("影響なし") == true)
        #expect(run.text(6)?.contains("Aozora Client 5.2") == true && run.text(6)?.contains("影響あり") == true)
        #expect(run.int(7) == 0)
        #expect(run.text(10) == "ありがとうございます。ご回答を記録しました。")
        #expect(run.text(11)?.contains("CycloneDX aozora-vex.cdx.json") == false)
        #expect(run.bool(12) == false)
        let aozora = try #require(try f.participants()["aozora"])
        #expect(aozora["response"] as? String == "affected")
        let products = aozora["products"] as? [[String: Any]] ?? []
        #expect(products.map { $0["product"] as? String } == ["Aozora Client 5.2", "Aozora Gateway 3.1"])
        #expect(products.allSatisfy { $0["source"] as? String == "answer link" && ($0["reference"] as? String)?.contains("CycloneDX aozora-vex.cdx.json") == true })
        #expect(products.last?["justification"] as? String == "vulnerable_code_not_present")
    }

    func eventActions(_ f: AnswerFixture, actor: String) throws -> [String] {
        let store = f.root.appendingPathComponent(".liaison/registry.sqlite").path
        let run = try runProcess("/usr/bin/sqlite3", [store, "SELECT action FROM event WHERE actor = '\(actor)' ORDER BY id"])
        return String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
