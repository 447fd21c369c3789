import ArgumentParser
import Foundation
import Registry

/// Shared output of the commands: errors on stderr, tables, JSON and CSV on stdout.
enum CommandSupport {
    /// Writes one line to standard error, control characters escaped.
    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((visible(line, keepingLineBreaks: false) + "\n").utf8))
    }

    /// `text` safe to show in a terminal: every control character (C0 but tab, DEL, C1) and every Unicode
    /// format character (bidi overrides and isolates such as U+202E, zero-width characters, U+FEFF) becomes a
    /// visible `\u{…}`, so text from outside (a subject, a name, a server reply) can neither move the cursor,
    /// recolour the terminal, reorder what is shown nor forge a line. With `keepingLineBreaks`, LF and a CR
    /// right before it are kept (for whole outputs printed at once); text from outside is escaped in tables
    /// and messages before it is joined with them.
    ///
    /// The one escaping function of the command line: `printTable`, `printError`, this module's `print` and the
    /// log lines (`EscapingLogHandler`) all go through it.
    static func visible(_ text: String, keepingLineBreaks: Bool = false) -> String {
        VisibleText.visible(text, keepingLineBreaks: keepingLineBreaks)
    }

    /// Prints each line on standard error and exits with status 1.
    static func fail(_ lines: [String]) throws -> Never {
        lines.forEach(printError)
        throw ExitCode(1)
    }

    /// Prints one line on standard error and exits with status 1.
    static func fail(_ line: String) throws -> Never {
        try fail([line])
    }

    /// Runs `body`; any error but an exit becomes its description on stderr (one line per problem) and status 1,
    /// never a stack trace or a Swift type name.
    static func reportingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let exit as ExitCode {
            throw exit
        } catch where ConfigurationPlaces.locate(error) != nil {
            try fail(ConfigurationPlaces.locate(error)!.split(separator: "\n").map(String.init))
        } catch where RegistryStore.explain(error) != nil {
            try fail(RegistryStore.explain(error)!)
        } catch let error as CustomStringConvertible & Error {
            try fail(error.description.split(separator: "\n").map(String.init))
        } catch {
            try fail(error.localizedDescription)
        }
    }

    /// JSON with sorted keys, indented, dates as ISO 8601 in UTC, slashes unescaped; ends with a newline.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// Prints `value` as JSON on standard output.
    static func printJSON(_ value: some Encodable) throws {
        printJSONText(try json(value))
    }

    /// Prints JSON text on standard output as JSON, never through `visible` (whose `\u{82}` is no JSON escape):
    /// the characters a terminal must not receive raw (DEL, C1 controls, Unicode format characters such as a
    /// zero-width joiner or a bidi override) are written as JSON's own `\u0082` escapes, which every JSON reader
    /// turns back into the same text. The encoder already escapes C0 controls. Every `--format json` output of
    /// the command line goes through here.
    static func printJSONText(_ text: String) {
        Swift.print(jsonEscapingTerminalCharacters(text), terminator: "")
    }

    /// `json` with DEL, C1 controls and format characters written as `\uXXXX` (UTF-16, so a character beyond
    /// the BMP becomes its surrogate pair). Such characters can only occur inside JSON strings, where an escape
    /// means the same character.
    static func jsonEscapingTerminalCharacters(_ json: String) -> String {
        // C0 controls inside strings are the encoder's to escape; outside them are the line breaks of the layout.
        func unsafe(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x7F && VisibleText.needsEscape(scalar) }
        guard json.unicodeScalars.contains(where: unsafe) else { return json }
        var output = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            guard unsafe(scalar) else { output.append(scalar); continue }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16)
                output.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            }
        }
        return String(output)
    }

    /// Prints a table with `headers` on standard output.
    static func printTable(_ headers: [String], _ rows: [[String]]) {
        var table = TextTable(headers)
        rows.forEach { table.add($0) }
        print(table.render(), terminator: "")
    }

    /// Runs `parse` on the value of `option`; a library error about the value (which names no option) becomes
    /// `--option: sentence`.
    ///
    /// ```swift
    /// let at = try CommandSupport.value(of: "--at") { try dates.instant(parsing: text) }
    /// ```
    static func value<T>(of option: String, _ parse: () throws -> T) throws -> T {
        do {
            return try parse()
        } catch let error as ValidationError {
            throw error
        } catch let error as CustomStringConvertible & Error {
            throw ValidationError("\(option): \(error.description)")
        }
    }

    /// `3 errors`, `1 warning`.
    /// A long list on one line summarised: the first `shown` items, then how many more (`a, b, c … and 1997 more`).
    static func summarized(_ items: [String], shown: Int = 10, noun: String) -> String {
        guard items.count > shown else { return items.joined(separator: ", ") }
        return items.prefix(shown).joined(separator: ", ") + " … and \(items.count - shown) \(noun)"
    }

    /// `1 key`, `2 keys`; a noun ending in a consonant and `y` takes `ies` (`2 auto-replies`).
    static func plural(_ count: Int, _ noun: String) -> String {
        guard count != 1 else { return "1 \(noun)" }
        if noun.hasSuffix("y"), let before = noun.dropLast().last, !"aeiou".contains(before) {
            return "\(count) \(noun.dropLast())ies"
        }
        return "\(count) \(noun)s"
    }
}

/// A plain-text table whose columns line up in a terminal: widths count East Asian wide characters as two
/// columns, so Japanese names do not push the columns out of line.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: [String]) {
        self.headers = headers.map { CommandSupport.visible($0) }
    }

    mutating func add(_ row: [String]) {
        rows.append(row.map { CommandSupport.visible($0) })
    }

    func render() -> String {
        let all = [headers] + rows
        var widths = Array(repeating: 0, count: headers.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(cell))
            }
        }
        return all.map { row in
            var line = ""
            for (index, cell) in row.enumerated() where index < widths.count {
                line += cell
                if index < row.count - 1 {
                    line += String(repeating: " ", count: widths[index] - DisplayWidth.of(cell) + 2)
                }
            }
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n") + "\n"
    }
}

/// Terminal column widths (after Unicode's East Asian Width: wide and fullwidth characters take two columns,
/// combining marks none).
enum DisplayWidth {
    static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + width(of: $1) }
    }

    static func width(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value == 0 || (0x0300...0x036F).contains(value) || (0x200B...0x200F).contains(value)
            || (0xFE00...0xFE0F).contains(value) || scalar.properties.generalCategory == .nonspacingMark {
            return 0
        }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
        ]
        return wide.contains { $0.contains(value) } ? 2 : 1
    }
}

/// `--format table|json` of the commands whose output is a list.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Standard output of every command, through the one escaping function: control and format characters in what
/// is printed (text from outside among it) are shown as `\u{…}`; line breaks of the output itself are kept.
/// Shadows the standard library's `print` inside this module only.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    Swift.print(CommandSupport.visible(text, keepingLineBreaks: true), terminator: terminator)
}
