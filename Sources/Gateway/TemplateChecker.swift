import Foundation
import Synchronization

/// Walks a Mustache template against a context and lists what the context lacks, with file and line.
///
/// The renderer itself would print an empty string for a missing variable; a notice under embargo with an
/// empty case number or due date is worse than no notice, so the gateway checks first.
struct TemplateChecker {
    let partialSource: (String) -> (text: String, file: URL)?

    private indirect enum Node {
        case variable(String, line: Int)
        case section(String, inverted: Bool, line: Int, children: [Node])
        case partial(String, line: Int)
    }

    private struct SyntaxProblem: Error { let message: String }

    /// Parsed texts by first line and text: a notify checks the same few templates for thousands of messages.
    private static let parsed = Mutex<[String: Result<[Node], SyntaxProblem>]>([:])

    private func parseOnce(_ text: String, firstLine: Int) throws(SyntaxProblem) -> [Node] {
        let key = "\(firstLine)\u{0}\(text)"
        if let known = Self.parsed.withLock({ $0[key] }) { return try known.get() }
        let result: Result<[Node], SyntaxProblem>
        do { result = .success(try parse(text, firstLine: firstLine)) } catch { result = .failure(error) }
        Self.parsed.withLock { cache in
            if cache.count >= 256 { cache.removeAll() }
            cache[key] = result
        }
        return try result.get()
    }

    func check(_ text: String, file: URL, firstLine: Int, context: TemplateValue, depth: Int = 0) -> [String] {
        let nodes: [Node]
        do { nodes = try parseOnce(text, firstLine: firstLine) } catch {
            return ["\(file.path):\(error.message)"]
        }
        var problems: [String] = []
        walk(nodes, scopes: [context], file: file, depth: depth, problems: &problems)
        var seen = Set<String>()
        return problems.filter { seen.insert($0).inserted }
    }

    private func walk(_ nodes: [Node], scopes: [TemplateValue], file: URL, depth: Int, problems: inout [String]) {
        for node in nodes {
            switch node {
            case .variable(let name, let line):
                if resolve(name, in: scopes) == nil {
                    problems.append("\(file.path):\(line): the context has no value for {{\(name)}}")
                }
            case .section(let name, let inverted, let line, let children):
                guard let value = resolve(name, in: scopes) else {
                    // `{{#case.due}}` tests an optional member of a known object: absent means false.
                    if isOptionalMember(name, in: scopes) {
                        if inverted { walk(children, scopes: scopes, file: file, depth: depth, problems: &problems) }
                        continue
                    }
                    problems.append("\(file.path):\(line): the context has no value for section {{\(inverted ? "^" : "#")\(name)}}")
                    continue
                }
                if inverted {
                    walk(children, scopes: scopes, file: file, depth: depth, problems: &problems)
                    continue
                }
                switch value {
                case .list(let items):
                    for item in items { walk(children, scopes: scopes + [item], file: file, depth: depth, problems: &problems) }
                case .object:
                    walk(children, scopes: scopes + [value], file: file, depth: depth, problems: &problems)
                case .bool(let flag):
                    if flag { walk(children, scopes: scopes, file: file, depth: depth, problems: &problems) }
                case .string:
                    walk(children, scopes: scopes + [value], file: file, depth: depth, problems: &problems)
                }
            case .partial(let name, let line):
                guard depth < 8 else {
                    problems.append("\(file.path):\(line): partials nest deeper than 8 (a partial includes itself?)")
                    continue
                }
                guard let source = partialSource(name) else {
                    problems.append("\(file.path):\(line): no partial \(name) (expected _\(name).<language>.mustache)")
                    continue
                }
                let nodes: [Node]
                do { nodes = try parseOnce(source.text, firstLine: 1) } catch {
                    problems.append("\(source.file.path):\(error.message)")
                    continue
                }
                walk(nodes, scopes: scopes, file: source.file, depth: depth + 1, problems: &problems)
            }
        }
    }

    /// A dotted name whose parent resolves to an object (`case` of `case.due`).
    private func isOptionalMember(_ name: String, in scopes: [TemplateValue]) -> Bool {
        let path = name.split(separator: ".")
        // `{{#answer.url}}`: the vendor's answer link, absent wherever no link is given (answer.base_url unset, a
        // message outside a case, `mail send`).
        if path.first == "answer" && path.count == 2 { return true }
        guard path.count > 1, let parent = resolve(path.dropLast().joined(separator: "."), in: scopes),
              case .object = parent else { return false }
        return true
    }

    private func resolve(_ name: String, in scopes: [TemplateValue]) -> TemplateValue? {
        if name == "." { return scopes.last }
        let path = name.split(separator: ".").map(String.init)
        guard let first = path.first else { return nil }
        for scope in scopes.reversed() {
            guard var value = scope[member: first] else { continue }
            for component in path.dropFirst() {
                guard let next = value[member: component] else { return nil }
                value = next
            }
            return value
        }
        return nil
    }

    /// Tags with their lines, nested by section. Set-delimiter tags are refused: no shipped template needs them.
    private func parse(_ text: String, firstLine: Int) throws(SyntaxProblem) -> [Node] {
        var stack: [(name: String, inverted: Bool, line: Int, children: [Node])] = [("", false, firstLine, [])]
        var line = firstLine
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            line += rest[rest.startIndex..<open.lowerBound].filter { $0 == "\n" }.count
            let triple = rest[open.upperBound...].hasPrefix("{")
            let closer = triple ? "}}}" : "}}"
            let contentStart = triple ? rest.index(after: open.upperBound) : open.upperBound
            guard let close = rest[contentStart...].range(of: closer) else {
                throw SyntaxProblem(message: "\(line): unclosed {{ tag")
            }
            let raw = rest[contentStart..<close.lowerBound]
            let tagLines = raw.filter { $0 == "\n" }.count
            rest = rest[close.upperBound...]
            var tag = raw.trimmingCharacters(in: .whitespaces)
            if triple { stack[stack.count - 1].children.append(.variable(tag, line: line)); line += tagLines; continue }
            let sigil = tag.first
            if let sigil, "#^/>&!%=".contains(sigil) { tag = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces) }
            switch sigil {
            case "!", "%": break
            case "=": throw SyntaxProblem(message: "\(line): set-delimiter tags are not supported")
            case "#", "^": stack.append((tag, sigil == "^", line, []))
            case "/":
                guard stack.count > 1, stack[stack.count - 1].name == tag else {
                    throw SyntaxProblem(message: "\(line): {{/\(tag)}} closes no open section")
                }
                let done = stack.removeLast()
                stack[stack.count - 1].children.append(.section(done.name, inverted: done.inverted, line: done.line, children: done.children))
            case ">": stack[stack.count - 1].children.append(.partial(tag, line: line))
            default: stack[stack.count - 1].children.append(.variable(tag, line: line))
            }
            line += tagLines
        }
        if stack.count > 1 {
            let open = stack[stack.count - 1]
            throw SyntaxProblem(message: "\(open.line): section {{#\(open.name)}} is never closed")
        }
        return stack[0].children
    }
}
