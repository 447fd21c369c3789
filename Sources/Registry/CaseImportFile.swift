import Foundation

/// One case read from a history file for `liaison case import`.
public struct ImportedCase: Sendable, Equatable {
    /// Line of the file the case came from (1 is the header).
    public let line: Int
    public let id: String
    public let title: String
    /// The Japanese title (column `title_ja`), or nil.
    public var titleJa: String? = nil
    public let origin: String
    public let openedAt: Date
    public let publishedAt: Date?
    /// The due day, or nil.
    public let due: CalendarDate?
    /// Organisation ids, in file order.
    public let participants: [String]
}

/// Reads a CSV file (RFC 4180: commas, double-quoted fields, CRLF or LF) of past cases with the header
/// `id,title,origin,opened,published,due` and optionally `participants` (ids separated by spaces or `;`) and
/// `title_ja` (the Japanese title, for messages in Japanese).
/// Dates are `YYYY-MM-DD`, taken as the start of that day in the workspace zone. Every problem is reported,
/// one `FILE:LINE: message` line each, and then nothing is returned.
public enum CaseImportFile {
    public static let requiredColumns = ["id", "title", "origin", "opened", "published", "due"]

    public static func parse(_ text: String, file: String, timeZone: TimeZone) throws(RegistryError) -> [ImportedCase] {
        var problems: [String] = []
        let records: [(line: Int, fields: [String])]
        do { records = try rows(text) } catch { throw .invalidArgument("\(file):\(error.line): \(error.message)") }
        guard let header = records.first else { throw .invalidArgument("\(file):1: the file is empty; the first line names the columns \(requiredColumns.joined(separator: ","))") }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = requiredColumns.filter { !columns.contains($0) }
        let unknown = columns.filter { !(requiredColumns + ["participants", "title_ja"]).contains($0) }
        if !missing.isEmpty || !unknown.isEmpty {
            throw .invalidArgument("\(file):1: the header must name the columns \(requiredColumns.joined(separator: ","))[,participants][,title_ja]"
                                   + (missing.isEmpty ? "" : "; missing \(missing.joined(separator: ", "))")
                                   + (unknown.isEmpty ? "" : "; unknown \(unknown.joined(separator: ", "))"))
        }
        var cases: [ImportedCase] = []
        var seen: [String: Int] = [:]
        for (line, fields) in records.dropFirst() {
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard fields.count == columns.count else {
                problems.append("\(file):\(line): \(fields.count) fields, but the header names \(columns.count)")
                continue
            }
            var value: [String: String] = [:]
            for (name, field) in zip(columns, fields) { value[name] = field.trimmingCharacters(in: .whitespaces) }
            let before = problems.count
            func fail(_ message: String) { problems.append("\(file):\(line): \(message)") }
            let id = value["id"]!, title = value["title"]!, origin = value["origin"]!
            if id.isEmpty || id.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) {
                fail("id must be one line of text, such as JVNVU#12345678")
            } else if let hidden = id.unicodeScalars.first(where: YAMLFields.isInvisible) {
                fail("id contains the invisible character \(YAMLFields.name(of: hidden)) (a bidi control or format character "
                     + "that can make text read differently from what it is); remove it")
            } else if let first = seen[id] {
                fail("case \(id) is already on line \(first)")
            } else {
                seen[id] = line
            }
            if let problem = CaseTitle.problem(title) { fail("title \(problem)") }
            let titleJa = value["title_ja"].flatMap { $0.isEmpty ? nil : $0 }
            if let titleJa, let problem = CaseTitle.problem(titleJa) { fail("title_ja \(problem)") }
            if origin.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) == nil {
                fail("origin \"\(origin)\" is not a partner id such as jvn-jp, cert-cc or cpni")
            }
            func day(_ name: String, required: Bool) -> CalendarDate? {
                let text = value[name]!
                if text.isEmpty {
                    if required { fail("\(name) is required (YYYY-MM-DD)") }
                    return nil
                }
                guard let date = CalendarDate(text) else {
                    fail("\(name) \"\(text)\" is not " + (CalendarDate.hasDayForm(text) ? "a day of the calendar" : "a date of the form YYYY-MM-DD"))
                    return nil
                }
                return date
            }
            let opened = day("opened", required: true), published = day("published", required: false), due = day("due", required: false)
            if let opened, let published, published < opened { fail("published \(published) is before opened \(opened)") }
            let participants = (value["participants"] ?? "").split(whereSeparator: { $0 == " " || $0 == ";" }).map(String.init)
            if let control = participants.lazy.compactMap({ VisibleText.forbiddenControl(in: $0) }).first {
                fail("participants contains the control character \(VisibleText.name(of: control)); organisation ids are printable text")
            }
            guard problems.count == before, let opened else { continue }
            var imported = ImportedCase(line: line, id: id, title: title, origin: origin, openedAt: opened.start(in: timeZone),
                                        publishedAt: published?.start(in: timeZone), due: due, participants: participants)
            imported.titleJa = titleJa
            cases.append(imported)
        }
        if !problems.isEmpty { throw .invalidArgument(problems.joined(separator: "\n")) }
        return cases
    }

    struct SyntaxError: Error {
        let line: Int
        let message: String
    }

    /// Records with the line each starts on; quoted fields may hold commas, quotes (doubled) and line breaks.
    static func rows(_ text: String) throws(SyntaxError) -> [(line: Int, fields: [String])] {
        var result: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var line = 1, recordLine = 1
        var quoted = false, wasQuoted = false
        var characters = text.replacingOccurrences(of: "\r\n", with: "\n").makeIterator()
        var pending: Character? = characters.next()
        if pending == "\u{FEFF}" { pending = characters.next() }
        while let character = pending {
            pending = characters.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" { field.append("\""); pending = characters.next() } else { quoted = false }
                } else {
                    if character == "\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"":
                guard field.isEmpty, !wasQuoted else { throw SyntaxError(line: line, message: "a quote inside an unquoted field; quote the whole field and double the quote") }
                quoted = true; wasQuoted = true
            case ",":
                fields.append(field); field = ""; wasQuoted = false
            case "\n":
                fields.append(field); field = ""; wasQuoted = false
                result.append((recordLine, fields)); fields = []
                line += 1; recordLine = line
            default:
                if wasQuoted { throw SyntaxError(line: line, message: "text after a closing quote") }
                field.append(character)
            }
        }
        if quoted { throw SyntaxError(line: recordLine, message: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { fields.append(field); result.append((recordLine, fields)) }
        return result
    }
}
