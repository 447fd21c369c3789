import Foundation

/// A MIME entity (RFC 2045/2046): content headers and a body, already in canonical wire form —
/// CRLF line ends, 7-bit, lines of at most 76 characters — so `serialized()` is exactly what a
/// signature covers and no relay needs to re-encode it.
///
/// ```swift
/// let content = MIMEEntity.mixed([.text("本文"), .attachment(report)])
/// let signature = try signer.signDetached(content.serialized())
/// let body = MIMEEntity.signed(content: content, signature: signature, micalg: "pgp-sha256")
/// ```
public struct MIMEEntity: Sendable {
    /// The content header fields, each folded, without the final CRLF.
    let headerLines: [String]
    /// The body bytes: 7-bit, CRLF line ends.
    public let body: Data

    init(headerLines: [String], body: Data) {
        self.headerLines = headerLines
        self.body = body
    }

    /// The content header fields, unfolded: `Content-Type`, `Content-Transfer-Encoding`, ….
    public var headerFields: [(name: String, value: String)] {
        headerLines.map { line in
            let unfolded = line.replacingOccurrences(of: "\r\n", with: "")
            let colon = unfolded.firstIndex(of: ":") ?? unfolded.endIndex
            let value = colon < unfolded.endIndex ? String(unfolded[unfolded.index(after: colon)...]) : ""
            return (String(unfolded[..<colon]), HeaderText.trimmingWSP(value))
        }
    }

