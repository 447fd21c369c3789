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
    // A byte buffer: appending a run is a bounds check and a copy (an array's `append(contentsOf:)` costs several
    // times that, and a matrix of 2,000 rows is some 150,000 runs).
    private var bytes: ByteBuffer

    /// `capacity`: bytes reserved up front (a guess of the size, to grow the buffer rarely).
    public init(capacity: Int = 1024) { bytes = ByteBufferAllocator().buffer(capacity: capacity) }

    /// Appends markup written in the source (a literal: never outside text).
    public mutating func raw(_ markup: StaticString) {
        bytes.writeStaticString(markup)
    }

    /// Appends `text` escaped.
    public mutating func text(_ text: String) {
        Self.escape(text, into: &bytes)
    }

    /// Appends `text` escaped, when there is one.
    public mutating func text(_ text: String?) {
        if let text { Self.escape(text, into: &bytes) }
    }

    /// Appends a number.
    public mutating func number(_ value: Int) {
        bytes.writeString(String(value))
    }

    /// The HTML written so far.
    public var string: String { String(buffer: bytes) }

    /// Writes the HTML written so far at the end of `buffer`.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeImmutableBuffer(bytes)
    }

    /// The number of bytes written so far.
    public var count: Int { bytes.readableBytes }

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`: the desk's
    /// one escaping function for HTML written in Swift (the same five characters as Mustache's `{{x}}`),
    /// control and format characters shown as `\u{…}` first.
    public static func escape(_ text: String) -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: text.utf8.count)
        escape(text, into: &buffer)
        return String(buffer: buffer)
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

    /// Appends the UTF-8 of `text`, escaped, to `bytes`; runs without a special character are copied whole.
    /// Control and format characters (a NUL, U+202E…) are first made visible as `\u{…}` (`VisibleText`, the command
    /// line's rule), line breaks and tabs kept: never sent raw, never reordering what is shown.
    static func escape(_ text: String, into bytes: inout ByteBuffer) {
        var text = mayNeedVisible(text) ? VisibleText.visible(text, keepingLineBreaks: true) : text
        text.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                // Letters and every byte of a multi-byte character are above `>` (62): one comparison for most.
                if byte > 62 { continue }
                let replacement: StaticString
                switch byte {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&#39;"
                default: continue
                }
                bytes.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start..<index]))
                bytes.writeStaticString(replacement)
                start = index + 1
            }
            bytes.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start...]))
        }
    }
}
