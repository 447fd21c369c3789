import ArgumentParser
import Registry

/// "did you mean" for a mistyped subcommand (`liaison cas show`, `liaison case shwo`), which the argument parser
/// would only call an unexpected argument.
enum CommandSuggestion {
    /// The line to print when `arguments` (without the program name) name a subcommand that does not exist, or nil.
    static func problem(in arguments: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [root._commandName]
        for argument in arguments {
            if argument.hasPrefix("-") || argument == "help" { return nil }
            let subcommands = command.configuration.subcommands
            if subcommands.isEmpty { return nil }
            if let next = subcommands.first(where: { $0._commandName == argument || $0.configuration.aliases.contains(argument) }) {
                command = next
                path.append(argument)
                continue
            }
            let names = subcommands.map { $0._commandName }
            // A command with a default subcommand takes its arguments (`liaison outbox --all`); a word near one of
            // its subcommands' names is a mistyped subcommand (`liaison outbox viod`), which the default one
            // would only call an unexpected argument or an unknown option.
            if command.configuration.defaultSubcommand != nil, NearestName.closest(to: argument, in: names) == nil { return nil }
            return "\(path.joined(separator: " ")): no command \(argument)\(NearestName.suggestion(for: argument, in: names)); "
                + "the commands are \(names.joined(separator: ", "))"
        }
        return nil
    }
}
