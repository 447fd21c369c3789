import Foundation
import Testing
@testable import Mail

@Suite struct MIMEEntityTests {
    @Test func japaneseAttachmentNameUsesRFC2231() throws {
        let name = "脆弱性報告書_2025年度第1四半期_株式会社サンプル製作所御中.pdf"
        let entity = MIMEEntity.attachment(Attachment(filename: name, data: Data([0x25, 0x50, 0x44, 0x46, 0xFF, 0x00])))
        let header = headerSection(entity.serialized())
        #expect(header.contains("filename*0*=utf-8''%E8%84%86"))
        #expect(header.contains("Content-Type: application/pdf;"))
        #expect(header.contains("Content-Transfer-Encoding: base64"))
        #expect(header.contains("Content-Disposition: attachment;"))
        for line in header.components(separatedBy: "\r\n") {
            #expect(line.utf8.count < 78, "\(line)")
            #expect(line.utf8.allSatisfy { $0 < 0x80 })
        }
        let message = Message(from: sender, to: [vendor], subject: "添付", body: .mixed([.text("本文"), entity]))
        let parsed = try ParsedMessage(bytes: try message.serialized())
        let part = try #require(parsed.root.parts.last)
        #expect(part.filename == name)
        #expect(part.isAttachment)
        #expect(part.decodedBody == Data([0x25, 0x50, 0x44, 0x46, 0xFF, 0x00]))
    }

    @Test func shortNamesUseOneParameter() {
        let japanese = headerSection(MIMEEntity.attachment(Attachment(filename: "報告.txt", data: Data("a".utf8))).serialized())
        #expect(japanese.contains("filename*=utf-8''%E5%A0%B1%E5%91%8A.txt"))
        #expect(japanese.contains("Content-Type: text/plain; charset=utf-8;"))
        let ascii = headerSection(MIMEEntity.attachment(Attachment(filename: "my report.pdf", data: Data())).serialized())
        #expect(ascii.contains("filename=\"my report.pdf\""))
    }

    @Test func fileNamesCannotInjectHeaders() throws {
        let entity = MIMEEntity.attachment(Attachment(filename: "../../evil\r\nBcc: x@y.example.pdf", data: Data()))
        let header = headerSection(entity.serialized())
        #expect(!header.contains("\r\nBcc"))
        let parsed = try ParsedMessage(bytes: Message(from: sender, to: [vendor], subject: "x", body: entity).serialized())
        #expect(parsed.root.filename == "evil__Bcc: x@y.example.pdf")
    }

    @Test(arguments: [
        ("report.pdf", "application/pdf"), ("notes.TXT", "text/plain"), ("poc.zip", "application/zip"),
        ("data.json", "application/json"), ("feed.xml", "application/xml"), ("page.html", "text/html"),
        ("shot.png", "image/png"), ("photo.JPG", "image/jpeg"), ("logs.tar.gz", "application/gzip"),
        ("src.tar", "application/x-tar"), ("main.c", "text/x-c"), ("exploit.py", "text/x-python"),
        ("fix.sh", "application/x-sh"), ("README.md", "text/markdown"), ("fix.patch", "text/x-diff"),
        ("fix.diff", "text/x-diff"), ("blob", "application/octet-stream"), ("weird.xyz", "application/octet-stream"),
    ])
    func mediaTypeIsGuessedFromTheExtension(_ filename: String, _ expected: String) {
        #expect(Attachment(filename: filename, data: Data()).mediaType == expected)
    }

    @Test func explicitMediaTypeWinsWhenValid() {
        #expect(Attachment(filename: "a.bin", data: Data(), mediaType: "Application/PGP-Keys").mediaType == "application/pgp-keys")
        #expect(Attachment(filename: "a.pdf", data: Data(), mediaType: "not a type").mediaType == "application/pdf")
    }

