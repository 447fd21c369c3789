import Foundation
import Hummingbird
import Registry

/// The fields of a submitted form (`application/x-www-form-urlencoded`) or of a JSON object sent by a script,
/// by name; a field may repeat.
///
/// ```swift
/// let response = try form.required("response")     // one line naming the field when missing
/// let orgs = form.values("org")                      // every value of a repeated field
/// ```
public struct DeskForm: Sendable {
    public private(set) var fields: [String: [String]] = [:]

    public init(fields: [String: [String]] = [:]) { self.fields = fields }

    /// The first value of `name`, trimmed; nil when absent or empty.
    public subscript(_ name: String) -> String? {
        guard let value = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// A checkbox `name` as a boolean, read one way for every desk action: "on", "true", "1" or "yes" is set;
    /// "0", "false", "off", "no", empty or absent is not.
    ///
    /// - Throws: `DeskFormError` naming the field for any other value.
    public func flag(_ name: String) throws -> Bool {
        guard let value = self[name]?.lowercased() else { return false }
        switch value {
        case "on", "true", "1", "yes": return true
        case "off", "false", "0", "no": return false
        default: throw DeskFormError("\(name) is a checkbox: give 1 (on) or 0 (off)")
        }
    }

    /// Every non-empty value of `name`.
    public func values(_ name: String) -> [String] {
        (fields[name] ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// The value of `name`; throws `DeskFormError` naming the field when it is absent or empty.
    public func required(_ name: String) throws -> String {
        guard let value = self[name] else { throw DeskFormError("\(name) is required") }
        return value
    }

    /// Parses `a=1&b=x+y` (`+` is a space, `%XX` a byte of UTF-8).
    public init(urlEncoded text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            let name = decode(parts[0])
            fields[name, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Parses a JSON object whose values are strings, numbers, booleans or arrays of them.
    public init(json data: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DeskFormError("the body is not a JSON object")
        }
        for (name, value) in object {
            let list = (value as? [Any]) ?? [value]
            fields[name] = list.map { item in
                if let text = item as? String { return text }
                if let flag = item as? Bool { return flag ? "true" : "false" }
                return "\(item)"
            }
        }
    }

    /// Reads the form of `request` (at most 1 MB): URL-encoded or JSON by its Content-Type; the request keeps its
    /// body for the route. Throws `DeskFormError` for a body too large or not understood.
    public static func read(from request: inout Request) async throws -> DeskForm {
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 1 << 20)
        } catch {
            throw DeskFormError("the form is larger than 1 MB", status: .contentTooLarge)
        }
        let data = Data(body.readableBytesView)
        let type = request.headers[.contentType]?.lowercased() ?? ""
        let form = type.hasPrefix("application/json") ? try DeskForm(json: data) : DeskForm(urlEncoded: String(decoding: data, as: UTF8.self))
        try form.refuseControlCharacters()
        return form
    }

    /// The fields that may hold several lines (tab, CR and LF allowed there).
    public static let multiLineFields: Set<String> = ["statement", "reason", "note", "comment", "body", "text"]

    /// Throws `DeskFormError` naming the first field (or field name) holding NUL or another control character: such
    /// a value could name one record to the desk and another to the store. Tab, CR and LF are allowed in
    /// `multiLineFields` only.
    public func refuseControlCharacters() throws {
        for (name, values) in fields.sorted(by: { $0.key < $1.key }) {
            if let bad = VisibleText.forbiddenControl(in: name) {
                throw DeskFormError("a field name contains the control character \(VisibleText.name(of: bad)): refused")
            }
            let multiLine = Self.multiLineFields.contains(name)
            for value in values {
                if let bad = VisibleText.forbiddenControl(in: value, multiLine: multiLine) {
                    throw DeskFormError("\(VisibleText.visible(name)) contains the control character \(VisibleText.name(of: bad)): refused")
                }
            }
        }
    }
}

/// A form field missing or not understood, in one line naming the field.
public struct DeskFormError: Error, CustomStringConvertible {
    public let description: String
    /// The HTTP status the refusal is answered with: 400, or 413 for a body over the limit.
    public let status: HTTPResponse.Status
    public init(_ description: String, status: HTTPResponse.Status = .badRequest) {
        self.description = description
        self.status = status
    }
}
