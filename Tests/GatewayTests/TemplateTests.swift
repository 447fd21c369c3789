import Foundation
import Testing
@testable import Gateway

@Suite struct TemplateTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates")

    static func context(case caseId: String = "JVNVU#12345678") -> TemplateValue {
        [
            "case": ["id": .string(caseId), "title": "TLS ライブラリにおける証明書検証不備 & <script>", "due": "2007-10-15",
                     "notifiedOn": "2007-09-01", "publishedOn": "2007-10-15"],
            "organization": ["id": "acme", "name": "ACME Networks & Co.", "localName": "アクメ・ネットワークス株式会社"],
            "sender": ["name": "Vulnerability Coordination", "address": "vuls@jpcert.example",
                       "organizationName": "JPCERT/CC", "organizationLocalName": "JPCERT コーディネーションセンター",
                       "organizationShortName": "JPCERT/CC", "fingerprint": "0123 4567 89AB CDEF"],
            "tracking": "[LSN-ABCD2345]",
            "escalation": ["organizationName": "ACME Networks & Co.", "organizationLocalName": "アクメ", "days": "42"],
            "incident": ["category": "scan", "categoryLabel": "スキャン", "summary": "port scans <from> 192.0.2.1 & 192.0.2.2"],
        ]
    }

    func tempTemplates(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    @Test func everyShippedTemplateRendersInJapaneseAndEnglish() throws {
        let library = try TemplateLibrary(directory: Self.shipped)
        #expect(library.names == ["due-changed", "escalation", "incident", "publication", "reminder", "vendor-initial"])
        for name in library.names {
            #expect(library.languages(of: name) == ["en", "ja"])
            for language in ["en", "ja"] {
                let template = try library.template(named: name, preferring: [language])
                let message = try library.render(template, context: Self.context())
                #expect(message.subject.contains("[LSN-ABCD2345]"), "\(name).\(language) subject carries the tracking reference")
                #expect(message.body.contains("0123 4567 89AB CDEF"), "\(name).\(language) shows the signing key fingerprint")
                #expect(!message.body.contains("&amp;") && !message.body.contains("&lt;"))
            }
        }
    }

    @Test func japaneseNoticeNamesTheCaseAndDueDateUnescaped() throws {
        let library = try TemplateLibrary(directory: Self.shipped)
        let message = try library.render(try library.template(named: "vendor-initial", preferring: ["ja"]), context: Self.context())
        #expect(message.subject == "[JVNVU#12345678] 脆弱性情報のご連絡 (非公開) [LSN-ABCD2345]")
        #expect(message.body.contains("TLS ライブラリにおける証明書検証不備 & <script>"))
        #expect(message.body.contains("2007-10-15"))
        #expect(message.body.hasPrefix("アクメ・ネットワークス株式会社\n"))
    }

    @Test func languageFallsBackToEnglish() throws {
        let library = try TemplateLibrary(directory: Self.shipped)
        #expect(try library.template(named: "reminder", preferring: ["ko"]).language == "en")
        #expect(try library.template(named: "reminder", preferring: ["ja-JP"]).language == "ja")
    }

    @Test func partialWithAmpersandAndAngleBracketsIsNotEscaped() throws {
        let dir = try tempTemplates([
            "note.en.mustache": "---\nsubject: \"{{title}}\"\n---\nHello {{name}}\n{{> footer}}\n",
            "_footer.mustache": "Tom & Jerry <{{address}}> {{{name}}}\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let library = try TemplateLibrary(directory: dir)
        let message = try library.render(try library.template(named: "note", preferring: ["en"]),
                                         context: ["title": "A & B <c>", "name": "R&D <team>", "address": "a@b.example"])
        #expect(message.subject == "A & B <c>")
        #expect(message.body == "Hello R&D <team>\nTom & Jerry <a@b.example> R&D <team>\n")
    }

    @Test func unknownVariableIsAnErrorNamingFileAndLine() throws {
        let dir = try tempTemplates([
            "note.en.mustache": "---\nsubject: \"{{case.id}}\"\n---\nLine one\nDue {{case.deu}}\n{{#contacts}}{{nme}}{{/contacts}}\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let library = try TemplateLibrary(directory: dir)
        let template = try library.template(named: "note", preferring: ["en"])
        let problems = library.problems(in: template, context: ["case": ["id": "VU#1"], "contacts": [["name": "A"]]])
        #expect(problems.count == 2)
        #expect(problems[0].hasSuffix("note.en.mustache:5: the context has no value for {{case.deu}}"))
        #expect(problems[1].hasSuffix("note.en.mustache:6: the context has no value for {{nme}}"))
        #expect(throws: GatewayError.missingVariable("")) {
            try library.render(template, context: ["case": ["id": "VU#1"], "contacts": [["name": "A"]]])
        }
    }

    @Test func templateWithoutSubjectIsRefused() throws {
        let dir = try tempTemplates(["note.en.mustache": "Hello\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: GatewayError.templateSyntax("")) { try TemplateLibrary(directory: dir) }
    }
}

/// A value with a line break never reaches a header: refused like CR LF, never turned into a space.
@Suite struct TemplateSubjectLineBreakTests {
    @Test(arguments: ["\n", "\r", "\r\n"])
    func aLineBreakFromAValueInTheSubjectIsRefused(lineBreak: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "---\nsubject: \"[{{case.id}}] {{case.title}}\"\n---\nBody\n".write(to: folder.appendingPathComponent("t.en.mustache"),
                                                                             atomically: true, encoding: .utf8)
        let library = try TemplateLibrary(directory: folder)
        let template = try library.template(named: "t", preferring: ["en"])
        let context: TemplateValue = ["case": ["id": "JVNVU#1", "title": .string("Title\(lineBreak)Bcc: victim@attacker.example")]]
        #expect(throws: GatewayError.input("")) { try library.render(template, context: context) }
    }
}
