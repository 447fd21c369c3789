import Mustache

/// A page's Mustache template, compiled once from a Swift string constant (no file is read at run time).
///
/// A page template extends the layout and fills its `content` block; `{{x}}` escapes HTML, and outside text
/// (titles, names, subjects, statements) is only ever shown that way, never with `{{{x}}}` (the one exception:
/// `{{{html.NAME}}}`, a part the page wrote itself with `DeskHTML`, every outside text escaped there):
///
/// ```swift
/// extension DeskTemplates {
///     static let inbox = DeskTemplate("inbox", """
///         {{<layout}}{{$content}}
///         <h1>{{labels.inbox}}</h1>
///         {{#page.messages}}<p>{{subject}}</p>{{/page.messages}}
///         {{/content}}{{/layout}}
///         """)
/// }
/// ```
///
/// The render data has `page` (the view model), `labels` (the page language's labels, `DeskLabels`) and `desk`
/// (the layout's: user, role, csrf, lang, notice, navigation).
public struct DeskTemplate: Sendable {
    public let name: String
    let template: MustacheTemplate

    /// Compiles `source`; a syntax error stops the program at start-up (templates are constants: a test renders each).
    public init(_ name: String, _ source: String) {
        self.name = name
        do {
            template = try MustacheTemplate(string: source)
        } catch {
            fatalError("desk template \(name) does not compile: \(error)")
        }
    }
}

/// The namespace of the desk's templates; each area adds its own in a file of Sources/Desk/Templates/.
public enum DeskTemplates {}
