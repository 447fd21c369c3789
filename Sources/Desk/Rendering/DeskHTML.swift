import NIOCore
import Registry

/// HTML written by Swift, for the parts of a page that grow with the data (the vendor matrix of a case of
/// thousands of organisations): one pass into a byte buffer, no template lookups.
///
/// Markup can only be a string literal (`StaticString`), so nothing from outside can be written unescaped; every
/// other text goes through `text(_:)`, which escapes it with `DeskHTML.escape` (HTML 5 §13.1.2.6 character
/// references: `&`, `<`, `>`, `"`, `'`), safe in element content and in quoted attribute values alike.
///
/// ```swift
/// var html = DeskHTML(capacity: 4096)
/// html.raw("<td class=\"t\">"); html.text(statement)
/// // a page's htmlParts: ["matrix": html], written where its template says {{{html.matrix}}}
/// ```
public struct DeskHTML: Sendable {
    // Bytes written into a buffer grown by doubling, `used` of them taken: appending a run is one uniqueness check
    // and one copy. (`Array.append(contentsOf:)` and `ByteBuffer.writeBytes` cost 100 to 250 instructions a call,
    // and a matrix of 2,000 rows is some 50,000 calls.)
    private var storage: [UInt8]
    private var used = 0

    /// `capacity`: bytes reserved up front (a guess of the size, to grow the buffer rarely).
    public init(capacity: Int = 1024) { storage = [UInt8](repeating: 0, count: Swift.max(capacity, 64)) }

    /// Appends markup written in the source (a literal: never outside text).
    public mutating func raw(_ markup: StaticString) {
        append(UnsafeRawBufferPointer(start: markup.utf8Start, count: markup.utf8CodeUnitCount))
    }

    /// Appends `text` escaped.
    public mutating func text(_ text: String) {
        Self.escape(text, into: &self)
    }

    /// Appends `text` escaped, when there is one.
    public mutating func text(_ text: String?) {
        if let text { Self.escape(text, into: &self) }
    }

    /// Appends a number.
    public mutating func number(_ value: Int) {
        var digits = String(value)
        digits.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// The HTML written so far.
    public var string: String { String(decoding: storage[0..<used], as: UTF8.self) }

    /// Writes the HTML written so far at the end of `buffer`.
    public func write(into buffer: inout ByteBuffer) {
        storage.withUnsafeBytes { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: $0[0..<used])) }
    }

    /// The number of bytes written so far.
    public var count: Int { used }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        guard count > 0, let source = bytes.baseAddress else { return }
        if used + count > storage.count {
            storage.append(contentsOf: repeatElement(0, count: Swift.max(storage.count, count)))
        }
        let at = used
        storage.withUnsafeMutableBytes { target in
            (target.baseAddress! + at).copyMemory(from: source, byteCount: count)
        }
        used += count
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`: the desk's
    /// one escaping function for HTML written in Swift (the same five characters as Mustache's `{{x}}`),
    /// control and format characters shown as `\u{…}` first.
    public static func escape(_ text: String) -> String {
        var html = DeskHTML(capacity: text.utf8.count + 16)
        escape(text, into: &html)
        return html.string
    }

    /// Whether `text` has a byte that may start a character `VisibleText` shows (a control byte or any non-ASCII
    /// byte): plain ASCII, the common case, skips the scalar check. Reads the bytes in place when the string has
    /// them contiguous (a native string always does).
    static func mayNeedVisible(_ text: String) -> Bool {
        let inPlace = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            for byte in utf8 where byte < 0x20 || byte >= 0x7F { return true }
            return false
        }
        return inPlace ?? text.utf8.contains { $0 < 0x20 || $0 >= 0x7F }
    }

    /// Appends the UTF-8 of `text`, escaped, to `html`; runs without a special character are copied whole.
    /// Control and format characters (a NUL, U+202E…) are first made visible as `\u{…}` (`VisibleText`, the command
    /// line's rule), line breaks and tabs kept: never sent raw, never reordering what is shown. Plain ASCII, the
    /// common case, is read once: a control or non-ASCII byte undoes what was written and starts again from
    /// `VisibleText`'s form.
    static func escape(_ text: String, into html: inout DeskHTML) {
        let mark = html.used
        if escapeRuns(text, into: &html, stoppingAtNonASCII: true) { return }
        html.used = mark
        _ = escapeRuns(VisibleText.visible(text, keepingLineBreaks: true), into: &html, stoppingAtNonASCII: false)
    }

    /// Writes `text` escaped; with `stoppingAtNonASCII`, returns false at the first control or non-ASCII byte
    /// (what was written so far is then to be undone).
    private static func escapeRuns(_ text: String, into html: inout DeskHTML, stoppingAtNonASCII: Bool) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                // Letters are above `>` (62): one comparison for most, and one more for plain ASCII.
                if byte > 62 {
                    if byte < 0x7F || !stoppingAtNonASCII { continue }
                    return false
                }
                let replacement: StaticString
                switch byte {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&#39;"
                default:
                    if byte < 0x20 && stoppingAtNonASCII { return false }
                    continue
                }
                html.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start..<index]))
                html.raw(replacement)
                start = index + 1
            }
            html.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start...]))
            return true
        }
    }
}