    @Test func readsAttachmentFilesAndReportsMissingOnes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mail-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("advisory.json")
        try Data("{}".utf8).write(to: file)
        let attachment = try Attachment(contentsOf: file)
        #expect(attachment.filename == "advisory.json")
        #expect(attachment.mediaType == "application/json")
        #expect(attachment.data == Data("{}".utf8))
        let missing = folder.appendingPathComponent("missing.pdf")
        do {
            _ = try Attachment(contentsOf: missing)
            Issue.record("expected an error")
        } catch {
            #expect(error == .unreadableAttachment)
            #expect(error.description.contains(missing.path))
        }
    }

    @Test func base64LinesAre76Characters() {
        let data = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let entity = MIMEEntity.attachment(Attachment(filename: "x.bin", data: data))
        let lines = crlfLines(entity.body).dropLast()
        #expect(lines.dropLast().allSatisfy { $0.utf8.count == 76 })
        #expect(Base64Lines.decode(entity.body) == data)
    }

    @Test func multipartBoundariesDifferAndAreAbsentFromContent() throws {
        let inner = MIMEEntity.mixed([.text("one"), .text("two")])
        let outer = MIMEEntity.mixed([inner, .text("three")])
        let signed = MIMEEntity.signed(content: outer, signature: Data("-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n".utf8), micalg: "pgp-sha256")
        let text = String(decoding: signed.serialized(), as: UTF8.self)
        let boundaries = [inner, outer, signed].map { entity in
            String(entity.headerFields[0].value.components(separatedBy: "boundary=\"")[1].dropLast())
        }
        #expect(Set(boundaries).count == 3)
        for boundary in boundaries {
            #expect(boundary.hasPrefix("=_") && boundary.count >= 26)
            // The boundary appears only in its Content-Type and in delimiter lines.
            let occurrences = text.components(separatedBy: boundary).count - 1
            let delimiterLines = text.components(separatedBy: "\r\n").filter { $0.hasPrefix("--" + boundary) }.count
            #expect(occurrences == delimiterLines + 1)
        }
        // A fresh entity gets a fresh boundary.
        #expect(MIMEEntity.mixed([.text("one")]).headerFields[0].value != MIMEEntity.mixed([.text("one")]).headerFields[0].value)
    }

    @Test func signedFollowsRFC3156() throws {
        let content = MIMEEntity.text("署名付き本文")
        let signature = Data("-----BEGIN PGP SIGNATURE-----\n\niHUEARYIAB0WIQQ=\n=abcd\n-----END PGP SIGNATURE-----\n".utf8)
        let signed = MIMEEntity.signed(content: content, signature: signature, micalg: "PGP-SHA256")
        let contentType = try #require(ContentType(headerValue: signed.headerFields[0].value))
        #expect(contentType.mediaType == "multipart/signed")
        #expect(contentType.parameters["micalg"] == "pgp-sha256")
        #expect(contentType.parameters["protocol"] == "application/pgp-signature")
        let parsed = try ParsedMessage(bytes: Message(from: sender, to: [vendor], subject: "s", body: signed).serialized())
        let (first, second) = try #require(parsed.root.signedParts)
        #expect(first.rawBytes == content.serialized())
        #expect(second.contentType.mediaType == "application/pgp-signature")
        #expect(second.contentType.parameters["name"] == "signature.asc")
        #expect(second.body == LineEndings.crlf(signature))
    }

    @Test func encryptedFollowsRFC3156() throws {
        let armored = Data("-----BEGIN PGP MESSAGE-----\n\nhF4DAAAA\n=wxyz\n-----END PGP MESSAGE-----\n".utf8)
        let entity = MIMEEntity.encrypted(armoredCiphertext: armored)
        let parsed = try ParsedMessage(bytes: Message(from: sender, to: [vendor], subject: "e", body: entity).serialized())
        #expect(parsed.root.contentType.mediaType == "multipart/encrypted")
        #expect(parsed.root.contentType.parameters["protocol"] == "application/pgp-encrypted")
        #expect(parsed.root.parts.count == 2)
        #expect(parsed.root.parts[0].contentType.mediaType == "application/pgp-encrypted")
        #expect(parsed.root.parts[0].text == "Version: 1\r\n")
        #expect(parsed.root.parts[1].contentType.mediaType == "application/octet-stream")
        #expect(parsed.root.parts[1].decodedBody == LineEndings.crlf(armored))
    }
}
