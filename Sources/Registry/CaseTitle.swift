import Foundation

/// The one rule for a case's title and Japanese title, however it comes in (`case open`, `case set-title`, the
/// desk, `case import`): one non-empty line of printable text. A control character would reach every message,
/// report and page the title is written in (an escape sequence in a terminal, a NUL the registry does not store).
public enum CaseTitle {
    /// Why `text` is no title, as the end of a sentence that begins with the field's name (`--title must be one
    /// non-empty line`), or nil when it is one.
    public static func problem(_ text: String) -> String? {
        if text.isEmpty || text.contains(where: \.isNewline) { return "must be one non-empty line" }
        if let control = VisibleText.forbiddenControl(in: text) {
            return "contains the control character \(VisibleText.name(of: control)); a title is one line of printable text"
        }
        return nil
    }
}
