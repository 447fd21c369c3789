import Foundation
import Hummingbird
import Mustache
import Registry

/// Renders pages into responses: the HTML page inside the layout, or the same model as JSON.
public struct DeskRenderer: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        do {
            try library.register(DeskTemplates.layoutSource, named: "layout")
            try library.register(DeskTemplates.caseRowSource, named: "caseRow")
        } catch {
            fatalError("the desk's layout does not compile: \(error)")
        }
        self.library = library
    }

    /// The HTML of `page` in the layout, for the request's user, language and session notice.
    public func html(_ page: some DeskPage, context: DeskRequestContext, notice: DeskNotice?, path: String, query: String?) throws -> String {
        let bytes = try body(page, context: context, notice: notice, path: path, query: query)
        return bytes.getString(at: bytes.readerIndex, length: bytes.readableBytes) ?? ""
    }

    /// The same HTML as the bytes of a response body. The page's `htmlParts` are not given to Mustache: the frame is
    /// rendered with a marker where each goes (`{{{html.NAME}}}`), and the part's bytes are written in its place.
    public func body(_ page: some DeskPage, context: DeskRequestContext, notice: DeskNotice?, path: String, query: String?) throws -> ByteBuffer {
        let model = try page.templateModel()
        // Every string Mustache writes is made visible first (`\u{202E}`, `\u{0}`), as `DeskHTML.escape` does; the
        // labels are the desk's own text (`DeskLabels`), written as they are.
        var data: [String: Any] = Self.visible([
            "page": model,
            "title": page.title,
            "desk": layout(section: type(of: page).section, context: context, notice: notice, path: path, query: query),
        ]) as? [String: Any] ?? [:]
        data["labels"] = context.labels
        let parts = page.htmlParts(labels: context.labels)
        if !parts.isEmpty {
            data["html"] = Dictionary(uniqueKeysWithValues: parts.keys.map { ($0, Self.marker($0)) })
        }
        let frame = type(of: page).template.template.render(data, library: library)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(frame.utf8.count + parts.values.reduce(0) { $0 + $1.count })
        var frameBytes = frame
        frameBytes.withUTF8 { utf8 in
            var written = 0
            let markers = parts.map { (name: $0.key, bytes: Array(Self.marker($0.key).utf8)) }
            var index = 0
            // Each `<` of the frame may start a marker (only a few do: a frame has little markup).
            while index < utf8.count {
                if utf8[index] == UInt8(ascii: "<"),
                   let marker = markers.first(where: { index + $0.bytes.count <= utf8.count && $0.bytes.elementsEqual(utf8[index..<(index + $0.bytes.count)]) }) {
                    buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[written..<index]))
                    parts[marker.name]?.write(into: &buffer)
                    index += marker.bytes.count
                    written = index
                } else {
                    index += 1
                }
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[written...]))
        }
        return buffer
    }

    /// `value` with every string in it shown by `VisibleText` (line breaks kept): control and format characters
    /// such as NUL or U+202E become `\u{…}` before Mustache's `{{x}}` escapes the rest.
    static func visible(_ value: Any) -> Any {
        switch value {
        case let text as String:
            return DeskHTML.mayNeedVisible(text) ? VisibleText.visible(text, keepingLineBreaks: true) : text
        case let dictionary as [String: Any]:
            return dictionary.mapValues(visible)
        case let list as [Any]:
            return list.map(visible)
        default:
            return value
        }
    }

    /// Where the part `name` goes in the rendered frame: an HTML comment with a token drawn when the desk starts.
    /// No text from outside can forge it: `{{x}}` escapes its `<`.
    static func marker(_ name: String) -> String { "<!--desk-part:" + name + ":" + markerToken + "-->" }
    private static let markerToken = UUID().uuidString

    /// What the layout shows besides the page.
    func layout(section: DeskSection, context: DeskRequestContext, notice: DeskNotice?, path: String, query: String?) -> [String: Any] {
        let labels = context.labels
        var desk: [String: Any] = ["lang": context.language.rawValue]
        if let user = context.user {
            desk["user"] = ["name": user.name, "role": user.role.rawValue]
            desk["roleLabel"] = labels["role_\(user.role.rawValue)"] ?? user.role.rawValue
            desk["readOnly"] = !user.role.mayChange
            let quarter = Self.currentQuarter()
            desk["nav"] = DeskSection.allCases.filter { $0 != .none }.map { entry -> [String: Any] in
                ["href": entry.href(quarter: quarter), "label": labels["nav_\(entry.rawValue)"] ?? entry.rawValue, "active": entry == section]
            }
        }
        if let csrf = context.csrfToken { desk["csrf"] = csrf }
        if let notice { desk["notice"] = ["text": notice.text, "isError": notice.isError] }
        // The same page in the other language: the query kept, `lang` replaced.
        let other = context.language == .ja ? "en" : "ja"
        var items = (query ?? "").split(separator: "&").filter { !$0.hasPrefix("lang=") }.map(String.init)
        items.append("lang=\(other)")
        desk["otherLanguageHref"] = path + "?" + items.joined(separator: "&")
        return desk
    }

    /// `2025Q3` for today in UTC: the Reports entry of the navigation.
    static func currentQuarter(now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: now)
        return "\(parts.year ?? 2000)Q\(((parts.month ?? 1) - 1) / 3 + 1)"
    }

    /// JSON of `/api/…`: sorted keys, ISO 8601 dates, unescaped slashes.
    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An HTML response.
    public static func htmlResponse(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        htmlResponse(ByteBuffer(string: html), status: status)
    }

    /// An HTML response of the bytes of `body`.
    public static func htmlResponse(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: body))
    }

    /// A 303 See Other to a local path.
    public static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
