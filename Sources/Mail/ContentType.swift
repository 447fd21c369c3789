import Foundation

/// A parsed `Content-Type`: media type lowercased and parameters, RFC 2231 continuations and
/// charsets resolved.
public struct ContentType: Sendable, Equatable, CustomStringConvertible {
    /// The top-level type, lowercased: `text`, `multipart`, …
    public let type: String
    /// The subtype, lowercased: `plain`, `signed`, …
    public let subtype: String
    /// Parameters by lowercased name, values decoded.
    public let parameters: [String: String]

    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// Parses a header value; nil when it does not start with `type/subtype`.
    public init?(headerValue: String) {
        let parsed = MIMEHeaderValue(headerValue)
        let parts = parsed.value.split(separator: "/", maxSplits: 1).map { HeaderText.trimmingWSP(String($0)) }
        guard parts.count == 2, HeaderText.isToken(parts[0]), HeaderText.isToken(parts[1]) else { return nil }
        self.init(type: parts[0], subtype: parts[1], parameters: parsed.parameters)
    }

    /// RFC 2045's default: `text/plain; charset=us-ascii`.
    public static let textPlain = ContentType(type: "text", subtype: "plain", parameters: ["charset": "us-ascii"])
    /// The default inside `multipart/digest`.
    public static let messageRFC822 = ContentType(type: "message", subtype: "rfc822")

    /// `type/subtype`.
    public var mediaType: String { "\(type)/\(subtype)" }
    public var isMultipart: Bool { type == "multipart" }
    /// The `charset` parameter, lowercased.
    public var charset: String? { parameters["charset"]?.lowercased() }
    /// The `boundary` parameter.
    public var boundary: String? { parameters["boundary"] }

    public var description: String {
        ([mediaType] + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: "; ")
    }
}

/// A MIME header value with parameters (`Content-Type`, `Content-Disposition`), parsed tolerantly.
struct MIMEHeaderValue {
    /// The part before the first `;`, trimmed.
    var value: String
    var parameters: [String: String]

    init(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var main = String.UnicodeScalarView()
        var commentDepth = 0
        while index < scalars.count && (scalars[index] != ";" || commentDepth > 0) {
            let scalar = scalars[index]
            if scalar == "(" { commentDepth += 1 } else if scalar == ")" && commentDepth > 0 { commentDepth -= 1 }
            else if commentDepth == 0 { main.append(scalar) }
            index += 1
        }
        value = HeaderText.trimmingWSP(String(main))
        var raw: [(name: String, value: String)] = []
        while index < scalars.count {
            index += 1 // the ";"
            var name = String.UnicodeScalarView()
            while index < scalars.count, scalars[index] != "=", scalars[index] != ";" {
                name.append(scalars[index])
                index += 1
            }
            guard index < scalars.count, scalars[index] == "=" else { continue }
            index += 1
            while index < scalars.count, HeaderText.isWSP(scalars[index]) { index += 1 }
            var parameterValue = String.UnicodeScalarView()
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    parameterValue.append(scalars[index])
                    index += 1
                }
                index += 1
                while index < scalars.count, scalars[index] != ";" { index += 1 }
            } else {
                while index < scalars.count, scalars[index] != ";" {
                    if scalars[index] == "(" { break }
                    parameterValue.append(scalars[index])
                    index += 1
                }
                while index < scalars.count, scalars[index] != ";" { index += 1 }
                parameterValue = HeaderText.trimmingWSP(String(parameterValue)).unicodeScalars
            }
            let key = HeaderText.trimmingWSP(String(name)).lowercased()
            if !key.isEmpty { raw.append((key, String(parameterValue))) }
        }
        parameters = Self.resolveRFC2231(raw)
    }

    /// Joins `name*0`, `name*1*`, … and decodes `name*=charset'lang'%XX` (RFC 2231); an extended
    /// value wins over a plain one of the same name, as senders write both for old readers.
    private static func resolveRFC2231(_ raw: [(name: String, value: String)]) -> [String: String] {
        struct Segment { var index: Int; var extended: Bool; var value: String }
        var plain: [String: String] = [:]
        var segmented: [String: [Segment]] = [:]
        for (name, value) in raw {
            var base = Substring(name)
            var extended = false
            if base.hasSuffix("*") { extended = true; base = base.dropLast() }
            if let star = base.lastIndex(of: "*"), let number = Int(base[base.index(after: star)...]) {
                segmented[String(base[..<star]), default: []].append(Segment(index: number, extended: extended, value: value))
            } else if extended {
                segmented[String(base), default: []].append(Segment(index: -1, extended: true, value: value))
            } else if plain[name] == nil {
                plain[name] = value
            }
        }
        var result = plain
        for (name, unsorted) in segmented {
            let segments = unsorted.sorted { $0.index < $1.index }
            var charset: String?
            var bytes = Data()
            for (position, segment) in segments.enumerated() {
                var value = Substring(segment.value)
                if segment.extended {
                    if position == 0 {
                        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                        if pieces.count == 3 {
                            charset = String(pieces[0])
                            value = pieces[2]
                        }
                    }
                    bytes.append(percentDecoded(value))
                } else {
                    bytes.append(contentsOf: value.utf8)
                }
            }
            if let decoded = Charset.decode(bytes, charset: charset?.isEmpty == false ? charset : "utf-8") {
                result[name] = decoded
            }
        }
        return result
    }

    private static func percentDecoded(_ text: Substring) -> Data {
        let bytes = Array(text.utf8)
        var out = Data()
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
               let value = Hex.pair(bytes[index + 1], bytes[index + 2]) {
                out.append(value)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}