    /// The media type of this entity, such as `multipart/signed`.
    public var mediaType: String {
        let value = headerFields.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        return String(value.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The exact canonical bytes: header fields, an empty line, the body. This is what gets signed.
    public func serialized() -> Data {
        var out = Data()
        out.reserveCapacity(body.count + 256)
        for line in headerLines {
            out.append(contentsOf: line.utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        out.append(contentsOf: [0x0D, 0x0A])
        out.append(body)
        return out
    }

    // MARK: - Leaves

    /// A text part with `charset=utf-8`: 7bit when the text is ASCII with short lines and nothing a
    /// relay could alter, otherwise quoted-printable. Line ends become CRLF and the text ends with one.
    public static func text(_ text: String, subtype: String = "plain") -> MIMEEntity {
        var normalized = text
        if let last = normalized.unicodeScalars.last, last != "\n" && last != "\r" { normalized += "\n" }
        if normalized.isEmpty { normalized = "\n" }
        let sevenBit = isSafeSevenBit(normalized)
        let body = sevenBit ? Data(LineEndings.normalizedCRLF(Array(normalized.utf8))) : QuotedPrintable.encode(normalized)
        let cleanSubtype = subtype.lowercased().unicodeScalars.filter(HeaderText.isTokenChar)
        let headers = [
            MIMEParameters.field("Content-Type", "text/\(cleanSubtype.isEmpty ? "plain" : String(String.UnicodeScalarView(cleanSubtype)))",
                                 [("charset", "utf-8")]),
            "Content-Transfer-Encoding: \(sevenBit ? "7bit" : "quoted-printable")",
        ]
        return MIMEEntity(headerLines: headers, body: body)
    }

    /// An attachment: base64 in lines of 76, `Content-Disposition: attachment` with the file name
    /// (RFC 2231 `filename*=utf-8''…` when it is not ASCII).
    public static func attachment(_ attachment: Attachment) -> MIMEEntity {
        var typeParameters: [(name: String, value: String)] = []
        if attachment.mediaType.hasPrefix("text/"), String(data: attachment.data, encoding: .utf8) != nil {
            typeParameters.append(("charset", "utf-8"))
        }
        typeParameters.append(("name", attachment.filename))
        let headers = [
            MIMEParameters.field("Content-Type", attachment.mediaType, typeParameters),
            "Content-Transfer-Encoding: base64",
            MIMEParameters.field("Content-Disposition", "attachment", [("filename", attachment.filename)]),
        ]
        return MIMEEntity(headerLines: headers, body: Base64Lines.encode(attachment.data))
    }

    // MARK: - Multiparts

    /// `multipart/mixed` holding `parts` in order, with a fresh random boundary.
    public static func mixed(_ parts: [MIMEEntity]) -> MIMEEntity {
        multipart(subtype: "mixed", parameters: [], parts: parts.map { $0.serialized() })
    }

    /// `multipart/alternative` (for example plain text and HTML), with a fresh random boundary.
    public static func alternative(_ parts: [MIMEEntity]) -> MIMEEntity {
        multipart(subtype: "alternative", parameters: [], parts: parts.map { $0.serialized() })
    }

    /// RFC 3156 §5 `multipart/signed`: `content` exactly as serialized, then the detached signature
    /// as `application/pgp-signature` (`signature.asc`). `micalg` is the hash, such as `pgp-sha256`.
    public static func signed(content: MIMEEntity, signature: Data, micalg: String) -> MIMEEntity {
        let signaturePart = MIMEEntity(
            headerLines: [
                MIMEParameters.field("Content-Type", "application/pgp-signature", [("name", "signature.asc")]),
                "Content-Description: OpenPGP digital signature",
                MIMEParameters.field("Content-Disposition", "attachment", [("filename", "signature.asc")]),
            ] + transferEncodingLine(for: signature),
            body: sevenBitBody(signature))
        let algorithm = String(String.UnicodeScalarView(micalg.lowercased().unicodeScalars.filter(HeaderText.isTokenChar)))
        return multipart(subtype: "signed",
                         parameters: [("micalg", algorithm), ("protocol", "application/pgp-signature")],
                         parts: [content.serialized(), signaturePart.serialized()],
                         preamble: "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)")
    }

    /// RFC 3156 §4 `multipart/encrypted`: the `application/pgp-encrypted` control part
    /// (`Version: 1`), then the armored ciphertext as `application/octet-stream`.
    public static func encrypted(armoredCiphertext: Data) -> MIMEEntity {
        let control = MIMEEntity(
            headerLines: ["Content-Type: application/pgp-encrypted",
                          "Content-Description: PGP/MIME version identification"],
            body: Data("Version: 1\r\n".utf8))
        let payload = MIMEEntity(
            headerLines: [
                MIMEParameters.field("Content-Type", "application/octet-stream", [("name", "encrypted.asc")]),
                "Content-Description: OpenPGP encrypted message",
                MIMEParameters.field("Content-Disposition", "inline", [("filename", "encrypted.asc")]),
            ] + transferEncodingLine(for: armoredCiphertext),
            body: sevenBitBody(armoredCiphertext))
        return multipart(subtype: "encrypted",
                         parameters: [("protocol", "application/pgp-encrypted")],
                         parts: [control.serialized(), payload.serialized()],
                         preamble: "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)")
    }

    private static func multipart(subtype: String, parameters: [(name: String, value: String)],
                                  parts: [Data], preamble: String? = nil) -> MIMEEntity {
        let boundary = Boundary.random(avoiding: parts)
        let delimiter = Data("--\(boundary)".utf8)
        let crlf = Data([0x0D, 0x0A])
        var body = Data()
        if let preamble { body.append(contentsOf: preamble.utf8); body.append(crlf) }
        for part in parts {
            body.append(delimiter)
            body.append(crlf)
            body.append(part)
            // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1), not to the part.
            body.append(crlf)
        }
        body.append(delimiter)
        body.append(contentsOf: "--".utf8)
        body.append(crlf)
        let header = MIMEParameters.field("Content-Type", "multipart/\(subtype)", parameters + [("boundary", boundary)])
        return MIMEEntity(headerLines: [header], body: body)
    }

    /// Armored OpenPGP data is ASCII: sent as is with CRLF line ends. Anything else goes as base64.
    private static func sevenBitBody(_ data: Data) -> Data {
        guard isASCIIText(data) else { return Base64Lines.encode(data) }
        var body = LineEndings.normalizedCRLF(data)
        if !body.isEmpty && body.last != 0x0A { body.append(contentsOf: [0x0D, 0x0A]) }
        return body
    }

    private static func transferEncodingLine(for data: Data) -> [String] {
        isASCIIText(data) ? [] : ["Content-Transfer-Encoding: base64"]
    }

    private static func isASCIIText(_ data: Data) -> Bool {
        var lineLength = 0
        for byte in data {
            if byte == 0x0A || byte == 0x0D { lineLength = 0; continue }
            if byte >= 0x80 || (byte < 0x20 && byte != 0x09) { return false }
            lineLength += 1
            if lineLength > 76 { return false }
        }
        return true
    }

    /// 7bit is safe when every line is short printable ASCII that no relay would change:
    /// no trailing whitespace, no leading `From ` or `.`.
    private static func isSafeSevenBit(_ text: String) -> Bool {
        for line in LineEndings.lines(of: text) {
            if line.count > QuotedPrintable.maximumLineLength { return false }
            if line.contains(where: { !($0.value >= 0x20 && $0.value < 0x7F) && $0 != "\t" }) { return false }
            if let last = line.last, HeaderText.isWSP(last) { return false }
            if line.first == "." { return false }
            if line.starts(with: "From ".unicodeScalars) { return false }
        }
        return true
    }
}
