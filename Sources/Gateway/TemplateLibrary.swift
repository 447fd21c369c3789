import Foundation
import Mustache
import Synchronization
import Yams

/// A message template `Templates/<name>.<lang>.mustache`: a subject from the front matter and a body.
public struct MessageTemplate: Sendable {
    public let name: String
    public let language: String
    public let subject: String
    public let body: String
    public let file: URL
    /// Line in the file where the body begins, so problems name the right line.
    let bodyFirstLine: Int
}

/// The subject and body of one rendered message.
public struct RenderedMessage: Sendable, Equatable {
    public let subject: String
    public let body: String
}

/// The templates of a workspace. Partials are `_<name>.<lang>.mustache` or `_<name>.mustache`.
///
/// Text mail is never HTML-escaped, partials included, and a variable the context lacks is an error
/// before anything is rendered, never an empty string:
/// ```swift
/// let library = try TemplateLibrary(directory: workspace.templatesURL)
/// let template = try library.template(named: "vendor-initial", preferring: ["ja"])
/// let message = try library.render(template, context: context)
/// ```
public struct TemplateLibrary: Sendable {
    private var templates: [String: [String: MessageTemplate]] = [:]     // name → language → template
    private var partials: [String: (text: String, file: URL)] = [:]      // "name.lang" or "name"
    public let directory: URL
    /// Each template, with its partials, parsed once: a notify of thousands renders the same few again and again.
    private let compiled = CompiledTemplates()

