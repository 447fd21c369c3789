import ArgumentParser
import Foundation
import Registry

/// `liaison key …`
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Check the contacts' public keys; set up the CSIRT's signing key.",
        subcommands: [Check.self, Setup.self])

    /// `liaison key check [--within DAYS]`
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List contacts whose keys are missing, expired, revoked, or expire within DAYS.",
            discussion: "One line per contact on standard output; exits 1 if there is any.")

        @Option(name: .long, help: ArgumentHelp("Warn about keys expiring within this many days.", valueName: "DAYS"))
        var within: Int = 30

        @Flag(name: .long, help: "Count contacts without any key as missing too.")
        var includeKeyless = false

        @OptionGroup var options: WorkspaceOptions

        func validate() throws {
            guard within >= 0 else { throw ValidationError("--within must be zero or more days.") }
        }

        func run() throws {
            let workspace = try options.locate()
            let store = try options.openStore(of: workspace)
            let dates = try options.dates(of: workspace)
            let directory = store.directory
            let (problems, total) = try CommandSupport.reportingErrors {
                (try directory.contactsWithKeyProblems(within: within, includeKeyless: includeKeyless),
                 try directory.organizations(filter: OrganizationFilter(includeRetired: true)).count)
            }
            if total == 0 {
                try CommandSupport.fail("The registry is empty: run `liaison directory sync` first.")
            }
            for problem in problems {
                let key = problem.fingerprint ?? "no key"
                let what: String
                switch problem.problem {
                case .missing: what = problem.fingerprint == nil ? "has no key" : "names a key that is not in the registry"
                case .revoked: what = "is revoked"
                case .expired: what = "expired on \(problem.expiresAt.map(dates.dayText) ?? "never")"
                case .expiring: what = "expires on \(problem.expiresAt.map(dates.dayText) ?? "never")"
                }
                let subject = problem.fingerprint == nil ? "\(problem.email) (\(problem.organizationId)) \(what)"
                                                         : "\(problem.email) (\(problem.organizationId)): key \(key) \(what)"
                print(subject)
            }
            if problems.isEmpty {
                print("Every key of an active contact is usable for at least \(CommandSupport.plural(within, "more day")).")
            } else {
                CommandSupport.printError("\(CommandSupport.plural(problems.count, "contact")) with key problems.")
                throw ExitCode(1)
            }
        }
    }
}