    public init(directory: URL) throws(GatewayError) {
        self.directory = directory
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() } catch {
            throw .templateNotFound("\(directory.path): no templates folder")
        }
        for file in names where file.hasSuffix(".mustache") {
            let url = directory.appendingPathComponent(file)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw .templateSyntax("\(url.path): not readable as UTF-8 text")
            }
            let stem = String(file.dropLast(".mustache".count))
            if stem.hasPrefix("_") {
                partials[String(stem.dropFirst())] = (text, url)
                continue
            }
            let pieces = stem.split(separator: ".", omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else {
                throw .templateSyntax("\(url.path): template files are named <name>.<language>.mustache")
            }
            let (subject, body, firstLine) = try Self.splitFrontMatter(text, file: url)
            let template = MessageTemplate(name: String(pieces[0]), language: String(pieces[1]),
                                           subject: subject, body: body, file: url, bodyFirstLine: firstLine)
            templates[template.name, default: [:]][template.language] = template
        }
    }

    /// Names of the templates, sorted.
    public var names: [String] { templates.keys.sorted() }

    /// Languages a template exists in.
    public func languages(of name: String) -> [String] { templates[name].map { $0.keys.sorted() } ?? [] }

    /// The template in the first available of `languages`, else English, else an error.
    public func template(named name: String, preferring languages: [String]) throws(GatewayError) -> MessageTemplate {
        guard let variants = templates[name] else {
            let known = names.isEmpty ? "none" : names.joined(separator: ", ")
            throw .templateNotFound("no template \(name) in \(directory.path) (templates: \(known))")
        }
        for language in languages + ["en"] {
            if let t = variants[language] { return t }
            if let t = variants[String(language.prefix(while: { $0 != "-" }))] { return t }
        }
        throw .templateNotFound("template \(name) has no version in \(languages.joined(separator: ", ")) or en")
    }

    /// Every variable, section and partial the template uses that `context` cannot supply, one line each.
    public func problems(in template: MessageTemplate, context: TemplateValue) -> [String] {
        var problems: [String] = []
        let checker = TemplateChecker(partialSource: { self.partial(named: $0, language: template.language) })
        problems += checker.check(template.subject, file: template.file, firstLine: 2, context: context)
        problems += checker.check(template.body, file: template.file, firstLine: template.bodyFirstLine, context: context)
        return problems
    }

    /// Renders subject and body as plain text; every problem is thrown before anything is rendered.
    public func render(_ template: MessageTemplate, context: TemplateValue) throws(GatewayError) -> RenderedMessage {
        let problems = problems(in: template, context: context)
        if !problems.isEmpty { throw .missingVariable(problems.joined(separator: "\n")) }
        return try renderChecked(template, context: context)
    }

    /// Renders a template whose `problems(in:context:)` for this very context were just found empty.
    func renderChecked(_ template: MessageTemplate, context: TemplateValue) throws(GatewayError) -> RenderedMessage {
        do {
            let parsed = try compiledTemplate(template)
            let value = context.mustacheValue
            let subject = parsed.subject.render(value, library: parsed.library)
            let body = parsed.body.render(value, library: parsed.library)
            // A line break from a value would start a new header: refused like CR LF, never made a space.
            if let lineBreak = subject.unicodeScalars.first(where: { $0 == "\n" || $0 == "\r" }) {
                throw GatewayError.input("\(template.file.path): the subject would hold a line break (\(lineBreak == "\n" ? "LF" : "CR")) from a value put into it; a header value cannot hold CR or LF")
            }
            let oneLine = subject.split(separator: "\t").joined(separator: " ").trimmingCharacters(in: .whitespaces)
            return RenderedMessage(subject: oneLine, body: body)
        } catch let error as GatewayError {
            throw error
        } catch {
            throw .templateSyntax("\(template.file.path): \(error)")
        }
    }

    /// The template and its partials parsed, from the cache or parsed now.
    private func compiledTemplate(_ template: MessageTemplate) throws -> CompiledTemplates.Entry {
        let key = "\(template.name).\(template.language)"
        if let entry = compiled.entries.withLock({ $0[key] }), entry.file == template.file { return entry }
        var library = MustacheLibrary()
        for name in Set(partials.keys.map { $0.split(separator: ".").first.map(String.init) ?? $0 }) {
            if let source = partial(named: name, language: template.language) {
                try library.register(Self.plainText + source.text, named: name)
            }
        }
        let entry = CompiledTemplates.Entry(file: template.file, library: library,
                                            subject: try MustacheTemplate(string: Self.plainText + template.subject),
                                            body: try MustacheTemplate(string: Self.plainText + template.body))
        compiled.entries.withLock { $0[key] = entry }
        return entry
    }

    /// Every template and partial starts with this pragma: Mustache escapes HTML by default, and a partial
    /// does not inherit its parent's content type.
    private static let plainText = "{{% CONTENT_TYPE: TEXT }}"

    private func partial(named name: String, language: String) -> (text: String, file: URL)? {
        partials["\(name).\(language)"] ?? partials[name] ?? partials["\(name).en"]
    }

    /// Splits `---\nsubject: …\n---\n` from the body; the subject is required.
    private static func splitFrontMatter(_ text: String, file: URL) throws(GatewayError) -> (String, String, Int) {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        var lines = normalized.components(separatedBy: "\n")
        guard lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") else {
            throw .templateSyntax("\(file.path):1: a template begins with a front matter block (---, subject: \"…\", ---)")
        }
        let yaml = lines[1..<end].joined(separator: "\n")
        let parsed: Any?
        do { parsed = try Yams.load(yaml: yaml) } catch {
            throw .templateSyntax("\(file.path):2: front matter is not valid YAML (\(error))")
        }
        guard let fields = parsed as? [String: Any], let subject = fields["subject"] as? String, !subject.isEmpty else {
            throw .templateSyntax("\(file.path):2: front matter has no subject")
        }
        if let unknown = fields.keys.first(where: { $0 != "subject" }) {
            throw .templateSyntax("\(file.path):2: unknown front matter field \(unknown) (only subject is known)")
        }
        lines.removeFirst(end + 1)
        return (subject, lines.joined(separator: "\n"), end + 2)
    }
}

/// Parsed templates by "name.language", shared by the copies of one library (and its threads).
private final class CompiledTemplates: Sendable {
    struct Entry: Sendable {
        let file: URL
        let library: MustacheLibrary
        let subject: MustacheTemplate
        let body: MustacheTemplate
    }
    let entries = Mutex<[String: Entry]>([:])
}
